/**
 * Every rule of the security baseline against a compliant fixture (it passes) and a violating one
 * (it fails at the expected address). A violating fixture is the domain's compliant fixture with
 * one change, made with `addOverride` on the synthesized attributes, so each case shows exactly
 * what the rule catches. Fixtures are synthesized with `Testing.synthScope`.
 */
import { ApiGatewayAuthorizer } from '@cdktf/provider-aws/lib/api-gateway-authorizer';
import { ApiGatewayDeployment } from '@cdktf/provider-aws/lib/api-gateway-deployment';
import { ApiGatewayMethod } from '@cdktf/provider-aws/lib/api-gateway-method';
import { ApiGatewayMethodSettings } from '@cdktf/provider-aws/lib/api-gateway-method-settings';
import { ApiGatewayRequestValidator } from '@cdktf/provider-aws/lib/api-gateway-request-validator';
import { ApiGatewayResource } from '@cdktf/provider-aws/lib/api-gateway-resource';
import { ApiGatewayRestApi } from '@cdktf/provider-aws/lib/api-gateway-rest-api';
import { ApiGatewayStage } from '@cdktf/provider-aws/lib/api-gateway-stage';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { CognitoUserPool } from '@cdktf/provider-aws/lib/cognito-user-pool';
import { CognitoUserPoolClient } from '@cdktf/provider-aws/lib/cognito-user-pool-client';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { DefaultSecurityGroup } from '@cdktf/provider-aws/lib/default-security-group';
import { FlowLog } from '@cdktf/provider-aws/lib/flow-log';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { IamPolicyAttachment } from '@cdktf/provider-aws/lib/iam-policy-attachment';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import { RedshiftserverlessNamespace } from '@cdktf/provider-aws/lib/redshiftserverless-namespace';
import { RedshiftserverlessUsageLimit } from '@cdktf/provider-aws/lib/redshiftserverless-usage-limit';
import { RedshiftserverlessWorkgroup } from '@cdktf/provider-aws/lib/redshiftserverless-workgroup';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketLoggingA } from '@cdktf/provider-aws/lib/s3-bucket-logging';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { SecretsmanagerSecretRotation } from '@cdktf/provider-aws/lib/secretsmanager-secret-rotation';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { SecurityGroupRule } from '@cdktf/provider-aws/lib/security-group-rule';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { Wafv2WebAcl } from '@cdktf/provider-aws/lib/wafv2-web-acl';
import { Wafv2WebAclAssociation } from '@cdktf/provider-aws/lib/wafv2-web-acl-association';
import { Wafv2WebAclLoggingConfiguration } from '@cdktf/provider-aws/lib/wafv2-web-acl-logging-configuration';
import { Fn, TerraformElement, Testing } from 'cdktf';
import { Construct } from 'constructs';
import { Evaluation, evaluateStack } from '../stacks/policy/engine';
import { RULES } from '../stacks/policy/registry';
import { REQUIRED_MANAGED_GROUPS } from '../stacks/policy/rules/waf';

const KEY_ARN = 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555';
const policy = (...statements: object[]): string => JSON.stringify({ Version: '2012-10-17', Statement: statements });
/** A value no resource of the fixture has: pointing an attribute at it detaches the resource. */
const ELSEWHERE = 'defined-elsewhere';

type Parts = Record<string, TerraformElement>;

// ---- compliant fixtures, one per domain -----------------------------------------------------

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

function iam(scope: Construct): Parts {
  const trust = new DataAwsIamPolicyDocument(scope, 'trust', {
    statement: [{ actions: ['sts:AssumeRole'], principals: [{ type: 'Service', identifiers: ['lambda.amazonaws.com'] }] }],
  });
  const role = new IamRole(scope, 'role', { name: 'predict', assumeRolePolicy: trust.json });
  const managed = new IamPolicy(scope, 'managed', {
    policy: policy({ Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: 'arn:aws:logs:us-east-1:123456789012:log-group:/x:*' }),
  });
  return {
    trust,
    role,
    managed,
    inline: new IamRolePolicy(scope, 'inline', {
      role: role.id,
      policy: Fn.jsonencode({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::data/*'] },
          {
            Effect: 'Allow',
            Action: ['redshift-data:DescribeStatement'],
            Resource: '*',
            Condition: { StringEquals: { 'redshift-data:statement-owner-iam-userid': '$${aws:userid}' } },
          },
        ],
      }),
    }),
    attach: new IamRolePolicyAttachment(scope, 'attach', { role: role.name, policyArn: managed.arn }),
    shared: new IamPolicyAttachment(scope, 'shared', { name: 'shared', roles: [role.name], policyArn: managed.arn }),
    bucketPolicy: new S3BucketPolicy(scope, 'bucket-policy', {
      bucket: 'shared-bucket',
      policy: policy({ Effect: 'Allow', Principal: { AWS: role.arn }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::shared-bucket/*' }),
    }),
  };
}

function kms(scope: Construct): Parts {
  return {
    key: new KmsKey(scope, 'key', {
      enableKeyRotation: true,
      policy: policy({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'kms:*', Resource: '*' }),
    }),
  };
}

function secrets(scope: Construct): Parts {
  const secret = new SecretsmanagerSecret(scope, 'secret', { name: 'api-key', kmsKeyId: KEY_ARN });
  return {
    secret,
    rotation: new SecretsmanagerSecretRotation(scope, 'rotation', {
      secretId: secret.id,
      rotationLambdaArn: 'arn:aws:lambda:us-east-1:123456789012:function:rotate',
      rotationRules: { automaticallyAfterDays: 30 },
    }),
  };
}

function redshift(scope: Construct): Parts {
  const namespace = new RedshiftserverlessNamespace(scope, 'namespace', {
    namespaceName: 'loans',
    adminUsername: 'warehouse_admin',
    manageAdminPassword: true,
    kmsKeyId: KEY_ARN,
    logExports: ['userlog', 'connectionlog', 'useractivitylog'],
  });
  const workgroup = new RedshiftserverlessWorkgroup(scope, 'workgroup', {
    workgroupName: 'loans',
    namespaceName: namespace.namespaceName,
    publiclyAccessible: false,
    enhancedVpcRouting: true,
    subnetIds: ['subnet-1', 'subnet-2', 'subnet-3'],
    securityGroupIds: ['sg-1'],
    configParameter: [
      { parameterKey: 'require_ssl', parameterValue: 'true' },
      { parameterKey: 'enable_user_activity_logging', parameterValue: 'true' },
    ],
  });
  const limit = new RedshiftserverlessUsageLimit(scope, 'limit', {
    resourceArn: workgroup.arn,
    usageType: 'serverless-compute',
    amount: 24,
    period: 'daily',
    breachAction: 'deactivate',
  });
  return { namespace, workgroup, limit };
}

function lambda(scope: Construct): Parts {
  const fn = new LambdaFunction(scope, 'fn', {
    functionName: 'predict',
    role: 'arn:aws:iam::123456789012:role/predict',
    runtime: 'nodejs22.x',
    handler: 'index.handler',
    filename: 'bundle.zip',
    tracingConfig: { mode: 'Active' },
    reservedConcurrentExecutions: 10,
    kmsKeyArn: KEY_ARN,
    environment: { variables: { TABLE_NAME: 'loans', API_KEY_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:k' } },
  });
  return {
    fn,
    logs: new CloudwatchLogGroup(scope, 'logs', { name: `/aws/lambda/${fn.functionName}`, retentionInDays: 365, kmsKeyId: KEY_ARN }),
    permission: new LambdaPermission(scope, 'permission', {
      action: 'lambda:InvokeFunction',
      functionName: fn.functionName,
      principal: 'apigateway.amazonaws.com',
      sourceArn: 'arn:aws:execute-api:us-east-1:123456789012:abc123/*/POST/predict',
    }),
  };
}

function apiGateway(scope: Construct): Parts {
  const api = new ApiGatewayRestApi(scope, 'api', { name: 'predict' });
  const resource = new ApiGatewayResource(scope, 'resource', { restApiId: api.id, parentId: api.rootResourceId, pathPart: 'predict' });
  const authorizer = new ApiGatewayAuthorizer(scope, 'authorizer', {
    restApiId: api.id,
    name: 'cognito',
    type: 'COGNITO_USER_POOLS',
    providerArns: ['arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc'],
  });
  const validator = new ApiGatewayRequestValidator(scope, 'validator', {
    restApiId: api.id,
    name: 'body-and-params',
    validateRequestBody: true,
    validateRequestParameters: true,
  });
  const post = new ApiGatewayMethod(scope, 'post', {
    restApiId: api.id,
    resourceId: resource.id,
    httpMethod: 'POST',
    authorization: 'COGNITO_USER_POOLS',
    authorizerId: authorizer.id,
    authorizationScopes: ['predict-api/predict'],
    requestValidatorId: validator.id,
  });
  const options = new ApiGatewayMethod(scope, 'options', {
    restApiId: api.id,
    resourceId: resource.id,
    httpMethod: 'OPTIONS',
    authorization: 'NONE',
  });
  const deployment = new ApiGatewayDeployment(scope, 'deployment', { restApiId: api.id, lifecycle: { createBeforeDestroy: true } });
  const stage = new ApiGatewayStage(scope, 'stage', {
    restApiId: api.id,
    deploymentId: deployment.id,
    stageName: 'v1',
    xrayTracingEnabled: true,
    accessLogSettings: {
      destinationArn: 'arn:aws:logs:us-east-1:123456789012:log-group:api-access',
      format: JSON.stringify({ requestId: '$context.requestId', status: '$context.status' }),
    },
  });
  const settings = new ApiGatewayMethodSettings(scope, 'settings', {
    restApiId: api.id,
    stageName: stage.stageName,
    methodPath: '*/*',
    settings: {
      metricsEnabled: true,
      loggingLevel: 'INFO',
      dataTraceEnabled: false,
      throttlingRateLimit: 50,
      throttlingBurstLimit: 100,
    },
  });
  return { post, options, deployment, stage, settings };
}

function cognito(scope: Construct): Parts {
  const pool = new CognitoUserPool(scope, 'pool', {
    name: 'predict-users',
    adminCreateUserConfig: { allowAdminCreateUserOnly: true },
    passwordPolicy: { minimumLength: 12, requireUppercase: true, requireLowercase: true, requireNumbers: true, requireSymbols: true },
    mfaConfiguration: 'ON',
    softwareTokenMfaConfiguration: { enabled: true },
    deletionProtection: 'ACTIVE',
    userPoolAddOns: { advancedSecurityMode: 'ENFORCED' },
  });
  const client = new CognitoUserPoolClient(scope, 'client', {
    name: 'partner-system',
    userPoolId: pool.id,
    generateSecret: true,
    allowedOauthFlows: ['client_credentials'],
    allowedOauthFlowsUserPoolClient: true,
    allowedOauthScopes: ['predict-api/predict'],
    explicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
    preventUserExistenceErrors: 'ENABLED',
  });
  return { pool, client };
}

function waf(scope: Construct): Parts {
  const visibility = (name: string) => ({ cloudwatchMetricsEnabled: true, metricName: name, sampledRequestsEnabled: true });
  const managed = REQUIRED_MANAGED_GROUPS.map((name, priority) => ({
    name,
    priority,
    overrideAction: { none: {} },
    // The provider binding leaves `statement` untyped: it is written in Terraform's snake_case.
    statement: { managed_rule_group_statement: { name, vendor_name: 'AWS' } },
    visibilityConfig: visibility(name),
  }));
  const rateLimit = {
    name: 'rate-limit',
    priority: managed.length,
    action: { block: {} },
    statement: { rate_based_statement: { limit: 500, aggregate_key_type: 'IP' } },
    visibilityConfig: visibility('rate-limit'),
  };
  const acl = new Wafv2WebAcl(scope, 'acl', {
    name: 'predict-api',
    scope: 'REGIONAL',
    defaultAction: { allow: {} },
    visibilityConfig: visibility('predict-api'),
    rule: [...managed, rateLimit],
  });
  const logs = new CloudwatchLogGroup(scope, 'waf-logs', { name: 'aws-waf-logs-predict-api', retentionInDays: 365, kmsKeyId: KEY_ARN });
  return {
    acl,
    logging: new Wafv2WebAclLoggingConfiguration(scope, 'logging', {
      resourceArn: acl.arn,
      logDestinationConfigs: [logs.arn],
      redactedFields: [{ singleHeader: { name: 'authorization' } }],
    }),
    logs,
    association: new Wafv2WebAclAssociation(scope, 'association', {
      webAclArn: acl.arn,
      resourceArn: 'arn:aws:apigateway:us-east-1::/restapis/abc123/stages/v1',
    }),
  };
}

function logs(scope: Construct): Parts {
  return { group: new CloudwatchLogGroup(scope, 'group', { name: '/app/predict', retentionInDays: 365, kmsKeyId: KEY_ARN }) };
}

function vpc(scope: Construct): Parts {
  const network = new Vpc(scope, 'vpc', { cidrBlock: '10.80.0.0/20' });
  const sg = new SecurityGroup(scope, 'sg', {
    vpcId: network.id,
    description: 'Warehouse: SQL from inside the VPC',
    ingress: [{ description: 'SQL from the VPC', protocol: 'tcp', fromPort: 5439, toPort: 5439, cidrBlocks: ['10.80.0.0/20'] }],
    egress: [{ description: 'HTTPS inside the VPC', protocol: 'tcp', fromPort: 443, toPort: 443, cidrBlocks: ['10.80.0.0/20'] }],
  });
  return {
    network,
    defaultSg: new DefaultSecurityGroup(scope, 'default', { vpcId: network.id, ingress: [], egress: [] }),
    flow: new FlowLog(scope, 'flow', {
      vpcId: network.id,
      trafficType: 'ALL',
      logDestination: 'arn:aws:logs:us-east-1:123456789012:log-group:flow',
      iamRoleArn: 'arn:aws:iam::123456789012:role/flow',
    }),
    subnet: new Subnet(scope, 'subnet', { vpcId: network.id, cidrBlock: '10.80.0.0/22', mapPublicIpOnLaunch: false }),
    sg,
    ingress: new VpcSecurityGroupIngressRule(scope, 'ingress', {
      securityGroupId: sg.id,
      description: 'SQL from the VPC',
      ipProtocol: 'tcp',
      fromPort: 5439,
      toPort: 5439,
      cidrIpv4: network.cidrBlock,
    }),
    egress: new VpcSecurityGroupEgressRule(scope, 'egress', {
      securityGroupId: sg.id,
      description: 'HTTPS to S3',
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      prefixListId: 'pl-63a5400a',
    }),
    rule: new SecurityGroupRule(scope, 'rule', {
      securityGroupId: sg.id,
      type: 'ingress',
      description: 'SQL from the VPC',
      protocol: 'tcp',
      fromPort: 5439,
      toPort: 5439,
      cidrBlocks: ['10.80.0.0/20'],
    }),
  };
}

const DOMAINS = { s3, iam, kms, secrets, redshift, lambda, apiGateway, cognito, waf, logs, vpc };
type Domain = keyof typeof DOMAINS;

// ---- one violation per rule -----------------------------------------------------------------

interface Case {
  readonly rule: string;
  readonly domain: Domain;
  /** Turns the compliant fixture into a violating one. */
  readonly violate: (parts: Parts) => void;
  /** Address of the element the rule must fail on. */
  readonly at: string;
}

const CASES: Case[] = [
  { rule: 'LR-S3-001', domain: 's3', violate: (p) => p.pab.addOverride('restrict_public_buckets', false), at: 'aws_s3_bucket.bucket' },
  { rule: 'LR-S3-002', domain: 's3', violate: (p) => p.sse.addOverride('bucket', ELSEWHERE), at: 'aws_s3_bucket.bucket' },
  {
    rule: 'LR-S3-003',
    domain: 's3',
    violate: (p) => p.sse.addOverride('rule.0.apply_server_side_encryption_by_default.sse_algorithm', 'AES256'),
    at: 'aws_s3_bucket.bucket',
  },
  { rule: 'LR-S3-004', domain: 's3', violate: (p) => p.versioning.addOverride('versioning_configuration.status', 'Suspended'), at: 'aws_s3_bucket.bucket' },
  { rule: 'LR-S3-005', domain: 's3', violate: (p) => p.tls.addOverride('bucket', ELSEWHERE), at: 'aws_s3_bucket.bucket' },
  { rule: 'LR-S3-006', domain: 's3', violate: (p) => p.ownership.addOverride('rule.object_ownership', 'ObjectWriter'), at: 'aws_s3_bucket.bucket' },
  {
    rule: 'LR-S3-007',
    domain: 's3',
    violate: (p) => p.lifecycle.addOverride('rule.0.abort_incomplete_multipart_upload', undefined),
    at: 'aws_s3_bucket.bucket',
  },
  { rule: 'LR-S3-008', domain: 's3', violate: (p) => p.logging.addOverride('bucket', ELSEWHERE), at: 'aws_s3_bucket.bucket' },
  { rule: 'LR-S3-009', domain: 's3', violate: (p) => p.bucket.addOverride('acl', 'public-read'), at: 'aws_s3_bucket.bucket' },

  {
    rule: 'LR-IAM-001',
    domain: 'iam',
    violate: (p) => p.trust.addOverride('statement.0.actions', ['sts:AssumeRol']),
    at: 'data.aws_iam_policy_document.trust',
  },
  {
    rule: 'LR-IAM-002',
    domain: 'iam',
    violate: (p) => p.managed.addOverride('policy', '${data.terraform_remote_state.shared.outputs.policy}'),
    at: 'aws_iam_policy.managed',
  },
  {
    rule: 'LR-IAM-003',
    domain: 'iam',
    violate: (p) => p.managed.addOverride('policy', policy({ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::data/*' })),
    at: 'aws_iam_policy.managed',
  },
  {
    rule: 'LR-IAM-004',
    domain: 'iam',
    violate: (p) => p.managed.addOverride('policy', policy({ Effect: 'Allow', Action: 's3:Get*', Resource: '*' })),
    at: 'aws_iam_policy.managed',
  },
  {
    rule: 'LR-IAM-005',
    domain: 'iam',
    violate: (p) => p.managed.addOverride('policy', policy({ Effect: 'Allow', Action: 'redshift-data:DescribeStatement', Resource: '*' })),
    at: 'aws_iam_policy.managed',
  },
  {
    rule: 'LR-IAM-006',
    domain: 'iam',
    violate: (p) => p.managed.addOverride('policy', policy({ Effect: 'Allow', NotAction: 'iam:*', Resource: 'arn:aws:s3:::data/*' })),
    at: 'aws_iam_policy.managed',
  },
  {
    rule: 'LR-IAM-007',
    domain: 'iam',
    violate: (p) => p.attach.addOverride('policy_arn', 'arn:aws:iam::aws:policy/AmazonS3FullAccess'),
    at: 'aws_iam_role_policy_attachment.attach',
  },
  {
    rule: 'LR-IAM-008',
    domain: 'iam',
    violate: (p) => p.attach.addOverride('policy_arn', 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'),
    at: 'aws_iam_role_policy_attachment.attach',
  },
  {
    rule: 'LR-IAM-009',
    domain: 'iam',
    violate: (p) => p.role.addOverride('assume_role_policy', policy({ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' })),
    at: 'aws_iam_role.role',
  },
  {
    rule: 'LR-IAM-010',
    domain: 'iam',
    violate: (p) =>
      p.role.addOverride('assume_role_policy', policy({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::210987654321:root' }, Action: 'sts:AssumeRole' })),
    at: 'aws_iam_role.role',
  },
  { rule: 'LR-IAM-011', domain: 'iam', violate: (p) => p.trust.addOverride('statement.0.actions', ['sts:GetSessionToken']), at: 'aws_iam_role.role' },
  { rule: 'LR-IAM-012', domain: 'iam', violate: (p) => p.shared.addOverride('users', ['alice']), at: 'aws_iam_policy_attachment.shared' },
  {
    rule: 'LR-IAM-013',
    domain: 'iam',
    violate: (p) =>
      p.bucketPolicy.addOverride('policy', policy({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::shared-bucket/*' })),
    at: 'aws_s3_bucket_policy.bucket-policy',
  },

  { rule: 'LR-KMS-001', domain: 'kms', violate: (p) => p.key.addOverride('enable_key_rotation', false), at: 'aws_kms_key.key' },
  { rule: 'LR-KMS-002', domain: 'kms', violate: (p) => p.key.addOverride('policy', undefined), at: 'aws_kms_key.key' },

  { rule: 'LR-SM-001', domain: 'secrets', violate: (p) => p.secret.addOverride('kms_key_id', undefined), at: 'aws_secretsmanager_secret.secret' },
  { rule: 'LR-SM-002', domain: 'secrets', violate: (p) => p.rotation.addOverride('secret_id', ELSEWHERE), at: 'aws_secretsmanager_secret.secret' },

  { rule: 'LR-RS-001', domain: 'redshift', violate: (p) => p.namespace.addOverride('kms_key_id', undefined), at: 'aws_redshiftserverless_namespace.namespace' },
  {
    rule: 'LR-RS-002',
    domain: 'redshift',
    violate: (p) => p.namespace.addOverride('log_exports', undefined),
    at: 'aws_redshiftserverless_namespace.namespace',
  },
  {
    rule: 'LR-RS-003',
    domain: 'redshift',
    violate: (p) => {
      p.namespace.addOverride('manage_admin_password', undefined);
      p.namespace.addOverride('admin_user_password', 'Correct-Horse-1');
    },
    at: 'aws_redshiftserverless_namespace.namespace',
  },
  { rule: 'LR-RS-004', domain: 'redshift', violate: (p) => p.namespace.addOverride('admin_username', 'admin'), at: 'aws_redshiftserverless_namespace.namespace' },
  { rule: 'LR-RS-005', domain: 'redshift', violate: (p) => p.workgroup.addOverride('publicly_accessible', true), at: 'aws_redshiftserverless_workgroup.workgroup' },
  {
    rule: 'LR-RS-006',
    domain: 'redshift',
    violate: (p) => p.workgroup.addOverride('config_parameter.0.parameter_value', 'false'),
    at: 'aws_redshiftserverless_workgroup.workgroup',
  },
  {
    rule: 'LR-RS-007',
    domain: 'redshift',
    violate: (p) => p.workgroup.addOverride('config_parameter.1.parameter_value', 'false'),
    at: 'aws_redshiftserverless_workgroup.workgroup',
  },
  { rule: 'LR-RS-008', domain: 'redshift', violate: (p) => p.workgroup.addOverride('enhanced_vpc_routing', false), at: 'aws_redshiftserverless_workgroup.workgroup' },
  { rule: 'LR-RS-009', domain: 'redshift', violate: (p) => p.workgroup.addOverride('security_group_ids', undefined), at: 'aws_redshiftserverless_workgroup.workgroup' },
  { rule: 'LR-RS-010', domain: 'redshift', violate: (p) => p.limit.addOverride('resource_arn', ELSEWHERE), at: 'aws_redshiftserverless_workgroup.workgroup' },
  { rule: 'LR-RS-011', domain: 'redshift', violate: (p) => p.limit.addOverride('breach_action', 'log'), at: 'aws_redshiftserverless_usage_limit.limit' },

  { rule: 'LR-LMB-001', domain: 'lambda', violate: (p) => p.fn.addOverride('runtime', 'nodejs18.x'), at: 'aws_lambda_function.fn' },
  { rule: 'LR-LMB-002', domain: 'lambda', violate: (p) => p.fn.addOverride('tracing_config.mode', 'PassThrough'), at: 'aws_lambda_function.fn' },
  { rule: 'LR-LMB-003', domain: 'lambda', violate: (p) => p.fn.addOverride('reserved_concurrent_executions', undefined), at: 'aws_lambda_function.fn' },
  { rule: 'LR-LMB-004', domain: 'lambda', violate: (p) => p.fn.addOverride('environment.variables.DB_PASSWORD', 'hunter2'), at: 'aws_lambda_function.fn' },
  { rule: 'LR-LMB-005', domain: 'lambda', violate: (p) => p.fn.addOverride('kms_key_arn', undefined), at: 'aws_lambda_function.fn' },
  { rule: 'LR-LMB-006', domain: 'lambda', violate: (p) => p.logs.addOverride('name', '/aws/lambda/another-function'), at: 'aws_lambda_function.fn' },
  { rule: 'LR-LMB-007', domain: 'lambda', violate: (p) => p.permission.addOverride('source_arn', undefined), at: 'aws_lambda_permission.permission' },
  { rule: 'LR-LMB-008', domain: 'lambda', violate: (p) => p.permission.addOverride('principal', '*'), at: 'aws_lambda_permission.permission' },

  { rule: 'LR-APIGW-001', domain: 'apiGateway', violate: (p) => p.post.addOverride('authorization', 'NONE'), at: 'aws_api_gateway_method.post' },
  { rule: 'LR-APIGW-002', domain: 'apiGateway', violate: (p) => p.post.addOverride('request_validator_id', undefined), at: 'aws_api_gateway_method.post' },
  {
    rule: 'LR-APIGW-003',
    domain: 'apiGateway',
    violate: (p) => p.stage.addOverride('access_log_settings.format', '$context.requestId $context.status'),
    at: 'aws_api_gateway_stage.stage',
  },
  { rule: 'LR-APIGW-004', domain: 'apiGateway', violate: (p) => p.stage.addOverride('xray_tracing_enabled', false), at: 'aws_api_gateway_stage.stage' },
  { rule: 'LR-APIGW-005', domain: 'apiGateway', violate: (p) => p.settings.addOverride('settings.logging_level', 'OFF'), at: 'aws_api_gateway_stage.stage' },
  {
    rule: 'LR-APIGW-006',
    domain: 'apiGateway',
    violate: (p) => p.settings.addOverride('settings.data_trace_enabled', true),
    at: 'aws_api_gateway_method_settings.settings',
  },
  {
    rule: 'LR-APIGW-007',
    domain: 'apiGateway',
    violate: (p) => p.settings.addOverride('settings.throttling_rate_limit', undefined),
    at: 'aws_api_gateway_method_settings.settings',
  },
  {
    rule: 'LR-APIGW-008',
    domain: 'apiGateway',
    violate: (p) => p.settings.addOverride('settings.caching_enabled', true),
    at: 'aws_api_gateway_method_settings.settings',
  },
  {
    rule: 'LR-APIGW-009',
    domain: 'apiGateway',
    violate: (p) => p.deployment.addOverride('lifecycle.create_before_destroy', false),
    at: 'aws_api_gateway_deployment.deployment',
  },
  { rule: 'LR-APIGW-010', domain: 'apiGateway', violate: (p) => p.post.addOverride('authorization_scopes', undefined), at: 'aws_api_gateway_method.post' },

  {
    rule: 'LR-COG-001',
    domain: 'cognito',
    violate: (p) => p.pool.addOverride('admin_create_user_config.allow_admin_create_user_only', false),
    at: 'aws_cognito_user_pool.pool',
  },
  { rule: 'LR-COG-002', domain: 'cognito', violate: (p) => p.pool.addOverride('password_policy.require_symbols', false), at: 'aws_cognito_user_pool.pool' },
  { rule: 'LR-COG-003', domain: 'cognito', violate: (p) => p.pool.addOverride('mfa_configuration', 'OPTIONAL'), at: 'aws_cognito_user_pool.pool' },
  { rule: 'LR-COG-004', domain: 'cognito', violate: (p) => p.pool.addOverride('deletion_protection', 'INACTIVE'), at: 'aws_cognito_user_pool.pool' },
  {
    rule: 'LR-COG-005',
    domain: 'cognito',
    violate: (p) => p.pool.addOverride('user_pool_add_ons.advanced_security_mode', 'AUDIT'),
    at: 'aws_cognito_user_pool.pool',
  },
  {
    rule: 'LR-COG-006',
    domain: 'cognito',
    violate: (p) => p.client.addOverride('prevent_user_existence_errors', 'LEGACY'),
    at: 'aws_cognito_user_pool_client.client',
  },
  { rule: 'LR-COG-007', domain: 'cognito', violate: (p) => p.client.addOverride('allowed_oauth_flows', ['implicit']), at: 'aws_cognito_user_pool_client.client' },
  { rule: 'LR-COG-008', domain: 'cognito', violate: (p) => p.client.addOverride('generate_secret', false), at: 'aws_cognito_user_pool_client.client' },
  {
    rule: 'LR-COG-009',
    domain: 'cognito',
    violate: (p) => p.client.addOverride('explicit_auth_flows', ['ALLOW_USER_PASSWORD_AUTH']),
    at: 'aws_cognito_user_pool_client.client',
  },

  { rule: 'LR-WAF-001', domain: 'waf', violate: (p) => p.acl.addOverride('rule', undefined), at: 'aws_wafv2_web_acl.acl' },
  {
    rule: 'LR-WAF-002',
    domain: 'waf',
    violate: (p) => p.acl.addOverride('rule.0.statement.managed_rule_group_statement.name', 'AWSManagedRulesAdminProtectionRuleSet'),
    at: 'aws_wafv2_web_acl.acl',
  },
  {
    rule: 'LR-WAF-003',
    domain: 'waf',
    violate: (p) => {
      p.acl.addOverride('rule.1.override_action.none', undefined);
      p.acl.addOverride('rule.1.override_action.count', {});
    },
    at: 'aws_wafv2_web_acl.acl',
  },
  {
    rule: 'LR-WAF-004',
    domain: 'waf',
    violate: (p) => p.acl.addOverride(`rule.${REQUIRED_MANAGED_GROUPS.length}.statement.rate_based_statement`, undefined),
    at: 'aws_wafv2_web_acl.acl',
  },
  { rule: 'LR-WAF-005', domain: 'waf', violate: (p) => p.logging.addOverride('resource_arn', ELSEWHERE), at: 'aws_wafv2_web_acl.acl' },
  {
    rule: 'LR-WAF-006',
    domain: 'waf',
    violate: (p) => p.logs.addOverride('name', 'predict-api-waf'),
    at: 'aws_wafv2_web_acl_logging_configuration.logging',
  },
  {
    rule: 'LR-WAF-007',
    domain: 'waf',
    violate: (p) => p.logging.addOverride('redacted_fields', undefined),
    at: 'aws_wafv2_web_acl_logging_configuration.logging',
  },
  { rule: 'LR-WAF-008', domain: 'waf', violate: (p) => p.association.addOverride('web_acl_arn', ELSEWHERE), at: 'aws_wafv2_web_acl.acl' },

  { rule: 'LR-LOG-001', domain: 'logs', violate: (p) => p.group.addOverride('retention_in_days', undefined), at: 'aws_cloudwatch_log_group.group' },
  { rule: 'LR-LOG-002', domain: 'logs', violate: (p) => p.group.addOverride('kms_key_id', undefined), at: 'aws_cloudwatch_log_group.group' },

  { rule: 'LR-VPC-001', domain: 'vpc', violate: (p) => p.flow.addOverride('vpc_id', ELSEWHERE), at: 'aws_vpc.vpc' },
  {
    rule: 'LR-VPC-002',
    domain: 'vpc',
    violate: (p) => p.defaultSg.addOverride('ingress', [{ protocol: '-1', from_port: 0, to_port: 0, self: true }]),
    at: 'aws_vpc.vpc',
  },
  { rule: 'LR-VPC-003', domain: 'vpc', violate: (p) => p.sg.addOverride('description', undefined), at: 'aws_security_group.sg' },
  { rule: 'LR-VPC-004', domain: 'vpc', violate: (p) => p.ingress.addOverride('description', undefined), at: 'aws_vpc_security_group_ingress_rule.ingress' },
  { rule: 'LR-VPC-005', domain: 'vpc', violate: (p) => p.ingress.addOverride('cidr_ipv4', '0.0.0.0/0'), at: 'aws_vpc_security_group_ingress_rule.ingress' },
  { rule: 'LR-VPC-006', domain: 'vpc', violate: (p) => p.subnet.addOverride('map_public_ip_on_launch', true), at: 'aws_subnet.subnet' },
  { rule: 'LR-VPC-007', domain: 'vpc', violate: (p) => p.flow.addOverride('traffic_type', 'REJECT'), at: 'aws_flow_log.flow' },
  {
    rule: 'LR-VPC-008',
    domain: 'vpc',
    violate: (p) => {
      p.egress.addOverride('ip_protocol', '-1');
      p.egress.addOverride('cidr_ipv4', '0.0.0.0/0');
      p.egress.addOverride('prefix_list_id', undefined);
    },
    at: 'aws_vpc_security_group_egress_rule.egress',
  },
];

function evaluate(domain: Domain, violate?: (parts: Parts) => void): Evaluation[] {
  const json = Testing.synthScope((scope) => {
    const parts = DOMAINS[domain](scope);
    violate?.(parts);
  });
  return [...evaluateStack('fixture', JSON.parse(json)).evaluations];
}

const compliant = new Map<Domain, Evaluation[]>();
const compliantEvaluations = (domain: Domain): Evaluation[] => {
  if (!compliant.has(domain)) compliant.set(domain, evaluate(domain));
  return compliant.get(domain) ?? [];
};

// The report and README print these: an empty text or a malformed Checkov / cdk-nag id is a bug too.
test.each(RULES.map((r) => [r.id, r] as const))('%s says what it checks, how to fix it, and which checks it mirrors', (_id, rule) => {
  expect(rule.description).toMatch(/^[A-Z].*\S$/);
  expect(rule.fix).toMatch(/^\S.*\S$/);
  for (const id of rule.mirrors) expect(id).toMatch(/^(CKV2?_AWS_\d+|AwsSolutions-[A-Z]+\d+)$/);
});

test('every rule has a case', () => {
  expect(CASES.map((c) => c.rule).sort()).toEqual(RULES.map((r) => r.id).sort());
});

test.each(Object.keys(DOMAINS) as Domain[])('the %s compliant fixture fails no rule', (domain) => {
  const failed = compliantEvaluations(domain).filter((e) => e.outcome !== 'pass');
  expect(failed.map((e) => `${e.rule.id} ${e.element.address}: ${e.detail}`)).toEqual([]);
});

describe.each(CASES)('$rule', ({ rule, domain, violate, at }) => {
  test('passes on the compliant fixture', () => {
    const checked = compliantEvaluations(domain).filter((e) => e.rule.id === rule);
    expect(checked.length).toBeGreaterThan(0);
    expect(checked.every((e) => e.outcome === 'pass')).toBe(true);
  });

  test(`fails at ${at} on the violating fixture`, () => {
    const failed = evaluate(domain, violate).filter((e) => e.rule.id === rule && e.outcome === 'fail');
    expect(failed.map((e) => e.element.address)).toEqual([at]);
    expect(failed[0].detail).toBeTruthy();
  });
});

describe('conditions and aliases that only look like compliance still fail', () => {
  const failures = (domain: Domain, rule: string, violate: (parts: Parts) => void) =>
    evaluate(domain, violate)
      .filter((e) => e.rule.id === rule && e.outcome === 'fail')
      .map((e) => e.element.address);

  test('LR-IAM-004: a condition key that does not narrow the resource keeps Resource "*" a finding', () => {
    const statement = {
      Effect: 'Allow',
      Action: ['s3:GetObject', 'kms:Decrypt'],
      Resource: '*',
      Condition: { StringEquals: { 's3:signatureversion': 'AWS4-HMAC-SHA256', 'kms:CallerAccount': '123456789012' } },
    };
    expect(failures('iam', 'LR-IAM-004', (p) => p.managed.addOverride('policy', policy(statement)))).toEqual([
      'aws_iam_policy.managed',
    ]);
  });

  test('LR-IAM-013: Principal "*" limited only to TLS is still open to anyone', () => {
    const statement = {
      Effect: 'Allow',
      Principal: '*',
      Action: 's3:GetObject',
      Resource: 'arn:aws:s3:::shared-bucket/*',
      Condition: { Bool: { 'aws:SecureTransport': 'true' } },
    };
    expect(failures('iam', 'LR-IAM-013', (p) => p.bucketPolicy.addOverride('policy', policy(statement)))).toEqual([
      'aws_s3_bucket_policy.bucket-policy',
    ]);
  });

  // IPv6 is a second way in from the internet: each way a rule can name it must count as "anywhere".
  test.each<[string, (p: Parts) => void, string]>([
    [
      'a standalone ingress rule (cidr_ipv6)',
      (p) => {
        p.ingress.addOverride('cidr_ipv4', undefined);
        p.ingress.addOverride('cidr_ipv6', '::/0');
      },
      'aws_vpc_security_group_ingress_rule.ingress',
    ],
    [
      'an inline ingress block (ipv6_cidr_blocks)',
      (p) => {
        p.sg.addOverride('ingress.0.cidr_blocks', []);
        p.sg.addOverride('ingress.0.ipv6_cidr_blocks', ['::/0']);
      },
      'aws_security_group.sg',
    ],
    [
      'a security group rule resource (ipv6_cidr_blocks)',
      (p) => {
        p.rule.addOverride('cidr_blocks', undefined);
        p.rule.addOverride('ipv6_cidr_blocks', ['::/0']);
      },
      'aws_security_group_rule.rule',
    ],
  ])('LR-VPC-005: ingress from ::/0 through %s is open to the internet', (_how, openToIpv6, address) => {
    expect(failures('vpc', 'LR-VPC-005', openToIpv6)).toEqual([address]);
  });

  test('an aws_security_group_rule of type egress counts as egress, not as ingress', () => {
    const openEgress = (p: Parts) => {
      p.rule.addOverride('type', 'egress');
      p.rule.addOverride('protocol', '-1');
      p.rule.addOverride('cidr_blocks', ['0.0.0.0/0']);
    };
    expect(failures('vpc', 'LR-VPC-005', openEgress)).toEqual([]);
    expect(failures('vpc', 'LR-VPC-008', openEgress)).toEqual(['aws_security_group_rule.rule']);
  });

  test("LR-VPC-008: protocol 'all' is all traffic, as Terraform reads it", () => {
    const openEgress = (p: Parts) => {
      p.rule.addOverride('type', 'egress');
      p.rule.addOverride('protocol', 'all');
      p.rule.addOverride('cidr_blocks', ['0.0.0.0/0']);
    };
    expect(failures('vpc', 'LR-VPC-008', openEgress)).toEqual(['aws_security_group_rule.rule']);
  });

  test('LR-VPC-002: a default security group with one ingress and one egress rule has rules', () => {
    const withRules = (p: Parts) => {
      p.defaultSg.addOverride('ingress', [{ protocol: '-1', from_port: 0, to_port: 0, self: true }]);
      p.defaultSg.addOverride('egress', [{ protocol: '-1', from_port: 0, to_port: 0, self: true }]);
    };
    expect(failures('vpc', 'LR-VPC-002', withRules)).toEqual(['aws_vpc.vpc']);
  });

  test('LR-VPC-002: a VPC whose default security group is not managed at all', () => {
    const unmanaged = evaluate('vpc', (p) => p.defaultSg.addOverride('vpc_id', ELSEWHERE)).filter(
      (e) => e.rule.id === 'LR-VPC-002' && e.outcome === 'fail',
    );
    expect(unmanaged.map((e) => [e.element.address, e.detail])).toEqual([
      ['aws_vpc.vpc', 'the default security group is not managed (it allows all traffic inside the group)'],
    ]);
  });

  test('LR-VPC-008: all traffic out to ::/0 may leave to anywhere', () => {
    const openEgress = (p: Parts) => {
      p.egress.addOverride('ip_protocol', '-1');
      p.egress.addOverride('prefix_list_id', undefined);
      p.egress.addOverride('cidr_ipv6', '::/0');
    };
    expect(failures('vpc', 'LR-VPC-008', openEgress)).toEqual(['aws_vpc_security_group_egress_rule.egress']);
  });

  test('LR-RS-001: a key alias is not a key ARN', () => {
    expect(failures('redshift', 'LR-RS-001', (p) => p.namespace.addOverride('kms_key_id', 'alias/warehouse'))).toEqual([
      'aws_redshiftserverless_namespace.namespace',
    ]);
  });
});
