import './helpers/cdktf-matchers';
import { ApiGatewayAccount } from '@cdktf/provider-aws/lib/api-gateway-account';
import { ApiGatewayAuthorizer } from '@cdktf/provider-aws/lib/api-gateway-authorizer';
import { ApiGatewayDeployment } from '@cdktf/provider-aws/lib/api-gateway-deployment';
import { ApiGatewayGatewayResponse } from '@cdktf/provider-aws/lib/api-gateway-gateway-response';
import { ApiGatewayIntegration } from '@cdktf/provider-aws/lib/api-gateway-integration';
import { ApiGatewayMethod } from '@cdktf/provider-aws/lib/api-gateway-method';
import { ApiGatewayMethodSettings } from '@cdktf/provider-aws/lib/api-gateway-method-settings';
import { ApiGatewayModel } from '@cdktf/provider-aws/lib/api-gateway-model';
import { ApiGatewayRequestValidator } from '@cdktf/provider-aws/lib/api-gateway-request-validator';
import { ApiGatewayStage } from '@cdktf/provider-aws/lib/api-gateway-stage';
import { CloudwatchDashboard } from '@cdktf/provider-aws/lib/cloudwatch-dashboard';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { CognitoResourceServer } from '@cdktf/provider-aws/lib/cognito-resource-server';
import { CognitoUserPool } from '@cdktf/provider-aws/lib/cognito-user-pool';
import { CognitoUserPoolClient } from '@cdktf/provider-aws/lib/cognito-user-pool-client';
import { CognitoUserPoolDomain } from '@cdktf/provider-aws/lib/cognito-user-pool-domain';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';
import { App } from 'cdktf';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { GATEWAY_ERRORS, JSON_RESPONSE_HEADERS } from '../lambda-src/api-contract';
import { loadHandlerConfig } from '../lambda-src/config';
import { LAMBDA_RESERVE_MS } from '../lambda-src/prediction-handler';
import { requestBodyJsonSchema } from '../lambda-src/request-schema';
import { deadlineForTimeout } from '../stacks/api-stack';
import { ALARMS } from '../stacks/constructs/api-monitoring';
import { STAGE_NAME, gatewayResponseTemplate } from '../stacks/constructs/prediction-rest-api';
import { buildStacks } from '../stacks/app';
import { API_LAMBDA_TIMEOUT_BOUNDS, ConfigError, loadConfig } from '../stacks/config';
import { parse } from './helpers/synth';

jest.setTimeout(60_000);

/** Synthesizes the whole app, as `cdktf synth` does, so references to the redshift stack become remote state. */
function synthApi(env: Record<string, string> = {}) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'api-stack-'));
  const app = new App({ outdir });
  buildStacks(app, loadConfig(env));
  app.synth();
  const json = fs.readFileSync(path.join(outdir, 'stacks', 'api', 'cdk.tf.json'), 'utf8');
  fs.rmSync(outdir, { recursive: true, force: true });
  const parsed = parse(json);
  const resource = (type: string, name: string) => parsed.resource[type][name];
  const fn = Object.values(parsed.resource.aws_lambda_function)[0];
  return { json, parsed, resource, fn };
}

const redshift = (output: string) =>
  `\${data.terraform_remote_state.cross-stack-reference-input-redshift.outputs.cross-stack-output-${output}}`;
const scope = '${aws_cognito_resource_server.resource-server.identifier}/predict';

describe('api stack with the default configuration', () => {
  const { json, parsed, resource, fn } = synthApi();

  describe('the Lambda', () => {
    test('reads the warehouse from the redshift stack through remote state', () => {
      expect(json).toHaveResourceWithProperties(LambdaFunction, {
        environment: {
          variables: expect.objectContaining({
            WORKGROUP_NAME: redshift('aws_redshiftserverless_workgroupworkgroupworkgroup_name'),
            DATABASE_NAME: redshift('aws_redshiftserverless_namespacenamespacedb_name'),
            TABLE_NAME: redshift('localqualified_table'),
            PREDICTION_FUNCTION: redshift('localqualified_prediction_function'),
          }),
        },
      });
    });

    test('is Node 22 on arm64, traced, with memory, timeout and concurrency from config and its own log group', () => {
      expect(json).toHaveResourceWithProperties(LambdaFunction, {
        runtime: 'nodejs22.x',
        architectures: ['arm64'],
        memory_size: 256,
        timeout: 28,
        reserved_concurrent_executions: 10,
        tracing_config: { mode: 'Active' },
        kms_key_arn: '${aws_kms_key.key.arn}',
      });
      expect((fn.logging_config as { log_group: string }).log_group).toMatch(/^\$\{aws_cloudwatch_log_group\.prediction_log-group/);
      expect(fn).not.toHaveProperty('vpc_config');
    });

    test('its role can run statements on the workgroup and follow only its own statements and sessions; no managed policies', () => {
      const workgroupArn = redshift('aws_redshiftserverless_workgroupworkgrouparn');
      expect(json).toHaveDataSourceWithProperties(DataAwsIamPolicyDocument, {
        statement: [
          { sid: 'RunPredictionsOnTheWorkgroup', actions: ['redshift-data:ExecuteStatement'], resources: [workgroupArn] },
          {
            sid: 'ReuseOwnSessionsOnly',
            actions: ['redshift-data:ExecuteStatement'],
            resources: ['*'],
            condition: [{ test: 'StringEquals', variable: 'redshift-data:session-owner-iam-userid', values: ['$${aws:userid}'] }],
          },
          { sid: 'LogInAsItsOwnDatabaseUser', actions: ['redshift-serverless:GetCredentials'], resources: [workgroupArn] },
          {
            sid: 'FollowOwnStatementsOnly',
            actions: ['redshift-data:DescribeStatement', 'redshift-data:GetStatementResult', 'redshift-data:CancelStatement'],
            resources: ['*'],
            condition: [{ test: 'StringEquals', variable: 'redshift-data:statement-owner-iam-userid', values: ['$${aws:userid}'] }],
          },
          { sid: 'DecryptOwnEnvironment', actions: ['kms:Decrypt'], resources: ['${aws_kms_key.key.arn}'] },
        ],
      });
      expect(json).not.toHaveResource(IamRolePolicyAttachment);
    });

    test('DEADLINE_MS follows the timeout, leaves the handler its reserve and is accepted by the handler, for every timeout', () => {
      expect(fn.environment).toEqual({ variables: expect.objectContaining({ DEADLINE_MS: String(deadlineForTimeout(28)) }) });
      for (let timeout = API_LAMBDA_TIMEOUT_BOUNDS.min; timeout <= API_LAMBDA_TIMEOUT_BOUNDS.max; timeout++) {
        const deadline = deadlineForTimeout(timeout);
        expect(deadline + LAMBDA_RESERVE_MS).toBeLessThanOrEqual(timeout * 1000);
        const env = {
          WORKGROUP_NAME: 'loan-dev',
          DATABASE_NAME: 'loans',
          TABLE_NAME: 'public.t',
          PREDICTION_FUNCTION: 'public.f',
          DEADLINE_MS: String(deadline),
        };
        expect(loadHandlerConfig(env).deadlineMs).toBe(deadline);
      }
    });
  });

  describe('Cognito', () => {
    test('no self sign-up, strong passwords, optional TOTP and no deletion protection outside prod', () => {
      expect(json).toHaveResourceWithProperties(CognitoUserPool, {
        admin_create_user_config: { allow_admin_create_user_only: true },
        password_policy: expect.objectContaining({
          minimum_length: 14,
          require_lowercase: true,
          require_uppercase: true,
          require_numbers: true,
          require_symbols: true,
        }),
        mfa_configuration: 'OPTIONAL',
        software_token_mfa_configuration: { enabled: true },
        deletion_protection: 'INACTIVE',
      });
    });

    test('a hosted domain that includes the account id, and a resource server with the predict scope', () => {
      expect(json).toHaveResourceWithProperties(CognitoUserPoolDomain, {
        domain: 'loan-remediation-dev-${data.aws_caller_identity.account.account_id}',
      });
      expect(json).toHaveResourceWithProperties(CognitoResourceServer, {
        identifier: 'loan-remediation-dev-api',
        scope: [expect.objectContaining({ scope_name: 'predict' })],
      });
    });

    test('machine client: client credentials with a secret; people client: code flow, no secret, callbacks from config', () => {
      expect(json).toHaveResourceWithProperties(CognitoUserPoolClient, {
        name: 'loan-remediation-dev-machine',
        generate_secret: true,
        allowed_oauth_flows: ['client_credentials'],
        allowed_oauth_scopes: [scope],
        prevent_user_existence_errors: 'ENABLED',
        access_token_validity: 60,
        token_validity_units: [{ access_token: 'minutes', id_token: 'minutes', refresh_token: 'hours' }],
      });
      expect(json).toHaveResourceWithProperties(CognitoUserPoolClient, {
        name: 'loan-remediation-dev-people',
        generate_secret: false,
        allowed_oauth_flows: ['code'],
        allowed_oauth_scopes: ['openid', 'email', scope],
        callback_urls: ['http://localhost:8080/callback'],
        prevent_user_existence_errors: 'ENABLED',
      });
    });
  });

  describe('POST /loan', () => {
    test('requires a Cognito access token with the predict scope and validates the body', () => {
      expect(json).toHaveResourceWithProperties(ApiGatewayAuthorizer, {
        type: 'COGNITO_USER_POOLS',
        provider_arns: ['${aws_cognito_user_pool.user-pool.arn}'],
      });
      expect(json).toHaveResourceWithProperties(ApiGatewayMethod, {
        http_method: 'POST',
        authorization: 'COGNITO_USER_POOLS',
        authorizer_id: '${aws_api_gateway_authorizer.cognito-authorizer.id}',
        authorization_scopes: [scope],
        request_validator_id: '${aws_api_gateway_request_validator.request-validator.id}',
        request_models: { 'application/json': '${aws_api_gateway_model.loan-request-model.name}' },
      });
      expect(json).toHaveResourceWithProperties(ApiGatewayRequestValidator, { validate_request_body: true, validate_request_parameters: true });
    });

    test("the deployed request model is the Lambda's schema", () => {
      const model = resource('aws_api_gateway_model', 'loan-request-model');
      expect(JSON.parse(String(model.schema))).toEqual(requestBodyJsonSchema());
      expect(json).toHaveResourceWithProperties(ApiGatewayModel, { content_type: 'application/json' });
    });

    test('proxies to the Lambda, which only this method may invoke', () => {
      expect(json).toHaveResourceWithProperties(ApiGatewayIntegration, {
        type: 'AWS_PROXY',
        integration_http_method: 'POST',
        uri: '${aws_lambda_function.prediction_function_797FC47E.invoke_arn}',
      });
      expect(json).toHaveResourceWithProperties(LambdaPermission, {
        principal: 'apigateway.amazonaws.com',
        source_arn: '${aws_api_gateway_rest_api.rest-api.execution_arn}/*/POST/loan',
      });
    });

    test.each(Object.entries(GATEWAY_ERRORS))('API Gateway answers %s with a JSON body and the JSON headers', (type, answer) => {
      expect(json).toHaveResourceWithProperties(ApiGatewayGatewayResponse, {
        response_type: type,
        status_code: String(answer.statusCode),
        response_templates: { 'application/json': gatewayResponseTemplate(type as keyof typeof GATEWAY_ERRORS) },
        response_parameters: Object.fromEntries(
          Object.entries(JSON_RESPONSE_HEADERS).map(([header, value]) => [`gatewayresponse.header.${header}`, `'${value}'`]),
        ),
      });
    });

    test('gateway response templates are JSON once API Gateway substitutes the variables, and a bad body names the field', () => {
      for (const type of Object.keys(GATEWAY_ERRORS) as (keyof typeof GATEWAY_ERRORS)[]) {
        // What API Gateway renders: the $context values substituted (a validation message with its quotes escaped).
        const rendered = gatewayResponseTemplate(type)
          .replace('$context.error.validationErrorString', '[object has missing required properties ([\\"age\\"])]')
          .replace('$context.requestId', 'req-1');
        const body = JSON.parse(rendered) as Record<string, string>;
        expect(body).toMatchObject({ error: GATEWAY_ERRORS[type].error, requestId: 'req-1' });
        if (type === 'BAD_REQUEST_BODY') expect(body.details).toBe('[object has missing required properties (["age"])]');
      }
    });

    test('the deployment is replaced whenever the API changes, the new one before the old goes', () => {
      expect(json).toHaveResourceWithProperties(ApiGatewayDeployment, {
        lifecycle: { create_before_destroy: true },
        triggers: { redeployment: expect.stringMatching(/^\$\{sha1\(jsonencode\(\[.*aws_api_gateway_method\.loan-post\.id/) },
      });
    });

    test('a change to the request model or a gateway response changes the trigger', () => {
      const trigger = (synthesized: ReturnType<typeof synthApi>) =>
        String((synthesized.resource('aws_api_gateway_deployment', 'deployment').triggers as Record<string, string>).redeployment);
      const schemaModule = jest.requireActual('../lambda-src/request-schema') as { requestBodyJsonSchema: () => object };
      const original = schemaModule.requestBodyJsonSchema;
      const spy = jest.spyOn(schemaModule, 'requestBodyJsonSchema').mockImplementation(() => ({ ...original(), title: 'changed' }));
      try {
        expect(trigger(synthApi())).not.toBe(trigger({ json, parsed, resource, fn }));
      } finally {
        spy.mockRestore();
      }
    });

    test('the stage writes JSON access logs, traces, and throttles without data tracing', () => {
      expect(json).toHaveResourceWithProperties(ApiGatewayStage, {
        stage_name: STAGE_NAME,
        xray_tracing_enabled: true,
        access_log_settings: {
          destination_arn: '${aws_cloudwatch_log_group.access-log-group.arn}',
          format: expect.stringMatching(/^\{.*"requestId":"\$context\.requestId".*\}$/),
        },
      });
      expect(json).toHaveResourceWithProperties(ApiGatewayMethodSettings, {
        method_path: '*/*',
        settings: {
          metrics_enabled: true,
          logging_level: 'ERROR',
          data_trace_enabled: false,
          throttling_rate_limit: 50,
          throttling_burst_limit: 100,
        },
      });
    });

    test("API Gateway's account-wide CloudWatch role is not this stack's (the account stack sets it)", () => {
      expect(json).not.toHaveResource(ApiGatewayAccount);
    });
  });

  describe('alarms', () => {
    test('an encrypted topic, no e-mail subscription unless ALARM_EMAIL is set', () => {
      expect(json).toHaveResourceWithProperties(SnsTopic, { kms_master_key_id: '${aws_kms_key.key.arn}' });
      expect(json).not.toHaveResource(SnsTopicSubscription);
    });

    test.each([
      ['5XXError', 'AWS/ApiGateway', { statistic: 'Average', threshold: ALARMS.serverErrorRate }],
      ['Latency', 'AWS/ApiGateway', { extended_statistic: 'p99', threshold: ALARMS.p99LatencyMs }],
      ['Errors', 'AWS/Lambda', { statistic: 'Sum', threshold: 1 }],
      ['Throttles', 'AWS/Lambda', { statistic: 'Sum', threshold: 1 }],
    ])('%s of %s notifies the topic', (metricName, namespace, extra) => {
      expect(json).toHaveResourceWithProperties(CloudwatchMetricAlarm, {
        metric_name: metricName,
        namespace,
        alarm_actions: ['${aws_sns_topic.alarm-topic.arn}'],
        ...extra,
      });
    });

    test('a dashboard of the request path', () => {
      const body = String(resource('aws_cloudwatch_dashboard', 'dashboard').dashboard_body);
      for (const metric of ['Count', '5XXError', 'Latency', 'Invocations', 'Throttles', 'Duration']) expect(body).toContain(metric);
      expect(json).toHaveResource(CloudwatchDashboard);
    });
  });

  test('outputs what the commands, warehouse:setup and the waf stack read', () => {
    const outputs = Object.keys(parsed.output ?? {});
    // cdktf adds an output for each value another stack reads (the waf stack: the stage and the topic).
    expect(outputs.filter((name) => name.startsWith('cross-stack-output-')).sort()).toEqual([
      'cross-stack-output-aws_api_gateway_stagestagearn',
      'cross-stack-output-aws_sns_topicalarm-topicarn',
    ]);
    expect(outputs.filter((name) => !name.startsWith('cross-stack-output-')).sort()).toEqual(
      [
        'alarm_topic_arn',
        'invoke_url',
        'lambda_function_name',
        'lambda_role_name',
        'machine_client_id',
        'people_client_id',
        'predict_scope',
        'stage_arn',
        'token_endpoint',
        'user_pool_id',
      ].sort(),
    );
    expect(parsed.output?.lambda_role_name.value).toBe('${aws_iam_role.prediction_role_37B9E9CB.name}');
    expect(parsed.output?.token_endpoint.value).toBe(
      'https://${aws_cognito_user_pool_domain.user-pool-domain.domain}.auth.us-east-1.amazoncognito.com/oauth2/token',
    );
  });
});

describe('api stack settings', () => {
  test('prod requires MFA and protects the pool from deletion, with no suppression left', () => {
    const { json, resource } = synthApi({ ENVIRONMENT: 'prod' });
    expect(json).toHaveResourceWithProperties(CognitoUserPool, { mfa_configuration: 'ON', deletion_protection: 'ACTIVE' });
    expect(Object.keys((resource('aws_cognito_user_pool', 'user-pool')['//'] as { suppressions: object }).suppressions)).toEqual(['LR-COG-005']);
  });

  test('LAMBDA_IN_VPC=true puts the function in the private subnets with a redshift-data endpoint and ENI permissions', () => {
    const { json, fn } = synthApi({ LAMBDA_IN_VPC: 'true' });
    expect(fn.vpc_config).toEqual({
      subnet_ids: [1, 2, 3].map((i) => expect.stringContaining(`aws_subnetprivate-subnet-${i}id`)),
      security_group_ids: ['${aws_security_group.prediction-security-group.id}'],
    });
    expect(json).toHaveResourceWithProperties(VpcEndpoint, {
      service_name: 'com.amazonaws.us-east-1.redshift-data',
      vpc_endpoint_type: 'Interface',
      private_dns_enabled: true,
    });
    expect(fn.depends_on).toContain('aws_iam_role_policy.prediction-network-interfaces-policy');
    expect(((fn['//'] ?? {}) as { suppressions?: object }).suppressions).toBeUndefined();
  });

  test('memory, timeout, concurrency, throttling, callbacks and alarm e-mail come from config', () => {
    const { json } = synthApi({
      LAMBDA_MEMORY_MB: '512',
      LAMBDA_TIMEOUT_SECONDS: '10',
      LAMBDA_RESERVED_CONCURRENCY: '3',
      API_THROTTLE_RATE: '5',
      API_THROTTLE_BURST: '7',
      COGNITO_CALLBACK_URLS: 'https://app.example.com/cb, http://localhost:3000/cb',
      ALARM_EMAIL: 'ops@example.com',
    });
    expect(json).toHaveResourceWithProperties(LambdaFunction, {
      memory_size: 512,
      timeout: 10,
      reserved_concurrent_executions: 3,
      environment: { variables: expect.objectContaining({ DEADLINE_MS: '7000' }) },
    });
    expect(json).toHaveResourceWithProperties(ApiGatewayMethodSettings, {
      settings: expect.objectContaining({ throttling_rate_limit: 5, throttling_burst_limit: 7 }),
    });
    expect(json).toHaveResourceWithProperties(CognitoUserPoolClient, {
      callback_urls: ['https://app.example.com/cb', 'http://localhost:3000/cb'],
    });
    expect(json).toHaveResourceWithProperties(SnsTopicSubscription, { protocol: 'email', endpoint: 'ops@example.com' });
  });

  test.each([
    ['LAMBDA_TIMEOUT_SECONDS', '29', 'seconds from 5 to 28 (API Gateway gives up at 29 s)'],
    ['LAMBDA_MEMORY_MB', '64', 'MB from 128 to 10240'],
    ['LAMBDA_RESERVED_CONCURRENCY', '0', 'from 1 to 1000'],
    ['LAMBDA_IN_VPC', 'yes', 'one of true, false'],
    ['API_THROTTLE_RATE', '0', 'requests per second from 1 to 10000'],
    ['API_THROTTLE_BURST', '6000', 'requests from 1 to 5000'],
    ['COGNITO_CALLBACK_URLS', 'http://app.example.com/cb', 'comma-separated https:// URLs (http:// only for localhost), at most 100'],
    ['ALARM_EMAIL', 'ops', 'unset, or one e-mail address'],
  ])('%s=%s fails with one line saying what is allowed', (variable, value, allowed) => {
    expect(() => loadConfig({ [variable]: value })).toThrow(new ConfigError(variable, value, allowed));
  });
});
