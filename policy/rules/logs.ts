import { RuleDefinition } from '../types';

const LOG_GROUP = ['aws_cloudwatch_log_group'];

export const logsRules: RuleDefinition[] = [
  {
    name: 'LogGroupRetention',
    mirrors: ['CKV_AWS_338'],
    severity: 'error',
    description: 'CloudWatch log group has a retention period',
    rationale: 'Logs kept forever are billed forever and keep personal data longer than needed',
    fix: 'set retention_in_days (config.logRetentionDays)',
    appliesTo: LOG_GROUP,
    check: (group) => (Number(group.body.retention_in_days ?? 0) > 0 ? undefined : 'logs are kept forever (no retention_in_days)'),
  },
  {
    name: 'LogGroupCmkEncryption',
    mirrors: ['CKV_AWS_158'],
    severity: 'warning',
    description: 'CloudWatch log group is encrypted with a customer-managed KMS key',
    rationale: 'The key policy, not only IAM, decides who can read the logs, and every use is logged in CloudTrail',
    fix: 'set kms_key_id to a key whose policy allows logs.<region>.amazonaws.com, or suppress if the logs hold nothing sensitive',
    appliesTo: LOG_GROUP,
    check: (group) => (group.body.kms_key_id === undefined ? 'uses CloudWatch Logs default encryption' : undefined),
  },
];
