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
import { RULE, withId } from './rule-ids';
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

/**
 * Throws when two rules share an id or a name, or when rule-ids.ts names a rule (`ruleNames`) that no
 * rule file defines (`definedNames`). Run once when this module loads.
 */
export function checkCatalogue(rules: readonly Pick<RuleInfo, 'id' | 'name'>[], definedNames: readonly string[], ruleNames: readonly string[]): void {
  const duplicateId = duplicateOf(rules.map((r) => r.id));
  if (duplicateId) throw new Error(`security baseline: rule id ${duplicateId} is used twice`);
  const duplicateName = duplicateOf(rules.map((r) => r.name));
  if (duplicateName) throw new Error(`security baseline: rule name ${duplicateName} is used twice`);
  const undefinedName = ruleNames.find((name) => !definedNames.includes(name));
  if (undefinedName) throw new Error(`security baseline: rule-ids.ts names ${undefinedName} but no rule file defines it`);
}

checkCatalogue(
  ALL_RULES,
  DEFINITIONS.map((d) => d.name),
  Object.keys(RULE),
);
