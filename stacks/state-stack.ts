import { TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import { Config } from './config';
import { SecureBucket } from './constructs/secure-bucket';
import { suppressRule } from './policy/suppress';
import { ProjectStack } from './project-stack';

/**
 * Bootstrap: the S3 bucket that holds every other stack's Terraform state. Its own state stays
 * local (a bucket cannot hold the state that creates it). Deploy it once, then set STATE_BUCKET.
 */
export class StateStack extends ProjectStack {
  readonly bucket: SecureBucket;

  constructor(scope: Construct, config: Config) {
    super(scope, 'state', config);

    this.bucket = new SecureBucket(this, 'state-bucket', {
      bucketPrefix: `${config.namePrefix}-tfstate-`,
      encryption: 'aws-managed-kms',
      // Old state versions are the undo history of every deploy: keep them for a quarter.
      noncurrentVersionExpirationDays: 90,
      preventDestroy: true,
    });
    suppressRule(this.bucket.bucket, 'LR-S3-008', 'State reads and writes are audited with CloudTrail S3 data events');

    new TerraformOutput(this, 'state_bucket_name', {
      value: this.bucket.bucket.bucket,
      description: 'Set STATE_BUCKET to this value to move every other stack to the S3 backend',
    });
  }
}
