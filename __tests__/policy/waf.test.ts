/** The waf rules against a compliant fixture and one violation each (harness: helpers/policy-fixtures.ts). */
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { Wafv2WebAcl } from '@cdktf/provider-aws/lib/wafv2-web-acl';
import { Wafv2WebAclAssociation } from '@cdktf/provider-aws/lib/wafv2-web-acl-association';
import { Wafv2WebAclLoggingConfiguration } from '@cdktf/provider-aws/lib/wafv2-web-acl-logging-configuration';
import { Construct } from 'constructs';
import { RuleId } from '../../policy/rule-ids';
import { REQUIRED_MANAGED_GROUPS, wafRules } from '../../policy/rules/waf';
import { ELSEWHERE, findings, KEY_ARN, Parts, RuleCase, testRules } from '../helpers/policy-fixtures';

function waf(scope: Construct): Parts {
  const visibility = (name: string) => ({ cloudwatchMetricsEnabled: true, metricName: name, sampledRequestsEnabled: true });
  const managed = REQUIRED_MANAGED_GROUPS.map((name, priority) => ({
    name,
    priority,
    overrideAction: { none: {} },
    // The provider binding leaves `statement` untyped: it is written in Terraform's snake_case.
    statement: { managed_rule_group_statement: { name, vendor_name: 'AWS' } },
    visibilityConfig: visibility(name),
  }));
  const rateLimit = {
    name: 'rate-limit',
    priority: managed.length,
    action: { block: {} },
    statement: { rate_based_statement: { limit: 500, aggregate_key_type: 'IP' } },
    visibilityConfig: visibility('rate-limit'),
  };
  const acl = new Wafv2WebAcl(scope, 'acl', {
    name: 'predict-api',
    scope: 'REGIONAL',
    defaultAction: { allow: {} },
    visibilityConfig: visibility('predict-api'),
    rule: [...managed, rateLimit],
  });
  const logs = new CloudwatchLogGroup(scope, 'waf-logs', { name: 'aws-waf-logs-predict-api', retentionInDays: 365, kmsKeyId: KEY_ARN });
  return {
    acl,
    logging: new Wafv2WebAclLoggingConfiguration(scope, 'logging', {
      resourceArn: acl.arn,
      logDestinationConfigs: [logs.arn],
      redactedFields: [{ singleHeader: { name: 'authorization' } }],
    }),
    logs,
    association: new Wafv2WebAclAssociation(scope, 'association', {
      webAclArn: acl.arn,
      resourceArn: 'arn:aws:apigateway:us-east-1::/restapis/abc123/stages/v1',
    }),
  };
}

const CASES: RuleCase[] = [
  { rule: 'LR-WAF-001', violate: (p) => p.acl.addOverride('rule', undefined), at: 'aws_wafv2_web_acl.acl' },
  {
    rule: 'LR-WAF-002',
    violate: (p) => p.acl.addOverride('rule.0.statement.managed_rule_group_statement.name', 'AWSManagedRulesAdminProtectionRuleSet'),
    at: 'aws_wafv2_web_acl.acl',
  },
  {
    rule: 'LR-WAF-003',
    violate: (p) => {
      p.acl.addOverride('rule.1.override_action.none', undefined);
      p.acl.addOverride('rule.1.override_action.count', {});
    },
    at: 'aws_wafv2_web_acl.acl',
  },
  {
    rule: 'LR-WAF-004',
    violate: (p) => p.acl.addOverride(`rule.${REQUIRED_MANAGED_GROUPS.length}.statement.rate_based_statement`, undefined),
    at: 'aws_wafv2_web_acl.acl',
  },
  { rule: 'LR-WAF-005', violate: (p) => p.logging.addOverride('resource_arn', ELSEWHERE), at: 'aws_wafv2_web_acl.acl' },
  {
    rule: 'LR-WAF-006',
    violate: (p) => p.logs.addOverride('name', 'predict-api-waf'),
    at: 'aws_wafv2_web_acl_logging_configuration.logging',
  },
  {
    rule: 'LR-WAF-007',
    violate: (p) => p.logging.addOverride('redacted_fields', undefined),
    at: 'aws_wafv2_web_acl_logging_configuration.logging',
  },
  { rule: 'LR-WAF-008', violate: (p) => p.association.addOverride('web_acl_arn', ELSEWHERE), at: 'aws_wafv2_web_acl.acl' },
];

testRules('waf', wafRules, waf, CASES);

describe('the edges of each rule', () => {
  const ACL = 'aws_wafv2_web_acl.acl';
  const LOGGING = 'aws_wafv2_web_acl_logging_configuration.logging';
  const failing = (rule: RuleId, change: (p: Parts) => void) => findings(wafRules, waf, rule, change);
  const withoutRules = (ruleJson: unknown) => (p: Parts) => {
    p.acl.addOverride('rule', undefined);
    p.acl.addOverride('rule_json', ruleJson);
  };
  const RATE_LIMIT_JSON = { Name: 'rate-limit', Statement: { RateBasedStatement: { Limit: 500 } }, RuleLabels: null };

  test('LR-WAF-001/004: rules may come as rule_json; JSON that is not a list of rules adds none', () => {
    expect(failing('LR-WAF-001', withoutRules(JSON.stringify([RATE_LIMIT_JSON])))).toEqual([]);
    expect(failing('LR-WAF-004', withoutRules(JSON.stringify([RATE_LIMIT_JSON])))).toEqual([]);
    expect(failing('LR-WAF-001', withoutRules('not json'))).toEqual([`${ACL}: the web ACL has no rules`]);
    expect(failing('LR-WAF-001', withoutRules(5))).toEqual([`${ACL}: the web ACL has no rules`]);
  });

  test('LR-WAF-002: names every missing group', () => {
    const [first, second] = REQUIRED_MANAGED_GROUPS;
    const rename = (p: Parts) => {
      p.acl.addOverride('rule.0.statement.managed_rule_group_statement.name', 'AWSManagedRulesAdminProtectionRuleSet');
      p.acl.addOverride('rule.1.statement.managed_rule_group_statement.name', 'AWSManagedRulesLinuxRuleSet');
    };
    expect(failing('LR-WAF-002', rename)).toEqual([`${ACL}: missing ${first}, ${second}`]);
  });

  test('LR-WAF-003: names every counting group; any count override in a list of overrides counts', () => {
    const count = (index: number, overrideAction: unknown) => (p: Parts) => {
      p.acl.addOverride(`rule.${index}.override_action`, overrideAction);
    };
    const both = (p: Parts) => {
      count(0, { count: {} })(p);
      count(1, { count: {} })(p);
    };
    const [first, second] = REQUIRED_MANAGED_GROUPS;
    expect(failing('LR-WAF-003', both)).toEqual([`${ACL}: only counting: ${first}, ${second}`]);
    expect(failing('LR-WAF-003', count(0, [{ none: {} }, { count: {} }]))).toEqual([`${ACL}: only counting: ${first}`]);
  });

  test('LR-WAF-006: literal ARNs are judged by the name they carry; a referenced log group by its name', () => {
    const destinations = (configs: string[]) => (p: Parts) => p.logging.addOverride('log_destination_configs', configs);
    const good = [
      'arn:aws:logs:us-east-1:123456789012:log-group:aws-waf-logs-api',
      'arn:aws:firehose:us-east-1:123456789012:deliverystream/aws-waf-logs-api',
      'arn:aws:s3:::aws-waf-logs-api',
      'aws-waf-logs-api',
    ];
    expect(failing('LR-WAF-006', destinations(good))).toEqual([]);
    const bad = ['arn:aws:s3:::waf-logs', 'arn:aws:logs:us-east-1:123456789012:log-group:api-waf'];
    expect(failing('LR-WAF-006', destinations(bad))).toEqual([
      `${LOGGING}: destination waf-logs, api-waf does not start with aws-waf-logs-`,
    ]);
    expect(failing('LR-WAF-006', (p) => p.logs.addOverride('name', undefined))).toEqual([
      `${LOGGING}: destination  does not start with aws-waf-logs-`,
    ]);
    const bucket = (p: Parts) => {
      const logs = new S3Bucket(p.logs.node.scope as Construct, 'log-bucket', { bucket: 'aws-waf-logs-bucket' });
      p.logging.addOverride('log_destination_configs', [logs.arn]);
    };
    expect(failing('LR-WAF-006', bucket)).toEqual([
      `${LOGGING}: destination \${aws_s3_bucket.log-bucket.arn} does not start with aws-waf-logs-`,
    ]);
  });

  test('LR-WAF-007: a redacted header other than Authorization does not count', () => {
    expect(failing('LR-WAF-007', (p) => p.logging.addOverride('redacted_fields.0.single_header.name', 'x-api-key'))).toEqual([
      `${LOGGING}: bearer tokens would be written to the WAF logs`,
    ]);
  });
});
