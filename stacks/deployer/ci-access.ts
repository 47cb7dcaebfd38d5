/**
 * What the CI roles need besides the resources (policies.ts): the Terraform state of their
 * environment and the saved plans, and the guardrails that keep both roles away from what the
 * administrator's `account` stack creates. Inline in each role (IAM counts these against the role's
 * 10,240 characters of inline policy).
 *
 * Every environment has its own `state` stack: a bucket named `<project>-<environment>-tfstate-...`
 * and a key the provider's default tags mark `project`, `environment` and `stack` = `state`
 * (stacks/state-stack.ts, stacks/project-stack.ts). The roles find both by that name and those tags,
 * so one account stack serves every environment of the account without their settings.
 */
import { StackName } from '../project-stack';
import { boundaryPolicyArn, namePrefix, stateBucketPrefix } from './names';
import { Condition, DeployTarget, PolicyStatement, iamAction } from './policies';
import { PREFLIGHT_IAM_ACTIONS } from './preflight-actions';

const STATE_STACK: StackName = 'state';

/** This environment's state bucket (its name ends in a suffix Terraform chose). */
const stateBucket = (target: DeployTarget): string => `arn:${target.partition}:s3:::${stateBucketPrefix(target)}*`;
/** Every state bucket of the project, whatever the environment. */
export const everyStateBucket = (target: DeployTarget): string => `arn:${target.partition}:s3:::${target.project}-*-tfstate-*`;

/** Keys of this account and region; `anyRegion` for the guardrails, which hold in every region. */
export const keysOfAccount = (target: DeployTarget, anyRegion = false): string =>
  `arn:${target.partition}:kms:${anyRegion ? '*' : target.region}:${target.account}:key/*`;

/**
 * This environment's state key, by its tags: KMS evaluates `aws:ResourceTag/<key>` for operations on
 * an existing key, Decrypt, Encrypt, GenerateDataKey and DescribeKey among them, in IAM policies ("ABAC
 * for AWS KMS" and "Use tags to control access to KMS keys", AWS KMS Developer Guide; a tag change may
 * take five minutes to count). Only an administrator can tag a key `stack` = `state`: the deploy role
 * tags keys of the pipeline's stacks only (policies.ts) and may not touch a state key (below).
 */
export const stateKeyCondition = (target: DeployTarget): Condition => ({
  StringEquals: { 'aws:ResourceTag/project': target.project, 'aws:ResourceTag/environment': target.environment, 'aws:ResourceTag/stack': STATE_STACK },
});
/** Every state key, of any project or environment. */
export const everyStateKeyCondition: Condition = { StringEquals: { 'aws:ResourceTag/stack': STATE_STACK } };

/** State files of one environment: `<project>/<environment>/<stack>.tfstate` (and `.tflock`, the S3 lock file). */
const stateObjects = (target: DeployTarget, suffix = '*'): string => `${stateBucket(target)}/${target.project}/${target.environment}/${suffix}`;
/** Where saved plans are kept in the state bucket (scripts/plan/storage.ts writes and reads them). */
export const PLANS_KEY_PREFIX = 'plans/';

/** Saved plans of one environment: `plans/<project>/<environment>/<commit>/...` (docs/plan-review.md). */
const planObjects = (target: DeployTarget): string => `${stateBucket(target)}/${PLANS_KEY_PREFIX}${target.project}/${target.environment}/*`;

/**
 * State and plans. Both roles list the bucket and read their environment's state and lock file. The
 * plan role writes saved plans and nothing else (plans run with -lock=false); the deploy role writes
 * state and lock files, deletes lock files only, reads the saved plans it applies and stores the new
 * plans a second approval applies (`npm run plan:store -- push --replan`). Objects are encrypted with
 * the state key (SSE-KMS).
 */
export function stateStatements(role: 'plan' | 'deploy', target: DeployTarget): PolicyStatement[] {
  const key = (actions: string[]): PolicyStatement => ({
    Sid: 'StateKey',
    Effect: 'Allow',
    Action: actions,
    Resource: [keysOfAccount(target)],
    Condition: stateKeyCondition(target),
  });
  const statements: PolicyStatement[] = [
    { Sid: 'ListStateBucket', Effect: 'Allow', Action: ['s3:ListBucket'], Resource: [stateBucket(target)] },
    { Sid: 'ReadState', Effect: 'Allow', Action: ['s3:GetObject'], Resource: [stateObjects(target)] },
  ];
  if (role === 'plan') {
    statements.push(
      { Sid: 'SavePlans', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: [planObjects(target)] },
      key(['kms:Decrypt', 'kms:GenerateDataKey']),
    );
  } else {
    statements.push(
      { Sid: 'WriteState', Effect: 'Allow', Action: ['s3:PutObject'], Resource: [stateObjects(target)] },
      { Sid: 'ReleaseStateLock', Effect: 'Allow', Action: ['s3:DeleteObject'], Resource: [stateObjects(target, '*.tflock')] },
      { Sid: 'ReadAndReplanPlans', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: [planObjects(target)] },
      key(['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey']),
    );
  }
  return statements;
}

/** Where preflight's calls look, per IAM resource type (`service:type`) of its actions, and what holds them there. */
const PREFLIGHT_SCOPES: Readonly<Record<string, (target: DeployTarget) => Omit<PolicyStatement, 'Effect' | 'Action'>>> = {
  // API Gateway's account settings of the region (GET /account): whether its CloudWatch Logs role is set.
  'apigateway:account': (t) => ({ Sid: 'PreflightApiGatewayAccount', Resource: [`arn:${t.partition}:apigateway:${t.region}::/account`] }),
  // The prediction function's current reservation.
  'lambda:function': (t) => ({
    Sid: 'PreflightFunction',
    Resource: [`arn:${t.partition}:lambda:${t.region}:${t.account}:function:${namePrefix(t)}-*`],
  }),
  // HeadBucket and DescribeKey on the environment's state bucket and key.
  's3:bucket': (t) => ({ Sid: 'PreflightStateBucket', Resource: [stateBucket(t)] }),
  'kms:key': (t) => ({ Sid: 'PreflightStateKey', Resource: [keysOfAccount(t)], Condition: stateKeyCondition(t) }),
};

/**
 * What `npm run preflight` calls (PREFLIGHT_IAM_ACTIONS), which deploy.yml runs as the deploy role
 * before it applies, so its checks answer instead of "could not check": each action on what preflight
 * asks it about, and an action IAM gives no resource type on "*" in this region. Read-only, every one.
 */
export function preflightStatements(target: DeployTarget): PolicyStatement[] {
  const statements = new Map<string, PolicyStatement>();
  for (const action of PREFLIGHT_IAM_ACTIONS) {
    const [service] = action.split(':');
    const { resourceTypes } = iamAction(action);
    const type = resourceTypes.map((t) => `${service}:${t.name.toLowerCase()}`).find((key) => key in PREFLIGHT_SCOPES);
    if (resourceTypes.length > 0 && type === undefined) {
      throw new Error(`${action}: none of its resource types has a scope in PREFLIGHT_SCOPES (stacks/deployer/ci-access.ts)`);
    }
    const scope =
      type === undefined
        ? { Sid: 'Preflight', Resource: ['*'], Condition: { StringEquals: { 'aws:RequestedRegion': target.region } } }
        : PREFLIGHT_SCOPES[type](target);
    const statement = statements.get(scope.Sid) ?? { ...scope, Effect: 'Allow', Action: [] };
    statements.set(scope.Sid, { ...statement, Action: [...(statement.Action ?? []), action] });
  }
  return [...statements.values()];
}

/** What the administrator's `account` stack owns in this account, for the guardrails. */
export interface AccountOwned {
  /** The GitHub OIDC provider the CI roles trust. */
  readonly oidcProviderArn: string;
}

/** The object actions the roles use on state buckets (stateStatements); the guardrail denies every other one. */
const STATE_OBJECT_ACTIONS = ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'];

/**
 * Explicit denies, so no later edit of an Allow can hand the CI roles what the administrator keeps:
 * the CI roles themselves and their managed policies, every environment's permissions boundary, the
 * OIDC provider; no role
 * without this environment's boundary, no boundary removed; and every environment's state bucket
 * and key beyond listing, reading and writing objects.
 */
export function guardrailStatements(target: DeployTarget, owned: AccountOwned): PolicyStatement[] {
  const iam = `arn:${target.partition}:iam::${target.account}`;
  return [
    {
      Sid: 'DenyAccountStackIdentities',
      Effect: 'Deny',
      Action: ['iam:*'],
      // The CI roles, their managed policies (`<project>-ci-<environment>-<role>-<n>`), the boundaries, the OIDC provider.
      Resource: [`${iam}:role/${target.project}-ci-*`, `${iam}:policy/${target.project}-ci-*`, `${iam}:policy/${target.project}-*-boundary`, owned.oidcProviderArn],
    },
    {
      Sid: 'DenyRolesWithoutBoundary',
      Effect: 'Deny',
      Action: ['iam:CreateRole', 'iam:PutRolePermissionsBoundary', 'iam:PutRolePolicy', 'iam:AttachRolePolicy', 'iam:UpdateAssumeRolePolicy'],
      Resource: ['*'],
      Condition: { StringNotEquals: { 'iam:PermissionsBoundary': boundaryPolicyArn(target) } },
    },
    { Sid: 'DenyBoundaryRemoval', Effect: 'Deny', Action: ['iam:DeleteRolePermissionsBoundary'], Resource: ['*'] },
    {
      // The buckets themselves (policy, encryption, versioning, deletion) stay the administrator's. A
      // wildcard bucket ARN also matches the buckets' objects, so the object actions the roles use are
      // left to the Allows, which name this environment's keys only.
      Sid: 'DenyStateBucketSettings',
      Effect: 'Deny',
      NotAction: ['s3:ListBucket', ...STATE_OBJECT_ACTIONS],
      Resource: [everyStateBucket(target)],
    },
    {
      Sid: 'DenyStateKeyManagement',
      Effect: 'Deny',
      NotAction: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
      Resource: [keysOfAccount(target, true)],
      Condition: everyStateKeyCondition,
    },
  ];
}
