/**
 * What the CI roles need besides the resources (policies.ts): the Terraform state of their
 * environment and the saved plans, and the guardrails that keep both roles away from what the
 * administrator's `account` stack creates. Inline in each role (IAM counts these against the role's
 * 10,240 characters of inline policy).
 */
import { boundaryPolicyArn } from './names';
import { DeployTarget, PolicyStatement } from './policies';

/** Where the environment's state and plans are: the S3 backend's bucket and key (stacks/project-stack.ts). */
export interface StateLocation {
  readonly bucket: string;
  readonly keyArn: string;
}

/** State files of one environment: `<project>/<environment>/<stack>.tfstate` (and `.tflock`, the S3 lock file). */
const stateObjects = (target: DeployTarget, state: StateLocation): string =>
  `arn:${target.partition}:s3:::${state.bucket}/${target.project}/${target.environment}/*`;
/** Where saved plans are kept in the state bucket (scripts/plan/storage.ts writes and reads them). */
export const PLANS_KEY_PREFIX = 'plans/';

/** Saved plans of one environment: `plans/<project>/<environment>/<commit>/...` (docs/plan-review.md). */
const planObjects = (target: DeployTarget, state: StateLocation): string =>
  `arn:${target.partition}:s3:::${state.bucket}/${PLANS_KEY_PREFIX}${target.project}/${target.environment}/*`;

/**
 * State and plans. Both roles list the bucket and read their environment's state and lock file. The
 * plan role writes saved plans and nothing else (plans run with -lock=false); the deploy role writes
 * state and lock files, deletes lock files only, reads the saved plans it applies and stores the new
 * plans a second approval applies (`npm run plan:store -- push --replan`). Objects are encrypted with
 * the state key (SSE-KMS).
 */
export function stateStatements(role: 'plan' | 'deploy', target: DeployTarget, state: StateLocation): PolicyStatement[] {
  const bucket = `arn:${target.partition}:s3:::${state.bucket}`;
  const statements: PolicyStatement[] = [
    { Sid: 'ListStateBucket', Effect: 'Allow', Action: ['s3:ListBucket'], Resource: [bucket] },
    { Sid: 'ReadState', Effect: 'Allow', Action: ['s3:GetObject'], Resource: [stateObjects(target, state)] },
  ];
  if (role === 'plan') {
    statements.push(
      { Sid: 'SavePlans', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: [planObjects(target, state)] },
      { Sid: 'StateKey', Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: [state.keyArn] },
    );
  } else {
    statements.push(
      { Sid: 'WriteState', Effect: 'Allow', Action: ['s3:PutObject'], Resource: [stateObjects(target, state)] },
      {
        Sid: 'ReleaseStateLock',
        Effect: 'Allow',
        Action: ['s3:DeleteObject'],
        Resource: [`arn:${target.partition}:s3:::${state.bucket}/${target.project}/${target.environment}/*.tflock`],
      },
      { Sid: 'ReadAndReplanPlans', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: [planObjects(target, state)] },
      { Sid: 'StateKey', Effect: 'Allow', Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], Resource: [state.keyArn] },
    );
  }
  return statements;
}

/** What the administrator's `account` stack owns in this account, for the guardrails. */
export interface AccountOwned {
  /** The GitHub OIDC provider the CI roles trust. */
  readonly oidcProviderArn: string;
}

/**
 * Explicit denies, so no later edit of an Allow can hand the CI roles what the administrator keeps:
 * the CI roles themselves, every environment's permissions boundary, the OIDC provider; no role
 * without this environment's boundary, no boundary removed; and the state bucket and key beyond
 * reading and writing objects.
 */
export function guardrailStatements(target: DeployTarget, state: StateLocation, owned: AccountOwned): PolicyStatement[] {
  const iam = `arn:${target.partition}:iam::${target.account}`;
  return [
    {
      Sid: 'DenyAccountStackIdentities',
      Effect: 'Deny',
      Action: ['iam:*'],
      Resource: [`${iam}:role/${target.project}-ci-*`, `${iam}:policy/${target.project}-*-boundary`, owned.oidcProviderArn],
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
      // The bucket itself (policy, encryption, versioning, deletion) stays the administrator's.
      Sid: 'DenyStateBucketSettings',
      Effect: 'Deny',
      NotAction: ['s3:ListBucket'],
      Resource: [`arn:${target.partition}:s3:::${state.bucket}`],
    },
    {
      Sid: 'DenyStateKeyManagement',
      Effect: 'Deny',
      NotAction: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
      Resource: [state.keyArn],
    },
  ];
}
