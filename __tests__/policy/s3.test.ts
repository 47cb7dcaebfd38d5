/** The s3 rules against a compliant fixture and one violation each (harness: helpers/policy-fixtures.ts). */
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketAcl, S3BucketAclConfig } from '@cdktf/provider-aws/lib/s3-bucket-acl';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketLoggingA } from '@cdktf/provider-aws/lib/s3-bucket-logging';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { Construct } from 'constructs';
import { s3Rules } from '../../policy/rules/s3';
import { RuleId } from '../../policy/rule-ids';
import { ELSEWHERE, evaluate, KEY_ARN, Parts, policy, RuleCase, testRules } from '../helpers/policy-fixtures';

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

describe('the edges of each rule', () => {
  const BUCKET = 'aws_s3_bucket.bucket';
  const results = (rule: RuleId, change: (p: Parts) => void) => evaluate(s3Rules, s3, change).filter((e) => e.rule.id === rule);
  const failing = (rule: RuleId, change: (p: Parts) => void) =>
    results(rule, change)
      .filter((e) => e.outcome === 'fail')
      .map((e) => e.detail);
  const scopeOf = (p: Parts): Construct => p.bucket.node.scope as Construct;
  const bucketId = (p: Parts): string => (p.bucket as S3Bucket).id;
  const tls = (statement: object) => (p: Parts) => p.tls.addOverride('policy', policy(statement));
  const DENY_PLAIN_HTTP = {
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: '*',
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  };

  test('LR-S3-001: names the flags left off; a second, looser block does not undo the first', () => {
    expect(failing('LR-S3-001', (p) => p.pab.addOverride('restrict_public_buckets', false))).toEqual([
      'public access block leaves restrict_public_buckets not true',
    ]);
    expect(failing('LR-S3-001', (p) => p.pab.addOverride('bucket', ELSEWHERE))).toEqual([
      'no aws_s3_bucket_public_access_block references this bucket',
    ]);
    const second = (p: Parts) => new S3BucketPublicAccessBlock(scopeOf(p), 'pab2', { bucket: bucketId(p), blockPublicAcls: false });
    expect(failing('LR-S3-001', second)).toEqual([]);
  });

  test('LR-S3-002/003: encryption may be the legacy inline block; any aws:kms variant is KMS; no encryption is LR-S3-002 only', () => {
    const inline = (algorithm: string) => (p: Parts) => {
      p.sse.addOverride('bucket', ELSEWHERE);
      p.bucket.addOverride('server_side_encryption_configuration', [
        { rule: [{ apply_server_side_encryption_by_default: [{ sse_algorithm: algorithm }] }] },
      ]);
    };
    expect(failing('LR-S3-002', inline('aws:kms'))).toEqual([]);
    expect(failing('LR-S3-003', inline('aws:kms'))).toEqual([]);
    expect(failing('LR-S3-003', inline('AES256'))).toEqual(['default encryption is AES256, not aws:kms']);
    const dsse = (p: Parts) => p.sse.addOverride('rule.0.apply_server_side_encryption_by_default.sse_algorithm', 'aws:kms:dsse');
    expect(failing('LR-S3-003', dsse)).toEqual([]);
    expect(failing('LR-S3-002', (p) => p.sse.addOverride('bucket', ELSEWHERE))).toEqual([
      'no default encryption configuration references this bucket',
    ]);
    expect(failing('LR-S3-003', (p) => p.sse.addOverride('bucket', ELSEWHERE))).toEqual([]);
  });

  test('LR-S3-001: names every flag left off', () => {
    const twoOff = (p: Parts) => {
      p.pab.addOverride('block_public_acls', false);
      p.pab.addOverride('restrict_public_buckets', false);
    };
    expect(failing('LR-S3-001', twoOff)).toEqual(['public access block leaves block_public_acls, restrict_public_buckets not true']);
  });

  test('LR-S3-003: one aws:kms algorithm among several is enough; the others are named when none is', () => {
    const alsoInline = (companion: string) => (p: Parts) => {
      p.sse.addOverride('rule.0.apply_server_side_encryption_by_default.sse_algorithm', companion);
      p.bucket.addOverride('server_side_encryption_configuration', [
        { rule: [{ apply_server_side_encryption_by_default: [{ sse_algorithm: 'AES256' }] }] },
      ]);
    };
    expect(failing('LR-S3-003', alsoInline('aws:kms'))).toEqual([]);
    expect(failing('LR-S3-003', alsoInline('aws:fsx'))).toEqual(['default encryption is aws:fsx, AES256, not aws:kms']);
  });

  test('LR-S3-004/006: one enabled versioning block and one BucketOwnerEnforced rule are enough', () => {
    const versioning = [{ status: 'Suspended' }, { status: 'Enabled' }];
    expect(failing('LR-S3-004', (p) => p.versioning.addOverride('versioning_configuration', versioning))).toEqual([]);
    const ownership = [{ object_ownership: 'ObjectWriter' }, { object_ownership: 'BucketOwnerEnforced' }];
    expect(failing('LR-S3-006', (p) => p.ownership.addOverride('rule', ownership))).toEqual([]);
  });

  test('LR-S3-005: anyone among the principals and s3:* among the actions are enough', () => {
    expect(failing('LR-S3-005', tls({ ...DENY_PLAIN_HTTP, Principal: { AWS: '*', Service: 'cloudtrail.amazonaws.com' } }))).toEqual([]);
    expect(failing('LR-S3-005', tls({ ...DENY_PLAIN_HTTP, Action: ['s3:GetObject', 's3:*'] }))).toEqual([]);
  });

  test('LR-S3-004: the legacy inline versioning block counts when enabled', () => {
    const inline = (enabled: boolean) => (p: Parts) => {
      p.versioning.addOverride('bucket', ELSEWHERE);
      p.bucket.addOverride('versioning', [{ enabled }]);
    };
    expect(failing('LR-S3-004', inline(true))).toEqual([]);
    expect(failing('LR-S3-004', inline(false))).toEqual(['versioning is not enabled']);
  });

  test('LR-S3-005: only a Deny of s3:* or * to anyone when aws:SecureTransport is false enforces TLS', () => {
    expect(failing('LR-S3-005', tls(DENY_PLAIN_HTTP))).toEqual([]);
    expect(failing('LR-S3-005', tls({ ...DENY_PLAIN_HTTP, Action: '*' }))).toEqual([]);
    expect(failing('LR-S3-005', tls({ ...DENY_PLAIN_HTTP, Principal: { AWS: ['arn:aws:iam::123456789012:root', '*'] } }))).toEqual([]);
    const twoConditions = { ...DENY_PLAIN_HTTP, Condition: { StringEquals: { 'aws:PrincipalAccount': '123456789012' }, Bool: { 'aws:SecureTransport': 'false' } } };
    expect(failing('LR-S3-005', tls(twoConditions))).toEqual([]);
    const notEnforced = 'no bucket policy denies requests with aws:SecureTransport = false';
    for (const weaker of [
      { ...DENY_PLAIN_HTTP, Effect: 'Allow' },
      { ...DENY_PLAIN_HTTP, Principal: { AWS: 'arn:aws:iam::123456789012:root' } },
      { ...DENY_PLAIN_HTTP, Action: 's3:GetObject' },
      { ...DENY_PLAIN_HTTP, Condition: { Bool: { 'aws:SecureTransport': 'true' } } },
      { ...DENY_PLAIN_HTTP, Condition: { Bool: { 'aws:ViaAWSService': 'false' } } },
      { ...DENY_PLAIN_HTTP, Condition: { StringEquals: { 'aws:SecureTransport': 'false' } } },
    ]) {
      expect(failing('LR-S3-005', tls(weaker))).toEqual([notEnforced]);
    }
  });

  test('LR-S3-006: one BucketOwnerEnforced ownership control is enough', () => {
    const writer = (p: Parts) =>
      new S3BucketOwnershipControls(scopeOf(p), 'ownership2', { bucket: bucketId(p), rule: { objectOwnership: 'ObjectWriter' } });
    expect(failing('LR-S3-006', writer)).toEqual([]);
    expect(failing('LR-S3-006', (p) => p.ownership.addOverride('rule.object_ownership', 'ObjectWriter'))).toEqual([
      'ACLs are not disabled (no BucketOwnerEnforced ownership controls)',
    ]);
  });

  test('LR-S3-007: the aborting rule must be enabled; other rules beside it do not matter', () => {
    expect(failing('LR-S3-007', (p) => p.lifecycle.addOverride('rule.0.status', 'Disabled'))).toEqual([
      'no enabled lifecycle rule aborts incomplete multipart uploads',
    ]);
    const another = (p: Parts) =>
      new S3BucketLifecycleConfiguration(scopeOf(p), 'lifecycle2', {
        bucket: bucketId(p),
        rule: [{ id: 'expire', status: 'Enabled', filter: [{ prefix: 'tmp/' }], expiration: [{ days: 1 }] }],
      });
    expect(failing('LR-S3-007', another)).toEqual([]);
  });

  test('LR-S3-008: the legacy inline logging block counts', () => {
    const inline = (p: Parts) => {
      p.logging.addOverride('bucket', ELSEWHERE);
      p.bucket.addOverride('logging', [{ target_bucket: 'central-access-logs' }]);
    };
    expect(failing('LR-S3-008', inline)).toEqual([]);
    expect(failing('LR-S3-008', (p) => p.logging.addOverride('bucket', ELSEWHERE))).toEqual(['server access logging is not configured']);
  });

  test('LR-S3-009: public canned ACLs and public grants, on the bucket or its aws_s3_bucket_acl', () => {
    const acl = (config: Omit<S3BucketAclConfig, 'bucket'>) => (p: Parts) => new S3BucketAcl(scopeOf(p), 'acl', { bucket: bucketId(p), ...config });
    expect(failing('LR-S3-009', acl({ acl: 'private' }))).toEqual([]);
    expect(failing('LR-S3-009', acl({ acl: 'authenticated-read' }))).toEqual(['canned ACL "authenticated-read" is public']);
    const grantTo = (uri: string) =>
      acl({
        accessControlPolicy: {
          owner: { id: 'owner' },
          grant: [{ permission: 'READ', grantee: { type: 'Group', uri } }],
        },
      });
    expect(failing('LR-S3-009', grantTo('http://acs.amazonaws.com/groups/global/AllUsers'))).toEqual([
      'an ACL grant is given to AllUsers or AuthenticatedUsers',
    ]);
    expect(failing('LR-S3-009', grantTo('http://acs.amazonaws.com/groups/s3/LogDelivery'))).toEqual([]);
    expect(results('LR-S3-009', () => undefined).map((e) => e.element.address)).toEqual([BUCKET]);
  });
});
