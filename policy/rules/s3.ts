import { StackIndex, blocks, list } from '../graph';
import { isAnyone, resolveStatements } from '../iam-policy';
import { RuleDefinition, TfElement } from '../types';

const BUCKET = ['aws_s3_bucket'];

/** The companion resources of a bucket (`aws_s3_bucket_<kind>`) whose `bucket` references it. */
const companions = (bucket: TfElement, stack: StackIndex, kind: string): TfElement[] =>
  stack.referencing(bucket, `aws_s3_bucket_${kind}`, 'bucket');

/** Default-encryption algorithms of a bucket, from the separate resource or the legacy inline block. */
function sseAlgorithms(bucket: TfElement, stack: StackIndex): string[] {
  const configs = [
    ...companions(bucket, stack, 'server_side_encryption_configuration').map((c) => c.body),
    ...blocks(bucket.body, 'server_side_encryption_configuration'),
  ];
  return configs
    .flatMap((c) => blocks(c, 'rule'))
    .flatMap((r) => blocks(r, 'apply_server_side_encryption_by_default'))
    .map((d) => String(d.sse_algorithm));
}

const PUBLIC_ACLS = ['public-read', 'public-read-write', 'authenticated-read'];

export const s3Rules: RuleDefinition[] = [
  {
    name: 'S3BucketPublicAccessBlocked',
    mirrors: ['CKV2_AWS_6', 'CKV_AWS_53', 'CKV_AWS_54', 'CKV_AWS_55', 'CKV_AWS_56', 'AwsSolutions-S2'],
    severity: 'error',
    description: 'S3 bucket has a public access block with all four settings true',
    rationale: 'A later bucket policy or ACL mistake cannot make the data public: the account-level switch overrides it',
    fix: 'add an aws_s3_bucket_public_access_block for the bucket with all four block/ignore/restrict flags true (SecureBucket does)',
    appliesTo: BUCKET,
    check(bucket, stack) {
      const pabs = companions(bucket, stack, 'public_access_block');
      if (pabs.length === 0) return 'no aws_s3_bucket_public_access_block references this bucket';
      const flags = ['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets'];
      const off = flags.filter((flag) => !pabs.some((b) => b.body[flag] === true));
      return off.length > 0 ? `public access block leaves ${off.join(', ')} not true` : undefined;
    },
  },
  {
    name: 'S3BucketDefaultEncryption',
    mirrors: ['CKV_AWS_19'],
    severity: 'error',
    description: 'S3 bucket has default server-side encryption configured',
    rationale: 'Objects are encrypted at rest even when the writer sends no encryption headers',
    fix: 'add an aws_s3_bucket_server_side_encryption_configuration for the bucket',
    appliesTo: BUCKET,
    check: (bucket, stack) =>
      sseAlgorithms(bucket, stack).length === 0 ? 'no default encryption configuration references this bucket' : undefined,
  },
  {
    name: 'S3BucketKmsEncryption',
    mirrors: ['CKV_AWS_145'],
    severity: 'warning',
    description: 'S3 bucket default encryption uses KMS (aws:kms)',
    rationale: 'Reading an object also needs kms:Decrypt on a key whose policy we control, and every use is logged in CloudTrail',
    fix: 'set sse_algorithm = "aws:kms" (with a CMK ARN, or none for the aws/s3 key)',
    appliesTo: BUCKET,
    check(bucket, stack) {
      const algorithms = sseAlgorithms(bucket, stack);
      const kms = algorithms.some((a) => a.startsWith('aws:kms'));
      return algorithms.length > 0 && !kms ? `default encryption is ${algorithms.join(', ')}, not aws:kms` : undefined;
    },
  },
  {
    name: 'S3BucketVersioningEnabled',
    mirrors: ['CKV_AWS_21'],
    severity: 'error',
    description: 'S3 bucket has versioning enabled',
    rationale: 'An overwrite or delete, accidental or malicious, can be undone from an earlier version',
    fix: 'add an aws_s3_bucket_versioning for the bucket with status "Enabled"',
    appliesTo: BUCKET,
    check(bucket, stack) {
      const enabled =
        companions(bucket, stack, 'versioning').some((v) => blocks(v.body, 'versioning_configuration').some((c) => c.status === 'Enabled')) ||
        blocks(bucket.body, 'versioning').some((v) => v.enabled === true);
      return enabled ? undefined : 'versioning is not enabled';
    },
  },
  {
    name: 'S3BucketSslRequestsOnly',
    mirrors: ['AwsSolutions-S10'],
    severity: 'error',
    description: 'S3 bucket policy denies every request that does not use TLS',
    rationale: 'Objects and request signatures never cross the network in plain text, whatever the client does',
    fix: 'add a bucket policy statement: Deny, Principal "*", Action "s3:*", Condition Bool aws:SecureTransport = "false" (SecureBucket does)',
    appliesTo: BUCKET,
    check(bucket, stack) {
      const denies = companions(bucket, stack, 'policy')
        .flatMap((p) => resolveStatements(p.body.policy, stack) ?? [])
        .some(
          (s) =>
            s.effect === 'Deny' &&
            s.principals.some(isAnyone) &&
            s.actions.some((a) => a === 's3:*' || a === '*') &&
            s.conditions.some((c) => c.test === 'Bool' && c.variable === 'aws:SecureTransport' && c.values.includes('false')),
        );
      return denies ? undefined : 'no bucket policy denies requests with aws:SecureTransport = false';
    },
  },
  {
    name: 'S3BucketAclsDisabled',
    mirrors: ['CKV2_AWS_65'],
    severity: 'error',
    description: 'S3 bucket object ownership is BucketOwnerEnforced (ACLs disabled)',
    rationale: 'Access is decided by policies alone: no ACL can grant access that a policy review does not see',
    fix: 'add an aws_s3_bucket_ownership_controls for the bucket with object_ownership = "BucketOwnerEnforced"',
    appliesTo: BUCKET,
    check(bucket, stack) {
      const enforced = companions(bucket, stack, 'ownership_controls').some((o) =>
        blocks(o.body, 'rule').some((r) => r.object_ownership === 'BucketOwnerEnforced'),
      );
      return enforced ? undefined : 'ACLs are not disabled (no BucketOwnerEnforced ownership controls)';
    },
  },
  {
    name: 'S3BucketAbortsIncompleteUploads',
    mirrors: ['CKV_AWS_300', 'CKV2_AWS_61'],
    severity: 'warning',
    description: 'S3 bucket lifecycle aborts incomplete multipart uploads',
    rationale: 'Parts of failed uploads are invisible in listings yet stored and billed until removed',
    fix: 'add an enabled lifecycle rule with abort_incomplete_multipart_upload { days_after_initiation = 7 }',
    appliesTo: BUCKET,
    check(bucket, stack) {
      const aborts = companions(bucket, stack, 'lifecycle_configuration')
        .flatMap((l) => blocks(l.body, 'rule'))
        .some((r) => r.status === 'Enabled' && blocks(r, 'abort_incomplete_multipart_upload').length > 0);
      return aborts ? undefined : 'no enabled lifecycle rule aborts incomplete multipart uploads';
    },
  },
  {
    name: 'S3BucketAccessLogging',
    mirrors: ['CKV_AWS_18', 'AwsSolutions-S1'],
    severity: 'error',
    description: 'S3 bucket has server access logging (or a suppression saying why not)',
    rationale: 'After an incident, every request to the bucket (who, which object, when) can be traced',
    fix: 'add an aws_s3_bucket_logging for the bucket (SecureBucket accessLogs), or suppress with the reason',
    appliesTo: BUCKET,
    check: (bucket, stack) =>
      companions(bucket, stack, 'logging').length > 0 || blocks(bucket.body, 'logging').length > 0
        ? undefined
        : 'server access logging is not configured',
  },
  {
    name: 'S3BucketNoPublicAcls',
    mirrors: ['CKV_AWS_20', 'CKV_AWS_57'],
    severity: 'error',
    description: 'S3 bucket grants nothing through public ACLs',
    rationale: 'A public ACL hands the objects to anyone on the internet, or to any AWS account',
    fix: 'remove the public canned ACL / AllUsers or AuthenticatedUsers grant; use a bucket policy for access',
    appliesTo: BUCKET,
    check(bucket, stack) {
      const acls = [bucket.body, ...companions(bucket, stack, 'acl').map((a) => a.body)];
      const canned = acls.map((a) => a.acl).find((acl) => PUBLIC_ACLS.includes(String(acl)));
      if (canned !== undefined) return `canned ACL "${canned}" is public`;
      const grants = JSON.stringify(acls.map((a) => list(a.access_control_policy)));
      return /AllUsers|AuthenticatedUsers/.test(grants) ? 'an ACL grant is given to AllUsers or AuthenticatedUsers' : undefined;
    },
  },
];
