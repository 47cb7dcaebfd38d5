/** The secrets rules against a compliant fixture and one violation each (harness: helpers/policy-fixtures.ts). */
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { SecretsmanagerSecretRotation } from '@cdktf/provider-aws/lib/secretsmanager-secret-rotation';
import { Construct } from 'constructs';
import { secretsRules } from '../../policy/rules/secrets';
import { ELSEWHERE, KEY_ARN, Parts, RuleCase, testRules } from '../helpers/policy-fixtures';

function secrets(scope: Construct): Parts {
  const secret = new SecretsmanagerSecret(scope, 'secret', { name: 'api-key', kmsKeyId: KEY_ARN });
  return {
    secret,
    rotation: new SecretsmanagerSecretRotation(scope, 'rotation', {
      secretId: secret.id,
      rotationLambdaArn: 'arn:aws:lambda:us-east-1:123456789012:function:rotate',
      rotationRules: { automaticallyAfterDays: 30 },
    }),
  };
}

const CASES: RuleCase[] = [
  { rule: 'LR-SM-001', violate: (p) => p.secret.addOverride('kms_key_id', undefined), at: 'aws_secretsmanager_secret.secret' },
  { rule: 'LR-SM-002', violate: (p) => p.rotation.addOverride('secret_id', ELSEWHERE), at: 'aws_secretsmanager_secret.secret' },
];

testRules('secrets', secretsRules, secrets, CASES);
