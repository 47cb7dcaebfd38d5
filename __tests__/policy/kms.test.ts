/** The kms rules against a compliant fixture and one violation each (harness: helpers/policy-fixtures.ts). */
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { KmsKeyPolicy } from '@cdktf/provider-aws/lib/kms-key-policy';
import { Construct } from 'constructs';
import { kmsRules } from '../../policy/rules/kms';
import { findings, Parts, policy, RuleCase, testRules } from '../helpers/policy-fixtures';

function kms(scope: Construct): Parts {
  return {
    key: new KmsKey(scope, 'key', {
      enableKeyRotation: true,
      policy: policy({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'kms:*', Resource: '*' }),
    }),
  };
}

const CASES: RuleCase[] = [
  { rule: 'LR-KMS-001', violate: (p) => p.key.addOverride('enable_key_rotation', false), at: 'aws_kms_key.key' },
  { rule: 'LR-KMS-002', violate: (p) => p.key.addOverride('policy', undefined), at: 'aws_kms_key.key' },
];

testRules('kms', kmsRules, kms, CASES);

test('LR-KMS-002: a separate aws_kms_key_policy for the key is an explicit policy', () => {
  const separate = (p: Parts) => {
    p.key.addOverride('policy', undefined);
    const key = p.key as KmsKey;
    new KmsKeyPolicy(key.node.scope as Construct, 'key-policy', {
      keyId: key.id,
      policy: policy({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'kms:*', Resource: '*' }),
    });
  };
  expect(findings(kmsRules, kms, 'LR-KMS-002', separate)).toEqual([]);
  expect(findings(kmsRules, kms, 'LR-KMS-002', (p) => p.key.addOverride('policy', undefined))).toEqual([
    'aws_kms_key.key: the key relies on the default key policy',
  ]);
});
