import { RuleDefinition } from '../types';

export const kmsRules: RuleDefinition[] = [
  {
    name: 'KmsKeyRotationEnabled',
    mirrors: ['CKV_AWS_7', 'AwsSolutions-KMS5'],
    severity: 'error',
    description: 'KMS key rotation is enabled',
    rationale: 'Fresh key material each year limits how much data one key version protects',
    fix: 'set enable_key_rotation = true',
    appliesTo: ['aws_kms_key'],
    check: (key) => (key.body.enable_key_rotation === true ? undefined : 'enable_key_rotation is not true'),
  },
  {
    name: 'KmsKeyExplicitPolicy',
    mirrors: ['CKV2_AWS_64'],
    severity: 'error',
    description: 'KMS key has an explicit key policy',
    rationale: 'The default key policy defers to IAM, so any principal whose IAM policy allows kms:* can use the key',
    fix: 'set policy on the key (or add an aws_kms_key_policy) naming who may use and administer it',
    appliesTo: ['aws_kms_key'],
    check: (key, stack) =>
      key.body.policy !== undefined || stack.referencing(key, 'aws_kms_key_policy', 'key_id').length > 0
        ? undefined
        : 'the key relies on the default key policy',
  },
];
