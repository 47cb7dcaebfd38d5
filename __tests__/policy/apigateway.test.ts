/** The apigateway rules against a compliant fixture and one violation each (harness: helpers/policy-fixtures.ts). */
import { ApiGatewayAuthorizer } from '@cdktf/provider-aws/lib/api-gateway-authorizer';
import { ApiGatewayDeployment } from '@cdktf/provider-aws/lib/api-gateway-deployment';
import { ApiGatewayMethod } from '@cdktf/provider-aws/lib/api-gateway-method';
import { ApiGatewayMethodSettings } from '@cdktf/provider-aws/lib/api-gateway-method-settings';
import { ApiGatewayRequestValidator } from '@cdktf/provider-aws/lib/api-gateway-request-validator';
import { ApiGatewayResource } from '@cdktf/provider-aws/lib/api-gateway-resource';
import { ApiGatewayRestApi } from '@cdktf/provider-aws/lib/api-gateway-rest-api';
import { ApiGatewayStage } from '@cdktf/provider-aws/lib/api-gateway-stage';
import { Construct } from 'constructs';
import { apiGatewayRules } from '../../policy/rules/apigateway';
import { Parts, RuleCase, testRules } from '../helpers/policy-fixtures';

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
];

testRules('apiGateway', apiGatewayRules, apiGateway, CASES);
