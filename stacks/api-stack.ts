import { ApiGatewayAccount } from '@cdktf/provider-aws/lib/api-gateway-account';
import { ApiGatewayAuthorizer } from '@cdktf/provider-aws/lib/api-gateway-authorizer';
import { ApiGatewayDeployment } from '@cdktf/provider-aws/lib/api-gateway-deployment';
import { ApiGatewayGatewayResponse } from '@cdktf/provider-aws/lib/api-gateway-gateway-response';
import { ApiGatewayIntegration } from '@cdktf/provider-aws/lib/api-gateway-integration';
import { ApiGatewayMethod } from '@cdktf/provider-aws/lib/api-gateway-method';
import { ApiGatewayMethodSettings } from '@cdktf/provider-aws/lib/api-gateway-method-settings';
import { ApiGatewayModel } from '@cdktf/provider-aws/lib/api-gateway-model';
import { ApiGatewayRequestValidator } from '@cdktf/provider-aws/lib/api-gateway-request-validator';
import { ApiGatewayResource } from '@cdktf/provider-aws/lib/api-gateway-resource';
import { ApiGatewayRestApi } from '@cdktf/provider-aws/lib/api-gateway-rest-api';
import { ApiGatewayStage } from '@cdktf/provider-aws/lib/api-gateway-stage';
import { CloudwatchDashboard } from '@cdktf/provider-aws/lib/cloudwatch-dashboard';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { CloudwatchMetricAlarm, CloudwatchMetricAlarmConfig } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { CognitoResourceServer } from '@cdktf/provider-aws/lib/cognito-resource-server';
import { CognitoUserPool } from '@cdktf/provider-aws/lib/cognito-user-pool';
import { CognitoUserPoolClient } from '@cdktf/provider-aws/lib/cognito-user-pool-client';
import { CognitoUserPoolDomain } from '@cdktf/provider-aws/lib/cognito-user-pool-domain';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { createHash } from 'crypto';
import * as path from 'path';
import {
  GATEWAY_ERRORS,
  GatewayErrorType,
  JSON_RESPONSE_HEADERS,
  PREDICT_METHOD,
  PREDICT_RESOURCE,
  PREDICT_SCOPE,
  fullScopeName,
} from '../lambda-src/api-contract';
import { requestBodyJsonSchema } from '../lambda-src/request-schema';
import { Config } from './config';
import { cloudWatchLogsMayEncrypt, CustomerManagedKey } from './constructs/customer-managed-key';
import { NodejsFunction } from './constructs/nodejs-function';
import { RULE, suppressRule } from '../policy/suppress';
import { ProjectStack } from './project-stack';
import { RedshiftStack } from './redshift-stack';

/** The stage the API is served from: `https://<api>.execute-api.<region>.amazonaws.com/v1/loan`. */
export const STAGE_NAME = 'v1';

/** The prediction handler's own limit on DEADLINE_MS (lambda-src/config.ts). */
export const MAX_DEADLINE_MS = 26_000;
/**
 * Kept back from the Lambda's timeout for the handler: it stops the warehouse work 2.5 s before the
 * Lambda would be killed (abort a hung call, cancel the statement, answer 504); one more 0.5 s covers
 * the cold start's share of the invocation. `__tests__/api-stack.test.ts` checks it against the handler.
 */
export const TIMEOUT_RESERVE_MS = 3000;

/** DEADLINE_MS for a Lambda timeout: the whole timeout but the reserve, within the handler's limit. */
export const deadlineForTimeout = (timeoutSeconds: number): number =>
  Math.min(MAX_DEADLINE_MS, timeoutSeconds * 1000 - TIMEOUT_RESERVE_MS);

/** Token lifetimes: one hour of access (a machine caches its token), 12 hours of refresh for people. */
const ACCESS_TOKEN_MINUTES = 60;
const REFRESH_TOKEN_HOURS = 12;

/** Alarm thresholds. */
export const ALARMS = {
  /** Share of requests answered 5XX over 5 minutes. */
  serverErrorRate: 0.05,
  /** p99 latency over 5 minutes, in ms: most of the way to the handler's deadline. */
  p99LatencyMs: 10_000,
} as const;

/**
 * The prediction API: the Lambda that calls Redshift ML through the Data API, a REST API with one
 * method (`POST /loan`) behind a Cognito authorizer that requires the `predict` scope and a request
 * model generated from the Lambda's own schema, the Cognito user pool with a machine client and a
 * people client, and alarms on the request path.
 */
export class ApiStack extends ProjectStack {
  readonly key: KmsKey;
  readonly prediction: NodejsFunction;
  readonly userPool: CognitoUserPool;
  readonly restApi: ApiGatewayRestApi;
  readonly stage: ApiGatewayStage;
  readonly alarmTopic: SnsTopic;

  constructor(scope: Construct, redshift: RedshiftStack, config: Config) {
    super(scope, 'api', config);
    const settings = config.api;
    const name = config.namePrefix;
    const region = config.region;
    const prod = config.environment === 'prod';
    const { partition, accountId, rootArn } = this.account;
    const functionName = `${name}-predict`;
    const logGroupArn = (logGroupName: string) => `arn:${partition}:logs:${region}:${accountId}:log-group:${logGroupName}`;

    // ---- key: the Lambda's environment, the log groups, the alarm topic --------------------------
    this.key = new CustomerManagedKey(this, 'key', {
      description: `${name} prediction API: Lambda environment, API and Lambda logs, alarm topic`,
      accountRootArn: rootArn,
      serviceStatements: [
        cloudWatchLogsMayEncrypt('CloudWatchLogsEncryptsApiLogGroups', region, [
          logGroupArn(`/aws/lambda/${functionName}`),
          logGroupArn(`/aws/apigateway/${name}/*`),
          logGroupArn('API-Gateway-Execution-Logs_*'),
        ]),
        {
          // CloudWatch alarms publish to the encrypted topic as the CloudWatch service ("Encrypting
          // messages published to Amazon SNS with AWS KMS", Amazon SNS Developer Guide).
          Sid: 'CloudWatchAlarmsPublishToTopic',
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          Resource: '*',
          Condition: { StringEquals: { 'aws:SourceAccount': accountId } },
        },
      ],
    }).key;

    // ---- the Lambda ---------------------------------------------------------------------------------
    const network = settings.lambdaInVpc ? this.privateNetworkAccess(redshift) : undefined;
    this.prediction = new NodejsFunction(this, 'prediction', {
      entry: path.join(__dirname, '..', 'lambda-src', 'handler.ts'),
      functionName,
      description: `POST /${PREDICT_RESOURCE}: loan-remediation predictions from Redshift ML`,
      memorySize: settings.lambdaMemoryMb,
      timeoutSeconds: settings.lambdaTimeoutSeconds,
      reservedConcurrency: settings.lambdaReservedConcurrency,
      logRetentionDays: config.logRetentionDays,
      logKmsKeyArn: this.key.arn,
      environmentKmsKeyArn: this.key.arn,
      vpcConfig: network,
      environment: {
        WORKGROUP_NAME: redshift.workgroup.workgroupName,
        DATABASE_NAME: redshift.namespace.dbName,
        TABLE_NAME: redshift.sqlNames.table,
        PREDICTION_FUNCTION: redshift.sqlNames.predictionFunction,
        DEADLINE_MS: String(deadlineForTimeout(settings.lambdaTimeoutSeconds)),
      },
    });
    if (network === undefined) {
      suppressRule(
        this.prediction.function,
        RULE.LambdaInsideVpc,
        'The function calls only AWS APIs (the Redshift Data API, X-Ray, CloudWatch Logs), never the VPC; inside it would ' +
          'need a redshift-data interface endpoint (about 22 USD/month over 3 AZs). LAMBDA_IN_VPC=true creates both',
      );
    }
    this.grantPredictionAccess(redshift);
    if (network !== undefined) this.grantNetworkInterfaces(network);

    // ---- Cognito ------------------------------------------------------------------------------------
    this.userPool = new CognitoUserPool(this, 'user-pool', {
      name,
      // Only administrators create accounts; the original let anyone sign up and get a token.
      adminCreateUserConfig: { allowAdminCreateUserOnly: true },
      usernameAttributes: ['email'],
      autoVerifiedAttributes: ['email'],
      accountRecoverySetting: { recoveryMechanism: [{ name: 'verified_email', priority: 1 }] },
      passwordPolicy: {
        minimumLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireNumbers: true,
        requireSymbols: true,
        temporaryPasswordValidityDays: 3,
      },
      mfaConfiguration: prod ? 'ON' : 'OPTIONAL',
      softwareTokenMfaConfiguration: { enabled: true },
      deletionProtection: prod ? 'ACTIVE' : 'INACTIVE',
    });
    if (!prod) {
      suppressRule(this.userPool, RULE.CognitoMfaRequired, 'Outside prod, MFA is OPTIONAL (TOTP) so test users can sign in quickly; ENVIRONMENT=prod makes it ON');
      suppressRule(this.userPool, RULE.CognitoDeletionProtection, 'Outside prod the pool can be destroyed with the environment; ENVIRONMENT=prod turns deletion protection on');
    }
    suppressRule(
      this.userPool,
      RULE.CognitoThreatProtectionEnforced,
      'Threat protection needs the Plus feature plan (billed per monthly active user) and does not cover the ' +
        'client-credentials machine client, the main caller; people sign in with MFA and a strong password',
    );

    // Domain prefixes are unique per region across all of AWS: the account id keeps ours from colliding.
    const domain = new CognitoUserPoolDomain(this, 'user-pool-domain', {
      domain: `${name}-${accountId}`,
      userPoolId: this.userPool.id,
    });
    const resourceServer = new CognitoResourceServer(this, 'resource-server', {
      userPoolId: this.userPool.id,
      identifier: `${name}-api`,
      name: `${name} prediction API`,
      scope: [{ scopeName: PREDICT_SCOPE, scopeDescription: `${PREDICT_METHOD} /${PREDICT_RESOURCE}: ask for predictions` }],
    });
    const predictScope = fullScopeName(resourceServer.identifier);
    const clientDefaults = {
      userPoolId: this.userPool.id,
      allowedOauthFlowsUserPoolClient: true,
      preventUserExistenceErrors: 'ENABLED',
      enableTokenRevocation: true,
      accessTokenValidity: ACCESS_TOKEN_MINUTES,
      idTokenValidity: ACCESS_TOKEN_MINUTES,
      refreshTokenValidity: REFRESH_TOKEN_HOURS,
      tokenValidityUnits: [{ accessToken: 'minutes', idToken: 'minutes', refreshToken: 'hours' }],
      supportedIdentityProviders: ['COGNITO'],
      // The scope exists only once the resource server does.
      dependsOn: [resourceServer],
    };
    const machineClient = new CognitoUserPoolClient(this, 'machine-client', {
      ...clientDefaults,
      name: `${name}-machine`,
      generateSecret: true,
      allowedOauthFlows: ['client_credentials'],
      allowedOauthScopes: [predictScope],
      explicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
    });
    // A public client (no secret): browsers and CLIs use the authorization code flow with PKCE.
    const peopleClient = new CognitoUserPoolClient(this, 'people-client', {
      ...clientDefaults,
      name: `${name}-people`,
      generateSecret: false,
      allowedOauthFlows: ['code'],
      allowedOauthScopes: ['openid', 'email', predictScope],
      callbackUrls: [...settings.callbackUrls],
      explicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    });

    // ---- REST API -----------------------------------------------------------------------------------
    this.restApi = new ApiGatewayRestApi(this, 'rest-api', {
      name,
      description: `Loan-remediation predictions (${config.environment})`,
      endpointConfiguration: { types: ['REGIONAL'] },
    });
    const resource = new ApiGatewayResource(this, 'loan-resource', {
      restApiId: this.restApi.id,
      parentId: this.restApi.rootResourceId,
      pathPart: PREDICT_RESOURCE,
    });
    // The Lambda's own schema, as a JSON literal: one source for both checks.
    const requestSchema = JSON.stringify(requestBodyJsonSchema());
    const model = new ApiGatewayModel(this, 'loan-request-model', {
      restApiId: this.restApi.id,
      name: 'LoanRequest',
      description: 'One application or a batch of applications (generated from lambda-src/request-schema.ts)',
      contentType: 'application/json',
      schema: requestSchema,
    });
    const validator = new ApiGatewayRequestValidator(this, 'request-validator', {
      restApiId: this.restApi.id,
      name: 'body-and-parameters',
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    const authorizer = new ApiGatewayAuthorizer(this, 'cognito-authorizer', {
      restApiId: this.restApi.id,
      name: 'cognito',
      type: 'COGNITO_USER_POOLS',
      providerArns: [this.userPool.arn],
      identitySource: 'method.request.header.Authorization',
    });
    const method = new ApiGatewayMethod(this, 'loan-post', {
      restApiId: this.restApi.id,
      resourceId: resource.id,
      httpMethod: PREDICT_METHOD,
      authorization: 'COGNITO_USER_POOLS',
      authorizerId: authorizer.id,
      // With scopes, the authorizer accepts access tokens that carry one of them (and no ID tokens).
      authorizationScopes: [predictScope],
      requestValidatorId: validator.id,
      requestModels: { 'application/json': model.name },
    });
    const integration = new ApiGatewayIntegration(this, 'loan-post-lambda', {
      restApiId: this.restApi.id,
      resourceId: resource.id,
      httpMethod: method.httpMethod,
      type: 'AWS_PROXY',
      integrationHttpMethod: 'POST',
      uri: this.prediction.function.invokeArn,
    });
    const gatewayResponses = (Object.keys(GATEWAY_ERRORS) as GatewayErrorType[]).map(
      (type) =>
        new ApiGatewayGatewayResponse(this, `gateway-response-${type.toLowerCase().replace(/_/g, '-')}`, {
          restApiId: this.restApi.id,
          responseType: type,
          statusCode: String(GATEWAY_ERRORS[type].statusCode),
          responseTemplates: { 'application/json': gatewayResponseTemplate(type) },
          responseParameters: Object.fromEntries(
            Object.entries(JSON_RESPONSE_HEADERS).map(([header, value]) => [`gatewayresponse.header.${header}`, `'${value}'`]),
          ),
        }),
    );

    // A new deployment whenever anything the stage serves changes; the new one exists before the old goes.
    const deployment = new ApiGatewayDeployment(this, 'deployment', {
      restApiId: this.restApi.id,
      description: 'Managed by cdktf: replaced whenever the API definition changes',
      triggers: {
        redeployment: Fn.sha1(
          Fn.jsonencode([
            resource.id,
            method.id,
            integration.id,
            integration.uri,
            authorizer.id,
            validator.id,
            resourceServer.identifier,
            ...gatewayResponses.map((response) => response.id),
            // The literal parts (model and templates) as one hash: Terraform functions cannot take `${` or `$` strings.
            createHash('sha256')
              .update(JSON.stringify([requestSchema, ...(Object.keys(GATEWAY_ERRORS) as GatewayErrorType[]).map(gatewayResponseTemplate)]))
              .digest('hex'),
          ]),
        ),
      },
      lifecycle: { createBeforeDestroy: true },
      dependsOn: [method, integration, model, ...gatewayResponses],
    });

    const accessLogs = new CloudwatchLogGroup(this, 'access-log-group', {
      name: `/aws/apigateway/${name}/access`,
      retentionInDays: config.logRetentionDays,
      kmsKeyId: this.key.arn,
    });
    // API Gateway writes execution logs (ERROR level) into this group; created here so it has a
    // retention and our key instead of API Gateway creating it to keep forever.
    const executionLogs = new CloudwatchLogGroup(this, 'execution-log-group', {
      name: `API-Gateway-Execution-Logs_${this.restApi.id}/${STAGE_NAME}`,
      retentionInDays: config.logRetentionDays,
      kmsKeyId: this.key.arn,
    });
    const account = settings.manageApiGatewayAccountRole ? this.apiGatewayAccountLogging() : undefined;
    this.stage = new ApiGatewayStage(this, 'stage', {
      restApiId: this.restApi.id,
      stageName: STAGE_NAME,
      deploymentId: deployment.id,
      xrayTracingEnabled: true,
      accessLogSettings: { destinationArn: accessLogs.arn, format: JSON.stringify(ACCESS_LOG_FORMAT) },
      dependsOn: [executionLogs, ...(account ? [account] : [])],
    });
    new ApiGatewayMethodSettings(this, 'stage-settings', {
      restApiId: this.restApi.id,
      stageName: this.stage.stageName,
      methodPath: '*/*',
      settings: {
        metricsEnabled: true,
        loggingLevel: 'ERROR',
        // Data tracing would log every request and response body: applicants' data.
        dataTraceEnabled: false,
        throttlingRateLimit: settings.throttleRateLimit,
        throttlingBurstLimit: settings.throttleBurstLimit,
      },
    });
    new LambdaPermission(this, 'invoke-from-api', {
      statementId: 'AllowPostLoanFromApiGateway',
      action: 'lambda:InvokeFunction',
      functionName: this.prediction.function.functionName,
      principal: 'apigateway.amazonaws.com',
      // Only this API's POST /loan, on any stage.
      sourceArn: `${this.restApi.executionArn}/*/${PREDICT_METHOD}/${PREDICT_RESOURCE}`,
    });

    // ---- alarms -------------------------------------------------------------------------------------
    this.alarmTopic = new SnsTopic(this, 'alarm-topic', { name: `${name}-api-alarms`, kmsMasterKeyId: this.key.arn });
    if (settings.alarmEmail !== undefined) {
      new SnsTopicSubscription(this, 'alarm-email', { topicArn: this.alarmTopic.arn, protocol: 'email', endpoint: settings.alarmEmail });
    }
    this.addAlarms(functionName);
    this.addDashboard(functionName);

    const tokenEndpoint = `https://${domain.domain}.auth.${region}.amazoncognito.com/oauth2/token`;
    this.addOutputs({
      invoke_url: [`${this.stage.invokeUrl}/${PREDICT_RESOURCE}`, `${PREDICT_METHOD} here with an access token`],
      user_pool_id: [this.userPool.id, 'Cognito user pool'],
      machine_client_id: [machineClient.id, 'App client for machines (client credentials; secret in Cognito)'],
      people_client_id: [peopleClient.id, 'App client for people (authorization code + PKCE, no secret)'],
      token_endpoint: [tokenEndpoint, 'OAuth 2.0 token endpoint of the user pool domain'],
      predict_scope: [predictScope, 'The scope a token needs to call the API'],
      lambda_function_name: [this.prediction.function.functionName, 'The prediction Lambda'],
      lambda_role_name: [this.prediction.role.name, 'Its execution role (npm run warehouse:setup grants it the model)'],
      stage_arn: [this.stage.arn, 'API stage ARN (the WAF web ACL associates with it)'],
      alarm_topic_arn: [this.alarmTopic.arn, 'SNS topic of the API alarms'],
    });
  }

  /**
   * What a prediction needs and nothing more ("Configuring IAM permissions", Amazon Redshift Management
   * Guide; "Actions, resources, and condition keys for Amazon Redshift Data API", Service Authorization
   * Reference): ExecuteStatement on the workgroup; GetCredentials on the workgroup, which maps the role
   * to the database user IAMR:<role>; Describe/GetStatementResult/Cancel take no resource, so they are
   * limited to statements this role started (redshift-data:statement-owner-iam-userid); ExecuteStatement
   * in a session is limited to sessions it started (redshift-data:session-owner-iam-userid). Plus kms:Decrypt
   * on the stack's key, which encrypts the function's environment.
   */
  private grantPredictionAccess(redshift: RedshiftStack): void {
    const workgroupArn = redshift.workgroup.arn;
    const policy = new DataAwsIamPolicyDocument(this, 'prediction-access', {
      statement: [
        {
          sid: 'RunPredictionsOnTheWorkgroup',
          actions: ['redshift-data:ExecuteStatement'],
          resources: [workgroupArn],
        },
        {
          // A warm invocation reuses its Data API session (SessionId instead of WorkgroupName), which
          // names no workgroup: AWS's AmazonRedshiftDataFullAccess policy grants that case on "*" only
          // for sessions the caller started (the redshift-data:session-owner-iam-userid condition key of
          // ExecuteStatement, Service Authorization Reference). Without it the adapter would fall back
          // to a new session on every warm call.
          sid: 'ReuseOwnSessionsOnly',
          actions: ['redshift-data:ExecuteStatement'],
          resources: ['*'],
          condition: [{ test: 'StringEquals', variable: 'redshift-data:session-owner-iam-userid', values: ['$${aws:userid}'] }],
        },
        {
          sid: 'LogInAsItsOwnDatabaseUser',
          actions: ['redshift-serverless:GetCredentials'],
          resources: [workgroupArn],
        },
        {
          sid: 'FollowOwnStatementsOnly',
          actions: ['redshift-data:DescribeStatement', 'redshift-data:GetStatementResult', 'redshift-data:CancelStatement'],
          resources: ['*'],
          condition: [{ test: 'StringEquals', variable: 'redshift-data:statement-owner-iam-userid', values: ['$${aws:userid}'] }],
        },
        {
          // The environment is encrypted with the stack's key; Lambda decrypts it when the function starts.
          sid: 'DecryptOwnEnvironment',
          actions: ['kms:Decrypt'],
          resources: [this.key.arn],
        },
      ],
    });
    new IamRolePolicy(this, 'prediction-access-policy', {
      name: 'prediction-data-api',
      role: this.prediction.role.name,
      policy: policy.json,
    });
  }

  /**
   * LAMBDA_IN_VPC=true: the function runs in the warehouse's private subnets and reaches the Data API
   * through a `redshift-data` interface endpoint (about 7.30 USD per AZ per month plus 0.01 USD per GB).
   */
  private privateNetworkAccess(redshift: RedshiftStack): { subnetIds: string[]; securityGroupIds: string[] } {
    const { vpc, privateSubnets } = redshift.network;
    const name = this.config.namePrefix;
    const lambdaGroup = new SecurityGroup(this, 'prediction-security-group', {
      name: `${name}-predict`,
      description: 'Prediction Lambda: HTTPS to the VPC endpoints only',
      vpcId: vpc.id,
    });
    const endpointGroup = new SecurityGroup(this, 'data-api-endpoint-security-group', {
      name: `${name}-redshift-data-endpoint`,
      description: 'redshift-data interface endpoint: HTTPS from the prediction Lambda',
      vpcId: vpc.id,
    });
    new VpcSecurityGroupEgressRule(this, 'prediction-egress-to-endpoints', {
      securityGroupId: lambdaGroup.id,
      description: 'HTTPS to the interface endpoints',
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      referencedSecurityGroupId: endpointGroup.id,
    });
    new VpcSecurityGroupIngressRule(this, 'endpoint-ingress-from-prediction', {
      securityGroupId: endpointGroup.id,
      description: 'HTTPS from the prediction Lambda',
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      referencedSecurityGroupId: lambdaGroup.id,
    });
    new VpcEndpoint(this, 'data-api-endpoint', {
      vpcId: vpc.id,
      serviceName: `com.amazonaws.${this.config.region}.redshift-data`,
      vpcEndpointType: 'Interface',
      privateDnsEnabled: true,
      subnetIds: privateSubnets.map((subnet) => subnet.id),
      securityGroupIds: [endpointGroup.id],
      tags: { Name: `${name}-redshift-data` },
    });
    return { subnetIds: privateSubnets.map((subnet) => subnet.id), securityGroupIds: [lambdaGroup.id] };
  }

  /**
   * The permissions Lambda uses, with the function's role, to create and remove its network interfaces
   * in the subnets ("Giving Lambda functions access to resources in an Amazon VPC", AWS Lambda
   * Developer Guide: the actions of AWSLambdaVPCAccessExecutionRole). The Describe actions take no
   * resource. The function is created only once the grant exists.
   */
  private grantNetworkInterfaces(network: { subnetIds: string[]; securityGroupIds: string[] }): void {
    const { partition, accountId } = this.account;
    const ec2 = `arn:${partition}:ec2:${this.config.region}:${accountId}`;
    const interfaces = `${ec2}:network-interface/*`;
    const document = new DataAwsIamPolicyDocument(this, 'prediction-network-interfaces', {
      statement: [
        {
          sid: 'ManageOwnNetworkInterfaces',
          actions: ['ec2:CreateNetworkInterface'],
          resources: [
            interfaces,
            ...network.subnetIds.map((id) => `${ec2}:subnet/${id}`),
            ...network.securityGroupIds.map((id) => `${ec2}:security-group/${id}`),
          ],
        },
        {
          sid: 'AttachAndRemoveNetworkInterfaces',
          actions: ['ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
          resources: [interfaces],
        },
        {
          sid: 'DescribeNetwork',
          actions: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets'],
          resources: ['*'],
          condition: [{ test: 'StringEquals', variable: 'aws:RequestedRegion', values: [this.config.region] }],
        },
      ],
    });
    const policy = new IamRolePolicy(this, 'prediction-network-interfaces-policy', {
      name: 'prediction-network-interfaces',
      role: this.prediction.role.name,
      policy: document.json,
    });
    const fn = this.prediction.function;
    fn.dependsOn = [...(fn.dependsOn ?? []), `${policy.terraformResourceType}.${policy.friendlyUniqueId}`];
  }

  /**
   * API_GATEWAY_ACCOUNT_LOGGING_ROLE=true: the account-wide role API Gateway writes logs with. One per
   * account and region, shared by every API there; without it, a stage with logging fails to deploy.
   */
  private apiGatewayAccountLogging(): ApiGatewayAccount {
    const { partition, accountId } = this.account;
    const trust = new DataAwsIamPolicyDocument(this, 'api-gateway-logging-trust', {
      statement: [{ actions: ['sts:AssumeRole'], principals: [{ type: 'Service', identifiers: ['apigateway.amazonaws.com'] }] }],
    });
    const role = new IamRole(this, 'api-gateway-logging-role', {
      name: `${this.config.namePrefix}-apigateway-logs`,
      description: 'API Gateway writes execution and access logs of every API in this account and region',
      assumeRolePolicy: trust.json,
    });
    // The actions of AWS's AmazonAPIGatewayPushToCloudWatchLogs, limited to this account and region.
    const logs = new DataAwsIamPolicyDocument(this, 'api-gateway-logging', {
      statement: [
        {
          actions: [
            'logs:CreateLogGroup',
            'logs:CreateLogStream',
            'logs:DescribeLogGroups',
            'logs:DescribeLogStreams',
            'logs:PutLogEvents',
            'logs:GetLogEvents',
            'logs:FilterLogEvents',
          ],
          resources: [`arn:${partition}:logs:${this.config.region}:${accountId}:log-group:*`],
        },
      ],
    });
    const policy = new IamRolePolicy(this, 'api-gateway-logging-policy', { name: 'push-to-cloudwatch-logs', role: role.name, policy: logs.json });
    return new ApiGatewayAccount(this, 'api-gateway-account', { cloudwatchRoleArn: role.arn, dependsOn: [policy] });
  }

  private addAlarms(functionName: string): void {
    const api = { ApiName: this.restApi.name, Stage: this.stage.stageName };
    const lambda = { FunctionName: functionName };
    const alarm = (id: string, props: Omit<CloudwatchMetricAlarmConfig, 'alarmName' | 'evaluationPeriods'>) =>
      new CloudwatchMetricAlarm(this, id, {
        alarmName: `${this.config.namePrefix}-${id}`,
        period: 300,
        evaluationPeriods: 1,
        treatMissingData: 'notBreaching',
        alarmActions: [this.alarmTopic.arn],
        okActions: [this.alarmTopic.arn],
        ...props,
      });
    // 5XXError's average is the share of requests answered 5XX.
    alarm('api-5xx-rate', {
      alarmDescription: `More than ${ALARMS.serverErrorRate * 100} % of POST /loan requests answered 5XX in 5 minutes`,
      namespace: 'AWS/ApiGateway',
      metricName: '5XXError',
      dimensions: api,
      statistic: 'Average',
      comparisonOperator: 'GreaterThanThreshold',
      threshold: ALARMS.serverErrorRate,
    });
    alarm('api-p99-latency', {
      alarmDescription: `p99 latency of the API above ${ALARMS.p99LatencyMs} ms over 5 minutes`,
      namespace: 'AWS/ApiGateway',
      metricName: 'Latency',
      dimensions: api,
      extendedStatistic: 'p99',
      comparisonOperator: 'GreaterThanThreshold',
      threshold: ALARMS.p99LatencyMs,
    });
    alarm('lambda-errors', {
      alarmDescription: 'The prediction Lambda failed (crashed or timed out), not an answered error',
      namespace: 'AWS/Lambda',
      metricName: 'Errors',
      dimensions: lambda,
      statistic: 'Sum',
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
      threshold: 1,
    });
    alarm('lambda-throttles', {
      alarmDescription: 'Requests refused because the reserved concurrency (LAMBDA_RESERVED_CONCURRENCY) was used up',
      namespace: 'AWS/Lambda',
      metricName: 'Throttles',
      dimensions: lambda,
      statistic: 'Sum',
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
      threshold: 1,
    });
  }

  /** The request path on one screen: requests and errors, latency, the Lambda's health. */
  private addDashboard(functionName: string): void {
    const region = this.config.region;
    const api = ['ApiName', this.restApi.name, 'Stage', this.stage.stageName];
    const lambda = ['FunctionName', functionName];
    const widget = (title: string, x: number, y: number, metrics: unknown[][], stat = 'Sum') => ({
      type: 'metric',
      x,
      y,
      width: 12,
      height: 6,
      properties: { title, region, stat, period: 60, view: 'timeSeries', metrics },
    });
    new CloudwatchDashboard(this, 'dashboard', {
      dashboardName: `${this.config.namePrefix}-api`,
      dashboardBody: Fn.jsonencode({
        widgets: [
          widget('Requests, 4XX, 5XX', 0, 0, [
            ['AWS/ApiGateway', 'Count', ...api],
            ['AWS/ApiGateway', '4XXError', ...api],
            ['AWS/ApiGateway', '5XXError', ...api],
          ]),
          widget(
            'API latency (ms)',
            12,
            0,
            [
              ['AWS/ApiGateway', 'Latency', ...api, { stat: 'p50' }],
              ['AWS/ApiGateway', 'Latency', ...api, { stat: 'p99' }],
              ['AWS/ApiGateway', 'IntegrationLatency', ...api, { stat: 'p99' }],
            ],
            'p99',
          ),
          widget('Lambda invocations, errors, throttles', 0, 6, [
            ['AWS/Lambda', 'Invocations', ...lambda],
            ['AWS/Lambda', 'Errors', ...lambda],
            ['AWS/Lambda', 'Throttles', ...lambda],
          ]),
          widget(
            'Lambda duration (ms) and concurrency',
            12,
            6,
            [
              ['AWS/Lambda', 'Duration', ...lambda, { stat: 'p99' }],
              ['AWS/Lambda', 'ConcurrentExecutions', ...lambda, { stat: 'Maximum' }],
            ],
            'p99',
          ),
        ],
      }),
    });
  }
}

/** Fields of every access log line, one JSON object per request ("API Gateway mapping template and access logging variable reference"). */
const ACCESS_LOG_FORMAT = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  ip: '$context.identity.sourceIp',
  httpMethod: '$context.httpMethod',
  path: '$context.path',
  status: '$context.status',
  responseLength: '$context.responseLength',
  latencyMs: '$context.responseLatency',
  integrationLatencyMs: '$context.integrationLatency',
  clientId: '$context.authorizer.claims.client_id',
  errorType: '$context.error.responseType',
  wafResponse: '$context.wafResponseCode',
  xrayTraceId: '$context.xrayTraceId',
};

/**
 * The mapping template of a gateway response: `{"error": ..., "requestId": ...}`, plus `details` (API
 * Gateway's validation message, which names the failing field) for a bad body. Gateway response
 * templates get simple `$context` substitution only, no VTL ("API Gateway mapping template and access
 * logging variable reference": $context.error.* "can only be used for simple variable substitution in
 * a GatewayResponse body-mapping template, which is not processed by the Velocity Template Language
 * engine"), so the variables are placed inside JSON strings as they are. Unlike $context.error.message
 * (messageString), the validation message has no pre-quoted form; the body stays JSON as long as the
 * message's own double quotes come escaped.
 */
export function gatewayResponseTemplate(type: GatewayErrorType): string {
  const details = type === 'BAD_REQUEST_BODY' ? ', "details": "$context.error.validationErrorString"' : '';
  return `{"error": ${JSON.stringify(GATEWAY_ERRORS[type].error)}${details}, "requestId": "$context.requestId"}`;
}
