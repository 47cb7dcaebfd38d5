/**
 * `npm run preflight` against mocked AWS clients: every check passes, fails with its fix, and could
 * not be checked (a refused or broken call), and the command's exit codes, text and JSON.
 */
import { APIGatewayClient, GetAccountCommand } from '@aws-sdk/client-api-gateway';
import { CloudWatchLogsClient, DescribeResourcePoliciesCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CognitoIdentityProviderClient, DescribeUserPoolDomainCommand } from '@aws-sdk/client-cognito-identity-provider';
import { DescribeAvailabilityZonesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { GetAccountSettingsCommand, GetFunctionConcurrencyCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { HeadBucketCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { ListServiceQuotasCommand, ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { expandAction } from '../policy/iam-actions';
import { CHECKS, CheckResult, PREFLIGHT_IAM_ACTIONS, unreservedFloor } from '../scripts/preflight/checks';
import { PREFLIGHT_CHECK_ACTIONS } from '../stacks/deployer/preflight-actions';
import { PREFLIGHT_USAGE, preflightMain } from '../scripts/preflight/command';
import { NO_CREDENTIALS } from '../scripts/lib/aws-credentials';

const ACCOUNT = '111122223333';
const KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/11111111-2222-3333-4444-555555555555`;

const sts = mockClient(STSClient);
const ec2 = mockClient(EC2Client);
const apigateway = mockClient(APIGatewayClient);
const lambda = mockClient(LambdaClient);
const cognito = mockClient(CognitoIdentityProviderClient);
const s3 = mockClient(S3Client);
const kms = mockClient(KMSClient);
const logs = mockClient(CloudWatchLogsClient);
const quotas = mockClient(ServiceQuotasClient);

const awsError = (name: string, httpStatusCode = 400, message = name) =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode } });
const accessDenied = (action: string) => awsError('AccessDeniedException', 403, `not authorized to perform: ${action}`);

/** An account that offers everything: the defaults pass. */
function healthyAccount() {
  for (const mock of [sts, ec2, apigateway, lambda, cognito, s3, kms, logs, quotas]) mock.reset();
  sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/deployer/me` });
  ec2.on(DescribeAvailabilityZonesCommand).resolves({
    AvailabilityZones: ['use1-az1', 'use1-az2', 'use1-az4', 'use1-az6'].map((ZoneId) => ({ ZoneId, State: 'available', ZoneType: 'availability-zone' })),
  });
  apigateway.on(GetAccountCommand).resolves({ cloudwatchRoleArn: `arn:aws:iam::${ACCOUNT}:role/apigateway-logs` });
  lambda.on(GetAccountSettingsCommand).resolves({ AccountLimit: { ConcurrentExecutions: 1000, UnreservedConcurrentExecutions: 1000 } });
  lambda.on(GetFunctionConcurrencyCommand).rejects(awsError('ResourceNotFoundException', 404));
  cognito.on(DescribeUserPoolDomainCommand).resolves({ DomainDescription: {} });
  s3.on(HeadBucketCommand).resolves({});
  kms.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: 'k', KeyState: 'Enabled' } });
  logs.on(DescribeResourcePoliciesCommand).resolves({ resourcePolicies: [] });
  quotas.on(ListServiceQuotasCommand, { ServiceCode: 'apigateway' }).resolves({ Quotas: [{ QuotaName: 'Throttle rate', Value: 10_000 }] });
  quotas.on(ListServiceQuotasCommand, { ServiceCode: 'lambda' }).resolves({ Quotas: [{ QuotaName: 'Concurrent executions', Value: 1000 }] });
  quotas.on(ListServiceQuotasCommand, { ServiceCode: 'redshift-data' }).resolves({
    Quotas: [
      { QuotaName: 'Rate of ExecuteStatement API requests', Value: 30 },
      { QuotaName: 'Rate of GetStatementResult API requests', Value: 20 },
    ],
  });
}

async function preflight(env: Record<string, string> = {}, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await preflightMain(argv, { print: (t) => out.push(t), printError: (t) => err.push(t) }, env);
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

async function results(env: Record<string, string> = {}): Promise<Record<string, CheckResult>> {
  const { stdout } = await preflight(env, '--json');
  return Object.fromEntries((JSON.parse(stdout) as { results: CheckResult[] }).results.map((r) => [r.id, r]));
}

beforeEach(healthyAccount);

describe('the command', () => {
  test('a healthy account passes every check, exit 0, and says what to run next', async () => {
    const { code, stdout, stderr } = await preflight({ STATE_BUCKET: 'my-state', STATE_KMS_KEY_ARN: KEY_ARN });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Preflight of loan-remediation-dev in account 111122223333, us-east-1$/m);
    expect(stdout).not.toMatch(/FAIL|could not check/);
    expect(stdout).toContain('ready: 11 passed, 0 could not be checked. Next: npm run plan, then deploy.');
  });

  test('a fail: exit 1, FAIL and the fix under it', async () => {
    apigateway.on(GetAccountCommand).resolves({});
    const { code, stdout } = await preflight();
    expect(code).toBe(1);
    expect(stdout).toMatch(/^ {2}FAIL +api-gateway-logging-role +no CloudWatch Logs role/m);
    expect(stdout).toMatch(/^ +fix: apply the account stack: an administrator runs `npx cdktf deploy account`/m);
    expect(stdout).toContain('not ready: 1 failed.');
  });

  test('could-not-check alone does not fail the run', async () => {
    ec2.on(DescribeAvailabilityZonesCommand).rejects(accessDenied('ec2:DescribeAvailabilityZones'));
    const { code, stdout } = await preflight();
    expect(code).toBe(0);
    expect(stdout).toMatch(/^ {2}could not check +availability-zones +refused: AccessDeniedException/m);
    expect(stdout).toMatch(/instead: allow ec2:DescribeAvailabilityZones to the identity running preflight/);
  });

  test('--json: one object with the account, the region and every result', async () => {
    const { stdout, code } = await preflight({}, '--json');
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({ account: ACCOUNT, region: 'us-east-1', environment: 'loan-remediation-dev', ok: true });
    expect(report.results.map((r: CheckResult) => r.id)).toEqual([
      'credentials',
      ...CHECKS.map((check) => check.id),
      'quota: API Gateway throttle rate (account, region)',
      'quota: Lambda concurrent executions',
      'quota: Redshift Data API ExecuteStatement rate',
      'quota: Redshift Data API GetStatementResult rate',
    ]);
  });

  test('--help prints the usage and calls nothing; a bad flag exits 2', async () => {
    expect(await preflight({}, '--help')).toEqual({ code: 0, stdout: PREFLIGHT_USAGE, stderr: '' });
    const bogus = await preflight({}, '--verbose');
    expect(bogus.code).toBe(2);
    expect(bogus.stderr).toMatch(/^error: Unknown option '--verbose'/);
    expect(sts.calls()).toHaveLength(0);
  });

  test('no credentials: one line, exit 1, no other call', async () => {
    sts.on(GetCallerIdentityCommand).rejects(awsError('CredentialsProviderError', 400, 'Could not load credentials from any providers'));
    expect(await preflight()).toEqual({ code: 1, stdout: '', stderr: `error: ${NO_CREDENTIALS}` });
    expect(ec2.calls()).toHaveLength(0);
  });

  test('expired credentials and a refused GetCallerIdentity: one line each', async () => {
    sts.on(GetCallerIdentityCommand).rejects(awsError('ExpiredToken', 400, 'The security token included in the request is expired'));
    expect((await preflight()).stderr).toBe('error: the AWS credentials have expired: sign in again (`aws sso login`) or refresh them');
    sts.on(GetCallerIdentityCommand).rejects(accessDenied('sts:GetCallerIdentity'));
    const { stderr, code } = await preflight();
    expect(code).toBe(1);
    expect(stderr).toBe('error: cannot call sts:GetCallerIdentity: AccessDeniedException: not authorized to perform: sts:GetCallerIdentity');
  });

  test('a bad setting is one line before any call', async () => {
    expect(await preflight({ PROJECT_NAME: 'aws-loans' })).toMatchObject({ code: 1, stderr: expect.stringMatching(/^error: PROJECT_NAME="aws-loans" is invalid/) });
    expect(sts.calls()).toHaveLength(0);
  });
});

describe('credentials', () => {
  test('pass: names the account and the identity', async () => {
    expect((await results()).credentials).toEqual({
      id: 'credentials',
      status: 'pass',
      detail: `account ${ACCOUNT} as arn:aws:sts::${ACCOUNT}:assumed-role/deployer/me`,
    });
  });

  test('fail: the state key lives in another account than the credentials', async () => {
    const other = KEY_ARN.replace(ACCOUNT, '444455556666');
    expect((await results({ STATE_BUCKET: 'my-state', STATE_KMS_KEY_ARN: other })).credentials).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('STATE_KMS_KEY_ARN is in account 444455556666'),
      fix: expect.stringContaining('use credentials for account 444455556666'),
    });
  });
});

describe('availability zones', () => {
  test('pass: the three configured AZ IDs are available', async () => {
    expect((await results())['availability-zones']).toMatchObject({ status: 'pass', detail: 'us-east-1: use1-az2, use1-az4, use1-az6 available' });
  });

  test('fail: an AZ ID the account does not have, or one that is impaired, with the ones it has', async () => {
    ec2.on(DescribeAvailabilityZonesCommand).resolves({
      AvailabilityZones: [
        { ZoneId: 'use1-az2', State: 'available' },
        { ZoneId: 'use1-az4', State: 'impaired' },
        { ZoneId: 'use1-az1', State: 'available' },
        { ZoneId: 'use1-az3', State: 'available' },
      ],
    });
    expect((await results())['availability-zones']).toEqual({
      id: 'availability-zones',
      status: 'fail',
      detail: 'use1-az4, use1-az6 are not an available zone of us-east-1 in this account (it has use1-az2, use1-az1, use1-az3)',
      fix: 'set AVAILABILITY_ZONE_IDS to three of use1-az2, use1-az1, use1-az3 that Redshift Serverless supports (see "Considerations when using Amazon Redshift Serverless")',
    });
  });

  test('could not check: the call is refused', async () => {
    ec2.on(DescribeAvailabilityZonesCommand).rejects(accessDenied('ec2:DescribeAvailabilityZones'));
    expect((await results())['availability-zones']).toMatchObject({ status: 'could-not-check', fix: 'allow ec2:DescribeAvailabilityZones to the identity running preflight' });
  });
});

describe("API Gateway's account CloudWatch role", () => {
  test('pass: the role is set', async () => {
    expect((await results())['api-gateway-logging-role']).toMatchObject({ status: 'pass', detail: `role arn:aws:iam::${ACCOUNT}:role/apigateway-logs` });
  });

  test('fail: none set, and the fix is the account stack', async () => {
    apigateway.on(GetAccountCommand).resolves({ cloudwatchRoleArn: '' });
    expect((await results())['api-gateway-logging-role']).toMatchObject({
      status: 'fail',
      fix: expect.stringMatching(/^apply the account stack: /),
    });
  });

  test('could not check: an unexpected error', async () => {
    apigateway.on(GetAccountCommand).rejects(awsError('TooManyRequestsException', 429, 'Too Many Requests'));
    expect((await results())['api-gateway-logging-role']).toEqual({
      id: 'api-gateway-logging-role',
      status: 'could-not-check',
      detail: 'TooManyRequestsException: Too Many Requests',
      fix: 'run it again; if it persists, check this by hand',
    });
  });
});

describe('Lambda concurrency', () => {
  test('pass: no reservation by default, whatever the account has', async () => {
    lambda.on(GetAccountSettingsCommand).resolves({ AccountLimit: { ConcurrentExecutions: 10, UnreservedConcurrentExecutions: 10 } });
    expect((await results())['lambda-concurrency']).toMatchObject({ status: 'pass', detail: 'no reservation; account concurrency 10, 10 unreserved' });
    expect(lambda.commandCalls(GetFunctionConcurrencyCommand)).toHaveLength(0);
  });

  test('AWS keeps 100 unreserved, or the whole quota of a small account', () => {
    expect([10, 50, 100, 1000].map(unreservedFloor)).toEqual([10, 50, 100, 100]);
  });

  test('pass: a reservation that leaves 100 unreserved', async () => {
    expect((await results({ LAMBDA_RESERVED_CONCURRENCY: '900' }))['lambda-concurrency']).toMatchObject({
      status: 'pass',
      detail: 'LAMBDA_RESERVED_CONCURRENCY=900 fits: at most 900 can be reserved (account concurrency 1000, 1000 unreserved)',
    });
  });

  test("pass: the function's own earlier reservation counts as available to it", async () => {
    lambda.on(GetAccountSettingsCommand).resolves({ AccountLimit: { ConcurrentExecutions: 1000, UnreservedConcurrentExecutions: 100 } });
    lambda.on(GetFunctionConcurrencyCommand, { FunctionName: 'loan-remediation-dev-predict' }).resolves({ ReservedConcurrentExecutions: 20 });
    expect((await results({ LAMBDA_RESERVED_CONCURRENCY: '20' }))['lambda-concurrency']).toMatchObject({ status: 'pass' });
  });

  test('fail: one more than fits, with the largest that does', async () => {
    expect((await results({ LAMBDA_RESERVED_CONCURRENCY: '901' }))['lambda-concurrency']).toEqual({
      id: 'lambda-concurrency',
      status: 'fail',
      detail: 'LAMBDA_RESERVED_CONCURRENCY=901 would leave 99 unreserved; AWS keeps at least 100 (account concurrency 1000, 1000 unreserved)',
      fix: 'unset LAMBDA_RESERVED_CONCURRENCY or set it to at most 900, or request a higher "Concurrent executions" quota (Service Quotas, Lambda)',
    });
  });

  test('fail: a new account with a quota of 10 cannot reserve any', async () => {
    lambda.on(GetAccountSettingsCommand).resolves({ AccountLimit: { ConcurrentExecutions: 10, UnreservedConcurrentExecutions: 10 } });
    expect((await results({ LAMBDA_RESERVED_CONCURRENCY: '1' }))['lambda-concurrency']).toMatchObject({
      status: 'fail',
      detail: 'LAMBDA_RESERVED_CONCURRENCY=1 would leave 9 unreserved; AWS keeps at least 10 (account concurrency 10, 10 unreserved)',
      fix: expect.stringMatching(/^unset LAMBDA_RESERVED_CONCURRENCY \(this account cannot reserve any\)/),
    });
  });

  test('with postgres a reservation is required: the fix lowers it within what the account leaves, never unsets it', async () => {
    const postgres = { WAREHOUSE_TRANSPORT: 'postgres' };
    expect((await results(postgres))['lambda-concurrency']).toMatchObject({ status: 'pass', detail: expect.stringMatching(/^LAMBDA_RESERVED_CONCURRENCY=10 fits/) });
    lambda.on(GetAccountSettingsCommand).resolves({ AccountLimit: { ConcurrentExecutions: 1000, UnreservedConcurrentExecutions: 105 } });
    expect((await results(postgres))['lambda-concurrency']).toMatchObject({
      status: 'fail',
      fix: 'set LAMBDA_RESERVED_CONCURRENCY to at most 5 (WAREHOUSE_TRANSPORT=postgres needs a reservation; the stage\'s rate follows it), or request a higher "Concurrent executions" quota (Service Quotas, Lambda)',
    });
    lambda.on(GetAccountSettingsCommand).resolves({ AccountLimit: { ConcurrentExecutions: 50, UnreservedConcurrentExecutions: 50 } });
    expect((await results(postgres))['lambda-concurrency']).toMatchObject({
      status: 'fail',
      fix: 'request a higher "Concurrent executions" quota (Service Quotas, Lambda): WAREHOUSE_TRANSPORT=postgres needs a reservation and this account cannot reserve any (or use WAREHOUSE_TRANSPORT=data-api, which needs none)',
    });
  });

  test('could not check: GetAccountSettings refused, or GetFunctionConcurrency failing otherwise than not found', async () => {
    lambda.on(GetFunctionConcurrencyCommand).rejects(accessDenied('lambda:GetFunctionConcurrency'));
    expect((await results({ LAMBDA_RESERVED_CONCURRENCY: '5' }))['lambda-concurrency']).toMatchObject({
      status: 'could-not-check',
      fix: 'allow lambda:GetAccountSettings, lambda:GetFunctionConcurrency to the identity running preflight',
    });
    lambda.on(GetAccountSettingsCommand).resolves({});
    expect((await results())['lambda-concurrency']).toMatchObject({ status: 'could-not-check', detail: 'Error: GetAccountSettings answered without AccountLimit' });
  });
});

describe('Cognito domain prefix', () => {
  const domain = `loan-remediation-dev-${ACCOUNT}`;

  test('pass: free (asked for <project>-<environment>-<account>)', async () => {
    expect((await results())['cognito-domain']).toMatchObject({ status: 'pass', detail: `${domain} is free` });
    expect(cognito.commandCalls(DescribeUserPoolDomainCommand)[0].args[0].input).toEqual({ Domain: domain });
  });

  test("pass: already this account's (a deployed api stack)", async () => {
    cognito.on(DescribeUserPoolDomainCommand).resolves({ DomainDescription: { UserPoolId: 'us-east-1_abc', AWSAccountId: ACCOUNT, Domain: domain } });
    expect((await results())['cognito-domain']).toMatchObject({ status: 'pass', detail: expect.stringContaining("is this account's (user pool us-east-1_abc)") });
  });

  test('fail: taken by another account', async () => {
    cognito.on(DescribeUserPoolDomainCommand).resolves({ DomainDescription: { UserPoolId: 'us-east-1_x', AWSAccountId: '999988887777' } });
    expect((await results())['cognito-domain']).toEqual({
      id: 'cognito-domain',
      status: 'fail',
      detail: `${domain} belongs to another account (999988887777)`,
      fix: 'choose another PROJECT_NAME',
    });
  });

  test('could not check: refused', async () => {
    cognito.on(DescribeUserPoolDomainCommand).rejects(accessDenied('cognito-idp:DescribeUserPoolDomain'));
    expect((await results())['cognito-domain']).toMatchObject({ status: 'could-not-check' });
  });
});

describe('state backend', () => {
  const state = { STATE_BUCKET: 'my-state', STATE_KMS_KEY_ARN: KEY_ARN };

  test('pass: local state when STATE_BUCKET is unset (nothing to call), or the bucket reachable and the key enabled', async () => {
    expect((await results())['state-backend']).toMatchObject({ status: 'pass', detail: expect.stringMatching(/^STATE_BUCKET is not set/) });
    expect(s3.calls()).toHaveLength(0);
    expect((await results(state))['state-backend']).toMatchObject({ status: 'pass', detail: 's3://my-state reachable, key enabled' });
    expect(kms.commandCalls(DescribeKeyCommand)[0].args[0].input).toEqual({ KeyId: KEY_ARN });
  });

  test('fail: no such bucket; a key pending deletion, with the commands that bring it back', async () => {
    s3.on(HeadBucketCommand).rejects(new S3ServiceException({ name: 'NotFound', $fault: 'client', $metadata: { httpStatusCode: 404 } }));
    expect((await results(state))['state-backend']).toMatchObject({ status: 'fail', detail: 'bucket my-state does not exist', fix: expect.stringContaining('npx cdktf deploy state') });
    s3.on(HeadBucketCommand).resolves({});
    kms.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: 'k', KeyState: 'PendingDeletion' } });
    expect((await results(state))['state-backend']).toMatchObject({
      status: 'fail',
      detail: `key ${KEY_ARN} is PendingDeletion`,
      fix: `aws kms cancel-key-deletion --key-id ${KEY_ARN}, then aws kms enable-key --key-id ${KEY_ARN}`,
    });
  });

  test('could not check: HeadBucket answers 403', async () => {
    s3.on(HeadBucketCommand).rejects(new S3ServiceException({ name: 'Forbidden', $fault: 'client', $metadata: { httpStatusCode: 403 } }));
    expect((await results(state))['state-backend']).toMatchObject({ status: 'could-not-check', fix: 'allow s3:ListBucket, kms:DescribeKey to the identity running preflight' });
  });
});

describe('CloudWatch Logs resource policies', () => {
  const waf = `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:aws-waf-logs-loan-remediation-dev:*`;
  const policy = (name: string, document: string) => ({ policyName: name, policyDocument: document });
  const others = (n: number) => Array.from({ length: n }, (_, i) => policy(`other-${i}`, '{"Statement":[{"Principal":{"Service":"es.amazonaws.com"}}]}'));

  test('pass: room for a new policy; or an existing delivery policy already names the WAF log group', async () => {
    logs.on(DescribeResourcePoliciesCommand).resolves({ resourcePolicies: others(9) });
    expect((await results())['logs-resource-policies']).toMatchObject({ status: 'pass', detail: '9 of 10 policies; room for a new one for the WAF logs' });
    logs.on(DescribeResourcePoliciesCommand).resolves({
      resourcePolicies: [...others(9), policy('AWSLogDeliveryWrite', `{"Principal":{"Service":"delivery.logs.amazonaws.com"},"Resource":["${waf}"]}`)],
    });
    expect((await results())['logs-resource-policies']).toMatchObject({ status: 'pass', detail: expect.stringMatching(/^a delivery policy already covers/) });
  });

  test('pass: all ten used, but the delivery policy has room; reads every page', async () => {
    logs
      .on(DescribeResourcePoliciesCommand)
      .resolvesOnce({ resourcePolicies: others(5), nextToken: 'page-2' })
      .resolves({ resourcePolicies: [...others(4), policy('AWSLogDeliveryWrite', '{"Service":"delivery.logs.amazonaws.com"}')] });
    expect((await results())['logs-resource-policies']).toMatchObject({ status: 'pass', detail: '10 of 10 policies; room in AWSLogDeliveryWrite for the WAF logs' });
  });

  test('fail: ten policies and the delivery policy one character short of room for the WAF log group', async () => {
    /** A delivery policy that leaves `room` characters of the 5,120. */
    const leaving = (room: number) => {
      const frame = '{"Service":"delivery.logs.amazonaws.com","Resource":""}';
      return policy('AWSLogDeliveryWrite', frame.replace('""', `"${'x'.repeat(5120 - room - frame.length)}"`));
    };
    const needed = waf.length + 3; // the ARN, quoted, and a comma
    logs.on(DescribeResourcePoliciesCommand).resolves({ resourcePolicies: [...others(9), leaving(needed)] });
    expect((await results())['logs-resource-policies']).toMatchObject({ status: 'pass' });
    logs.on(DescribeResourcePoliciesCommand).resolves({ resourcePolicies: [...others(9), leaving(needed - 1)] });
    expect((await results())['logs-resource-policies']).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/^10 of 10 resource policies in us-east-1, and no delivery policy has \d+ characters to spare/),
      fix: expect.stringContaining('aws logs delete-resource-policy'),
    });
  });

  test('could not check: refused', async () => {
    logs.on(DescribeResourcePoliciesCommand).rejects(accessDenied('logs:DescribeResourcePolicies'));
    expect((await results())['logs-resource-policies']).toMatchObject({ status: 'could-not-check', fix: 'allow logs:DescribeResourcePolicies to the identity running preflight' });
  });
});

describe('quotas on the request path, found by name', () => {
  const quota = async (label: string, env: Record<string, string> = {}) => (await results(env))[`quota: ${label}`];
  const API_GATEWAY = 'API Gateway throttle rate (account, region)';
  const LAMBDA = 'Lambda concurrent executions';
  const EXECUTE = 'Redshift Data API ExecuteStatement rate';
  const RESULT = 'Redshift Data API GetStatementResult rate';
  const dataApiQuotas = (executeStatement: number, getStatementResult: number) =>
    quotas.on(ListServiceQuotasCommand, { ServiceCode: 'redshift-data' }).resolves({
      Quotas: [
        // Listed first: a name that merely contains "ExecuteStatement" must not be taken for it.
        { QuotaName: 'Rate of BatchExecuteStatement API requests', Value: 1 },
        { QuotaName: 'Rate of ExecuteStatement API requests', Value: executeStatement },
        { QuotaName: 'Rate of GetStatementResult API requests', Value: getStatementResult },
      ],
    });
  const lambdaQuota = (value: number) => quotas.on(ListServiceQuotasCommand, { ServiceCode: 'lambda' }).resolves({ Quotas: [{ QuotaName: 'Concurrent executions', Value: value }] });
  const apiGatewayQuota = (value: number) => quotas.on(ListServiceQuotasCommand, { ServiceCode: 'apigateway' }).resolves({ Quotas: [{ QuotaName: 'Throttle rate', Value: value }] });

  test('pass: each quota covers what the configuration needs, in its own unit', async () => {
    dataApiQuotas(30, 20);
    const all = await results();
    expect(all[`quota: ${API_GATEWAY}`]).toMatchObject({ status: 'pass', detail: "Throttle rate 10000, needs 8 per second (the stage's rate, from DATA_API_SHARE_PERCENT)" });
    expect(all[`quota: ${LAMBDA}`]).toMatchObject({
      status: 'pass',
      detail: "Concurrent executions 1000, needs 8 concurrent executions (the stage's rate, from DATA_API_SHARE_PERCENT, 8 per second, at about 1 s per request)",
    });
    expect(all[`quota: ${EXECUTE}`]).toMatchObject({
      status: 'pass',
      detail: "Rate of ExecuteStatement API requests 30, needs 40 % (DATA_API_SHARE_PERCENT) of it per second to cover the stage's 8 (one ExecuteStatement per request)",
    });
    expect(all[`quota: ${RESULT}`]).toMatchObject({ status: 'pass', detail: expect.stringMatching(/^Rate of GetStatementResult API requests 20, needs 40 %/) });
    // The smallest share still gets 1 request per second, as the stage does.
    expect(await quota(RESULT, { DATA_API_SHARE_PERCENT: '1' })).toMatchObject({ status: 'pass' });
  });

  test('fail: a Data API rate below the one the share assumes; the fix sets API_THROTTLE_RATE to the share of the real rate, which passes', async () => {
    dataApiQuotas(30, 10);
    expect(await quota(RESULT)).toEqual({
      id: `quota: ${RESULT}`,
      status: 'fail',
      detail: "Rate of GetStatementResult API requests is 10; this configuration needs 40 % (DATA_API_SHARE_PERCENT) of it per second to cover the stage's 8 (one GetStatementResult per request)",
      fix: 'set API_THROTTLE_RATE to 4 (40 % of this account\'s 10/s), or request a higher "Rate of GetStatementResult API requests" quota in Service Quotas',
    });
    expect(await quota(RESULT, { API_THROTTLE_RATE: '4' })).toMatchObject({ status: 'pass' });
    // A lower share lowers the stage's rate and what the share allows alike: it cannot fix this.
    expect(await quota(RESULT, { DATA_API_SHARE_PERCENT: '20' })).toMatchObject({ status: 'fail' });
  });

  test('fail with API_THROTTLE_RATE set: every fix names it', async () => {
    dataApiQuotas(30, 20);
    apiGatewayQuota(5);
    const all = await results({ API_THROTTLE_RATE: '12' });
    expect(all[`quota: ${RESULT}`]).toMatchObject({
      status: 'fail',
      fix: 'lower API_THROTTLE_RATE to at most 8 (40 % of this account\'s 20/s), or request a higher "Rate of GetStatementResult API requests" quota in Service Quotas',
    });
    expect(all[`quota: ${EXECUTE}`]).toMatchObject({ status: 'pass' });
    expect(all[`quota: ${API_GATEWAY}`]).toMatchObject({
      status: 'fail',
      detail: "Throttle rate is 5; this configuration needs 12 per second (the stage's rate, from API_THROTTLE_RATE)",
      fix: 'request a higher "Throttle rate" for API Gateway in Service Quotas, or lower API_THROTTLE_RATE to at most 5',
    });
  });

  test('the ExecuteStatement quota is the one of that name, not BatchExecuteStatement\'s', async () => {
    dataApiQuotas(30, 20);
    expect(await quota(EXECUTE)).toMatchObject({ status: 'pass', detail: expect.stringMatching(/^Rate of ExecuteStatement API requests 30,/) });
  });

  test('fail: a Lambda quota below the stage rate, counted in concurrent executions; the fix names the share that fits', async () => {
    lambdaQuota(10);
    expect(await quota(LAMBDA, { DATA_API_SHARE_PERCENT: '100' })).toEqual({
      id: `quota: ${LAMBDA}`,
      status: 'fail',
      detail: "Concurrent executions is 10; this configuration needs 20 concurrent executions (the stage's rate, from DATA_API_SHARE_PERCENT, 20 per second, at about 1 s per request)",
      fix: 'request a higher "Concurrent executions" quota for Lambda in Service Quotas, or lower DATA_API_SHARE_PERCENT to at most 54',
    });
    expect(await quota(LAMBDA, { DATA_API_SHARE_PERCENT: '54' })).toMatchObject({ status: 'pass' });
  });

  describe('with WAREHOUSE_TRANSPORT=postgres', () => {
    const postgres = { WAREHOUSE_TRANSPORT: 'postgres' };

    test('the Data API quotas are not on the request path: neither asked nor reported', async () => {
      const all = await results(postgres);
      expect(Object.keys(all).filter((id) => id.startsWith('quota: '))).toEqual([`quota: ${API_GATEWAY}`, `quota: ${LAMBDA}`]);
      expect(quotas.commandCalls(ListServiceQuotasCommand, { ServiceCode: 'redshift-data' })).toHaveLength(0);
    });

    test('Lambda: the reservation and the 100 AWS keeps unreserved; the fix lowers the reservation within the quota', async () => {
      expect(await quota(LAMBDA, postgres)).toMatchObject({
        status: 'pass',
        detail: 'Concurrent executions 1000, needs 110 concurrent executions (LAMBDA_RESERVED_CONCURRENCY=10 and the 100 AWS keeps unreserved)',
      });
      lambdaQuota(105);
      expect(await quota(LAMBDA, postgres)).toMatchObject({
        status: 'fail',
        fix: 'request a higher "Concurrent executions" quota for Lambda in Service Quotas, or lower LAMBDA_RESERVED_CONCURRENCY to at most 5',
      });
      expect(await quota(LAMBDA, { ...postgres, LAMBDA_RESERVED_CONCURRENCY: '5' })).toMatchObject({ status: 'pass' });
      lambdaQuota(50);
      expect(await quota(LAMBDA, postgres)).toMatchObject({ status: 'fail', fix: 'request a higher "Concurrent executions" quota for Lambda in Service Quotas' });
    });

    test("API Gateway: the stage's rate follows the reservation; the fix sets API_THROTTLE_RATE", async () => {
      apiGatewayQuota(5);
      expect(await quota(API_GATEWAY, postgres)).toMatchObject({
        status: 'fail',
        detail: "Throttle rate is 5; this configuration needs 10 per second (the stage's rate, from LAMBDA_RESERVED_CONCURRENCY)",
        fix: 'request a higher "Throttle rate" for API Gateway in Service Quotas, or set API_THROTTLE_RATE to at most 5',
      });
    });
  });

  test('could not check: a quota Service Quotas does not list, a service it does not know, a refusal', async () => {
    quotas.on(ListServiceQuotasCommand, { ServiceCode: 'redshift-data' }).rejects(awsError('NoSuchResourceException'));
    quotas.on(ListServiceQuotasCommand, { ServiceCode: 'lambda' }).resolves({ Quotas: [{ QuotaName: 'Function and layer storage', Value: 75 }] });
    quotas.on(ListServiceQuotasCommand, { ServiceCode: 'apigateway' }).rejects(accessDenied('servicequotas:ListServiceQuotas'));
    const all = await results();
    expect(all[`quota: ${EXECUTE}`]).toMatchObject({ status: 'could-not-check', detail: 'Service Quotas does not know redshift-data here' });
    expect(all[`quota: ${LAMBDA}`]).toMatchObject({
      status: 'could-not-check',
      detail: 'Service Quotas lists no quota named like ^Concurrent executions$ for lambda',
      fix: "look it up in the Service Quotas console; this configuration needs 8 concurrent executions (the stage's rate, from DATA_API_SHARE_PERCENT, 8 per second, at about 1 s per request)",
    });
    expect(all[`quota: ${API_GATEWAY}`]).toMatchObject({ status: 'could-not-check', fix: 'allow servicequotas:ListServiceQuotas to the identity running preflight' });
  });
});

test('every IAM action preflight needs exists in the IAM database, and each check lists its own', () => {
  expect(PREFLIGHT_IAM_ACTIONS.filter((action) => typeof expandAction(action) === 'string')).toEqual([]);
  expect(PREFLIGHT_IAM_ACTIONS).toEqual([
    'sts:GetCallerIdentity',
    'ec2:DescribeAvailabilityZones',
    'apigateway:GET',
    'lambda:GetAccountSettings',
    'lambda:GetFunctionConcurrency',
    'cognito-idp:DescribeUserPoolDomain',
    's3:ListBucket',
    'kms:DescribeKey',
    'logs:DescribeResourcePolicies',
    'servicequotas:ListServiceQuotas',
  ]);
  // One list per check (credentials and the quotas run outside CHECKS), none left over.
  expect(Object.keys(PREFLIGHT_CHECK_ACTIONS)).toEqual(['credentials', ...CHECKS.map((check) => check.id), 'quotas']);
});
