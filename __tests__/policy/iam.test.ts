/** The iam rules against a compliant fixture and one violation each (harness: helpers/policy-fixtures.ts). */
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { IamPolicyAttachment } from '@cdktf/provider-aws/lib/iam-policy-attachment';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { IamUserPolicy } from '@cdktf/provider-aws/lib/iam-user-policy';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { iamRules } from '../../policy/rules/iam';
import { RuleId } from '../../policy/rule-ids';
import { failingAddresses, findings as failingFindings, Parts, policy, RuleCase, testRules } from '../helpers/policy-fixtures';

const GITHUB_PROVIDER = 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com';

function iam(scope: Construct): Parts {
  const trust = new DataAwsIamPolicyDocument(scope, 'trust', {
    statement: [{ actions: ['sts:AssumeRole'], principals: [{ type: 'Service', identifiers: ['lambda.amazonaws.com'] }] }],
  });
  const role = new IamRole(scope, 'role', {
    name: 'predict',
    assumeRolePolicy: trust.json,
    permissionsBoundary: 'arn:aws:iam::123456789012:policy/loan-remediation-dev-boundary',
  });
  const github = new IamRole(scope, 'github', {
    name: 'ci-deploy',
    assumeRolePolicy: policy({
      Effect: 'Allow',
      Principal: { Federated: GITHUB_PROVIDER },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: {
        StringEquals: {
          'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
          'token.actions.githubusercontent.com:sub': ['repo:octo-org/loan:environment:prod', 'repo:${local.github_repository}:pull_request'],
        },
      },
    }),
    permissionsBoundary: 'arn:aws:iam::123456789012:policy/ci-boundary',
  });
  const managed = new IamPolicy(scope, 'managed', {
    policy: policy({ Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: 'arn:aws:logs:us-east-1:123456789012:log-group:/x:*' }),
  });
  return {
    trust,
    role,
    github,
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
  { rule: 'LR-IAM-014', violate: (p) => p.role.addOverride('permissions_boundary', null), at: 'aws_iam_role.role' },
  {
    rule: 'LR-IAM-015',
    violate: (p) =>
      p.github.addOverride('assume_role_policy', policy({ Effect: 'Allow', Principal: { Federated: GITHUB_PROVIDER }, Action: 'sts:AssumeRoleWithWebIdentity' })),
    at: 'aws_iam_role.github',
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

describe('the edges of each rule', () => {
  const findings = (rule: RuleId, change: (p: Parts) => void) => failingFindings(iamRules, iam, rule, change);
  const MANAGED = 'aws_iam_policy.managed';
  const ROLE = 'aws_iam_role.role';
  const grant = (...statements: object[]) => (p: Parts) => p.managed.addOverride('policy', policy(...statements));
  const trust = (...statements: object[]) => (p: Parts) => p.role.addOverride('assume_role_policy', policy(...statements));

  test('LR-IAM-001: names each unknown action once; "*" and references are not actions to look up', () => {
    const misspelt = grant({ Effect: 'Allow', Action: ['s3:GetObjekt', 's3:GetObjekt', 's3:GetObject', '*', '${var.action}'], Resource: 'arn:aws:s3:::d/*' });
    expect(findings('LR-IAM-001', misspelt)).toEqual([`${MANAGED}: unknown actions: "s3:GetObjekt": s3 has no action GetObjekt`]);
    expect(findings('LR-IAM-001', grant({ Effect: 'Deny', NotAction: 's3:GetObjekt', Resource: '*' }))).toEqual([
      `${MANAGED}: unknown actions: "s3:GetObjekt": s3 has no action GetObjekt`,
    ]);
  });

  test('LR-IAM-003/004/006: only Allow statements count', () => {
    const deny = grant({ Effect: 'Deny', Action: ['s3:*', '*'], NotResource: 'arn:aws:s3:::d/*' });
    expect(findings('LR-IAM-003', deny)).toEqual([]);
    expect(findings('LR-IAM-004', grant({ Effect: 'Deny', Action: 's3:GetObject', Resource: '*' }))).toEqual([]);
    expect(findings('LR-IAM-006', deny)).toEqual([]);
    expect(findings('LR-IAM-003', grant({ Effect: 'Allow', Action: ['*', 's3:*', 's3:Get*'], Resource: 'arn:aws:s3:::d/*' }))).toEqual([
      `${MANAGED}: allows *, s3:*`,
    ]);
    expect(findings('LR-IAM-006', grant({ Effect: 'Allow', Action: 's3:GetObject', NotResource: 'arn:aws:s3:::d/*' }))).toEqual([
      `${MANAGED}: an Allow statement uses NotAction or NotResource`,
    ]);
  });

  test('LR-IAM-004: Resource "*" is fine only for actions that take no resource; "*" as an action never is', () => {
    expect(findings('LR-IAM-004', grant({ Effect: 'Allow', Action: 'sts:GetCallerIdentity', Resource: '*' }))).toEqual([]);
    expect(findings('LR-IAM-004', grant({ Effect: 'Allow', Action: '*', Resource: '*' }))).toHaveLength(1);
    expect(findings('LR-IAM-004', grant({ Effect: 'Allow', Action: 's3:NoSuchAction', Resource: '*' }))).toEqual([]);
  });

  test('LR-IAM-007/008: AWS-managed policies by name, under any path, FullAccess only at the end', () => {
    const attach = (arn: string) => (p: Parts) => p.attach.addOverride('policy_arn', arn);
    const ATTACH = 'aws_iam_role_policy_attachment.attach';
    expect(findings('LR-IAM-007', attach('arn:aws:iam::aws:policy/AdministratorAccess'))).toEqual([`${ATTACH}: attaches AdministratorAccess`]);
    expect(findings('LR-IAM-007', attach('arn:aws-us-gov:iam::aws:policy/job-function/PowerUserAccess'))).toEqual([
      `${ATTACH}: attaches PowerUserAccess`,
    ]);
    for (const notFull of [
      'AdministratorAccess-Amplify',
      'AWSPowerUserAccessLookalike',
      'FullAccessReadOnly',
      'ReadOnlyAdministratorAccess',
      'ReadOnlyPowerUserAccess',
      'PowerUserAccess-Lookalike',
    ]) {
      expect(findings('LR-IAM-007', attach(`arn:aws:iam::aws:policy/${notFull}`))).toEqual([]);
    }
    expect(findings('LR-IAM-007', attach('arn:aws:iam::aws:policy/AdministratorAccess/'))).toEqual([]);
    expect(findings('LR-IAM-008', attach('arn:aws:iam::aws:policy/AdministratorAccess'))).toEqual([]);
    expect(findings('LR-IAM-007', attach('arn:aws:iam::123456789012:policy/AdministratorAccess'))).toEqual([]);
    expect(findings('LR-IAM-007', attach('xarn:aws:iam::aws:policy/AdministratorAccess'))).toEqual([]);
    expect(findings('LR-IAM-007', (p) => p.role.addOverride('managed_policy_arns', ['arn:aws:iam::aws:policy/AmazonS3FullAccess']))).toEqual([
      `${ROLE}: attaches AmazonS3FullAccess`,
    ]);
  });

  test('LR-IAM-009/010: trust findings list each principal; Deny statements do not trust anyone', () => {
    const services = { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' };
    expect(findings('LR-IAM-009', trust(services, { Effect: 'Deny', Principal: '*', Action: 'sts:AssumeRole' }))).toEqual([]);
    expect(findings('LR-IAM-009', trust({ ...services, Principal: { AWS: ['arn:aws:iam::210987654321:root', '*'] } }))).toEqual([
      `${ROLE}: the trust policy allows Principal "*"`,
    ]);
    const accounts = trust({ ...services, Principal: { AWS: ['arn:aws:iam::210987654321:root', 'arn:aws:iam::111122223333:role/x'] } });
    expect(findings('LR-IAM-010', accounts)).toEqual([
      `${ROLE}: trusts AWS arn:aws:iam::210987654321:root, AWS arn:aws:iam::111122223333:role/x`,
    ]);
  });

  test('LR-IAM-005: names the actions granted on Resource "*" without a condition', () => {
    expect(findings('LR-IAM-005', grant({ Effect: 'Allow', Action: ['sts:GetCallerIdentity', 'redshift-data:DescribeStatement'], Resource: '*' }))).toEqual([
      `${MANAGED}: Resource "*" without a condition for sts:GetCallerIdentity, redshift-data:DescribeStatement`,
    ]);
  });

  test('LR-IAM-009/013: one statement, or one principal type, open to "*" is enough', () => {
    const services = { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' };
    const OPEN_TRUST = [`${ROLE}: the trust policy allows Principal "*"`];
    expect(findings('LR-IAM-009', trust(services, { ...services, Principal: '*' }))).toEqual(OPEN_TRUST);
    expect(findings('LR-IAM-009', trust({ ...services, Principal: { Service: 'lambda.amazonaws.com', AWS: '*' } }))).toEqual(OPEN_TRUST);
    const open = { Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com', AWS: '*' }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::shared-bucket/*' };
    expect(findings('LR-IAM-013', (p) => p.bucketPolicy.addOverride('policy', policy(open)))).toEqual([
      'aws_s3_bucket_policy.bucket-policy: allows s3:GetObject to Principal "*" without a condition on the caller (aws:SourceArn, aws:PrincipalOrgID, ...)',
    ]);
  });

  test('LR-IAM-012: a shared attachment to roles only is fine; user policies always fail', () => {
    const userPolicy = (p: Parts) =>
      new IamUserPolicy(p.role.node.scope as Construct, 'user-policy', {
        user: 'alice',
        policy: policy({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/*' }),
      });
    expect(findings('LR-IAM-012', userPolicy)).toEqual(['aws_iam_user_policy.user-policy: grants a policy to an IAM user']);
    expect(findings('LR-IAM-012', (p) => p.shared.addOverride('users', []))).toEqual([]);
    expect(findings('LR-IAM-012', (p) => p.shared.addOverride('users', ['alice']))).toEqual([
      'aws_iam_policy_attachment.shared: grants a policy to an IAM user',
    ]);
  });

  test('LR-IAM-013: a condition on the caller, in any letter case, closes Principal "*"', () => {
    const open = { Effect: 'Allow', Principal: '*', Action: ['s3:GetObject', 's3:ListBucket'], Resource: 'arn:aws:s3:::shared-bucket/*' };
    const bucket = (statement: object) => (p: Parts) => p.bucketPolicy.addOverride('policy', policy(statement));
    expect(findings('LR-IAM-013', bucket({ ...open, Condition: { StringEquals: { 'AWS:PrincipalOrgID': 'o-abc' } } }))).toEqual([]);
    expect(findings('LR-IAM-013', bucket({ ...open, Principal: { AWS: ['arn:aws:iam::210987654321:root', '*'] } }))).toEqual([
      'aws_s3_bucket_policy.bucket-policy: allows s3:GetObject, s3:ListBucket to Principal "*" without a condition on the caller (aws:SourceArn, aws:PrincipalOrgID, ...)',
    ]);
  });
});

describe('LR-IAM-015: a web-identity trust names its audience and subjects', () => {
  const findings = (change: (p: Parts) => void) => failingFindings(iamRules, iam, 'LR-IAM-015', change);
  const ROLE = 'aws_iam_role.github';
  const trust = (condition: object, action = 'sts:AssumeRoleWithWebIdentity') => (p: Parts) =>
    p.github.addOverride('assume_role_policy', policy({ Effect: 'Allow', Principal: { Federated: GITHUB_PROVIDER }, Action: action, Condition: condition }));
  const aud = { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' };
  const sub = (...values: string[]) => ({ 'token.actions.githubusercontent.com:sub': values });

  test('every subject must name the owner and the repository, without wildcards', () => {
    expect(findings(trust({ StringLike: { ...sub('repo:octo-org/*'), ...aud } }))).toEqual([
      `${ROLE}: no StringEquals condition on the audience (:aud), subject repo:octo-org/* names no repository`,
    ]);
    expect(findings(trust({ StringEquals: aud, StringLike: sub('repo:*/loan:ref:refs/heads/main', 'repo:octo-org/loan:*') }))).toEqual([
      `${ROLE}: subject repo:*/loan:ref:refs/heads/main names no repository`,
    ]);
    expect(findings(trust({ StringEquals: { ...aud, ...sub('*') } }))).toEqual([`${ROLE}: subject * names no repository`]);
    expect(findings(trust({ StringEquals: { ...aud, ...sub('repo:octo-org/loan:environment:prod') } }))).toEqual([]);
    expect(findings(trust({ StringEquals: { ...aud, ...sub('system:serviceaccount:ns:deployer') } }))).toEqual([]);
  });

  test('the audience must be required, the subject conditioned, and the action the web-identity one', () => {
    expect(findings(trust({ StringEquals: sub('repo:octo-org/loan:pull_request') }))).toEqual([`${ROLE}: no StringEquals condition on the audience (:aud)`]);
    expect(findings(trust({ StringEquals: aud }))).toEqual([`${ROLE}: no condition on the subject (:sub)`]);
    expect(findings(trust({ StringEquals: { ...aud, ...sub('repo:octo-org/loan:pull_request') } }, 'sts:AssumeRole'))).toEqual([
      `${ROLE}: allows sts:AssumeRole to a federated principal`,
    ]);
  });

  test('LR-IAM-010 accepts the federated principal (LR-IAM-015 scopes it), still not an account', () => {
    expect(failingFindings(iamRules, iam, 'LR-IAM-010', trust({ StringEquals: { ...aud, ...sub('repo:octo-org/loan:pull_request') } }))).toEqual([]);
  });
});

test('LR-IAM-014: an empty boundary is no boundary', () => {
  expect(failingFindings(iamRules, iam, 'LR-IAM-014', (p) => p.role.addOverride('permissions_boundary', ''))).toEqual([
    'aws_iam_role.role: has no permissions_boundary',
  ]);
});
