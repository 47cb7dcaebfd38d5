/** The apigateway rules against a compliant fixture and one violation each (harness: helpers/policy-fixtures.ts). */
import { ApiGatewayAuthorizer } from '@cdktf/provider-aws/lib/api-gateway-authorizer';
import { ApiGatewayDeployment } from '@cdktf/provider-aws/lib/api-gateway-deployment';
import { ApiGatewayGatewayResponse } from '@cdktf/provider-aws/lib/api-gateway-gateway-response';
import { ApiGatewayMethod } from '@cdktf/provider-aws/lib/api-gateway-method';
import { ApiGatewayMethodSettings } from '@cdktf/provider-aws/lib/api-gateway-method-settings';
import { ApiGatewayRequestValidator } from '@cdktf/provider-aws/lib/api-gateway-request-validator';
import { ApiGatewayResource } from '@cdktf/provider-aws/lib/api-gateway-resource';
import { ApiGatewayRestApi } from '@cdktf/provider-aws/lib/api-gateway-rest-api';
import { ApiGatewayStage } from '@cdktf/provider-aws/lib/api-gateway-stage';
import { Construct } from 'constructs';
import { apiGatewayRules } from '../../policy/rules/apigateway';
import { RuleId } from '../../policy/rule-ids';
import { findings as failingFindings, Parts, RuleCase, testRules } from '../helpers/policy-fixtures';

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
  const fallback = new ApiGatewayGatewayResponse(scope, 'fallback', {
    restApiId: api.id,
    responseType: 'DEFAULT_5XX',
    responseTemplates: { 'application/json': '{"error": $context.error.messageString, "requestId": "$context.requestId"}' },
  });
  const unauthorized = new ApiGatewayGatewayResponse(scope, 'unauthorized', {
    restApiId: api.id,
    responseType: 'UNAUTHORIZED',
    statusCode: '401',
    responseTemplates: { 'application/json': '{"error": "No token", "requestId": "$context.requestId"}' },
  });
  return { post, options, deployment, stage, settings, fallback, unauthorized };
}

const CASES: RuleCase[] = [
  { rule: 'LR-APIGW-001', violate: (p) => p.post.addOverride('authorization', 'NONE'), at: 'aws_api_gateway_method.post' },
  { rule: 'LR-APIGW-002', violate: (p) => p.post.addOverride('request_validator_id', undefined), at: 'aws_api_gateway_method.post' },
  {
    rule: 'LR-APIGW-003',
    violate: (p) => p.stage.addOverride('access_log_settings.format', '$context.requestId $context.status'),
    at: 'aws_api_gateway_stage.stage',
  },
  { rule: 'LR-APIGW-004', violate: (p) => p.stage.addOverride('xray_tracing_enabled', false), at: 'aws_api_gateway_stage.stage' },
  { rule: 'LR-APIGW-005', violate: (p) => p.settings.addOverride('settings.logging_level', 'OFF'), at: 'aws_api_gateway_stage.stage' },
  {
    rule: 'LR-APIGW-006',
    violate: (p) => p.settings.addOverride('settings.data_trace_enabled', true),
    at: 'aws_api_gateway_method_settings.settings',
  },
  {
    rule: 'LR-APIGW-007',
    violate: (p) => p.settings.addOverride('settings.throttling_rate_limit', undefined),
    at: 'aws_api_gateway_method_settings.settings',
  },
  {
    rule: 'LR-APIGW-008',
    violate: (p) => p.settings.addOverride('settings.caching_enabled', true),
    at: 'aws_api_gateway_method_settings.settings',
  },
  {
    rule: 'LR-APIGW-009',
    violate: (p) => p.deployment.addOverride('lifecycle.create_before_destroy', false),
    at: 'aws_api_gateway_deployment.deployment',
  },
  { rule: 'LR-APIGW-010', violate: (p) => p.post.addOverride('authorization_scopes', undefined), at: 'aws_api_gateway_method.post' },
  { rule: 'LR-APIGW-011', violate: (p) => p.fallback.addOverride('status_code', '500'), at: 'aws_api_gateway_gateway_response.fallback' },
  {
    rule: 'LR-APIGW-012',
    violate: (p) =>
      p.unauthorized.addOverride('response_templates', {
        'application/json': '{"error": "bad", "details": "$context.error.validationErrorString", "requestId": "$context.requestId"}',
      }),
    at: 'aws_api_gateway_gateway_response.unauthorized',
  },
];

testRules('apiGateway', apiGatewayRules, apiGateway, CASES);

describe('the edges of each rule', () => {
  const findings = (rule: RuleId, change: (p: Parts) => void) => failingFindings(apiGatewayRules, apiGateway, rule, change);
  const POST = 'aws_api_gateway_method.post';
  const STAGE = 'aws_api_gateway_stage.stage';
  const SETTINGS = 'aws_api_gateway_method_settings.settings';
  const scopeOf = (p: Parts): Construct => p.post.node.scope as Construct;

  test('LR-APIGW-001: needs a Cognito authorizer, set and (when defined here) of type COGNITO_USER_POOLS', () => {
    expect(findings('LR-APIGW-001', (p) => p.post.addOverride('authorization', 'NONE'))).toEqual([`${POST}: authorization is NONE`]);
    expect(findings('LR-APIGW-001', (p) => p.post.addOverride('authorizer_id', undefined))).toEqual([`${POST}: authorizer_id is not set`]);
    const lambdaAuthorizer = (p: Parts) =>
      p.post.addOverride('authorizer_id', new ApiGatewayAuthorizer(scopeOf(p), 'token', { restApiId: 'api', name: 'token', type: 'TOKEN' }).id);
    expect(findings('LR-APIGW-001', lambdaAuthorizer)).toEqual([`${POST}: the authorizer is not COGNITO_USER_POOLS`]);
    expect(findings('LR-APIGW-001', (p) => p.post.addOverride('authorizer_id', 'abc123'))).toEqual([]);
    // A reference to something that is not an authorizer names none of this stack's: defined elsewhere.
    expect(findings('LR-APIGW-001', (p) => p.post.addOverride('authorizer_id', '${aws_api_gateway_request_validator.validator.id}'))).toEqual([]);
  });

  test('LR-APIGW-002: the validator must check body and parameters, unless it is defined elsewhere', () => {
    expect(findings('LR-APIGW-002', (p) => p.post.addOverride('request_validator_id', undefined))).toEqual([`${POST}: no request validator`]);
    const partial = (body: boolean, parameters: boolean) => (p: Parts) =>
      p.post.addOverride(
        'request_validator_id',
        new ApiGatewayRequestValidator(scopeOf(p), 'partial', {
          restApiId: 'api',
          name: 'partial',
          validateRequestBody: body,
          validateRequestParameters: parameters,
        }).id,
      );
    const notBoth = [`${POST}: the validator does not check both body and parameters`];
    expect(findings('LR-APIGW-002', partial(true, false))).toEqual(notBoth);
    expect(findings('LR-APIGW-002', partial(false, true))).toEqual(notBoth);
    expect(findings('LR-APIGW-002', (p) => p.post.addOverride('request_validator_id', 'v1'))).toEqual([]);
  });

  test('LR-APIGW-003: access logs go somewhere, as a JSON object', () => {
    expect(findings('LR-APIGW-003', (p) => p.stage.addOverride('access_log_settings', undefined))).toEqual([`${STAGE}: access logging is off`]);
    const notJson = [`${STAGE}: the access log format is not JSON`];
    expect(findings('LR-APIGW-003', (p) => p.stage.addOverride('access_log_settings.format', '{"requestId": "$context.requestId"'))).toEqual(notJson);
    expect(findings('LR-APIGW-003', (p) => p.stage.addOverride('access_log_settings.format', '"requestId": 1}'))).toEqual(notJson);
    expect(findings('LR-APIGW-003', (p) => p.stage.addOverride('access_log_settings.format', '  {"requestId": "$context.requestId"}\n'))).toEqual([]);
  });

  test('LR-APIGW-005: stage-wide settings are found by stage name too, and only */* settings count', () => {
    const none = [`${STAGE}: no */* method settings reference this stage`];
    expect(findings('LR-APIGW-005', (p) => p.settings.addOverride('method_path', 'predict/POST'))).toEqual(none);
    expect(findings('LR-APIGW-005', (p) => p.settings.addOverride('stage_name', 'v1'))).toEqual([]);
    expect(findings('LR-APIGW-005', (p) => p.settings.addOverride('stage_name', 'v2'))).toEqual(none);
    const missing = [`${STAGE}: metrics_enabled or logging_level (INFO/ERROR) missing`];
    expect(findings('LR-APIGW-005', (p) => p.settings.addOverride('settings.metrics_enabled', false))).toEqual(missing);
    expect(findings('LR-APIGW-005', (p) => p.settings.addOverride('settings.logging_level', 'ERROR'))).toEqual([]);
    const second = (p: Parts) =>
      new ApiGatewayMethodSettings(scopeOf(p), 'quiet', { restApiId: 'api', stageName: 'v1', methodPath: '*/*', settings: { metricsEnabled: false } });
    expect(findings('LR-APIGW-005', second)).toEqual([]);
  });

  test('LR-APIGW-007/008: names each missing throttle; a cache must be encrypted only when caching is on', () => {
    const unset = (p: Parts) => {
      p.settings.addOverride('settings.throttling_rate_limit', 0);
      p.settings.addOverride('settings.throttling_burst_limit', undefined);
    };
    expect(findings('LR-APIGW-007', unset)).toEqual([`${SETTINGS}: throttling_rate_limit and throttling_burst_limit not set`]);
    expect(findings('LR-APIGW-008', (p) => p.settings.addOverride('settings.caching_enabled', true))).toEqual([`${SETTINGS}: the cache is not encrypted`]);
    const encrypted = (p: Parts) => {
      p.settings.addOverride('settings.caching_enabled', true);
      p.settings.addOverride('settings.cache_data_encrypted', true);
    };
    expect(findings('LR-APIGW-008', encrypted)).toEqual([]);
    expect(findings('LR-APIGW-008', (p) => p.settings.addOverride('settings.cache_data_encrypted', false))).toEqual([]);
  });

  test('LR-APIGW-009/010: create_before_destroy; scopes only for Cognito-authorized methods', () => {
    expect(findings('LR-APIGW-009', (p) => p.deployment.addOverride('lifecycle', undefined))).toEqual([
      'aws_api_gateway_deployment.deployment: create_before_destroy is not set',
    ]);
    expect(findings('LR-APIGW-010', (p) => p.post.addOverride('authorization_scopes', undefined))).toEqual([
      `${POST}: no authorization_scopes: any ID token of the pool is accepted`,
    ]);
    const iam = (p: Parts) => {
      p.post.addOverride('authorization', 'AWS_IAM');
      p.post.addOverride('authorization_scopes', undefined);
    };
    expect(findings('LR-APIGW-010', iam)).toEqual([]);
  });

  test('LR-APIGW-011: a status on DEFAULT_4XX or DEFAULT_5XX fails; on any other type it is fine', () => {
    const RESPONSE = 'aws_api_gateway_gateway_response.fallback';
    expect(findings('LR-APIGW-011', (p) => p.fallback.addOverride('status_code', '500'))).toEqual([`${RESPONSE}: DEFAULT_5XX sets status_code 500`]);
    const fourXx = (p: Parts) => {
      p.fallback.addOverride('response_type', 'DEFAULT_4XX');
      p.fallback.addOverride('status_code', '400');
    };
    expect(findings('LR-APIGW-011', fourXx)).toEqual([`${RESPONSE}: DEFAULT_4XX sets status_code 400`]);
    expect(findings('LR-APIGW-011', (p) => p.unauthorized.addOverride('status_code', '403'))).toEqual([]);
  });

  test('LR-APIGW-012: only "$context.requestId" (quoted) and a bare $context.error.messageString', () => {
    const RESPONSE = 'aws_api_gateway_gateway_response.unauthorized';
    const template = (text: string) => (p: Parts) => p.unauthorized.addOverride('response_templates', { 'application/json': text });
    expect(findings('LR-APIGW-012', template('{"details": "$context.error.validationErrorString"}'))).toEqual([
      `${RESPONSE}: unsafe template variables: $context.error.validationErrorString (not documented as JSON-safe)`,
    ]);
    expect(findings('LR-APIGW-012', template('{"requestId": $context.requestId}'))).toEqual([
      `${RESPONSE}: unsafe template variables: $context.requestId outside quotes`,
    ]);
    expect(findings('LR-APIGW-012', template('{"error": "$context.error.messageString"}'))).toEqual([
      `${RESPONSE}: unsafe template variables: $context.error.messageString inside quotes`,
    ]);
    expect(findings('LR-APIGW-012', template('{"error": "$context.error.message", "path": "$input.path(\'$\')"}'))).toEqual([
      `${RESPONSE}: unsafe template variables: $context.error.message (not documented as JSON-safe), $input.path (not documented as JSON-safe)`,
    ]);
    expect(findings('LR-APIGW-012', template('{"error": $context.error.messageString, "requestId": "$context.requestId"}'))).toEqual([]);
  });
});
