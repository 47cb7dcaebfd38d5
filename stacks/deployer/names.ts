/**
 * The names the account stack gives what it creates for one environment, derived from the project
 * and environment so the other stacks find them without a setting.
 */

/** The project and environment, and the partition and account (literal values or Terraform expressions). */
export interface EnvironmentIdentity {
  readonly partition: string;
  readonly account: string;
  readonly project: string;
  readonly environment: string;
}

/** `<project>-<environment>`: the prefix of every resource name of the environment. */
export const namePrefix = (target: Pick<EnvironmentIdentity, 'project' | 'environment'>): string => `${target.project}-${target.environment}`;

/** The permissions boundary every role of an environment carries. */
export const boundaryPolicyName = (target: Pick<EnvironmentIdentity, 'project' | 'environment'>): string => `${namePrefix(target)}-boundary`;
export const boundaryPolicyArn = (target: EnvironmentIdentity): string =>
  `arn:${target.partition}:iam::${target.account}:policy/${boundaryPolicyName(target)}`;

/**
 * The state stack's bucket of an environment is named `<project>-<environment>-tfstate-<suffix>`
 * (Terraform's bucket_prefix adds the suffix), so a role finds every environment's state bucket by
 * name, without its settings.
 */
export const stateBucketPrefix = (target: Pick<EnvironmentIdentity, 'project' | 'environment'>): string => `${namePrefix(target)}-tfstate-`;

export type CiRole = 'plan' | 'deploy';

/** `<project>-ci-<environment>-<plan|deploy>`: outside the `<project>-<environment>-*` names the deployer may manage. */
export const ciRoleName = (target: Pick<EnvironmentIdentity, 'project' | 'environment'>, role: CiRole): string =>
  `${target.project}-ci-${target.environment}-${role}`;
