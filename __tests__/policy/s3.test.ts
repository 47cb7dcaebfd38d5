/** The s3 rules against a compliant fixture and one violation each (harness: helpers/policy-fixtures.ts). */
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketLoggingA } from '@cdktf/provider-aws/lib/s3-bucket-logging';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { Construct } from 'constructs';
import { s3Rules } from '../../policy/rules/s3';
import { ELSEWHERE, KEY_ARN, Parts, policy, RuleCase, testRules } from '../helpers/policy-fixtures';

function s3(scope: Construct): Parts {
  const bucket = new S3Bucket(scope, 'bucket', { bucketPrefix: 'data-' });
  return {
    bucket,
    pab: new S3BucketPublicAccessBlock(scope, 'pab', {
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    }),
    sse: new S3BucketServerSideEncryptionConfigurationA(scope, 'sse', {
      bucket: bucket.id,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: KEY_ARN } }],
    }),
    versioning: new S3BucketVersioningA(scope, 'versioning', { bucket: bucket.id, versioningConfiguration: { status: 'Enabled' } }),
    tls: new S3BucketPolicy(scope, 'tls', {
      bucket: bucket.id,
      policy: policy({
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [bucket.arn, `${bucket.arn}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    }),
    ownership: new S3BucketOwnershipControls(scope, 'ownership', { bucket: bucket.id, rule: { objectOwnership: 'BucketOwnerEnforced' } }),
    lifecycle: new S3BucketLifecycleConfiguration(scope, 'lifecycle', {
      bucket: bucket.id,
      rule: [{ id: 'abort', status: 'Enabled', filter: [{ prefix: '' }], abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }] }],
    }),
    logging: new S3BucketLoggingA(scope, 'logging', { bucket: bucket.id, targetBucket: 'central-access-logs', targetPrefix: 'data/' }),
  };
}

const CASES: RuleCase[] = [
  { rule: 'LR-S3-001', violate: (p) => p.pab.addOverride('restrict_public_buckets', false), at: 'aws_s3_bucket.bucket' },
  { rule: 'LR-S3-002', violate: (p) => p.sse.addOverride('bucket', ELSEWHERE), at: 'aws_s3_bucket.bucket' },
  {
    rule: 'LR-S3-003',
    violate: (p) => p.sse.addOverride('rule.0.apply_server_side_encryption_by_default.sse_algorithm', 'AES256'),
    at: 'aws_s3_bucket.bucket',
  },
  { rule: 'LR-S3-004', violate: (p) => p.versioning.addOverride('versioning_configuration.status', 'Suspended'), at: 'aws_s3_bucket.bucket' },
  { rule: 'LR-S3-005', violate: (p) => p.tls.addOverride('bucket', ELSEWHERE), at: 'aws_s3_bucket.bucket' },
  { rule: 'LR-S3-006', violate: (p) => p.ownership.addOverride('rule.object_ownership', 'ObjectWriter'), at: 'aws_s3_bucket.bucket' },
  {
    rule: 'LR-S3-007',
    violate: (p) => p.lifecycle.addOverride('rule.0.abort_incomplete_multipart_upload', undefined),
    at: 'aws_s3_bucket.bucket',
  },
  { rule: 'LR-S3-008', violate: (p) => p.logging.addOverride('bucket', ELSEWHERE), at: 'aws_s3_bucket.bucket' },
  { rule: 'LR-S3-009', violate: (p) => p.bucket.addOverride('acl', 'public-read'), at: 'aws_s3_bucket.bucket' },
];

testRules('s3', s3Rules, s3, CASES);
