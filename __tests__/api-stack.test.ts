import './helpers/cdktf-matchers';
import { ApiGatewayAccount } from '@cdktf/provider-aws/lib/api-gateway-account';
import { ApiGatewayAuthorizer } from '@cdktf/provider-aws/lib/api-gateway-authorizer';
import { ApiGatewayDeployment } from '@cdktf/provider-aws/lib/api-gateway-deployment';
import { ApiGatewayIntegration } from '@cdktf/provider-aws/lib/api-gateway-integration';
import { ApiGatewayMethod } from '@cdktf/provider-aws/lib/api-gateway-method';
import { ApiGatewayMethodSettings } from '@cdktf/provider-aws/lib/api-gateway-method-settings';
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
import { gatewayResponses } from '../lambda-src/api-contract';
import { loadHandlerConfig } from '../lambda-src/config';
import { LAMBDA_RESERVE_MS } from '../lambda-src/prediction-handler';
import { deadlineForTimeout } from '../stacks/api-stack';
import { DATA_API_THROTTLED_METRIC, METRICS_NAMESPACE, METRICS_SERVICE } from '../lambda-src/metrics';
import { REDSHIFT_PORT } from '../stacks/network-stack';
import { ALARMS } from '../stacks/constructs/api-monitoring';
import { STAGE_NAME } from '../stacks/constructs/prediction-rest-api';
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
  const network = parse(fs.readFileSync(path.join(outdir, 'stacks', 'network', 'cdk.tf.json'), 'utf8'));
  fs.rmSync(outdir, { recursive: true, force: true });
  const parsed = parse(json);
  const resource = (type: string, name: string) => parsed.resource[type][name];
  const fn = Object.values(parsed.resource.aws_lambda_function)[0];
  return { json, parsed, resource, fn, network };
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

    test('is Node 22 on arm64, traced, with memory and timeout from config and its own log group', () => {
      expect(json).toHaveResourceWithProperties(LambdaFunction, {
        runtime: 'nodejs22.x',
        architectures: ['arm64'],
        memory_size: 256,
        timeout: 28,
        tracing_config: { mode: 'Active' },
        kms_key_arn: '${aws_kms_key.key.arn}',
      });
      expect((fn.logging_config as { log_group: string }).log_group).toMatch(/^\$\{aws_cloudwatch_log_group\.prediction_log-group/);
      expect(fn).not.toHaveProperty('vpc_config');
    });

    test('reserves no concurrency (a new account may not allow any), and says so where the rule would ask', () => {
      expect(fn).not.toHaveProperty('reserved_concurrent_executions');
      const suppressions = (fn['//'] as { suppressions: Record<string, string> }).suppressions;
      expect(suppressions['LR-LMB-003']).toMatch(/new account .* 10 or 50, .*DATA_API_SHARE_PERCENT.*npm run preflight/);
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
    test('requires a Cognito access token with the predict scope; the Lambda alone validates the body', () => {
      expect(json).toHaveResourceWithProperties(ApiGatewayAuthorizer, {
        type: 'COGNITO_USER_POOLS',
        provider_arns: ['${aws_cognito_user_pool.user-pool.arn}'],
      });
      expect(json).toHaveResourceWithProperties(ApiGatewayMethod, {
        http_method: 'POST',
        authorization: 'COGNITO_USER_POOLS',
        authorizer_id: '${aws_api_gateway_authorizer.cognito-authorizer.id}',
        authorization_scopes: [scope],
      });
      // No request model: its refusals would be gateway responses, which cannot name the fields.
      const method = resource('aws_api_gateway_method', 'loan-post');
      expect(method).not.toHaveProperty('request_models');
      expect(method).not.toHaveProperty('request_validator_id');
      expect(parsed.resource).not.toHaveProperty('aws_api_gateway_model');
      expect((method['//'] as { suppressions: Record<string, string> }).suppressions['LR-APIGW-002']).toMatch(/^The Lambda validates the body/);
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

    test.each(gatewayResponses().map((definition) => [definition.type, definition] as const))(
      'the gateway response %s is the API contract\'s: template, JSON headers and the request id',
      (type, definition) => {
        const [response] = Object.values(parsed.resource.aws_api_gateway_gateway_response).filter((r) => r.response_type === type);
        expect(response).toEqual(
          expect.objectContaining({
            response_templates: { 'application/json': definition.template },
            response_parameters: { ...definition.responseParameters, 'gatewayresponse.header.X-Request-Id': 'context.requestId' },
          }),
        );
        // A status on a fallback would rewrite every other 4XX/5XX response's status.
        if (type.startsWith('DEFAULT_')) expect(response).not.toHaveProperty('status_code');
        else expect(response.status_code).toBe(String(definition.statusCode));
      },
    );

    test('exactly the gateway responses of the API contract', () => {
      const types = Object.values(parsed.resource.aws_api_gateway_gateway_response).map((r) => r.response_type);
      expect(types.sort()).toEqual(gatewayResponses().map((d) => d.type).sort());
    });

    test('the deployment is replaced whenever the API changes, the new one before the old goes', () => {
      expect(json).toHaveResourceWithProperties(ApiGatewayDeployment, {
        lifecycle: { create_before_destroy: true },
        triggers: { redeployment: expect.stringMatching(/^\$\{sha1\(jsonencode\(\[.*aws_api_gateway_method\.loan-post\.id/) },
      });
    });

    test('a change to a gateway response changes the trigger', () => {
      const trigger = (synthesized: Pick<ReturnType<typeof synthApi>, 'resource'>) =>
        String((synthesized.resource('aws_api_gateway_deployment', 'deployment').triggers as Record<string, string>).redeployment);
      const contract = jest.requireActual('../lambda-src/api-contract') as { gatewayResponses: typeof gatewayResponses };
      const original = contract.gatewayResponses;
      const spy = jest
        .spyOn(contract, 'gatewayResponses')
        .mockImplementation(() => original().map((d, i) => (i === 0 ? { ...d, template: d.template.replace('"error"', '"message"') } : d)));
      try {
        expect(trigger(synthApi())).not.toBe(trigger({ resource }));
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
          format: expect.stringMatching(/^\{.*"requestId":"\$context\.requestId","extendedRequestId":"\$context\.extendedRequestId".*\}$/),
        },
      });
      expect(json).toHaveResourceWithProperties(ApiGatewayMethodSettings, {
        method_path: '*/*',
        settings: {
          metrics_enabled: true,
          logging_level: 'ERROR',
          data_trace_enabled: false,
          // 40 % of the Data API's 20 single predictions per second.
          throttling_rate_limit: 8,
          throttling_burst_limit: 8,
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

    test("the Lambda's own Data API throttling metric (embedded metric format) notifies the topic", () => {
      expect(json).toHaveResourceWithProperties(CloudwatchMetricAlarm, {
        alarm_name: 'loan-remediation-dev-data-api-throttled',
        namespace: METRICS_NAMESPACE,
        metric_name: DATA_API_THROTTLED_METRIC,
        dimensions: { service: METRICS_SERVICE, FunctionName: 'loan-remediation-dev-predict' },
        statistic: 'Sum',
        threshold: 1,
        alarm_actions: ['${aws_sns_topic.alarm-topic.arn}'],
      });
    });

    test('the daily usage limit alarms at 80 % of its RPU-hours, before queries stop', () => {
      expect(json).toHaveResourceWithProperties(CloudwatchMetricAlarm, {
        alarm_name: 'loan-remediation-dev-warehouse-usage-budget',
        namespace: 'AWS/Redshift-Serverless',
        metric_name: 'UsageLimitConsumed',
        dimensions: {
          UsageLimitId: redshift('aws_redshiftserverless_usage_limitdaily-compute-limitid'),
          UsageType: 'SERVERLESS_COMPUTE',
          Workgroup: redshift('aws_redshiftserverless_workgroupworkgroupworkgroup_name'),
        },
        statistic: 'Maximum',
        comparison_operator: 'GreaterThanOrEqualToThreshold',
        threshold: 19.2,
        alarm_description: expect.stringContaining('user queries (and the API) stop'),
        alarm_actions: ['${aws_sns_topic.alarm-topic.arn}'],
      });
    });

    test('the throttles alarm no longer blames a reservation that is not there', () => {
      expect(resource('aws_cloudwatch_metric_alarm', 'lambda-throttles').alarm_description).toMatch(
        /^Lambda refused invocations: the account's concurrency is used up, or the function's reservation \(LAMBDA_RESERVED_CONCURRENCY, when set\)/,
      );
    });

    test('a dashboard of the request path', () => {
      const body = String(resource('aws_cloudwatch_dashboard', 'dashboard').dashboard_body);
      for (const metric of ['Count', '5XXError', 'Latency', 'Invocations', 'Throttles', 'Duration', DATA_API_THROTTLED_METRIC]) {
        expect(body).toContain(metric);
      }
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

test('day one on a new account: the defaults reserve no concurrency, leave the account-wide logging role alone, and alarm on the usage limit and Data API throttling; PROJECT_NAME=aws-loans is refused in one line', () => {
  const { json, parsed, fn } = synthApi();
  expect(fn).not.toHaveProperty('reserved_concurrent_executions');
  expect(json).not.toHaveResource(ApiGatewayAccount);
  const alarmNames = Object.values(parsed.resource.aws_cloudwatch_metric_alarm).map((alarm) => alarm.alarm_name);
  expect(alarmNames).toEqual(
    expect.arrayContaining(['loan-remediation-dev-warehouse-usage-budget', 'loan-remediation-dev-data-api-throttled']),
  );
  expect(() => loadConfig({ PROJECT_NAME: 'aws-loans' })).toThrow(
    /^PROJECT_NAME="aws-loans" is invalid: expected a name without "aws", "amazon", "cognito" anywhere in it \(it has "aws"\): Cognito refuses such a domain prefix$/,
  );
});

describe('api stack settings', () => {
  test('prod requires MFA and protects the pool from deletion, with no suppression left', () => {
    const { json, resource } = synthApi({ ENVIRONMENT: 'prod' });
    expect(json).toHaveResourceWithProperties(CognitoUserPool, { mfa_configuration: 'ON', deletion_protection: 'ACTIVE' });
    expect(Object.keys((resource('aws_cognito_user_pool', 'user-pool')['//'] as { suppressions: object }).suppressions)).toEqual(['LR-COG-005']);
  });

  test('prod: the budget only reports (alarmed), a hard cap at twice it deactivates (alarmed before it)', () => {
    const { parsed } = synthApi({ ENVIRONMENT: 'prod' });
    const alarms = Object.values(parsed.resource.aws_cloudwatch_metric_alarm).filter((a) => a.metric_name === 'UsageLimitConsumed');
    expect(alarms.map((a) => [a.alarm_name, a.threshold, (a.dimensions as { UsageLimitId: string }).UsageLimitId])).toEqual([
      ['loan-remediation-prod-warehouse-usage-budget', 19.2, redshift('aws_redshiftserverless_usage_limitdaily-compute-limitid')],
      ['loan-remediation-prod-warehouse-usage-hard-cap', 38.4, redshift('aws_redshiftserverless_usage_limitdaily-compute-hard-capid')],
    ]);
    expect(alarms[0].alarm_description).toContain('Redshift only reports it');
  });

  test('COGNITO_DELETION_PROTECTION=false lets prod be torn down, visibly: the plan shows it and the exception says why', () => {
    const { json, resource } = synthApi({ ENVIRONMENT: 'prod', COGNITO_DELETION_PROTECTION: 'false' });
    expect(json).toHaveResourceWithProperties(CognitoUserPool, { mfa_configuration: 'ON', deletion_protection: 'INACTIVE' });
    const suppressions = (resource('aws_cognito_user_pool', 'user-pool')['//'] as { suppressions: Record<string, string> }).suppressions;
    expect(suppressions['LR-COG-004']).toMatch(/^COGNITO_DELETION_PROTECTION=false: .*tear the prod environment down/);
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
    expect(Object.keys((fn['//'] as { suppressions: object }).suppressions)).toEqual(['LR-LMB-003']);
  });

  describe('WAREHOUSE_TRANSPORT=postgres', () => {
    const { json, parsed, fn, network } = synthApi({ WAREHOUSE_TRANSPORT: 'postgres' });
    const dataApi = synthApi();
    const fromNetwork = (output: string) => `\${data.terraform_remote_state.cross-stack-reference-input-network.outputs.cross-stack-output-${output}}`;
    const lambdaGroup = fromNetwork('aws_security_groupprediction-security-groupid');

    test('bundles the direct-connection entry and points it at the workgroup endpoint from the redshift stack', () => {
      expect(fn.environment).toEqual({
        variables: expect.objectContaining({
          WAREHOUSE_TRANSPORT: 'postgres',
          WAREHOUSE_HOST: redshift('aws_redshiftserverless_workgroupworkgroupendpoint0address'),
          WAREHOUSE_PORT: String(REDSHIFT_PORT),
        }),
      });
      // Its own bundle (LAMBDA_ENTRIES), not the Data API's.
      expect(fn.source_code_hash).not.toBe(dataApi.fn.source_code_hash);
      expect(fn.reserved_concurrent_executions).toBe(10);
    });

    test("runs in the private subnets in the network stack's Lambda security group, reaching GetCredentials through an endpoint", () => {
      expect(fn.vpc_config).toEqual({
        subnet_ids: [1, 2, 3].map((i) => expect.stringContaining(`aws_subnetprivate-subnet-${i}id`)),
        security_group_ids: [lambdaGroup],
      });
      expect(json).toHaveResourceWithProperties(VpcEndpoint, {
        service_name: 'com.amazonaws.us-east-1.redshift-serverless',
        vpc_endpoint_type: 'Interface',
        private_dns_enabled: true,
      });
      expect(Object.values(parsed.resource.aws_vpc_endpoint)).toHaveLength(1);
      expect(fn.depends_on).toContain('aws_iam_role_policy.prediction-network-interfaces-policy');
    });

    test('the role may get credentials for the workgroup and decrypt its environment, and call no Data API action', () => {
      const statements = (parsed.data?.aws_iam_policy_document['prediction-access'].statement ?? []) as { actions: string[]; resources: string[] }[];
      expect(statements.map((st) => [st.actions, st.resources])).toEqual([
        [['redshift-serverless:GetCredentials'], [redshift('aws_redshiftserverless_workgroupworkgrouparn')]],
        [['kms:Decrypt'], ['${aws_kms_key.key.arn}']],
      ]);
      expect(json).not.toContain('redshift-data:');
    });

    test('the Lambda may leave only for the workgroup port and HTTPS to its endpoint; the workgroup admits only it', () => {
      const egress = [
        ...Object.values(network.resource.aws_vpc_security_group_egress_rule),
        ...Object.values(parsed.resource.aws_vpc_security_group_egress_rule),
      ].filter((rule) => rule.security_group_id === '${aws_security_group.prediction-security-group.id}' || rule.security_group_id === lambdaGroup);
      expect(egress.map(({ ip_protocol, from_port, to_port, referenced_security_group_id }) => ({ ip_protocol, from_port, to_port, referenced_security_group_id }))).toEqual([
        { ip_protocol: 'tcp', from_port: REDSHIFT_PORT, to_port: REDSHIFT_PORT, referenced_security_group_id: '${aws_security_group.redshift-security-group.id}' },
        { ip_protocol: 'tcp', from_port: 443, to_port: 443, referenced_security_group_id: '${aws_security_group.credentials-endpoint-security-group.id}' },
      ]);
      const ingress = Object.values(network.resource.aws_vpc_security_group_ingress_rule);
      expect(ingress).toEqual([
        expect.objectContaining({
          security_group_id: '${aws_security_group.redshift-security-group.id}',
          from_port: REDSHIFT_PORT,
          to_port: REDSHIFT_PORT,
          referenced_security_group_id: '${aws_security_group.prediction-security-group.id}',
        }),
      ]);
      expect(JSON.stringify(ingress)).not.toContain('cidr_ipv4');
    });

    test('no Data API throttling alarm or graph: the direct connection never writes that metric', () => {
      expect(Object.keys(parsed.resource.aws_cloudwatch_metric_alarm)).not.toContain('data-api-throttled');
      expect(JSON.stringify(parsed.resource.aws_cloudwatch_metric_alarm)).not.toContain(DATA_API_THROTTLED_METRIC);
      const body = String(parsed.resource.aws_cloudwatch_dashboard.dashboard.dashboard_body);
      expect(body).not.toContain(DATA_API_THROTTLED_METRIC);
      expect(body).toContain('ConcurrentExecutions');
      // The Data API transport has both.
      expect(Object.keys(dataApi.parsed.resource.aws_cloudwatch_metric_alarm)).toContain('data-api-throttled');
      expect(String(dataApi.parsed.resource.aws_cloudwatch_dashboard.dashboard.dashboard_body)).toContain(DATA_API_THROTTLED_METRIC);
    });

    test("its security group's name differs from the Data API's in the VPC, so switching transports (network first) meets no duplicate name", () => {
      const inVpc = synthApi({ LAMBDA_IN_VPC: 'true' });
      const direct = network.resource.aws_security_group['prediction-security-group'].name;
      expect(direct).toBe('loan-remediation-dev-predict-direct');
      expect(inVpc.parsed.resource.aws_security_group['prediction-security-group'].name).toBe('loan-remediation-dev-predict');
      expect(Object.values(parsed.resource.aws_security_group).map((group) => group.name)).not.toContain(direct);
    });

    test('with the Data API the network stack still admits the VPC and has no Lambda security group', () => {
      const dataApiNetwork = dataApi.network;
      expect(dataApi.fn.environment).toEqual({ variables: expect.not.objectContaining({ WAREHOUSE_TRANSPORT: expect.anything() }) });
      expect(Object.keys(dataApiNetwork.resource.aws_vpc_security_group_ingress_rule)).toEqual(['redshift-ingress-from-vpc']);
      expect(Object.keys(dataApiNetwork.resource.aws_security_group)).toEqual(['redshift-security-group']);
    });
  });

  test('memory, timeout, concurrency, throttling, callbacks and alarm e-mail come from config', () => {
    const { json, fn } = synthApi({
      LAMBDA_MEMORY_MB: '512',
      LAMBDA_TIMEOUT_SECONDS: '10',
      LAMBDA_RESERVED_CONCURRENCY: '3',
      DATA_API_SHARE_PERCENT: '25',
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
    expect(((fn['//'] ?? {}) as { suppressions?: Record<string, string> }).suppressions).not.toHaveProperty('LR-LMB-003');
  });

  test.each([
    ['LAMBDA_TIMEOUT_SECONDS', '29', 'seconds from 5 to 28 (API Gateway gives up at 29 s)'],
    ['LAMBDA_MEMORY_MB', '64', 'MB from 128 to 10240'],
    ['LAMBDA_RESERVED_CONCURRENCY', '0', 'unset (no reservation), or from 1 to 1000'],
    ['LAMBDA_IN_VPC', 'yes', 'one of true, false'],
    ['DATA_API_SHARE_PERCENT', '0', 'percent from 1 to 100'],
    ['DATA_API_SHARE_PERCENT', '101', 'percent from 1 to 100'],
    ['API_THROTTLE_BURST', '6000', 'requests from 1 to 5000'],
    ['COGNITO_CALLBACK_URLS', 'http://app.example.com/cb', 'comma-separated https:// URLs (http:// only for localhost), at most 100'],
    ['ALARM_EMAIL', 'ops', 'unset, or one e-mail address'],
  ])('%s=%s fails with one line saying what is allowed', (variable, value, allowed) => {
    expect(() => loadConfig({ [variable]: value })).toThrow(new ConfigError(variable, value, allowed));
  });
});
