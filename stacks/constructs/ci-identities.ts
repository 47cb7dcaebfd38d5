import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { Construct } from 'constructs';
import { RULE, suppressRule } from '../../policy/suppress';
import { guardrailStatements, preflightStatements, stateStatements } from '../deployer/ci-access';
import { CiRole, ciRoleName, namePrefix } from '../deployer/names';
import { DeployTarget, PolicyDocument, PolicyStatement, deployerStatements, planStatements, policyDocument, splitIntoPolicies } from '../deployer/policies';
import { PIPELINE_TYPES } from '../deployer/resource-actions';
import { GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_ISSUER } from './github-oidc-provider';
import { keepStackAddresses } from './stack-addresses';

export interface CiIdentitiesProps {
  /** The environment, and this account and partition (Terraform expressions). */
  readonly target: DeployTarget;
  readonly oidcProviderArn: string;
  /** `owner/name` of the repository whose workflows assume the roles. */
  readonly repository: string;
}

/**
 * GitHub OIDC subjects ("OpenID Connect reference", GitHub Docs): a job that names an environment is
 * `repo:<owner>/<repo>:environment:<name>`; one that names none, `...:pull_request` for pull requests
 * and `...:ref:refs/heads/<branch>` for a branch.
 */
export const planSubjects = (repository: string): string[] => [`repo:${repository}:pull_request`, `repo:${repository}:ref:refs/heads/main`];
export const deploySubjects = (repository: string, environment: string): string[] => [`repo:${repository}:environment:${environment}`];

/**
 * The GitHub variables the workflows take the role ARNs from (plan.yml and drift.yml map each
 * environment to its plan role's repository variable; deploy.yml reads the deploy role's from the
 * GitHub environment it runs in).
 */
export const planRoleVariable = (environment: string): string => `AWS_PLAN_ROLE_ARN_${environment.toUpperCase()}`;
export const DEPLOY_ROLE_VARIABLE = 'AWS_DEPLOY_ROLE_ARN';

/** A trust policy for GitHub Actions jobs of these subjects only, through the account's OIDC provider. */
function githubTrust(providerArn: string, subjects: string[]): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: providerArn },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: { [`${GITHUB_OIDC_ISSUER}:aud`]: GITHUB_OIDC_AUDIENCE, [`${GITHUB_OIDC_ISSUER}:sub`]: subjects },
        },
      },
    ],
  });
}

/**
 * One environment's CI identities: the read-only plan role (pull requests and the nightly drift job
 * on main) and the deploy role (jobs in the GitHub environment of the same name). Each role gets the
 * generated policies as managed policies, each within IAM's 6,144 characters, and its state access
 * and guardrails inline; the deploy role also what `npm run preflight` calls, which deploy.yml runs
 * before applying.
 */
export class CiIdentities extends Construct {
  readonly planRole: IamRole;
  readonly deployRole: IamRole;

  constructor(scope: Construct, id: string, props: CiIdentitiesProps) {
    super(scope, id);
    keepStackAddresses(this);
    const env = props.target.environment;
    this.planRole = this.role('plan', planSubjects(props.repository), props, (t) => planStatements(PIPELINE_TYPES, t));
    this.deployRole = this.role('deploy', deploySubjects(props.repository, env), props, (t) => deployerStatements(PIPELINE_TYPES, t));
  }

  private role(kind: CiRole, subjects: string[], props: CiIdentitiesProps, build: (target: DeployTarget) => PolicyStatement[]): IamRole {
    const { target } = props;
    const env = target.environment;
    const role = new IamRole(this, `${env}-${kind}-role`, {
      name: ciRoleName(target, kind),
      description:
        kind === 'plan'
          ? `GitHub Actions plans ${namePrefix(target)} (pull requests, nightly drift on main): read-only`
          : `GitHub Actions deploys ${namePrefix(target)} from the ${env} environment`,
      assumeRolePolicy: githubTrust(props.oidcProviderArn, subjects),
    });
    suppressRule(
      role,
      RULE.IamRoleHasPermissionsBoundary,
      'A CI role of the account stack, created by the administrator: its own generated policies are its limit, and ' +
        'explicit denies keep it from changing itself, the boundaries and the OIDC provider',
    );
    new IamRolePolicy(this, `${env}-${kind}-state-policy`, {
      name: 'state-and-guardrails',
      role: role.name,
      policy: JSON.stringify(policyDocument([...stateStatements(kind, target), ...guardrailStatements(target, props)])),
    });
    if (kind === 'deploy') {
      new IamRolePolicy(this, `${env}-deploy-preflight-policy`, {
        name: 'preflight',
        role: role.name,
        policy: JSON.stringify(policyDocument(preflightStatements(target))),
      });
    }
    splitIntoPolicies(build, target).forEach((document: PolicyDocument, i) => {
      const policy = new IamPolicy(this, `${env}-${kind}-policy-${i + 1}`, {
        name: `${ciRoleName(target, kind)}-${i + 1}`,
        description: `${kind === 'plan' ? 'Read-only plan' : 'Deploy'} permissions for ${namePrefix(target)}, part ${i + 1} (generated, npm run deployer-policy)`,
        policy: JSON.stringify(document),
      });
      new IamRolePolicyAttachment(this, `${env}-${kind}-policy-${i + 1}-attachment`, { role: role.name, policyArn: policy.arn });
    });
    return role;
  }
}
