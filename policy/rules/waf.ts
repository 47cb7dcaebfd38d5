import { StackIndex, blocks, list } from '../graph';
import { RuleDefinition, TfElement } from '../types';

const ACL = ['aws_wafv2_web_acl'];
const LOGGING = ['aws_wafv2_web_acl_logging_configuration'];
export const REQUIRED_MANAGED_GROUPS = [
  'AWSManagedRulesKnownBadInputsRuleSet',
  'AWSManagedRulesAnonymousIpList',
  'AWSManagedRulesAmazonIpReputationList',
  'AWSManagedRulesCommonRuleSet',
  'AWSManagedRulesSQLiRuleSet',
];

type Json = Record<string, unknown>;

/**
 * Rule statements are untyped in the provider binding and may also come as `rule_json` (the AWS API's
 * PascalCase JSON), so keys are compared without underscores or case: `managed_rule_group_statement`,
 * `ManagedRuleGroupStatement` -> `managedrulegroupstatement`.
 */
function normalized(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalized);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.replace(/_/g, '').toLowerCase(), normalized(v)]));
}

function aclRules(acl: TfElement): Json[] {
  let fromJson: unknown = [];
  if (typeof acl.body.rule_json === 'string') {
    try {
      fromJson = JSON.parse(acl.body.rule_json);
    } catch {
      fromJson = [];
    }
  }
  return [...blocks(acl.body, 'rule'), ...list(fromJson)].map((r) => normalized(r) as Json);
}

const statementOf = (rule: Json): Json => (blocks(rule, 'statement')[0] ?? {}) as Json;
const managedGroup = (rule: Json): Json | undefined => blocks(statementOf(rule), 'managedrulegroupstatement')[0];

const attached = (acl: TfElement, stack: StackIndex, type: string, attribute: string): TfElement[] =>
  stack.referencing(acl, type, attribute);

/** Log destinations are ARNs; a referenced log group's name or a literal ARN must carry the prefix. */
function destinationName(destination: unknown, stack: StackIndex): string {
  const group = stack.referencedBy(destination).find((e) => e.type === 'aws_cloudwatch_log_group');
  if (group) return String(group.body.name ?? '');
  return /(?:log-group:|deliverystream\/|:::)([^:/]+)/.exec(String(destination))?.[1] ?? String(destination);
}

export const wafRules: RuleDefinition[] = [
  {
    name: 'WafWebAclHasRules',
    mirrors: ['CKV_AWS_175'],
    severity: 'error',
    description: 'WAF web ACL has rules',
    rationale: 'A web ACL without rules lets every request through',
    fix: 'add the managed rule groups and a rate-based rule',
    appliesTo: ACL,
    check: (acl) => (aclRules(acl).length > 0 ? undefined : 'the web ACL has no rules'),
  },
  {
    name: 'WafManagedRuleGroups',
    mirrors: ['CKV_AWS_192'],
    severity: 'error',
    description: 'WAF web ACL uses the KnownBadInputs, AnonymousIp, IpReputation, Common and SQLi managed rule groups',
    rationale: 'AWS-maintained rules block known exploits, SQL injection and traffic from known bad or anonymizing IPs',
    fix: `add managed_rule_group_statement rules (vendor AWS) for ${REQUIRED_MANAGED_GROUPS.join(', ')}`,
    appliesTo: ACL,
    check(acl) {
      const names = aclRules(acl).map((r) => managedGroup(r)?.name);
      const missing = REQUIRED_MANAGED_GROUPS.filter((g) => !names.includes(g));
      return missing.length > 0 ? `missing ${missing.join(', ')}` : undefined;
    },
  },
  {
    name: 'WafManagedRulesBlock',
    mirrors: [],
    severity: 'error',
    description: 'WAF managed rule groups block (their override action is not count)',
    rationale: 'A rule group in count mode only records attacks and lets them through',
    fix: 'set override_action { none {} } on the managed rule group rules',
    appliesTo: ACL,
    check(acl) {
      const counting = aclRules(acl)
        .filter((r) => managedGroup(r) && blocks(r, 'overrideaction').some((o) => 'count' in o))
        .map((r) => String(r.name));
      return counting.length > 0 ? `only counting: ${counting.join(', ')}` : undefined;
    },
  },
  {
    name: 'WafRateBasedRule',
    mirrors: [],
    severity: 'error',
    description: 'WAF web ACL has a rate-based rule',
    rationale: 'One client cannot flood the API, run up Lambda and warehouse costs, or guess tokens at speed',
    fix: 'add a rule with rate_based_statement { limit, aggregate_key_type = "IP" } and action block',
    appliesTo: ACL,
    check: (acl) => (aclRules(acl).some((r) => 'ratebasedstatement' in statementOf(r)) ? undefined : 'no rate-based rule'),
  },
  {
    name: 'WafLoggingEnabled',
    mirrors: ['CKV2_AWS_31'],
    severity: 'error',
    description: 'WAF web ACL has a logging configuration',
    rationale: 'Blocked and allowed requests are on record for investigating an attack',
    fix: 'add an aws_wafv2_web_acl_logging_configuration with resource_arn = the web ACL ARN',
    appliesTo: ACL,
    check: (acl, stack) =>
      attached(acl, stack, 'aws_wafv2_web_acl_logging_configuration', 'resource_arn').length > 0 ? undefined : 'requests are not logged',
  },
  {
    name: 'WafLogDestinationName',
    mirrors: [],
    severity: 'error',
    description: 'WAF logs go to a destination named aws-waf-logs-* (AWS rejects other names)',
    rationale: 'AWS accepts only destinations named aws-waf-logs-*: any other name fails at deploy instead of synth',
    fix: 'name the log group (or stream/bucket) aws-waf-logs-<something>',
    appliesTo: LOGGING,
    check(logging, stack) {
      const bad = list(logging.body.log_destination_configs)
        .map((d) => destinationName(d, stack))
        .filter((name) => !name.startsWith('aws-waf-logs-'));
      return bad.length > 0 ? `destination ${bad.join(', ')} does not start with aws-waf-logs-` : undefined;
    },
  },
  {
    name: 'WafLogsRedactAuthorization',
    mirrors: [],
    severity: 'warning',
    description: 'WAF logging redacts the Authorization header (bearer tokens)',
    rationale: 'Bearer tokens written to logs could be replayed by anyone who can read the logs',
    fix: 'add redacted_fields { single_header { name = "authorization" } }',
    appliesTo: LOGGING,
    check: (logging) =>
      blocks(logging.body, 'redacted_fields')
        .flatMap((f) => blocks(f, 'single_header'))
        .some((h) => String(h.name).toLowerCase() === 'authorization')
        ? undefined
        : 'bearer tokens would be written to the WAF logs',
  },
  {
    name: 'WafWebAclAssociated',
    mirrors: ['AwsSolutions-APIG3'],
    severity: 'error',
    description: 'WAF web ACL is associated with the resource it protects',
    rationale: 'A web ACL that is not associated with the API filters nothing',
    fix: 'add an aws_wafv2_web_acl_association with web_acl_arn = the web ACL ARN and resource_arn = the API stage ARN',
    appliesTo: ACL,
    check: (acl, stack) =>
      attached(acl, stack, 'aws_wafv2_web_acl_association', 'web_acl_arn').length > 0 ? undefined : 'the web ACL protects nothing',
  },
];
