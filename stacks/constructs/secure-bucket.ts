import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketLoggingA } from '@cdktf/provider-aws/lib/s3-bucket-logging';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { TerraformResource } from 'cdktf';
import { Construct } from 'constructs';

/** The provider's limit for `bucket_prefix` (63 characters minus the 26 it appends). */
export const MAX_BUCKET_PREFIX_LENGTH = 37;

export interface SecureBucketProps {
  /** Name prefix, at most 37 characters; AWS appends a random suffix to make it globally unique. */
  readonly bucketPrefix: string;
  /**
   * Encryption: a KMS key ARN, `aws-managed-kms` for the account's aws/s3 key (no key to manage), or
   * `s3-managed` (SSE-S3, required for a bucket that receives S3 server access logs).
   */
  readonly encryption: string;
  /** Days before noncurrent object versions expire. */
  readonly noncurrentVersionExpirationDays: number;
  /** Days before current objects expire (for scratch data such as training artifacts). */
  readonly expirationDays?: number;
  /** Bucket that receives this bucket's server access logs. */
  readonly accessLogs?: { readonly bucket: string; readonly prefix: string };
  /**
   * Makes this bucket a server-access-log target: S3's logging service may write objects here for
   * source buckets whose ARN matches `sourceBucketArnPattern` in account `sourceAccount`. (With
   * bucket-owner-enforced ownership, log delivery is granted by bucket policy, not by ACL.)
   */
  readonly receivesAccessLogs?: { readonly sourceBucketArnPattern: string; readonly sourceAccount: string };
  /** Keep the bucket when the stack is destroyed (Terraform `prevent_destroy`). */
  readonly preventDestroy?: boolean;
  /** Allow `terraform destroy` to empty the bucket first. Never for buckets that hold state. */
  readonly forceDestroy?: boolean;
}

/**
 * An S3 bucket that meets the security baseline (docs/security-baseline.md): public access blocked, default encryption,
 * versioning, TLS-only access, bucket-owner-enforced ownership, lifecycle for incomplete uploads and
 * old versions, and optional access logging.
 */
export class SecureBucket extends Construct {
  readonly bucket: S3Bucket;

  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    super(scope, id);
    if (props.bucketPrefix.length > MAX_BUCKET_PREFIX_LENGTH) {
      throw new Error(
        `bucket prefix ${props.bucketPrefix} is ${props.bucketPrefix.length} characters; S3 allows ${MAX_BUCKET_PREFIX_LENGTH}`,
      );
    }
    this.bucket = new S3Bucket(this, 'bucket', {
      bucketPrefix: props.bucketPrefix,
      forceDestroy: props.forceDestroy ?? false,
      lifecycle: props.preventDestroy ? { preventDestroy: true } : undefined,
    });
    // Plans then read `aws_s3_bucket.dataset-bucket` and `aws_s3_bucket_versioning.dataset-bucket_versioning`
    // rather than hashed construct paths (see the loop at the end).
    this.bucket.overrideLogicalId(id);
    const bucket = this.bucket.id;

    new S3BucketPublicAccessBlock(this, 'public-access-block', {
      bucket,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, 'ownership', {
      bucket,
      rule: { objectOwnership: 'BucketOwnerEnforced' },
    });
    new S3BucketServerSideEncryptionConfigurationA(this, 'encryption', {
      bucket,
      rule: [
        props.encryption === 's3-managed'
          ? { applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }
          : {
              applyServerSideEncryptionByDefault: {
                sseAlgorithm: 'aws:kms',
                kmsMasterKeyId: props.encryption === 'aws-managed-kms' ? undefined : props.encryption,
              },
              bucketKeyEnabled: true,
            },
      ],
    });
    new S3BucketVersioningA(this, 'versioning', {
      bucket,
      versioningConfiguration: { status: 'Enabled' },
    });
    new S3BucketLifecycleConfiguration(this, 'lifecycle', {
      bucket,
      rule: [
        {
          id: props.expirationDays === undefined ? 'clean-up-uploads-and-old-versions' : 'expire-objects-uploads-and-old-versions',
          status: 'Enabled',
          filter: [{ prefix: '' }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
          noncurrentVersionExpiration: [{ noncurrentDays: props.noncurrentVersionExpirationDays }],
          expiration: props.expirationDays === undefined ? undefined : [{ days: props.expirationDays }],
        },
      ],
    });
    new S3BucketPolicy(this, 'tls-only', {
      bucket,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'DenyInsecureTransport',
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:*',
            Resource: [this.bucket.arn, `${this.bucket.arn}/*`],
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
          ...(props.receivesAccessLogs
            ? [
                {
                  Sid: 'AllowServerAccessLogDelivery',
                  Effect: 'Allow',
                  Principal: { Service: 'logging.s3.amazonaws.com' },
                  Action: 's3:PutObject',
                  Resource: `${this.bucket.arn}/*`,
                  Condition: {
                    ArnLike: { 'aws:SourceArn': props.receivesAccessLogs.sourceBucketArnPattern },
                    StringEquals: { 'aws:SourceAccount': props.receivesAccessLogs.sourceAccount },
                  },
                },
              ]
            : []),
        ],
      }),
    });
    if (props.accessLogs) {
      new S3BucketLoggingA(this, 'access-logging', {
        bucket,
        targetBucket: props.accessLogs.bucket,
        targetPrefix: props.accessLogs.prefix,
      });
    }

    for (const child of this.node.children) {
      if (child instanceof TerraformResource && child !== this.bucket) {
        child.overrideLogicalId(`${id}_${child.node.id}`);
      }
    }
  }
}
