/** The logs rules against a compliant fixture and one violation each (harness: helpers/policy-fixtures.ts). */
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { Construct } from 'constructs';
import { logsRules } from '../../policy/rules/logs';
import { KEY_ARN, Parts, RuleCase, testRules } from '../helpers/policy-fixtures';

function logs(scope: Construct): Parts {
  return { group: new CloudwatchLogGroup(scope, 'group', { name: '/app/predict', retentionInDays: 365, kmsKeyId: KEY_ARN }) };
}

const CASES: RuleCase[] = [
  { rule: 'LR-LOG-001', violate: (p) => p.group.addOverride('retention_in_days', undefined), at: 'aws_cloudwatch_log_group.group' },
  { rule: 'LR-LOG-002', violate: (p) => p.group.addOverride('kms_key_id', undefined), at: 'aws_cloudwatch_log_group.group' },
];

testRules('logs', logsRules, logs, CASES);
