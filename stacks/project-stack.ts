import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { LocalBackend, S3Backend, TerraformElement, TerraformOutput, TerraformStack } from 'cdktf';
import { Construct, Node } from 'constructs';
import * as path from 'path';
import { Config } from './config';
import { stackLevelLogicalId, uniqueAddresses } from './constructs/stack-addresses';

/** Stack ids are fixed: they name the state files and the `cdktf deploy <stack>` arguments. In deploy order. */
export const STACK_NAMES = ['state', 'network', 'redshift', 'api', 'waf'] as const;
export type StackName = (typeof STACK_NAMES)[number];

/** The S3 key of a stack's state file in the remote-state bucket. */
export const stateKey = (config: Config, stack: StackName): string =>
  `${config.projectName}/${config.environment}/${stack}.tfstate`;

/** The local state file of a stack, in the project folder, until STATE_BUCKET moves it to S3. */
export const localStateFile = (config: Config, stack: StackName): string =>
  `terraform.${config.namePrefix}.${stack}.tfstate`;

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
            environment: config.environment,
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

  private accountLookup?: { partition: string; accountId: string };

  /**
   * The partition and account this stack deploys into. The data sources are created on first use,
   * so a stack that never asks (network) plans offline without a caller-identity lookup.
   */
  protected get account(): { partition: string; accountId: string; rootArn: string } {
    this.accountLookup ??= {
      partition: new DataAwsPartition(this, 'partition').partition,
      accountId: new DataAwsCallerIdentity(this, 'account').accountId,
    };
    const { partition, accountId } = this.accountLookup;
    return { partition, accountId, rootArn: `arn:${partition}:iam::${accountId}:root` };
  }

  /** Outputs for operators and the warehouse scripts (`terraform output <name>`), with descriptions. */
  protected addOutputs(outputs: Record<string, [value: string | string[] | number, description: string]>): void {
    for (const [id, [value, description]] of Object.entries(outputs)) {
      new TerraformOutput(this, id, { value, description });
    }
  }
}
