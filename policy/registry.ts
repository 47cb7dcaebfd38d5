import { apiGatewayRules } from './rules/apigateway';
import { cognitoRules } from './rules/cognito';
import { iamRules } from './rules/iam';
import { kmsRules } from './rules/kms';
import { lambdaRules } from './rules/lambda';
import { logsRules } from './rules/logs';
import { redshiftRules } from './rules/redshift';
import { s3Rules } from './rules/s3';
import { secretsRules } from './rules/secrets';
import { vpcRules } from './rules/vpc';
import { wafRules } from './rules/waf';
import { Rule, RuleInfo } from './types';

/** Every resource rule of the security baseline (DESIGN.md section 5). */
export const RULES: readonly Rule[] = [
  ...s3Rules,
  ...iamRules,
  ...kmsRules,
  ...secretsRules,
  ...redshiftRules,
  ...lambdaRules,
  ...apiGatewayRules,
  ...cognitoRules,
  ...wafRules,
  ...logsRules,
  ...vpcRules,
];

/** Checks of the suppressions themselves; the engine applies them. */
export const UNKNOWN_SUPPRESSION: RuleInfo = {
  id: 'LR-SUP-001',
  mirrors: [],
  severity: 'error',
  description: 'Suppressions name an existing rule id',
  fix: 'use a rule id from `npm run policy` in suppressRule(...)',
};
export const UNUSED_SUPPRESSION: RuleInfo = {
  id: 'LR-SUP-002',
  mirrors: [],
  severity: 'warning',
  description: 'Suppressions silence a finding (stale ones are removed)',
  fix: 'remove the suppressRule(...) call: the resource now complies or the rule does not apply to it',
};

const ids = RULES.map((r) => r.id);
const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
if (duplicate) throw new Error(`security baseline: rule id ${duplicate} is used twice`);

export const ruleById = new Map<string, Rule>(RULES.map((r) => [r.id, r]));
