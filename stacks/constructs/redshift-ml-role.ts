import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { Construct } from 'constructs';
import { expandAction } from '../../policy/iam-actions';

export interface RedshiftMlRoleProps {
  readonly roleName: string;
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  /** The CSV that COPY loads: bucket ARN and object key. */
  readonly dataset: { readonly bucketArn: string; readonly objectKey: string };
  /** Where CREATE MODEL stages training data and SageMaker writes model artifacts. */
  readonly artifactsBucketArn: string;
  /** The key that encrypts the artifacts bucket and CREATE MODEL's KMS_KEY_ID. */
  readonly keyArn: string;
  /** The environment's permissions boundary (see the account stack). */
  readonly permissionsBoundary: string;
}

/**
 * The policy this role follows is AWS's "more restrictive" policy for Redshift ML, in the Amazon
 * Redshift Database Developer Guide, "Cluster setup for using Amazon Redshift ML"
 * (https://docs.aws.amazon.com/redshift/latest/dg/getting-started-machine-learning.html): the same
 * actions, scoped to this project's buckets, this key, and this account and region. Each statement
 * says which of its lines it implements ("documented") and what it adds or narrows.
 */
export const DOCUMENTED_REDSHIFT_ML_ACTIONS = [
  'cloudwatch:PutMetricData',
  'ecr:BatchCheckLayerAvailability',
  'ecr:BatchGetImage',
  'ecr:GetAuthorizationToken',
  'ecr:GetDownloadUrlForLayer',
  'logs:CreateLogGroup',
  'logs:CreateLogStream',
  'logs:DescribeLogStreams',
  'logs:PutLogEvents',
  'sagemaker:*Job*',
  'sagemaker:AddTags',
  'sagemaker:CreateModel',
  'sagemaker:CreateEndpoint',
  'sagemaker:CreateEndpointConfig',
  'sagemaker:DeleteEndpoint',
  'sagemaker:DeleteEndpointConfig',
  'sagemaker:DeleteModel',
  'iam:PassRole',
  's3:AbortMultipartUpload',
  's3:GetObject',
  's3:DeleteObject',
  's3:PutObject',
  's3:GetBucketLocation',
  's3:ListBucket',
  'kms:CreateGrant',
  'kms:Decrypt',
  'kms:DescribeKey',
  'kms:Encrypt',
  'kms:GenerateDataKey*',
] as const;

/**
 * The documented `sagemaker:*Job*` covers every job call Autopilot, training, tuning, processing
 * (Clarify, behind EXPLAIN_MODEL), transform and compilation make, including ones Redshift ML adds
 * later. Those that act on a job are scoped to this account and region by ARN; those IAM gives no
 * resource type (the List*Jobs calls) need "*", so they are held to the region by condition. The
 * split comes from the same offline IAM database the rule pack checks every action against.
 */
const JOB_ACTIONS = 'sagemaker:*Job*';
function jobActionsWithoutResourceType(): string[] {
  const actions = expandAction(JOB_ACTIONS);
  if (typeof actions === 'string') throw new Error(actions);
  return actions.filter((action) => action.resourceTypes.length === 0).map((action) => `sagemaker:${action.name}`);
}

/**
 * The role Redshift ML runs as: the namespace's default role, used by `COPY ... IAM_ROLE default`
 * and `CREATE MODEL ... IAM_ROLE default`, and passed by Redshift to SageMaker for training.
 *
 * Least privilege instead of the original's AmazonS3FullAccess + AmazonSageMakerFullAccess: read the
 * one dataset object, read/write the artifacts bucket, the SageMaker job/model actions of this account
 * and region only, SageMaker's logs and metrics, pulling SageMaker's algorithm images, the stack's key,
 * and PassRole on itself to SageMaker.
 */
export class RedshiftMlRole extends Construct {
  readonly role: IamRole;

  constructor(scope: Construct, id: string, props: RedshiftMlRoleProps) {
    super(scope, id);
    const { partition, region, accountId } = props;
    const sagemakerArn = (type: string): string => `arn:${partition}:sagemaker:${region}:${accountId}:${type}/*`;
    const sameRegion = { StringEquals: { 'aws:RequestedRegion': region } };

    this.role = new IamRole(this, 'role', {
      name: props.roleName,
      description: 'Redshift ML: COPY from the dataset, CREATE MODEL through SageMaker',
      permissionsBoundary: props.permissionsBoundary,
      assumeRolePolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: {
              Service: ['redshift.amazonaws.com', 'redshift-serverless.amazonaws.com', 'sagemaker.amazonaws.com'],
            },
            Action: 'sts:AssumeRole',
          },
        ],
      }),
    });
    // Readable addresses in plans: aws_iam_role.<id> and aws_iam_role_policy.<id>_policy.
    this.role.overrideLogicalId(id);

    const statements = [
      // Documented: the S3 object and bucket actions on the buckets CREATE MODEL and COPY use; here
      // read-only on the one dataset object, read/write on the artifacts bucket.
      {
        Sid: 'ReadDatasetObject',
        Effect: 'Allow',
        Action: ['s3:GetObject'],
        Resource: [`${props.dataset.bucketArn}/${props.dataset.objectKey}`],
      },
      {
        // COPY lists the key as a prefix before reading it.
        Sid: 'FindDatasetObject',
        Effect: 'Allow',
        Action: ['s3:ListBucket', 's3:GetBucketLocation'],
        Resource: [props.dataset.bucketArn],
      },
      {
        Sid: 'ReadWriteModelArtifacts',
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
        Resource: [`${props.artifactsBucketArn}/*`],
      },
      {
        Sid: 'ListModelArtifacts',
        Effect: 'Allow',
        Action: ['s3:ListBucket', 's3:GetBucketLocation'],
        Resource: [props.artifactsBucketArn],
      },
      {
        // Documented: sagemaker:*Job*, on Resource "*"; here on this account and region only.
        Sid: 'SageMakerJobs',
        Effect: 'Allow',
        Action: [JOB_ACTIONS],
        Resource: [`arn:${partition}:sagemaker:${region}:${accountId}:*`],
      },
      {
        Sid: 'SageMakerJobListCalls',
        Effect: 'Allow',
        Action: jobActionsWithoutResourceType(),
        Resource: ['*'],
        Condition: sameRegion,
      },
      {
        // Documented: AddTags, CreateModel, Create/DeleteEndpoint(Config), DeleteModel. Added, not in
        // AWS's example: the Describe calls and InvokeEndpoint, for the short-lived "shadow endpoint"
        // the Clarify processing job behind EXPLAIN_MODEL creates, calls for predictions and deletes
        // with this role (amazon-sagemaker-clarify; sagemaker.clarify.ModelConfig sizes it).
        Sid: 'SageMakerModelsAndEndpoints',
        Effect: 'Allow',
        Action: [
          'sagemaker:AddTags',
          'sagemaker:CreateModel',
          'sagemaker:DescribeModel',
          'sagemaker:DeleteModel',
          'sagemaker:CreateEndpointConfig',
          'sagemaker:DescribeEndpointConfig',
          'sagemaker:DeleteEndpointConfig',
          'sagemaker:CreateEndpoint',
          'sagemaker:DescribeEndpoint',
          'sagemaker:DeleteEndpoint',
          'sagemaker:InvokeEndpoint',
        ],
        Resource: ['model', 'endpoint-config', 'endpoint'].map(sagemakerArn),
      },
      {
        // Documented on "*"; here only SageMaker's own log groups.
        Sid: 'SageMakerJobLogs',
        Effect: 'Allow',
        Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
        Resource: [
          `arn:${partition}:logs:${region}:${accountId}:log-group:/aws/sagemaker/*`,
          `arn:${partition}:logs:${region}:${accountId}:log-group:/aws/sagemaker/*:log-stream:*`,
        ],
      },
      {
        // Documented. PutMetricData has no resource type; the namespace condition keeps it to SageMaker's metrics.
        Sid: 'SageMakerJobMetrics',
        Effect: 'Allow',
        Action: ['cloudwatch:PutMetricData'],
        Resource: ['*'],
        Condition: { StringLike: { 'cloudwatch:namespace': '/aws/sagemaker/*' } },
      },
      {
        // Documented on "*". SageMaker's algorithm images live in AWS-owned accounts that differ per
        // region and algorithm, so any account's repositories, in this region.
        Sid: 'PullSageMakerAlgorithmImages',
        Effect: 'Allow',
        Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
        Resource: [`arn:${partition}:ecr:${region}:*:repository/*`],
      },
      {
        // Documented. GetAuthorizationToken has no resource type.
        Sid: 'AuthenticateToEcr',
        Effect: 'Allow',
        Action: ['ecr:GetAuthorizationToken'],
        Resource: ['*'],
        Condition: sameRegion,
      },
      {
        // Documented (the optional KMS section, for CREATE MODEL's KMS_KEY_ID): GenerateDataKey* also
        // covers the WithoutPlaintext variant SageMaker uses for training volumes and outputs.
        Sid: 'UseWarehouseKey',
        Effect: 'Allow',
        Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
        Resource: [props.keyArn],
      },
      {
        // Documented. SageMaker encrypts training volumes with the key through a grant it creates for
        // itself, so the grant is held to AWS resources.
        Sid: 'GrantWarehouseKeyToSageMaker',
        Effect: 'Allow',
        Action: ['kms:CreateGrant'],
        Resource: [props.keyArn],
        Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
      },
      {
        // Documented: PassRole on this role; here only to SageMaker.
        Sid: 'PassThisRoleToSageMaker',
        Effect: 'Allow',
        Action: ['iam:PassRole'],
        Resource: [this.role.arn],
        Condition: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
      },
    ];
    const policy = new IamRolePolicy(this, 'policy', {
      name: 'redshift-ml',
      role: this.role.id,
      policy: JSON.stringify({ Version: '2012-10-17', Statement: statements }),
    });
    policy.overrideLogicalId(`${id}_policy`);
  }
}
