import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { Construct } from 'constructs';

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
}

/**
 * What Redshift ML runs in SageMaker: Autopilot, training, tuning, batch transform, Neo compilation,
 * and the Clarify processing job behind EXPLAIN_MODEL with its short-lived model endpoint.
 */
const SAGEMAKER_RESOURCE_ACTIONS: readonly { sid: string; resourceType: string; actions: readonly string[] }[] = [
  {
    sid: 'SageMakerAutopilotJobs',
    resourceType: 'automl-job',
    actions: ['CreateAutoMLJob', 'CreateAutoMLJobV2', 'DescribeAutoMLJob', 'DescribeAutoMLJobV2', 'StopAutoMLJob'],
  },
  {
    sid: 'SageMakerTrainingJobs',
    resourceType: 'training-job',
    actions: ['CreateTrainingJob', 'DescribeTrainingJob', 'StopTrainingJob'],
  },
  {
    sid: 'SageMakerTuningJobs',
    resourceType: 'hyper-parameter-tuning-job',
    actions: [
      'CreateHyperParameterTuningJob',
      'DescribeHyperParameterTuningJob',
      'StopHyperParameterTuningJob',
      'ListTrainingJobsForHyperParameterTuningJob',
    ],
  },
  {
    sid: 'SageMakerProcessingJobs',
    resourceType: 'processing-job',
    actions: ['CreateProcessingJob', 'DescribeProcessingJob', 'StopProcessingJob'],
  },
  {
    sid: 'SageMakerTransformJobs',
    resourceType: 'transform-job',
    actions: ['CreateTransformJob', 'DescribeTransformJob', 'StopTransformJob'],
  },
  {
    sid: 'SageMakerCompilationJobs',
    resourceType: 'compilation-job',
    actions: ['CreateCompilationJob', 'DescribeCompilationJob', 'StopCompilationJob'],
  },
  { sid: 'SageMakerModels', resourceType: 'model', actions: ['CreateModel', 'DescribeModel', 'DeleteModel'] },
  {
    sid: 'SageMakerEndpointConfigs',
    resourceType: 'endpoint-config',
    actions: ['CreateEndpointConfig', 'DescribeEndpointConfig', 'DeleteEndpointConfig'],
  },
  {
    sid: 'SageMakerEndpoints',
    resourceType: 'endpoint',
    actions: ['CreateEndpoint', 'DescribeEndpoint', 'DeleteEndpoint', 'InvokeEndpoint'],
  },
];

/** List calls have no resource type in IAM, so they take `*`, limited to our region by condition. */
const SAGEMAKER_LIST_ACTIONS = [
  'ListCandidatesForAutoMLJob',
  'ListAutoMLJobs',
  'ListTrainingJobs',
  'ListProcessingJobs',
  'ListTransformJobs',
  'ListHyperParameterTuningJobs',
  'ListCompilationJobs',
];

const sagemaker = (actions: readonly string[]) => actions.map((action) => `sagemaker:${action}`);

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
    const sagemakerArn = (type: string) => `arn:${partition}:sagemaker:${region}:${accountId}:${type}/*`;
    const sameRegion = { StringEquals: { 'aws:RequestedRegion': region } };

    this.role = new IamRole(this, 'role', {
      name: props.roleName,
      description: 'Redshift ML: COPY from the dataset, CREATE MODEL through SageMaker',
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
      ...SAGEMAKER_RESOURCE_ACTIONS.map(({ sid, resourceType, actions }) => ({
        Sid: sid,
        Effect: 'Allow',
        Action: [...sagemaker(actions), 'sagemaker:AddTags'],
        Resource: [sagemakerArn(resourceType)],
      })),
      {
        Sid: 'SageMakerListCalls',
        Effect: 'Allow',
        Action: sagemaker(SAGEMAKER_LIST_ACTIONS),
        Resource: ['*'],
        Condition: sameRegion,
      },
      {
        Sid: 'SageMakerJobLogs',
        Effect: 'Allow',
        Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
        Resource: [
          `arn:${partition}:logs:${region}:${accountId}:log-group:/aws/sagemaker/*`,
          `arn:${partition}:logs:${region}:${accountId}:log-group:/aws/sagemaker/*:log-stream:*`,
        ],
      },
      {
        // PutMetricData has no resource type; the namespace condition keeps it to SageMaker's metrics.
        Sid: 'SageMakerJobMetrics',
        Effect: 'Allow',
        Action: ['cloudwatch:PutMetricData'],
        Resource: ['*'],
        Condition: { StringLike: { 'cloudwatch:namespace': '/aws/sagemaker/*' } },
      },
      {
        // SageMaker's algorithm images live in AWS-owned accounts that differ per region and algorithm.
        Sid: 'PullSageMakerAlgorithmImages',
        Effect: 'Allow',
        Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
        Resource: [`arn:${partition}:ecr:${region}:*:repository/*`],
      },
      {
        // GetAuthorizationToken has no resource type.
        Sid: 'AuthenticateToEcr',
        Effect: 'Allow',
        Action: ['ecr:GetAuthorizationToken'],
        Resource: ['*'],
        Condition: sameRegion,
      },
      {
        Sid: 'UseWarehouseKey',
        Effect: 'Allow',
        Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
        Resource: [props.keyArn],
      },
      {
        // SageMaker encrypts training volumes with the key through a grant it creates for itself.
        Sid: 'GrantWarehouseKeyToSageMaker',
        Effect: 'Allow',
        Action: ['kms:CreateGrant'],
        Resource: [props.keyArn],
        Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
      },
      {
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
