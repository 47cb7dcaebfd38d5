import { TerraformLocal } from 'cdktf';
import { Construct } from 'constructs';
import { RULE, suppressRule } from '../policy/suppress';
import { Config } from './config';
import { ApiGatewayAccountLogging } from './constructs/api-gateway-account-logging';
import { CiIdentities } from './constructs/ci-identities';
import { GithubOidcProvider } from './constructs/github-oidc-provider';
import { ProjectStack } from './project-stack';

/**
 * What exists once per account and region, applied by an administrator with their own credentials
 * (`npx cdktf deploy account`), after `state` and before the pipeline runs: the GitHub OIDC provider,
 * and for each environment deployed here (ACCOUNT_ENVIRONMENTS) its permissions boundary, a read-only
 * plan role and a deploy role; and API Gateway's account-wide CloudWatch Logs role. With these, setting
 * up the pipeline needs no hand-written IAM (docs/plan-review.md).
 *
 * The pipeline never plans or applies this stack, and its roles are denied every change to what it
 * creates.
 */
export class AccountStack extends ProjectStack {
  readonly environments: readonly CiIdentities[];

  constructor(scope: Construct, config: Config) {
    super(scope, 'account', config);
    const settings = config.account;
    const { partition, accountId } = this.account;

    // Settings the roles need. Unset, the stack still synthesizes (so `npm run synth` and the tests
    // need no repository), and its plan stops here with the variable to set.
    const required = {
      github_repository: [settings.githubRepository, 'GITHUB_REPOSITORY is not set: set it to owner/name of the repository whose workflows plan and deploy'],
      state_bucket: [config.stateBucket, 'STATE_BUCKET is not set: set it to the state stack\'s state_bucket_name output (the CI roles read and write state there)'],
      state_kms_key_arn: [config.stateKmsKeyArn, 'STATE_KMS_KEY_ARN is not set: set it to the state stack\'s state_kms_key_arn output'],
    } as const;
    const locals = Object.fromEntries(
      Object.entries(required).map(([name, [value]]) => [name, new TerraformLocal(this, name, value ?? '').asString]),
    ) as Record<keyof typeof required, string>;
    const preconditions = Object.entries(required).map(([name, [, errorMessage]]) => ({
      condition: `\${local.${name} != ""}`,
      errorMessage: `${errorMessage}, synthesize again and deploy the account stack.`,
    }));

    const oidc = new GithubOidcProvider(this, 'github', { existingArn: settings.githubOidcProviderArn });
    this.environments = settings.environments.map(
      (environment) =>
        new CiIdentities(this, `ci-${environment}`, {
          target: { partition, account: accountId, region: config.region, project: config.projectName, environment },
          state: { bucket: locals.state_bucket, keyArn: locals.state_kms_key_arn },
          oidcProviderArn: oidc.arn,
          repository: locals.github_repository,
          preconditions,
        }),
    );

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

    this.addOutputs({
      github_oidc_provider_arn: [oidc.arn, 'The GitHub OIDC provider the CI roles trust'],
      ...Object.fromEntries(
        this.environments.flatMap((ci, i) => {
          const environment = settings.environments[i];
          return [
            [`${environment}_plan_role_arn`, [ci.planRole.arn, `AWS_PLAN_ROLE_ARN for ${environment}: pull-request plans and nightly drift (read-only)`]],
            [`${environment}_deploy_role_arn`, [ci.deployRole.arn, `AWS_DEPLOY_ROLE_ARN for ${environment}: jobs in the GitHub environment ${environment}`]],
          ];
        }),
      ),
    });
  }
}
