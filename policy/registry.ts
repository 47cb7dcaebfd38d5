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
import { UNKNOWN_SUPPRESSION, UNUSED_SUPPRESSION } from './engine';
import { RULE, RuleName, withId } from './rule-ids';
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
export const RULES: readonly Rule[] = DEFINITIONS.map(withId);

/** Every rule and check the report can show, in catalogue order. */
export const ALL_RULES: readonly RuleInfo[] = [...RULES, UNKNOWN_SUPPRESSION, UNUSED_SUPPRESSION];

const duplicateOf = (values: readonly string[]): string | undefined => values.find((v, i) => values.indexOf(v) !== i);
const duplicateId = duplicateOf(ALL_RULES.map((r) => r.id));
if (duplicateId) throw new Error(`security baseline: rule id ${duplicateId} is used twice`);
const duplicateName = duplicateOf(ALL_RULES.map((r) => r.name));
if (duplicateName) throw new Error(`security baseline: rule name ${duplicateName} is used twice`);
const undefinedName = (Object.keys(RULE) as RuleName[]).find((name) => !DEFINITIONS.some((d) => d.name === name));
if (undefinedName) throw new Error(`security baseline: rule-ids.ts names ${undefinedName} but no rule file defines it`);

