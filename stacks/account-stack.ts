import { Construct } from 'constructs';
import { RULE, suppressRule } from '../policy/suppress';
import { Config } from './config';
import { ApiGatewayAccountLogging } from './constructs/api-gateway-account-logging';
import { CiIdentities, DEPLOY_ROLE_VARIABLE, planRoleVariable } from './constructs/ci-identities';
import { GithubOidcProvider } from './constructs/github-oidc-provider';
import { PermissionsBoundary } from './constructs/permissions-boundary';
import { DeployTarget } from './deployer/policies';
import { ProjectStack } from './project-stack';

/**
 * What exists once per account and region, applied by an administrator with their own credentials
 * (`npx cdktf deploy account`), after `state` and before the other stacks: for each environment
 * deployed here (ACCOUNT_ENVIRONMENTS) its permissions boundary, which every role the stacks create
 * carries; API Gateway's account-wide CloudWatch Logs role; and, with CI_REPOSITORY, the GitHub
 * OIDC provider and each environment's read-only plan role and deploy role. With these, setting up
 * the pipeline needs no hand-written IAM (docs/plan-review.md).
 *
 * The pipeline never plans or applies this stack, and its roles are denied every change to what it
 * creates.
 */
export class AccountStack extends ProjectStack {
  readonly boundaries: readonly PermissionsBoundary[];
  readonly ci: readonly CiIdentities[];

  constructor(scope: Construct, config: Config) {
    super(scope, 'account', config);
    const settings = config.account;
    const { partition, accountId } = this.account;
    const targets = settings.environments.map(
      (environment): DeployTarget => ({ partition, account: accountId, region: config.region, project: config.projectName, environment }),
    );

    this.boundaries = targets.map((target) => new PermissionsBoundary(this, `boundary-${target.environment}`, target));
    this.ci = settings.ciRepository === undefined ? [] : this.addCiIdentities(config, settings.ciRepository, targets);

    if (settings.manageApiGatewayAccountRole) {
      const logging = new ApiGatewayAccountLogging(this, 'api-gateway-account-logging', {
        name: `${config.projectName}-${config.region}`,
        partition,
        region: config.region,
        accountId,
      });
      suppressRule(
        logging.role,
        RULE.IamRoleHasPermissionsBoundary,
        'The account-wide role API Gateway logs every API of the region with, created by the administrator: no ' +
          "environment's boundary fits it, and its only policy writes CloudWatch Logs",
      );
    }
  }

  /**
   * The OIDC provider and, per environment, the plan and deploy roles the workflows of `repository`
   * assume. Each environment's roles find its own state stack's bucket and key by name and tags
   * (stacks/deployer/ci-access.ts), so the account stack needs no environment's state settings.
   */
  private addCiIdentities(config: Config, repository: string, targets: readonly DeployTarget[]): CiIdentities[] {
    const oidc = new GithubOidcProvider(this, 'github', { existingArn: config.account.ciOidcProviderArn });
    const ci = targets.map(
      (target) => new CiIdentities(this, `ci-${target.environment}`, { target, oidcProviderArn: oidc.arn, repository }),
    );
    this.addOutputs({
      github_oidc_provider_arn: [oidc.arn, 'The GitHub OIDC provider the CI roles trust'],
      ...Object.fromEntries(
        ci.flatMap((identities, i) => {
          const environment = targets[i].environment;
          return [
            [
              `${environment}_plan_role_arn`,
              [identities.planRole.arn, `The repository variable ${planRoleVariable(environment)}: pull-request plans and nightly drift (read-only)`],
            ],
            [
              `${environment}_deploy_role_arn`,
              [identities.deployRole.arn, `The variable ${DEPLOY_ROLE_VARIABLE} of the GitHub environment ${environment}: its deploy jobs`],
            ],
          ];
        }),
      ),
    });
    return ci;
  }
}
