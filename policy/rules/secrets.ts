import { RuleDefinition } from '../types';

const SECRET = ['aws_secretsmanager_secret'];

export const secretsRules: RuleDefinition[] = [
  {
    name: 'SecretsManagerCmkEncryption',
    mirrors: ['CKV_AWS_149'],
    severity: 'warning',
    description: 'Secrets Manager secret is encrypted with a customer-managed KMS key',
    rationale: 'The key policy, not only IAM, decides who can decrypt the secret, and every decrypt is logged in CloudTrail',
    fix: 'set kms_key_id to a customer-managed key ARN',
    appliesTo: SECRET,
    check: (secret) => (secret.body.kms_key_id === undefined ? 'uses the aws/secretsmanager key' : undefined),
  },
  {
    name: 'SecretsManagerRotationEnabled',
    mirrors: ['AwsSolutions-SMG4', 'CKV2_AWS_57'],
    severity: 'warning',
    description: 'Secrets Manager secret rotates automatically',
    rationale: 'A leaked secret stops working at the next rotation',
    fix: 'add an aws_secretsmanager_secret_rotation for the secret',
    appliesTo: SECRET,
    check: (secret, stack) =>
      stack.referencing(secret, 'aws_secretsmanager_secret_rotation', 'secret_id').length > 0 ? undefined : 'no rotation configured',
  },
];
