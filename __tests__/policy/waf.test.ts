/** The waf rules against a compliant fixture and one violation each (harness: helpers/policy-fixtures.ts). */
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { Wafv2WebAcl } from '@cdktf/provider-aws/lib/wafv2-web-acl';
import { Wafv2WebAclAssociation } from '@cdktf/provider-aws/lib/wafv2-web-acl-association';
import { Wafv2WebAclLoggingConfiguration } from '@cdktf/provider-aws/lib/wafv2-web-acl-logging-configuration';
import { Construct } from 'constructs';
import { REQUIRED_MANAGED_GROUPS, wafRules } from '../../policy/rules/waf';
import { ELSEWHERE, KEY_ARN, Parts, RuleCase, testRules } from '../helpers/policy-fixtures';

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
