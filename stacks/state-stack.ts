import { Construct } from 'constructs';
import { Config } from './config';
import { CustomerManagedKey } from './constructs/customer-managed-key';
import { SecureBucket } from './constructs/secure-bucket';
import { RULE, suppressRule } from '../policy/suppress';
import { stateBucketPrefix } from './deployer/names';
import { ProjectStack } from './project-stack';

/**
 * Bootstrap: the S3 bucket that holds every other stack's Terraform state, and the KMS key that
 * encrypts it (state files can hold secrets). Its own state stays local (a bucket cannot hold the
 * state that creates it). Deploy it once, then set STATE_BUCKET and STATE_KMS_KEY_ARN.
 */
export class StateStack extends ProjectStack {
  readonly bucket: SecureBucket;
  readonly key: CustomerManagedKey;

  constructor(scope: Construct, config: Config) {
    super(scope, 'state', config);

    this.key = new CustomerManagedKey(this, 'state-key', {
      description: `${config.namePrefix} Terraform state`,
      accountRootArn: this.account.rootArn,
      // Without the key, every state file in the bucket is unreadable.
      preventDestroy: true,
    });
    this.bucket = new SecureBucket(this, 'state-bucket', {
      // The CI roles find it by this name (stacks/deployer/ci-access.ts), and its key by the provider's default tags.
      bucketPrefix: stateBucketPrefix({ project: config.projectName, environment: config.environment }),
      encryption: this.key.key.arn,
      // Old state versions are the undo history of every deploy: keep them for a quarter.
      noncurrentVersionExpirationDays: 90,
      preventDestroy: true,
    });
    suppressRule(
      this.bucket.bucket,
      RULE.S3BucketAccessLogging,
      'A log bucket here would have to outlive every environment; audit state access with CloudTrail S3 ' +
        'data events at the account level (not created by this project)',
    );

    this.addOutputs({
      state_bucket_name: [this.bucket.bucket.bucket, 'Set STATE_BUCKET to this value to move every other stack to the S3 backend'],
      state_kms_key_arn: [this.key.key.arn, 'Set STATE_KMS_KEY_ARN to this value so state files are encrypted with this key'],
    });
  }
}
