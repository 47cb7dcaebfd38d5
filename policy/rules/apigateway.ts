import { StackIndex, blocks, list } from '../graph';
import { RuleDefinition, TfElement } from '../types';

const METHOD = ['aws_api_gateway_method'];
const STAGE = ['aws_api_gateway_stage'];
const METHOD_SETTINGS = ['aws_api_gateway_method_settings'];
const GATEWAY_RESPONSE = ['aws_api_gateway_gateway_response'];

// Stated here rather than imported from the API contract: the baseline is what the stacks are checked
// against. A gateway response template is not processed by VTL, so nothing in it can be escaped
// ("x-amazon-apigateway-gateway-responses.responseTemplates object"); these two variables stay JSON
// where they are placed: the request id is a UUID ("Access logging for REST APIs") and goes inside
// quotes, the message string is already a quoted string and goes bare.
const SAFE_TEMPLATE_VARIABLES: Record<string, 'quoted' | 'bare'> = {
  '$context.requestId': 'quoted',
  '$context.error.messageString': 'bare',
};
const TEMPLATE_VARIABLE = /\$(?:context|input|util|stageVariables)(?:\.[A-Za-z_]\w*)*/g;

/** What is wrong with the variables of one template: unsafe variables, or safe ones in the wrong place. */
function templateProblems(template: string): string[] {
  return [...template.matchAll(TEMPLATE_VARIABLE)].flatMap((match) => {
    const variable = match[0];
    const placement = SAFE_TEMPLATE_VARIABLES[variable];
    if (placement === undefined) return [`${variable} (not documented as JSON-safe)`];
    const quoted = template[match.index - 1] === '"' && template[match.index + variable.length] === '"';
    return quoted === (placement === 'quoted') ? [] : [`${variable} ${placement === 'quoted' ? 'outside' : 'inside'} quotes`];
  });
}

/** CORS preflight methods carry no data and cannot send a token. */
const isPreflight = (method: TfElement): boolean => method.body.http_method === 'OPTIONS';

/** The referenced element of `type` behind an attribute, or 'external' when it is set but defined elsewhere. */
function target(value: unknown, type: string, stack: StackIndex): TfElement | 'external' | undefined {
  if (value === undefined) return undefined;
  return stack.referencedBy(value).find((e) => e.type === type) ?? 'external';
}

const settingsOf = (ms: TfElement): Record<string, unknown> => blocks(ms.body, 'settings')[0] ?? {};

/** Method settings that apply to every method of a stage (method_path "*\/*"). */
function stageWideSettings(stage: TfElement, stack: StackIndex): Record<string, unknown>[] {
  return stack
    .ofType('aws_api_gateway_method_settings')
    .filter((ms) => stack.referencedBy(ms.body.stage_name).includes(stage) || ms.body.stage_name === stage.body.stage_name)
    .filter((ms) => ms.body.method_path === '*/*')
    .map(settingsOf);
}

export const apiGatewayRules: RuleDefinition[] = [
  {
    name: 'ApiGatewayCognitoAuthorizer',
    mirrors: ['AwsSolutions-APIG4', 'AwsSolutions-COG4', 'CKV_AWS_59'],
    severity: 'error',
    description: 'API Gateway method requires a Cognito user pool authorizer (OPTIONS excepted)',
    rationale: 'Only callers holding a token from our user pool reach the Lambda and the warehouse',
    fix: 'set authorization = "COGNITO_USER_POOLS" and authorizer_id to the Cognito authorizer',
    appliesTo: METHOD,
    check(method, stack) {
      if (isPreflight(method)) return undefined;
      if (method.body.authorization !== 'COGNITO_USER_POOLS') return `authorization is ${String(method.body.authorization)}`;
      const authorizer = target(method.body.authorizer_id, 'aws_api_gateway_authorizer', stack);
      if (authorizer === undefined) return 'authorizer_id is not set';
      return authorizer !== 'external' && authorizer.body.type !== 'COGNITO_USER_POOLS' ? 'the authorizer is not COGNITO_USER_POOLS' : undefined;
    },
  },
  {
    name: 'ApiGatewayRequestValidation',
    mirrors: ['AwsSolutions-APIG2'],
    severity: 'error',
    description: 'API Gateway method validates the request body and parameters (OPTIONS excepted)',
    rationale: 'Malformed requests are rejected at the gateway, before they cost a Lambda invocation or a query',
    fix: 'set request_validator_id to an aws_api_gateway_request_validator with validate_request_body and validate_request_parameters true',
    appliesTo: METHOD,
    check(method, stack) {
      if (isPreflight(method)) return undefined;
      const validator = target(method.body.request_validator_id, 'aws_api_gateway_request_validator', stack);
      if (validator === undefined) return 'no request validator';
      const full = validator === 'external' || (validator.body.validate_request_body === true && validator.body.validate_request_parameters === true);
      return full ? undefined : 'the validator does not check both body and parameters';
    },
  },
  {
    name: 'ApiGatewayStageAccessLogging',
    mirrors: ['CKV_AWS_76', 'AwsSolutions-APIG1'],
    severity: 'error',
    description: 'API Gateway stage writes access logs in a JSON format',
    rationale: 'Every request is traced to a caller, status and latency for audit and incident response',
    fix: 'set access_log_settings { destination_arn = <log group ARN>, format = jsonencode({...$context fields}) }',
    appliesTo: STAGE,
    check(stage) {
      const settings = blocks(stage.body, 'access_log_settings')[0];
      if (!settings?.destination_arn) return 'access logging is off';
      const format = String(settings.format ?? '').trim();
      return format.startsWith('{') && format.endsWith('}') ? undefined : 'the access log format is not JSON';
    },
  },
  {
    name: 'ApiGatewayStageTracing',
    mirrors: ['CKV_AWS_73'],
    severity: 'error',
    description: 'API Gateway stage has X-Ray tracing enabled',
    rationale: 'Traces show where a request failed or slowed down between the gateway and the Lambda',
    fix: 'set xray_tracing_enabled = true',
    appliesTo: STAGE,
    check: (stage) => (stage.body.xray_tracing_enabled === true ? undefined : 'xray_tracing_enabled is not true'),
  },
  {
    name: 'ApiGatewayStageMetricsAndLogging',
    mirrors: ['AwsSolutions-APIG6', 'CKV2_AWS_4'],
    severity: 'error',
    description: 'API Gateway stage has method settings for */* with metrics and INFO or ERROR logging',
    rationale: 'Per-method metrics and execution logs show errors and throttling as they happen',
    fix: 'add aws_api_gateway_method_settings for the stage: method_path "*/*", metrics_enabled true, logging_level "INFO" or "ERROR"',
    appliesTo: STAGE,
    check(stage, stack) {
      const settings = stageWideSettings(stage, stack);
      if (settings.length === 0) return 'no */* method settings reference this stage';
      const good = settings.some((s) => s.metrics_enabled === true && ['INFO', 'ERROR'].includes(String(s.logging_level)));
      return good ? undefined : 'metrics_enabled or logging_level (INFO/ERROR) missing';
    },
  },
  {
    name: 'ApiGatewayNoDataTrace',
    mirrors: [],
    severity: 'error',
    description: 'API Gateway method settings keep data tracing off (it logs full request and response bodies)',
    rationale: 'Data tracing writes full request and response bodies (applicant data, tokens) to CloudWatch Logs',
    fix: 'set settings.data_trace_enabled = false',
    appliesTo: METHOD_SETTINGS,
    check: (ms) => (settingsOf(ms).data_trace_enabled === true ? 'data_trace_enabled is true' : undefined),
  },
  {
    name: 'ApiGatewayThrottling',
    mirrors: [],
    severity: 'error',
    description: 'API Gateway method settings set throttling (rate and burst limits)',
    rationale: 'Rate and burst limits bound the load and cost any caller can cause',
    fix: 'set settings.throttling_rate_limit and settings.throttling_burst_limit to positive numbers',
    appliesTo: METHOD_SETTINGS,
    check(ms) {
      const s = settingsOf(ms);
      const unset = ['throttling_rate_limit', 'throttling_burst_limit'].filter((key) => !(Number(s[key] ?? -1) > 0));
      return unset.length > 0 ? `${unset.join(' and ')} not set` : undefined;
    },
  },
  {
    name: 'ApiGatewayCacheEncrypted',
    mirrors: ['CKV_AWS_308'],
    severity: 'error',
    description: 'API Gateway response cache, when enabled, is encrypted',
    rationale: 'Cached responses hold prediction data and must be encrypted at rest like the rest of it',
    fix: 'set settings.cache_data_encrypted = true',
    appliesTo: METHOD_SETTINGS,
    check(ms) {
      const s = settingsOf(ms);
      return s.caching_enabled === true && s.cache_data_encrypted !== true ? 'the cache is not encrypted' : undefined;
    },
  },
  {
    name: 'ApiGatewayDeploymentCreateBeforeDestroy',
    mirrors: [],
    severity: 'warning',
    description: 'API Gateway deployment is created before the old one is destroyed (no outage on change)',
    rationale: 'Replacing the deployment in place can leave the stage without one, and the API down, until the new one exists',
    fix: 'set lifecycle { create_before_destroy = true } and triggers on the API definition',
    appliesTo: ['aws_api_gateway_deployment'],
    check: (deployment) =>
      blocks(deployment.body, 'lifecycle').some((l) => l.create_before_destroy === true) ? undefined : 'create_before_destroy is not set',
  },
  {
    name: 'ApiGatewayOAuthScopes',
    mirrors: [],
    severity: 'warning',
    description: 'Cognito-authorized API Gateway method requires OAuth scopes (access tokens, not ID tokens)',
    rationale: 'Without scopes any ID token of the pool is accepted, not only access tokens granted the API scope',
    fix: 'set authorization_scopes, e.g. ["<resource server>/predict"]',
    appliesTo: METHOD,
    check: (method) =>
      method.body.authorization === 'COGNITO_USER_POOLS' && list(method.body.authorization_scopes).length === 0
        ? 'no authorization_scopes: any ID token of the pool is accepted'
        : undefined,
  },
  {
    name: 'ApiGatewayFallbackResponseNoStatus',
    mirrors: [],
    severity: 'error',
    description: 'API Gateway DEFAULT_4XX and DEFAULT_5XX gateway responses set no status code',
    rationale:
      'A status on a fallback response changes the status of every other 4XX or 5XX response: a WAF block (403) or a timeout (504) would reach clients with that status',
    fix: 'remove status_code from the DEFAULT_4XX / DEFAULT_5XX aws_api_gateway_gateway_response; template only its body',
    appliesTo: GATEWAY_RESPONSE,
    check: (response) =>
      ['DEFAULT_4XX', 'DEFAULT_5XX'].includes(String(response.body.response_type)) && response.body.status_code !== undefined
        ? `${String(response.body.response_type)} sets status_code ${String(response.body.status_code)}`
        : undefined,
  },
  {
    name: 'ApiGatewayResponseTemplateVariables',
    mirrors: [],
    severity: 'error',
    description:
      'API Gateway gateway response templates use only $context.requestId inside quotes and $context.error.messageString bare',
    rationale:
      'Templates are not escaped: a variable whose value may hold a quote (e.g. $context.error.validationErrorString) turns the JSON error body into invalid JSON',
    fix: 'use only "$context.requestId" and $context.error.messageString (unquoted) in response_templates',
    appliesTo: GATEWAY_RESPONSE,
    check(response) {
      const templates = response.body.response_templates;
      const problems = Object.values(typeof templates === 'object' && templates !== null ? templates : {}).flatMap((t) => templateProblems(String(t)));
      return problems.length > 0 ? `unsafe template variables: ${problems.join(', ')}` : undefined;
    },
  },
];
