/** The kms rules against a compliant fixture and one violation each (harness: helpers/policy-fixtures.ts). */
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { Construct } from 'constructs';
import { kmsRules } from '../../policy/rules/kms';
import { Parts, policy, RuleCase, testRules } from '../helpers/policy-fixtures';

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
