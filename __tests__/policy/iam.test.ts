/** The iam rules against a compliant fixture and one violation each (harness: helpers/policy-fixtures.ts). */
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { IamPolicyAttachment } from '@cdktf/provider-aws/lib/iam-policy-attachment';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { iamRules } from '../../policy/rules/iam';
import { failingAddresses, Parts, policy, RuleCase, testRules } from '../helpers/policy-fixtures';

function iam(scope: Construct): Parts {
  const trust = new DataAwsIamPolicyDocument(scope, 'trust', {
    statement: [{ actions: ['sts:AssumeRole'], principals: [{ type: 'Service', identifiers: ['lambda.amazonaws.com'] }] }],
  });
  const role = new IamRole(scope, 'role', { name: 'predict', assumeRolePolicy: trust.json });
  const managed = new IamPolicy(scope, 'managed', {
    policy: policy({ Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: 'arn:aws:logs:us-east-1:123456789012:log-group:/x:*' }),
  });
  return {
    trust,
    role,
    managed,
    inline: new IamRolePolicy(scope, 'inline', {
      role: role.id,
      policy: Fn.jsonencode({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::data/*'] },
          {
            Effect: 'Allow',
            Action: ['redshift-data:DescribeStatement'],
            Resource: '*',
            Condition: { StringEquals: { 'redshift-data:statement-owner-iam-userid': '$${aws:userid}' } },
          },
        ],
      }),
    }),
    attach: new IamRolePolicyAttachment(scope, 'attach', { role: role.name, policyArn: managed.arn }),
    shared: new IamPolicyAttachment(scope, 'shared', { name: 'shared', roles: [role.name], policyArn: managed.arn }),
    bucketPolicy: new S3BucketPolicy(scope, 'bucket-policy', {
      bucket: 'shared-bucket',
      policy: policy({ Effect: 'Allow', Principal: { AWS: role.arn }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::shared-bucket/*' }),
    }),
  };
}

const CASES: RuleCase[] = [
  {
    rule: 'LR-IAM-001',
    violate: (p) => p.trust.addOverride('statement.0.actions', ['sts:AssumeRol']),
    at: 'data.aws_iam_policy_document.trust',
  },
  {
    rule: 'LR-IAM-002',
    violate: (p) => p.managed.addOverride('policy', '${data.terraform_remote_state.shared.outputs.policy}'),
    at: 'aws_iam_policy.managed',
  },
  {
    rule: 'LR-IAM-003',
    violate: (p) => p.managed.addOverride('policy', policy({ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::data/*' })),
    at: 'aws_iam_policy.managed',
  },
  {
    rule: 'LR-IAM-004',
    violate: (p) => p.managed.addOverride('policy', policy({ Effect: 'Allow', Action: 's3:Get*', Resource: '*' })),
    at: 'aws_iam_policy.managed',
  },
  {
    rule: 'LR-IAM-005',
    violate: (p) => p.managed.addOverride('policy', policy({ Effect: 'Allow', Action: 'redshift-data:DescribeStatement', Resource: '*' })),
    at: 'aws_iam_policy.managed',
  },
  {
    rule: 'LR-IAM-006',
    violate: (p) => p.managed.addOverride('policy', policy({ Effect: 'Allow', NotAction: 'iam:*', Resource: 'arn:aws:s3:::data/*' })),
    at: 'aws_iam_policy.managed',
  },
  {
    rule: 'LR-IAM-007',
    violate: (p) => p.attach.addOverride('policy_arn', 'arn:aws:iam::aws:policy/AmazonS3FullAccess'),
    at: 'aws_iam_role_policy_attachment.attach',
  },
  {
    rule: 'LR-IAM-008',
    violate: (p) => p.attach.addOverride('policy_arn', 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'),
    at: 'aws_iam_role_policy_attachment.attach',
  },
  {
    rule: 'LR-IAM-009',
    violate: (p) => p.role.addOverride('assume_role_policy', policy({ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' })),
    at: 'aws_iam_role.role',
  },
  {
    rule: 'LR-IAM-010',
    violate: (p) =>
      p.role.addOverride('assume_role_policy', policy({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::210987654321:root' }, Action: 'sts:AssumeRole' })),
    at: 'aws_iam_role.role',
  },
  { rule: 'LR-IAM-011', violate: (p) => p.trust.addOverride('statement.0.actions', ['sts:GetSessionToken']), at: 'aws_iam_role.role' },
  { rule: 'LR-IAM-012', violate: (p) => p.shared.addOverride('users', ['alice']), at: 'aws_iam_policy_attachment.shared' },
  {
    rule: 'LR-IAM-013',
    violate: (p) =>
      p.bucketPolicy.addOverride('policy', policy({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::shared-bucket/*' })),
    at: 'aws_s3_bucket_policy.bucket-policy',
  },
];

testRules('iam', iamRules, iam, CASES);

describe('conditions that only look like compliance still fail', () => {
  test('LR-IAM-004: a condition key that does not narrow the resource keeps Resource "*" a finding', () => {
    const statement = {
      Effect: 'Allow',
      Action: ['s3:GetObject', 'kms:Decrypt'],
      Resource: '*',
      Condition: { StringEquals: { 's3:signatureversion': 'AWS4-HMAC-SHA256', 'kms:CallerAccount': '123456789012' } },
    };
    expect(failingAddresses(iamRules, iam, 'LR-IAM-004', (p) => p.managed.addOverride('policy', policy(statement)))).toEqual([
      'aws_iam_policy.managed',
    ]);
  });

  test('LR-IAM-004: ExecuteStatement on Resource "*" passes only when limited to sessions the caller owns', () => {
    const inOwnSessions = {
      Effect: 'Allow',
      Action: 'redshift-data:ExecuteStatement',
      Resource: '*',
      Condition: { StringEquals: { 'redshift-data:session-owner-iam-userid': '$${aws:userid}' } },
    };
    const anywhere = { ...inOwnSessions, Condition: { StringEquals: { 'aws:RequestedRegion': 'us-east-1' } } };
    expect(failingAddresses(iamRules, iam, 'LR-IAM-004', (p) => p.managed.addOverride('policy', policy(inOwnSessions)))).toEqual([]);
    expect(failingAddresses(iamRules, iam, 'LR-IAM-004', (p) => p.managed.addOverride('policy', policy(anywhere)))).toEqual(['aws_iam_policy.managed']);
  });

  test('LR-IAM-013: Principal "*" limited only to TLS is still open to anyone', () => {
    const statement = {
      Effect: 'Allow',
      Principal: '*',
      Action: 's3:GetObject',
      Resource: 'arn:aws:s3:::shared-bucket/*',
      Condition: { Bool: { 'aws:SecureTransport': 'true' } },
    };
    expect(failingAddresses(iamRules, iam, 'LR-IAM-013', (p) => p.bucketPolicy.addOverride('policy', policy(statement)))).toEqual([
      'aws_s3_bucket_policy.bucket-policy',
    ]);
  });
});
