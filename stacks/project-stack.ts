import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { LocalBackend, S3Backend, TerraformElement, TerraformOutput, TerraformStack } from 'cdktf';
import { Construct, Node } from 'constructs';
import * as path from 'path';
import { Config } from './config';
import { stackLevelLogicalId, uniqueAddresses } from './constructs/stack-addresses';
import { boundaryPolicyArn } from './deployer/names';

/** Stack ids are fixed: they name the state files and the `cdktf deploy <stack>` arguments. In deploy order. */
export const STACK_NAMES = ['state', 'account', 'network', 'redshift', 'api', 'waf'] as const;
export type StackName = (typeof STACK_NAMES)[number];

/**
 * Applied once by an administrator with their own credentials: `state` creates the bucket every other
 * state lives in, `account` the identities the pipeline runs as. The pipeline neither plans nor
 * applies them, and its roles may not change what they create.
 */
export const ADMIN_STACKS: readonly StackName[] = ['state', 'account'];
/** The stacks the pipeline plans and deploys, in deploy order. */
export const PIPELINE_STACKS: readonly StackName[] = STACK_NAMES.filter((stack) => !ADMIN_STACKS.includes(stack));

/**
 * Whose state a stack is: an environment's, or (the `account` stack, once per account and region)
 * the account's. The CI roles of an environment reach only `<project>/<environment>/`.
 */
const stateScope = (config: Config, stack: StackName): string => (stack === 'account' ? `account-${config.region}` : config.environment);

/** The S3 key of a stack's state file in the remote-state bucket. */
export const stateKey = (config: Config, stack: StackName): string => `${config.projectName}/${stateScope(config, stack)}/${stack}.tfstate`;

/** The local state file of a stack, in the project folder, until STATE_BUCKET moves it to S3. */
export const localStateFile = (config: Config, stack: StackName): string =>
  `terraform.${config.projectName}-${stateScope(config, stack)}.${stack}.tfstate`;

/**
 * Base for every stack: the AWS provider with the project's default tags, and the backend. Stacks
 * keep their state locally until STATE_BUCKET is set; the `state` stack, which creates that bucket,
 * always stays local.
 */
export class ProjectStack extends TerraformStack {
  constructor(
    scope: Construct,
    readonly stackName: StackName,
    readonly config: Config,
  ) {
    super(scope, stackName);
    this.node.addValidation(uniqueAddresses(this));
    new AwsProvider(this, 'aws', {
      region: config.region,
      defaultTags: [
        {
          tags: {
            project: config.projectName,
            // The account stack serves every environment of the account it lists.
            environment: stackName === 'account' ? config.account.environments.join(' ') : config.environment,
            'managed-by': 'cdktf',
            stack: stackName,
          },
        },
      ],
    });
    if (config.stateBucket !== undefined && stackName !== 'state') {
      const backend = new S3Backend(this, {
        bucket: config.stateBucket,
        key: stateKey(config, stackName),
        region: config.region,
        encrypt: true,
        // Without a key id, `encrypt` means SSE-S3 on every state object, overriding the bucket's KMS default.
        kmsKeyId: config.stateKmsKeyArn,
      });
      // Terraform's native S3 locking (1.10+); cdktf 0.21 has no typed property for it yet.
      backend.addOverride('use_lockfile', true);
    } else {
      // One state file per project, environment and stack, so a second environment never reads the
      // first one's state. Absolute, like cdktf's default, so consumers' terraform_remote_state finds it.
      new LocalBackend(this, { path: path.join(process.cwd(), localStateFile(config, stackName)) });
    }
  }

  /** Elements of constructs that keep stack addresses (stacks/constructs/stack-addresses.ts) are named by their own id. */
  protected allocateLogicalId(element: TerraformElement | Node): string {
    return stackLevelLogicalId(TerraformElement.isTerraformElement(element) ? element.node : element) ?? super.allocateLogicalId(element);
  }

  private partitionLookup?: string;
  private accountIdLookup?: string;

  /** The partition this stack deploys into (computed by the provider, no AWS call). */
  protected get partition(): string {
    this.partitionLookup ??= new DataAwsPartition(this, 'partition').partition;
    return this.partitionLookup;
  }

  /**
   * The partition and account this stack deploys into. The data sources are created on first use,
   * so a stack that never asks (network) plans offline without a caller-identity lookup.
   */
  protected get account(): { partition: string; accountId: string; rootArn: string } {
    const partition = this.partition;
    this.accountIdLookup ??= new DataAwsCallerIdentity(this, 'account').accountId;
    const accountId = this.accountIdLookup;
    return { partition, accountId, rootArn: `arn:${partition}:iam::${accountId}:root` };
  }

  /**
   * The environment's permissions boundary, which every role this stack creates carries: the account
   * stack creates it under a derived name, and the deploy role may create roles only with it.
   */
  protected permissionsBoundary(accountId: string): string {
    const { projectName: project, environment } = this.config;
    return boundaryPolicyArn({ partition: this.partition, account: accountId, project, environment });
  }

  /** Outputs for operators and the warehouse scripts (`terraform output <name>`), with descriptions. */
  protected addOutputs(outputs: Record<string, [value: string | string[] | number, description: string]>): void {
    for (const [id, [value, description]] of Object.entries(outputs)) {
      new TerraformOutput(this, id, { value, description });
    }
  }
}
