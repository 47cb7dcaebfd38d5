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
import { RULE, RuleName } from './rule-ids';
import { Rule, RuleDefinition, RuleInfo } from './types';

const DEFINITIONS: readonly RuleDefinition[] = [
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

/** Every resource rule of the security baseline, each with its id from `RULE` (rule-ids.ts). */
export const RULES: readonly Rule[] = DEFINITIONS.map((definition) => ({ ...definition, id: RULE[definition.name] }));

/** Checks of the suppressions themselves; the engine applies them. */
export const UNKNOWN_SUPPRESSION: RuleInfo = {
  id: 'LR-SUP-001',
  name: 'SuppressionNamesKnownRule',
  mirrors: [],
  severity: 'error',
  description: 'Suppressions name an existing rule id',
  rationale: 'A suppression of a misspelt or removed rule documents an exception that does not exist',
  fix: 'name the rule with RULE.<name> from policy/rule-ids.ts in suppressRule(...); `npm run policy -- --rules` lists them',
};
export const UNUSED_SUPPRESSION: RuleInfo = {
  id: 'LR-SUP-002',
  name: 'SuppressionSilencesFinding',
  mirrors: [],
  severity: 'warning',
  description: 'Suppressions silence a finding (stale ones are removed)',
  rationale: 'A stale exception tells reviewers a resource needs one when it no longer does',
  fix: 'remove the suppressRule(...) call: the resource now complies or the rule does not apply to it',
};

/** Every rule and check the report can show, in catalogue order. */
export const ALL_RULES: readonly RuleInfo[] = [...RULES, UNKNOWN_SUPPRESSION, UNUSED_SUPPRESSION];

const duplicateOf = (values: readonly string[]): string | undefined => values.find((v, i) => values.indexOf(v) !== i);
const duplicateId = duplicateOf(ALL_RULES.map((r) => r.id));
if (duplicateId) throw new Error(`security baseline: rule id ${duplicateId} is used twice`);
const duplicateName = duplicateOf(ALL_RULES.map((r) => r.name));
if (duplicateName) throw new Error(`security baseline: rule name ${duplicateName} is used twice`);
const undefinedName = (Object.keys(RULE) as RuleName[]).find((name) => !DEFINITIONS.some((d) => d.name === name));
if (undefinedName) throw new Error(`security baseline: rule-ids.ts names ${undefinedName} but no rule file defines it`);

export const ruleById = new Map<string, Rule>(RULES.map((r) => [r.id, r]));
