/**
 * The account stack: the GitHub OIDC provider, each environment's boundary, plan role and deploy role,
 * and API Gateway's account role. Trust policies name exactly the GitHub subjects that plan and
 * deploy; the synthesized policies, evaluated offline (helpers/iam-evaluator.ts), keep both CI roles
 * away from themselves, the boundaries, the OIDC provider and the state bucket's settings; every role
 * the pipeline's stacks create carries the boundary.
 */
import './helpers/cdktf-matchers';
import { ApiGatewayAccount } from '@cdktf/provider-aws/lib/api-gateway-account';
import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { App, Testing } from 'cdktf';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { synthesizeForReport } from '../policy/enforce';
import { LONGEST_NAMES } from '../scripts/deployer/permissions-doc';
import { EVERY_FEATURE_ON } from '../scripts/deployer/synthesized-types';
import { buildStacks } from '../stacks/app';
import { loadConfig } from '../stacks/config';
import { IAM_LIMITS } from '../stacks/deployer/policies';
import { PREFLIGHT_IAM_ACTIONS } from '../stacks/deployer/preflight-actions';
import { PIPELINE_STACKS } from '../stacks/project-stack';
import { EvaluatedStatement, evaluate } from './helpers/iam-evaluator';

jest.setTimeout(60_000);

const ACCOUNT = '123456789012';
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/11111111-2222-3333-4444-555555555555`;
const BUCKET = 'loan-remediation-dev-tfstate-20260101';
const REPOSITORY = 'octo-org/loan-remediation';
const SETTINGS = { CI_REPOSITORY: REPOSITORY, STATE_BUCKET: BUCKET, STATE_KMS_KEY_ARN: KEY };
const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;

interface Synthesized {
  resource: Record<string, Record<string, Record<string, unknown>>>;
  locals?: Record<string, string>;
  output?: Record<string, { value: unknown; description?: string }>;
  terraform: { backend: Record<string, Record<string, unknown>> };
}

function synthAccount(env: Record<string, string> = SETTINGS) {
  const stacks = buildStacks(Testing.app() as App, loadConfig(env));
  const json = Testing.synth(stacks.account);
  return { json, parsed: JSON.parse(json) as Synthesized };
}

/** Terraform's values for the expressions the account stack's policies hold, so they can be evaluated. */
function concrete(text: string, values: Record<string, string>): string {
  const filled = text.replace(/\$\{([^}]+)\}/g, (whole, expression: string) => {
    if (!(expression in values)) throw new Error(`no test value for ${whole}`);
    return values[expression];
  });
  return filled;
}
const REAL = {
  'data.aws_partition.partition.partition': 'aws',
  'data.aws_caller_identity.account.account_id': ACCOUNT,
  'aws_iam_openid_connect_provider.github-oidc-provider.arn': PROVIDER,
};
/** The tags the state stack's provider puts on an environment's state key (and the redshift stack's on its key). */
const keyTags = (environment: string, stack = 'state') => ({
  'aws:ResourceTag/project': 'loan-remediation',
  'aws:ResourceTag/environment': environment,
  'aws:ResourceTag/stack': stack,
});

/** Every policy statement of a role (managed policies attached to it and its inline policies), as IAM will see it. */
function roleStatements(parsed: Synthesized, role: string, values: Record<string, string> = REAL): { managed: string[]; inline: string[]; statements: EvaluatedStatement[] } {
  const ofRole = (r: Record<string, unknown>) => r.role === `\${aws_iam_role.${role}.name}`;
  const managed = Object.values(parsed.resource.aws_iam_role_policy_attachment ?? {})
    .filter(ofRole)
    .map((attachment) => {
      const id = /^\$\{aws_iam_policy\.([\w-]+)\.arn\}$/.exec(String(attachment.policy_arn))?.[1] ?? '';
      return concrete(String(parsed.resource.aws_iam_policy[id].policy), values);
    });
  const inline = Object.values(parsed.resource.aws_iam_role_policy ?? {})
    .filter(ofRole)
    .map((p) => concrete(String(p.policy), values));
  const statements = [...managed, ...inline].flatMap((document) => (JSON.parse(document) as { Statement: EvaluatedStatement[] }).Statement);
  return { managed, inline, statements };
}

const trustOf = (parsed: Synthesized, role: string) =>
  JSON.parse(String(parsed.resource.aws_iam_role[role].assume_role_policy)) as {
    Statement: { Principal: { Federated: string }; Action: string; Condition: { StringEquals: Record<string, string | string[]> } }[];
  };

describe('the GitHub OIDC provider', () => {
  test('is created for token.actions.githubusercontent.com with the STS audience and no thumbprint to hard-code', () => {
    const { json, parsed } = synthAccount();
    expect(json).toHaveResourceWithProperties(IamOpenidConnectProvider, {
      url: 'https://token.actions.githubusercontent.com',
      client_id_list: ['sts.amazonaws.com'],
    });
    expect(parsed.resource.aws_iam_openid_connect_provider['github-oidc-provider']).not.toHaveProperty('thumbprint_list');
    expect(parsed.output?.github_oidc_provider_arn.value).toBe('${aws_iam_openid_connect_provider.github-oidc-provider.arn}');
  });

  test('is not created when CI_OIDC_PROVIDER_ARN names the account\'s existing one; the roles trust that one', () => {
    const { json, parsed } = synthAccount({ ...SETTINGS, CI_OIDC_PROVIDER_ARN: PROVIDER });
    expect(json).not.toHaveResource(IamOpenidConnectProvider);
    expect(trustOf(parsed, 'dev-plan-role').Statement[0].Principal.Federated).toBe(PROVIDER);
    expect(parsed.output?.github_oidc_provider_arn.value).toBe(PROVIDER);
  });
});

describe('trust: exactly the GitHub subjects that plan and deploy', () => {
  const { parsed } = synthAccount({ ...SETTINGS, ACCOUNT_ENVIRONMENTS: 'staging,prod' });
  const subjects = (role: string) => {
    const [statement, ...others] = trustOf(parsed, role).Statement;
    expect(others).toEqual([]);
    expect(statement.Action).toBe('sts:AssumeRoleWithWebIdentity');
    expect(statement.Principal.Federated).toBe('${aws_iam_openid_connect_provider.github-oidc-provider.arn}');
    expect(statement.Condition.StringEquals['token.actions.githubusercontent.com:aud']).toBe('sts.amazonaws.com');
    expect(Object.keys(statement.Condition)).toEqual(['StringEquals']);
    return statement.Condition.StringEquals['token.actions.githubusercontent.com:sub'];
  };

  test('each plan role: pull requests and the main branch (the nightly drift job), no environment', () => {
    for (const environment of ['staging', 'prod']) {
      expect(subjects(`${environment}-plan-role`)).toEqual([`repo:${REPOSITORY}:pull_request`, `repo:${REPOSITORY}:ref:refs/heads/main`]);
    }
  });

  test('each deploy role: only jobs in the GitHub environment of its name', () => {
    expect(subjects('staging-deploy-role')).toEqual([`repo:${REPOSITORY}:environment:staging`]);
    expect(subjects('prod-deploy-role')).toEqual([`repo:${REPOSITORY}:environment:prod`]);
    expect(Object.keys(parsed.resource.aws_iam_role).sort()).toEqual([
      'api-gateway-logging-role',
      'prod-deploy-role',
      'prod-plan-role',
      'staging-deploy-role',
      'staging-plan-role',
    ]);
    expect(parsed.resource.aws_iam_role['prod-deploy-role'].name).toBe('loan-remediation-ci-prod-deploy');
    // Each output says which GitHub variable takes it (the ones plan.yml, drift.yml and deploy.yml read).
    expect(parsed.output?.prod_deploy_role_arn.description).toBe('The variable AWS_DEPLOY_ROLE_ARN of the GitHub environment prod: its deploy jobs');
    expect(parsed.output?.staging_plan_role_arn.description).toMatch(/^The repository variable AWS_PLAN_ROLE_ARN_STAGING: /);
  });
});

test('without CI_REPOSITORY: the boundaries and the API Gateway role only, enough to deploy by hand', () => {
  const { json, parsed } = synthAccount({ ACCOUNT_ENVIRONMENTS: 'dev,prod' });
  expect(json).not.toHaveResource(IamOpenidConnectProvider);
  expect(Object.keys(parsed.resource.aws_iam_role)).toEqual(['api-gateway-logging-role']);
  expect(Object.keys(parsed.resource.aws_iam_policy).sort()).toEqual(['dev-boundary', 'prod-boundary']);
  expect(parsed.resource.aws_iam_policy['prod-boundary'].name).toBe('loan-remediation-prod-boundary');
  expect(parsed.output ?? {}).toEqual({});
});

describe('several environments in one account: each one\'s CI roles reach its own state, with no state setting', () => {
  // Applied with dev's settings file, which lists both environments and names no state bucket.
  const { parsed } = synthAccount({ CI_REPOSITORY: REPOSITORY, ACCOUNT_ENVIRONMENTS: 'dev,staging' });
  const bucketOf = (environment: string) => `loan-remediation-${environment}-tfstate-20260101120000000000000001`;
  const object = (environment: string, key: string) => `arn:aws:s3:::${bucketOf(environment)}/${key}`;
  const stateKey = `arn:aws:kms:us-east-1:${ACCOUNT}:key/22222222-3333-4444-5555-666666666666`;

  test('nothing waits for STATE_BUCKET or STATE_KMS_KEY_ARN', () => {
    expect(parsed.locals).toBeUndefined();
    for (const role of Object.values(parsed.resource.aws_iam_role)) expect(role.lifecycle).toBeUndefined();
  });

  test.each(['dev', 'staging'])('%s: its deploy and plan roles use its state bucket and key, not the other environment\'s', (environment) => {
    const other = environment === 'dev' ? 'staging' : 'dev';
    const deploy = roleStatements(parsed, `${environment}-deploy-role`).statements;
    const plan = roleStatements(parsed, `${environment}-plan-role`).statements;
    const state = `loan-remediation/${environment}/network.tfstate`;
    expect(evaluate(deploy, { action: 's3:PutObject', resource: object(environment, state) })).toBe('allow');
    expect(evaluate(deploy, { action: 's3:GetObject', resource: object(environment, `plans/loan-remediation/${environment}/3f9c2e1/network.tfplan`) })).toBe('allow');
    expect(evaluate(plan, { action: 's3:GetObject', resource: object(environment, state) })).toBe('allow');
    expect(evaluate(plan, { action: 's3:PutObject', resource: object(environment, `plans/loan-remediation/${environment}/3f9c2e1/network.tfplan`) })).toBe('allow');
    for (const statements of [deploy, plan]) {
      expect(evaluate(statements, { action: 's3:ListBucket', resource: `arn:aws:s3:::${bucketOf(environment)}` })).toBe('allow');
      expect(evaluate(statements, { action: 'kms:Decrypt', resource: stateKey, context: keyTags(environment) })).toBe('allow');
      expect(evaluate(statements, { action: 'kms:GenerateDataKey', resource: stateKey, context: keyTags(environment) })).toBe('allow');
      // The other environment's bucket, objects and key, even under this environment's key prefix.
      expect(evaluate(statements, { action: 's3:ListBucket', resource: `arn:aws:s3:::${bucketOf(other)}` })).toBe('implicit deny');
      expect(evaluate(statements, { action: 's3:GetObject', resource: object(other, `loan-remediation/${other}/network.tfstate`) })).toBe('implicit deny');
      expect(evaluate(statements, { action: 's3:GetObject', resource: object(other, state) })).toBe('implicit deny');
      expect(evaluate(statements, { action: 'kms:Decrypt', resource: stateKey, context: keyTags(other) })).toBe('implicit deny');
      // A key without the state stack's tags is not a state key.
      expect(evaluate(statements, { action: 'kms:Encrypt', resource: stateKey })).toBe('implicit deny');
    }
    expect(evaluate(deploy, { action: 'kms:Encrypt', resource: stateKey, context: keyTags(environment) })).toBe('allow');
    expect(evaluate(plan, { action: 'kms:Encrypt', resource: stateKey, context: keyTags(environment) })).toBe('implicit deny');
  });
});

test("API Gateway's account-wide CloudWatch Logs role is here (one per account and region), unless API_GATEWAY_ACCOUNT_LOGGING_ROLE=false", () => {
  const { json, parsed } = synthAccount();
  // Destroying the stack resets the setting instead of leaving it pointing at the deleted role.
  expect(json).toHaveResourceWithProperties(ApiGatewayAccount, { cloudwatch_role_arn: '${aws_iam_role.api-gateway-logging-role.arn}', reset_on_delete: true });
  expect(parsed.resource.aws_iam_role['api-gateway-logging-role'].name).toBe('loan-remediation-us-east-1-apigateway-logs');
  expect(synthAccount({ ...SETTINGS, API_GATEWAY_ACCOUNT_LOGGING_ROLE: 'false' }).json).not.toHaveResource(ApiGatewayAccount);
});

test('its state is the account\'s: in the state bucket under <project>/account-<region>/, outside every environment\'s keys', () => {
  expect(synthAccount().parsed.terraform.backend.s3).toMatchObject({ bucket: BUCKET, key: 'loan-remediation/account-us-east-1/account.tfstate', kms_key_id: KEY });
  expect(synthAccount({}).parsed.terraform.backend.local.path).toMatch(/terraform\.loan-remediation-account-us-east-1\.account\.tfstate$/);
});

test('the account stack passes the security baseline; its exceptions are the boundary and the roles the administrator owns', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'account-stack-'));
  const app = new App({ outdir });
  buildStacks(app, loadConfig(SETTINGS));
  const [result] = synthesizeForReport(app).filter((r) => r.stack === 'account');
  fs.rmSync(outdir, { recursive: true, force: true });
  expect(result.evaluations.filter((e) => e.outcome === 'fail')).toEqual([]);
  expect(
    result.evaluations
      .filter((e) => e.outcome === 'suppressed')
      .map((e) => `${e.rule.id} ${e.element.address}`)
      .sort(),
  ).toEqual([
    'LR-IAM-004 aws_iam_policy.dev-boundary',
    'LR-IAM-014 aws_iam_role.api-gateway-logging-role',
    'LR-IAM-014 aws_iam_role.dev-deploy-role',
    'LR-IAM-014 aws_iam_role.dev-plan-role',
  ]);
  // The trust of the CI roles is checked, not suppressed.
  expect(result.evaluations.filter((e) => e.rule.id === 'LR-IAM-015' && e.outcome === 'pass').map((e) => e.element.address).sort()).toEqual([
    'aws_iam_role.api-gateway-logging-role',
    'aws_iam_role.dev-deploy-role',
    'aws_iam_role.dev-plan-role',
  ]);
});

test("every role the pipeline's stacks create (every feature on) carries its environment's boundary, which the account stack creates", () => {
  const stacks = buildStacks(Testing.app() as App, loadConfig({ ...SETTINGS, ...EVERY_FEATURE_ON }));
  const account = JSON.parse(Testing.synth(stacks.account)) as Synthesized;
  expect(account.resource.aws_iam_policy['dev-boundary'].name).toBe('loan-remediation-dev-boundary');
  const boundaries = PIPELINE_STACKS.flatMap((stack) => {
    const json = JSON.parse(Testing.synth(stacks[stack as keyof typeof stacks])) as Synthesized;
    return Object.values(json.resource.aws_iam_role ?? {}).map((role) => role.permissions_boundary);
  });
  // The flow-log role, the Redshift ML role and the Lambda's role; the network stack takes the account
  // from the VPC's owner (it plans offline, without a caller-identity lookup).
  expect(boundaries).toHaveLength(3);
  for (const boundary of boundaries) expect(boundary).toMatch(/^arn:\$\{data\.aws_partition\.partition\.partition\}:iam::\$\{[^}]+\}:policy\/loan-remediation-dev-boundary$/);
});

describe('what the CI roles may do, evaluated offline from the synthesized policies', () => {
  const { parsed } = synthAccount();
  const deploy = roleStatements(parsed, 'dev-deploy-role').statements;
  const plan = roleStatements(parsed, 'dev-plan-role').statements;
  const iam = (resource: string) => `arn:aws:iam::${ACCOUNT}:${resource}`;
  const withBoundary = { 'iam:PermissionsBoundary': iam('policy/loan-remediation-dev-boundary') };
  const OWN = iam('role/loan-remediation-ci-dev-deploy');

  test('the deploy role cannot edit its own role, the plan role, their managed policies, a boundary or the OIDC provider', () => {
    const attempts: [string, string][] = [
      ['iam:PutRolePolicy', OWN],
      ['iam:AttachRolePolicy', OWN],
      ['iam:UpdateAssumeRolePolicy', OWN],
      ['iam:DeleteRolePolicy', OWN],
      ['iam:DetachRolePolicy', OWN],
      ['iam:PutRolePermissionsBoundary', OWN],
      ['iam:TagRole', OWN],
      ['iam:PutRolePolicy', iam('role/loan-remediation-ci-dev-plan')],
      ['iam:CreatePolicyVersion', iam('policy/loan-remediation-dev-boundary')],
      ['iam:SetDefaultPolicyVersion', iam('policy/loan-remediation-dev-boundary')],
      ['iam:DeletePolicy', iam('policy/loan-remediation-prod-boundary')],
      ['iam:CreatePolicyVersion', iam('policy/loan-remediation-ci-dev-deploy-1')],
      ['iam:UpdateOpenIDConnectProviderThumbprint', PROVIDER],
      ['iam:AddClientIDToOpenIDConnectProvider', PROVIDER],
      ['iam:DeleteOpenIDConnectProvider', PROVIDER],
    ];
    // Even when the request carries the boundary: the explicit denies win.
    expect(attempts.map(([action, resource]) => [action, resource, evaluate(deploy, { action, resource, context: withBoundary })])).toEqual(
      attempts.map(([action, resource]) => [action, resource, expect.stringMatching(/deny$/)]),
    );
    expect(evaluate(deploy, { action: 'iam:PutRolePolicy', resource: OWN, context: withBoundary })).toBe('explicit deny');
    expect(evaluate(deploy, { action: 'iam:CreatePolicyVersion', resource: iam('policy/loan-remediation-dev-boundary') })).toBe('explicit deny');
    // The CI roles' own generated policies, of every environment and both roles: a new version would rewrite a role.
    for (const policy of ['loan-remediation-ci-dev-deploy-1', 'loan-remediation-ci-dev-plan-1', 'loan-remediation-ci-prod-deploy-3']) {
      for (const statements of [deploy, plan]) {
        expect(evaluate(statements, { action: 'iam:CreatePolicyVersion', resource: iam(`policy/${policy}`), context: withBoundary })).toBe('explicit deny');
        expect(evaluate(statements, { action: 'iam:SetDefaultPolicyVersion', resource: iam(`policy/${policy}`) })).toBe('explicit deny');
      }
    }
  });

  test('it cannot create or change a role without the boundary, nor take a boundary off', () => {
    const role = iam('role/loan-remediation-dev-predict-role');
    expect(evaluate(deploy, { action: 'iam:CreateRole', resource: role })).toBe('explicit deny');
    expect(evaluate(deploy, { action: 'iam:PutRolePolicy', resource: role, context: { 'iam:PermissionsBoundary': iam('policy/other') } })).toBe('explicit deny');
    expect(evaluate(deploy, { action: 'iam:DeleteRolePermissionsBoundary', resource: role, context: withBoundary })).toBe('explicit deny');
    // What deploying needs: the controls above can fail.
    expect(evaluate(deploy, { action: 'iam:CreateRole', resource: role, context: withBoundary })).toBe('allow');
    expect(evaluate(deploy, { action: 'iam:PutRolePolicy', resource: role, context: withBoundary })).toBe('allow');
    expect(evaluate(deploy, { action: 'iam:PassRole', resource: role, context: { 'iam:PassedToService': 'lambda.amazonaws.com' } })).toBe('allow');
  });

  test('state: the deploy role writes its environment\'s state and lock files and deletes only lock files; neither role changes a state bucket or key', () => {
    const object = (key: string) => `arn:aws:s3:::${BUCKET}/${key}`;
    expect(evaluate(deploy, { action: 's3:PutObject', resource: object('loan-remediation/dev/network.tfstate') })).toBe('allow');
    expect(evaluate(deploy, { action: 's3:DeleteObject', resource: object('loan-remediation/dev/network.tfstate.tflock') })).toBe('allow');
    expect(evaluate(deploy, { action: 's3:DeleteObject', resource: object('loan-remediation/dev/network.tfstate') })).toBe('implicit deny');
    expect(evaluate(deploy, { action: 's3:PutObject', resource: object('loan-remediation/prod/network.tfstate') })).toBe('implicit deny');
    expect(evaluate(deploy, { action: 's3:PutObject', resource: object('loan-remediation/account-us-east-1/account.tfstate') })).toBe('implicit deny');
    expect(evaluate(deploy, { action: 's3:GetObject', resource: object('plans/loan-remediation/dev/3f9c2e1/network.tfplan') })).toBe('allow');
    // Every environment's state bucket and key: nothing but listing and reading and writing objects.
    const prodBucket = 'arn:aws:s3:::loan-remediation-prod-tfstate-20260101';
    for (const statements of [deploy, plan]) {
      expect(evaluate(statements, { action: 's3:ListBucket', resource: `arn:aws:s3:::${BUCKET}` })).toBe('allow');
      for (const bucket of [`arn:aws:s3:::${BUCKET}`, prodBucket]) {
        expect(evaluate(statements, { action: 's3:PutBucketPolicy', resource: bucket })).toBe('explicit deny');
        expect(evaluate(statements, { action: 's3:DeleteBucket', resource: bucket })).toBe('explicit deny');
        expect(evaluate(statements, { action: 's3:DeleteObjectVersion', resource: `${bucket}/loan-remediation/dev/network.tfstate` })).toBe('explicit deny');
      }
      for (const environment of ['dev', 'prod']) {
        expect(evaluate(statements, { action: 'kms:ScheduleKeyDeletion', resource: KEY, context: keyTags(environment) })).toBe('explicit deny');
        expect(evaluate(statements, { action: 'kms:PutKeyPolicy', resource: KEY.replace('us-east-1', 'eu-west-1'), context: keyTags(environment) })).toBe('explicit deny');
        expect(evaluate(statements, { action: 'kms:TagResource', resource: KEY, context: keyTags(environment) })).toBe('explicit deny');
      }
      expect(evaluate(statements, { action: 'kms:Decrypt', resource: KEY, context: keyTags('dev') })).toBe('allow');
    }
    // The guardrail is about state keys: the redshift stack's key is the deploy role's to manage.
    expect(evaluate(deploy, { action: 'kms:ScheduleKeyDeletion', resource: KEY, context: keyTags('dev', 'redshift') })).toBe('allow');
  });

  test('the deploy role may make every call of npm run preflight (deploy.yml runs it before applying), on what preflight asks about', () => {
    const region = { 'aws:RequestedRegion': 'us-east-1' };
    // What preflight asks each action about, in the dev environment of this account.
    const calls: Record<string, { resource: string; context?: Record<string, string> }> = {
      'sts:GetCallerIdentity': { resource: '*', context: region },
      'ec2:DescribeAvailabilityZones': { resource: '*', context: region },
      'apigateway:GET': { resource: 'arn:aws:apigateway:us-east-1::/account' },
      'lambda:GetAccountSettings': { resource: '*', context: region },
      'lambda:GetFunctionConcurrency': { resource: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:loan-remediation-dev-predict` },
      'cognito-idp:DescribeUserPoolDomain': { resource: '*', context: region },
      's3:ListBucket': { resource: `arn:aws:s3:::${BUCKET}` },
      'kms:DescribeKey': { resource: KEY, context: keyTags('dev') },
      'logs:DescribeResourcePolicies': { resource: '*', context: region },
      'servicequotas:ListServiceQuotas': { resource: '*', context: region },
    };
    expect(Object.keys(calls)).toEqual([...PREFLIGHT_IAM_ACTIONS]);
    expect(PREFLIGHT_IAM_ACTIONS.filter((action) => evaluate(deploy, { action, ...calls[action] }) !== 'allow')).toEqual([]);
    // Another environment's state key, and the settings of every REST API: not preflight's business.
    expect(evaluate(deploy, { action: 'kms:DescribeKey', resource: KEY, context: keyTags('prod') })).toBe('implicit deny');
    expect(evaluate(deploy, { action: 'lambda:GetAccountSettings', resource: '*', context: { 'aws:RequestedRegion': 'eu-west-1' } })).toBe('implicit deny');
    expect(evaluate(deploy, { action: 'apigateway:GET', resource: 'arn:aws:apigateway:us-east-1::/apikeys' })).toBe('implicit deny');
  });

  test('the plan role reads state, writes only saved plans, and changes nothing it plans', () => {
    const object = (key: string) => `arn:aws:s3:::${BUCKET}/${key}`;
    expect(evaluate(plan, { action: 's3:GetObject', resource: object('loan-remediation/dev/redshift.tfstate') })).toBe('allow');
    expect(evaluate(plan, { action: 's3:PutObject', resource: object('plans/loan-remediation/dev/3f9c2e1/report.md') })).toBe('allow');
    expect(evaluate(plan, { action: 's3:PutObject', resource: object('loan-remediation/dev/redshift.tfstate') })).toBe('implicit deny');
    expect(evaluate(plan, { action: 's3:GetObject', resource: object('plans/loan-remediation/prod/3f9c2e1/report.md') })).toBe('implicit deny');
    expect(evaluate(plan, { action: 'ec2:DescribeVpcs', resource: '*', context: { 'aws:RequestedRegion': 'us-east-1' } })).toBe('allow');
    expect(evaluate(plan, { action: 'ec2:DeleteVpc', resource: `arn:aws:ec2:us-east-1:${ACCOUNT}:vpc/vpc-0abc` })).toBe('implicit deny');
    expect(evaluate(plan, { action: 'secretsmanager:GetSecretValue', resource: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:redshift!loan-remediation-dev-x` })).toBe('implicit deny');
  });

  test('for the longest names and values, every policy fits IAM: managed 6,144 characters, 10 per role, inline 10,240 together', () => {
    const { json, parsed: longest } = (() => {
      const stacks = buildStacks(Testing.app() as App, loadConfig({
        ...SETTINGS,
        PROJECT_NAME: LONGEST_NAMES.project,
        ENVIRONMENT: LONGEST_NAMES.environment,
        AWS_REGION: LONGEST_NAMES.region,
      }));
      const synthesized = Testing.synth(stacks.account);
      return { json: synthesized, parsed: JSON.parse(synthesized) as Synthesized };
    })();
    expect(json).toHaveResource(IamPolicy);
    const worst = {
      ...REAL,
      'data.aws_partition.partition.partition': LONGEST_NAMES.partition,
      'aws_iam_openid_connect_provider.github-oidc-provider.arn': `arn:${LONGEST_NAMES.partition}:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`,
    };
    for (const role of ['staging-plan-role', 'staging-deploy-role']) {
      const { managed, inline } = roleStatements(longest, role, worst);
      const size = (document: string) => JSON.stringify(JSON.parse(document)).length;
      expect(managed.length).toBeGreaterThan(0);
      expect(managed.length).toBeLessThanOrEqual(IAM_LIMITS.managedPoliciesPerRole);
      for (const document of managed) expect(size(document)).toBeLessThanOrEqual(IAM_LIMITS.managedPolicyCharacters);
      expect(inline.map(size).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(IAM_LIMITS.inlinePolicyCharacters);
    }
    const boundary = concrete(String(longest.resource.aws_iam_policy['staging-boundary'].policy), worst);
    expect(boundary.length).toBeLessThanOrEqual(IAM_LIMITS.managedPolicyCharacters);
  });
});
