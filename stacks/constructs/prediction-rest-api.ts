import { ApiGatewayAuthorizer } from '@cdktf/provider-aws/lib/api-gateway-authorizer';
import { ApiGatewayDeployment } from '@cdktf/provider-aws/lib/api-gateway-deployment';
import { ApiGatewayGatewayResponse } from '@cdktf/provider-aws/lib/api-gateway-gateway-response';
import { ApiGatewayIntegration } from '@cdktf/provider-aws/lib/api-gateway-integration';
import { ApiGatewayMethod } from '@cdktf/provider-aws/lib/api-gateway-method';
import { ApiGatewayMethodSettings } from '@cdktf/provider-aws/lib/api-gateway-method-settings';
import { ApiGatewayResource } from '@cdktf/provider-aws/lib/api-gateway-resource';
import { ApiGatewayRestApi } from '@cdktf/provider-aws/lib/api-gateway-rest-api';
import { ApiGatewayStage } from '@cdktf/provider-aws/lib/api-gateway-stage';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { createHash } from 'crypto';
import { gatewayResponses, PREDICT_METHOD, PREDICT_RESOURCE } from '../../lambda-src/api-contract';
import { RULE, suppressRule } from '../../policy/suppress';
import { keepStackAddresses } from './stack-addresses';

/** The stage the API is served from: `https://<api>.execute-api.<region>.amazonaws.com/v1/loan`. */
export const STAGE_NAME = 'v1';

export interface PredictionRestApiProps {
  /** The project's name prefix. */
  readonly name: string;
  readonly environment: string;
  /** The function behind `POST /loan` (a Lambda proxy integration). */
  readonly handler: LambdaFunction;
  /** The Cognito user pool whose access tokens the authorizer accepts. */
  readonly userPoolArn: string;
  /** The scope a token must carry. */
  readonly predictScope: string;
  /** Changes whenever the scope's resource server is replaced, which needs a new deployment. */
  readonly resourceServerIdentifier: string;
  readonly logRetentionDays: number;
  /** The key of the access and execution log groups. */
  readonly logKmsKeyArn: string;
  /** Stage-wide steady-state requests per second and burst. */
  readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
}

/**
 * `POST /loan` as a REST API: a Cognito authorizer that requires the `predict` scope, a Lambda proxy
 * integration that validates the body itself, the gateway responses of the API contract's table, a
 * deployment replaced whenever any of that changes, and the `v1` stage with X-Ray, JSON access logs,
 * ERROR execution logs in log groups with retention and our key, metrics and throttling.
 */
export class PredictionRestApi extends Construct {
  readonly restApi: ApiGatewayRestApi;
  readonly stage: ApiGatewayStage;

  constructor(scope: Construct, id: string, props: PredictionRestApiProps) {
    super(scope, id);
    keepStackAddresses(this);
    const { name } = props;
    this.restApi = new ApiGatewayRestApi(this, 'rest-api', {
      name,
      description: `Loan-remediation predictions (${props.environment})`,
      endpointConfiguration: { types: ['REGIONAL'] },
    });
    const restApiId = this.restApi.id;
    const resource = new ApiGatewayResource(this, 'loan-resource', {
      restApiId,
      parentId: this.restApi.rootResourceId,
      pathPart: PREDICT_RESOURCE,
    });
    const authorizer = new ApiGatewayAuthorizer(this, 'cognito-authorizer', {
      restApiId,
      name: 'cognito',
      type: 'COGNITO_USER_POOLS',
      providerArns: [props.userPoolArn],
      identitySource: 'method.request.header.Authorization',
    });
    const method = new ApiGatewayMethod(this, 'loan-post', {
      restApiId,
      resourceId: resource.id,
      httpMethod: PREDICT_METHOD,
      authorization: 'COGNITO_USER_POOLS',
      authorizerId: authorizer.id,
      // With scopes, the authorizer accepts access tokens that carry one of them (and no ID tokens).
      authorizationScopes: [props.predictScope],
    });
    suppressRule(
      method,
      RULE.ApiGatewayRequestValidation,
      'The Lambda validates the body (lambda-src/request-schema.ts) so that every 400 names each bad field by path: a request ' +
        "model's refusal is a gateway response, whose template cannot list fields; the method has no parameters to validate",
    );
    const integration = new ApiGatewayIntegration(this, 'loan-post-lambda', {
      restApiId,
      resourceId: resource.id,
      httpMethod: method.httpMethod,
      type: 'AWS_PROXY',
      integrationHttpMethod: 'POST',
      uri: props.handler.invokeArn,
    });
    // The table's gateway responses: the fallbacks without a status (a status there rewrites every other 4XX/5XX).
    const definitions = gatewayResponses();
    const responses = definitions.map(
      (definition) =>
        new ApiGatewayGatewayResponse(this, `gateway-response-${definition.type.toLowerCase().replace(/_/g, '-')}`, {
          restApiId,
          responseType: definition.type,
          statusCode: definition.statusCode === undefined ? undefined : String(definition.statusCode),
          responseTemplates: { 'application/json': definition.template },
          responseParameters: definition.responseParameters,
        }),
    );

    // A new deployment whenever anything the stage serves changes; the new one exists before the old goes.
    const deployment = new ApiGatewayDeployment(this, 'deployment', {
      restApiId,
      description: 'Managed by cdktf: replaced whenever the API definition changes',
      triggers: {
        redeployment: Fn.sha1(
          Fn.jsonencode([
            resource.id,
            method.id,
            integration.id,
            integration.uri,
            authorizer.id,
            props.resourceServerIdentifier,
            ...responses.map((response) => response.id),
            // The literal parts (templates, statuses, headers) as one hash: Terraform functions cannot take `$` strings.
            createHash('sha256').update(JSON.stringify(definitions)).digest('hex'),
          ]),
        ),
      },
      lifecycle: { createBeforeDestroy: true },
      dependsOn: [method, integration, ...responses],
    });

    const accessLogs = new CloudwatchLogGroup(this, 'access-log-group', {
      name: `/aws/apigateway/${name}/access`,
      retentionInDays: props.logRetentionDays,
      kmsKeyId: props.logKmsKeyArn,
    });
    // API Gateway writes execution logs (ERROR level) into this group; created here so it has a
    // retention and our key instead of API Gateway creating it to keep forever.
    const executionLogs = new CloudwatchLogGroup(this, 'execution-log-group', {
      name: `API-Gateway-Execution-Logs_${restApiId}/${STAGE_NAME}`,
      retentionInDays: props.logRetentionDays,
      kmsKeyId: props.logKmsKeyArn,
    });
    this.stage = new ApiGatewayStage(this, 'stage', {
      restApiId,
      stageName: STAGE_NAME,
      deploymentId: deployment.id,
      xrayTracingEnabled: true,
      accessLogSettings: { destinationArn: accessLogs.arn, format: JSON.stringify(ACCESS_LOG_FORMAT) },
      dependsOn: [executionLogs],
    });
    new ApiGatewayMethodSettings(this, 'stage-settings', {
      restApiId,
      stageName: this.stage.stageName,
      methodPath: '*/*',
      settings: {
        metricsEnabled: true,
        loggingLevel: 'ERROR',
        // Data tracing would log every request and response body: applicants' data.
        dataTraceEnabled: false,
        throttlingRateLimit: props.throttle.rateLimit,
        throttlingBurstLimit: props.throttle.burstLimit,
      },
    });
    new LambdaPermission(this, 'invoke-from-api', {
      statementId: 'AllowPostLoanFromApiGateway',
      action: 'lambda:InvokeFunction',
      functionName: props.handler.functionName,
      principal: 'apigateway.amazonaws.com',
      // Only this API's POST /loan, on any stage.
      sourceArn: `${this.restApi.executionArn}/*/${PREDICT_METHOD}/${PREDICT_RESOURCE}`,
    });
  }

  /** `https://<api>.execute-api.<region>.amazonaws.com/v1/loan`. */
  get invokeUrl(): string {
    return `${this.stage.invokeUrl}/${PREDICT_RESOURCE}`;
  }
}

/** Fields of every access log line, one JSON object per request ("API Gateway mapping template and access logging variable reference"). */
const ACCESS_LOG_FORMAT = {
  requestId: '$context.requestId',
  // A client may choose its requestId (a UUID in x-amzn-RequestId); the extended id is API Gateway's
  // alone ("Access logging for REST APIs").
  extendedRequestId: '$context.extendedRequestId',
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
