import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { Construct } from 'constructs';

/**
 * The key-policy statement that lets CloudWatch Logs encrypt the given log groups with the key.
 * CloudWatch Logs uses the key as itself, not on behalf of an IAM principal, so the account statement
 * does not cover it; the encryption context limits it to these log groups ("Encrypt log data in
 * CloudWatch Logs using AWS Key Management Service", Amazon CloudWatch Logs User Guide).
 */
export function cloudWatchLogsMayEncrypt(sid: string, region: string, logGroupArns: string | readonly string[]): Record<string, unknown> {
  const arns = typeof logGroupArns === 'string' ? [logGroupArns] : logGroupArns;
  return {
    Sid: sid,
    Effect: 'Allow',
    Principal: { Service: `logs.${region}.amazonaws.com` },
    Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey', 'kms:DescribeKey'],
    Resource: '*',
    Condition: {
      [arns.some((arn) => arn.includes('*')) ? 'ArnLike' : 'ArnEquals']: { 'kms:EncryptionContext:aws:logs:arn': logGroupArns },
    },
  };
}

export interface CustomerManagedKeyProps {
  readonly description: string;
  /** `arn:<partition>:iam::<account>:root`: the account administers the key and delegates use to IAM. */
  readonly accountRootArn: string;
  /** Statements for services that use the key as themselves (e.g. CloudWatch Logs). */
  readonly serviceStatements?: readonly Record<string, unknown>[];
  /** Keep the key when the stack is destroyed (Terraform `prevent_destroy`). */
  readonly preventDestroy?: boolean;
}

/**
 * A KMS key that meets the security baseline (docs/security-baseline.md): yearly rotation and an explicit key policy.
 * The account statement delegates to IAM, so services that act on behalf of IAM principals (S3,
 * Secrets Manager, Redshift, SageMaker) need no statement of their own; principals still need the
 * key in their identity policies.
 */
export class CustomerManagedKey extends Construct {
  readonly key: KmsKey;

  constructor(scope: Construct, id: string, props: CustomerManagedKeyProps) {
    super(scope, id);
    this.key = new KmsKey(this, 'key', {
      description: props.description,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'AccountAdministersAndDelegatesToIam',
            Effect: 'Allow',
            Principal: { AWS: props.accountRootArn },
            Action: 'kms:*',
            Resource: '*',
          },
          ...(props.serviceStatements ?? []),
        ],
      }),
      lifecycle: props.preventDestroy ? { preventDestroy: true } : undefined,
    });
    // Plans read `aws_kms_key.<id>`, not a hashed construct path.
    this.key.overrideLogicalId(id);
  }
}
