/**
 * The checks of `npm run preflight`: read-only questions to the target account and region, each
 * answered pass, fail (with the exact fix) or could-not-check (the call was refused or the answer
 * unreadable, with what to look at instead). Nothing here changes anything in the account.
 */
import { APIGatewayClient, GetAccountCommand } from '@aws-sdk/client-api-gateway';
import { CloudWatchLogsClient, DescribeResourcePoliciesCommand, ResourcePolicy } from '@aws-sdk/client-cloudwatch-logs';
import { CognitoIdentityProviderClient, DescribeUserPoolDomainCommand } from '@aws-sdk/client-cognito-identity-provider';
import { DescribeAvailabilityZonesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { GetAccountSettingsCommand, GetFunctionConcurrencyCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { ListServiceQuotasCommand, ServiceQuota, ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { Config, REDSHIFT_SERVERLESS_REGIONS, stageRateForShare } from '../../stacks/config';
import { PREFLIGHT_CHECK_ACTIONS, PreflightCheckId } from '../../stacks/deployer/preflight-actions';

export { PREFLIGHT_IAM_ACTIONS } from '../../stacks/deployer/preflight-actions';

export type CheckStatus = 'pass' | 'fail' | 'could-not-check';

export interface CheckResult {
  readonly id: string;
  readonly status: CheckStatus;
  /** What was found, one line. */
  readonly detail: string;
  /** For a fail: the exact change that makes it pass. For could-not-check: what to look at instead. */
  readonly fix?: string;
}

/** The caller, known once the credentials check passed; the other checks use the account id. */
export interface Caller {
  readonly account: string;
  readonly arn: string;
}

export interface CheckContext {
  readonly config: Config;
  readonly caller: Caller;
}

export interface Check {
  readonly id: string;
  /** What it asks, for --help and the docs. */
  readonly title: string;
  /** The IAM actions it calls (checked against the IAM database by a test). */
  readonly actions: readonly string[];
  run(context: CheckContext): Promise<CheckResult>;
}

const pass = (id: string, detail: string): CheckResult => ({ id, status: 'pass', detail });
const fail = (id: string, detail: string, fix: string): CheckResult => ({ id, status: 'fail', detail, fix });

const errorName = (error: unknown): string => (error as { name?: string } | null)?.name ?? 'Error';
const errorText = (error: unknown): string => `${errorName(error)}: ${(error as Error).message ?? String(error)}`.slice(0, 300);
const httpStatus = (error: unknown): number | undefined => (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
const isAccessDenied = (error: unknown): boolean =>
  /AccessDenied|UnauthorizedOperation|NotAuthorized|Forbidden/i.test(errorName(error)) || httpStatus(error) === 403;

/**
 * A call that failed for a reason the check cannot judge: an identity without the permission, or an
 * error the check does not expect. Never a fail: the account may well be fine.
 */
function couldNotCheck(id: string, actions: readonly string[], error: unknown): CheckResult {
  return isAccessDenied(error)
    ? { id, status: 'could-not-check', detail: `refused: ${errorText(error)}`, fix: `allow ${actions.join(', ')} to the identity running preflight` }
    : { id, status: 'could-not-check', detail: errorText(error), fix: 'run it again; if it persists, check this by hand' };
}

/** Runs a check's calls; an error becomes could-not-check instead of stopping the others. */
async function guarded(check: Omit<Check, 'run'>, body: () => Promise<CheckResult>): Promise<CheckResult> {
  try {
    return await body();
  } catch (error) {
    return couldNotCheck(check.id, check.actions, error);
  }
}

/** A check whose body gets its own id, its actions from PREFLIGHT_CHECK_ACTIONS, and whose errors become could-not-check. */
const defineCheck = (check: {
  id: PreflightCheckId;
  title: string;
  body(context: CheckContext, id: string): Promise<CheckResult>;
}): Check => {
  const defined = { id: check.id, title: check.title, actions: PREFLIGHT_CHECK_ACTIONS[check.id] };
  return { ...defined, run: (context) => guarded(defined, () => check.body(context, check.id)) };
};

/** Who the credentials are: the first call, and the one whose failure stops the run (preflight-command.ts). */

export async function callerIdentity(region: string): Promise<Caller> {
  const identity = await new STSClient({ region }).send(new GetCallerIdentityCommand({}));
  if (identity.Account === undefined || identity.Arn === undefined) throw new Error('GetCallerIdentity answered without an account');
  return { account: identity.Account, arn: identity.Arn };
}

/** The account of STATE_KMS_KEY_ARN, when set: state in another account means the wrong credentials. */
export function credentialsResult(config: Config, caller: Caller): CheckResult {
  const keyAccount = config.stateKmsKeyArn?.split(':')[4];
  if (keyAccount !== undefined && keyAccount !== caller.account) {
    return fail(
      'credentials',
      `signed in to account ${caller.account} as ${caller.arn}, but STATE_KMS_KEY_ARN is in account ${keyAccount}`,
      `use credentials for account ${keyAccount} (AWS_PROFILE), or point STATE_BUCKET and STATE_KMS_KEY_ARN at this account's state stack`,
    );
  }
  return pass('credentials', `account ${caller.account} as ${caller.arn}`);
}

/**
 * The configured AZ IDs exist in this account's region and are available. Redshift Serverless needs
 * subnets in three AZ IDs it supports ("Considerations when using Amazon Redshift Serverless"); the
 * region and the default IDs come from that page (REDSHIFT_SERVERLESS_REGIONS), the account's own
 * zones from DescribeAvailabilityZones.
 */
const availabilityZones = defineCheck({
  id: 'availability-zones',
  title: 'Redshift Serverless is offered in the region, and the AZ IDs of AVAILABILITY_ZONE_IDS are available there',
  async body({ config }, id) {
    if (!(config.region in REDSHIFT_SERVERLESS_REGIONS)) {
      return fail(id, `Redshift Serverless is not offered in ${config.region}`, `set AWS_REGION to one of ${Object.keys(REDSHIFT_SERVERLESS_REGIONS).join(', ')}`);
    }
    const { AvailabilityZones = [] } = await new EC2Client({ region: config.region }).send(new DescribeAvailabilityZonesCommand({}));
    const available = AvailabilityZones.filter((zone) => zone.State === 'available' && zone.ZoneType !== 'local-zone' && zone.ZoneType !== 'wavelength-zone')
      .map((zone) => zone.ZoneId)
      .filter((zoneId): zoneId is string => zoneId !== undefined);
    const missing = config.availabilityZoneIds.filter((zoneId) => !available.includes(zoneId));
    if (missing.length > 0) {
      return fail(
        id,
        `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not an available zone of ${config.region} in this account (it has ${available.join(', ')})`,
        `set AVAILABILITY_ZONE_IDS to three of ${available.join(', ')} that Redshift Serverless supports (see "Considerations when using Amazon Redshift Serverless")`,
      );
    }
    return pass(id, `${config.region}: ${config.availabilityZoneIds.join(', ')} available`);
  },
});

/**
 * API Gateway's account-level CloudWatch Logs role (GET /account, `cloudwatchRoleArn`): without it a
 * stage with access or execution logging fails to deploy ("CloudWatch Logs role ARN must be set in
 * account settings to enable logging"). One per account and region; the account stack owns it.
 */
const apiGatewayAccountRole = defineCheck({
  id: 'api-gateway-logging-role',
  title: "API Gateway's account CloudWatch Logs role is set in the region (GET /account)",
  async body({ config }, id) {
    const { cloudwatchRoleArn } = await new APIGatewayClient({ region: config.region }).send(new GetAccountCommand({}));
    if (cloudwatchRoleArn === undefined || cloudwatchRoleArn === '') {
      return fail(
        id,
        `no CloudWatch Logs role in API Gateway's account settings of ${config.region}: the api stage's logging would fail to deploy`,
        'apply the account stack: an administrator runs `npx cdktf deploy account` once per account and region (docs/operations.md)',
      );
    }
    return pass(id, `role ${cloudwatchRoleArn}`);
  },
});

/**
 * AWS keeps part of the account's concurrency unreserved: 100 ("You can reserve up to the Unreserved
 * account concurrency value that is shown, minus 100", "Configuring reserved concurrency for a
 * function", AWS Lambda Developer Guide), and on an account whose whole quota is smaller, all of it
 * (the refusal then reads "... below its minimum value of [10]" or "[50]").
 */
export const UNRESERVED_MINIMUM = 100;
export const unreservedFloor = (accountLimit: number): number => Math.min(UNRESERVED_MINIMUM, accountLimit);

const lambdaConcurrency = defineCheck({
  id: 'lambda-concurrency',
  title: 'The account can give LAMBDA_RESERVED_CONCURRENCY (lambda:GetAccountSettings)',
  async body({ config }, id) {
    const lambda = new LambdaClient({ region: config.region });
    const { AccountLimit } = await lambda.send(new GetAccountSettingsCommand({}));
    const total = AccountLimit?.ConcurrentExecutions;
    const unreserved = AccountLimit?.UnreservedConcurrentExecutions;
    if (total === undefined || unreserved === undefined) throw new Error('GetAccountSettings answered without AccountLimit');
    const reservation = config.api.lambdaReservedConcurrency;
    const account = `account concurrency ${total}, ${unreserved} unreserved`;
    if (reservation === undefined) return pass(id, `no reservation; ${account}`);
    // A function deployed before already holds its reservation: it is part of what it may keep.
    const functionName = `${config.namePrefix}-predict`;
    let current = 0;
    try {
      current = (await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: functionName }))).ReservedConcurrentExecutions ?? 0;
    } catch (error) {
      if (errorName(error) !== 'ResourceNotFoundException') throw error;
    }
    const floor = unreservedFloor(total);
    const largest = unreserved + current - floor;
    if (reservation > largest) {
      return fail(
        id,
        `LAMBDA_RESERVED_CONCURRENCY=${reservation} would leave ${unreserved + current - reservation} unreserved; AWS keeps at least ${floor} (${account})`,
        reservationFix(config, largest),
      );
    }
    return pass(id, `LAMBDA_RESERVED_CONCURRENCY=${reservation} fits: at most ${largest} can be reserved (${account})`);
  },
});

const HIGHER_CONCURRENCY = 'request a higher "Concurrent executions" quota (Service Quotas, Lambda)';

/**
 * The fix for a reservation the account cannot give, by transport: the Data API needs none, the direct
 * connection always needs one (it bounds the workgroup's connections), and its stage rate follows it.
 */
function reservationFix(config: Config, largest: number): string {
  if (config.api.warehouseTransport === 'data-api') {
    return largest >= 1
      ? `unset LAMBDA_RESERVED_CONCURRENCY or set it to at most ${largest}, or ${HIGHER_CONCURRENCY}`
      : `unset LAMBDA_RESERVED_CONCURRENCY (this account cannot reserve any), or ${HIGHER_CONCURRENCY}`;
  }
  return largest >= 1
    ? `set LAMBDA_RESERVED_CONCURRENCY to at most ${largest} (WAREHOUSE_TRANSPORT=postgres needs a reservation; the stage's rate follows it), or ${HIGHER_CONCURRENCY}`
    : `${HIGHER_CONCURRENCY}: WAREHOUSE_TRANSPORT=postgres needs a reservation and this account cannot reserve any (or use WAREHOUSE_TRANSPORT=data-api, which needs none)`;
}

/** Cognito's prefix domains are unique per region across all of AWS; ours includes the account id. */
const cognitoDomain = defineCheck({
  id: 'cognito-domain',
  title: 'The Cognito domain prefix <project>-<environment>-<account> is free (DescribeUserPoolDomain)',
  async body({ config, caller }, id) {
    const domain = `${config.namePrefix}-${caller.account}`;
    const { DomainDescription } = await new CognitoIdentityProviderClient({ region: config.region }).send(
      new DescribeUserPoolDomainCommand({ Domain: domain }),
    );
    // An unused prefix is answered with an empty description.
    if (DomainDescription?.UserPoolId === undefined) return pass(id, `${domain} is free`);
    if (DomainDescription.AWSAccountId !== undefined && DomainDescription.AWSAccountId !== caller.account) {
      return fail(id, `${domain} belongs to another account (${DomainDescription.AWSAccountId})`, 'choose another PROJECT_NAME');
    }
    return pass(id, `${domain} is this account's (user pool ${DomainDescription.UserPoolId}): the api stack's own once deployed`);
  },
});

/** The S3 backend's bucket and key, when STATE_BUCKET is set: reachable by these credentials, the key enabled. */
const stateBackend = defineCheck({
  id: 'state-backend',
  title: 'STATE_BUCKET is reachable and STATE_KMS_KEY_ARN is an enabled key (HeadBucket, DescribeKey)',
  async body({ config }, id) {
    const { stateBucket, stateKmsKeyArn } = config;
    if (stateBucket === undefined || stateKmsKeyArn === undefined) {
      return pass(id, 'STATE_BUCKET is not set: every stack keeps local state (set it, with STATE_KMS_KEY_ARN, before CI plans)');
    }
    try {
      await new S3Client({ region: config.region }).send(new HeadBucketCommand({ Bucket: stateBucket }));
    } catch (error) {
      if (httpStatus(error) === 404 || errorName(error) === 'NotFound' || errorName(error) === 'NoSuchBucket') {
        return fail(id, `bucket ${stateBucket} does not exist`, 'deploy the state stack (`npx cdktf deploy state`) and set STATE_BUCKET to its state_bucket_name output');
      }
      if (httpStatus(error) === 301) {
        return fail(id, `bucket ${stateBucket} is in another region than ${config.region}`, 'set AWS_REGION to the bucket\'s region, or use that region\'s state bucket');
      }
      throw error;
    }
    const { KeyMetadata } = await new KMSClient({ region: config.region }).send(new DescribeKeyCommand({ KeyId: stateKmsKeyArn }));
    if (KeyMetadata?.KeyState !== 'Enabled') {
      const fix =
        KeyMetadata?.KeyState === 'PendingDeletion'
          ? `aws kms cancel-key-deletion --key-id ${stateKmsKeyArn}, then aws kms enable-key --key-id ${stateKmsKeyArn}`
          : `enable it (aws kms enable-key --key-id ${stateKmsKeyArn}) or set STATE_KMS_KEY_ARN to the state stack's state_kms_key_arn output`;
      return fail(id, `key ${stateKmsKeyArn} is ${KeyMetadata?.KeyState ?? 'in an unknown state'}`, fix);
    }
    return pass(id, `s3://${stateBucket} reachable, key enabled`);
  },
});

/**
 * CloudWatch Logs allows 10 resource policies per region, 5,120 characters each ("CloudWatch Logs
 * quotas", Amazon CloudWatch Logs User Guide). WAF log delivery to a log group needs one that lets
 * delivery.logs.amazonaws.com write to it; AWS adds the log group to an existing delivery policy or
 * creates a new one.
 */
export const LOGS_RESOURCE_POLICY_LIMITS = { count: 10, characters: 5120 } as const;

const logsResourcePolicies = defineCheck({
  id: 'logs-resource-policies',
  title: 'CloudWatch Logs has room for the WAF log delivery policy (10 per region, 5,120 characters each)',
  async body({ config, caller }, id) {
    const logs = new CloudWatchLogsClient({ region: config.region });
    const policies: ResourcePolicy[] = [];
    let nextToken: string | undefined;
    do {
      const page = await logs.send(new DescribeResourcePoliciesCommand({ nextToken }));
      policies.push(...(page.resourcePolicies ?? []));
      nextToken = page.nextToken;
    } while (nextToken !== undefined);
    const logGroupArn = `arn:${caller.arn.split(':')[1]}:logs:${config.region}:${caller.account}:log-group:aws-waf-logs-${config.namePrefix}:*`;
    const delivery = policies.filter((policy) => (policy.policyDocument ?? '').includes('delivery.logs.amazonaws.com'));
    const { count, characters } = LOGS_RESOURCE_POLICY_LIMITS;
    if (delivery.some((policy) => (policy.policyDocument ?? '').includes(logGroupArn))) {
      return pass(id, `a delivery policy already covers aws-waf-logs-${config.namePrefix} (${policies.length} of ${count} policies)`);
    }
    // Adding our log group to a delivery policy takes its ARN, quoted, and a comma.
    const needed = logGroupArn.length + 3;
    const roomy = delivery.find((policy) => characters - (policy.policyDocument ?? '').length >= needed);
    if (roomy !== undefined || policies.length < count) {
      return pass(id, `${policies.length} of ${count} policies; ${roomy ? `room in ${roomy.policyName}` : 'room for a new one'} for the WAF logs`);
    }
    return fail(
      id,
      `${policies.length} of ${count} resource policies in ${config.region}, and no delivery policy has ${needed} characters to spare for the WAF logs`,
      'delete an unused resource policy (aws logs delete-resource-policy --policy-name <name>) or merge two, then deploy the waf stack',
    );
  },
});

/** What a configuration needs of one quota: said in the quota's own unit, and how to fix a shortfall. */
interface QuotaNeed {
  /** What it needs and why, e.g. `8 per second (the stage's rate)`. */
  readonly text: string;
  readonly coveredBy: (value: number) => boolean;
  /** For a fail: the exact change that makes it pass, given the quota's value and name. */
  readonly fix: (value: number, quotaName: string) => string;
}

/**
 * A quota on the request path, found by its name in Service Quotas (codes differ between services and
 * change; names are what the console shows). `need` is what this configuration relies on; undefined
 * when its request path does not use the quota.
 */
interface QuotaOnThePath {
  readonly serviceCode: string;
  readonly name: RegExp;
  readonly label: string;
  readonly need: (config: Config) => QuotaNeed | undefined;
}

const atLeast = (needed: number, text: string, fix: (value: number, quotaName: string) => string): QuotaNeed => ({
  text: `${needed} ${text}`,
  coveredBy: (value) => value >= needed,
  fix,
});

/** Fixes to choose from, for one line. */
const either = (...fixes: (string | undefined)[]): string => fixes.filter((fix) => fix !== undefined).join(', or ');

/** How to bring the stage's rate down to `max` per second, through the setting it comes from (none below 1). */
function lowerStageRate(config: Config, max: number): string | undefined {
  if (max < 1) return undefined;
  const { throttleRateSetting, dataApiSharePercent } = config.api;
  if (throttleRateSetting === 'DATA_API_SHARE_PERCENT' && dataApiSharePercent !== undefined) {
    const share = Array.from({ length: dataApiSharePercent }, (_, i) => dataApiSharePercent - i).find((s) => stageRateForShare(s) <= max);
    if (share !== undefined) return `lower DATA_API_SHARE_PERCENT to at most ${share}`;
  }
  return `${throttleRateSetting === 'API_THROTTLE_RATE' ? 'lower' : 'set'} API_THROTTLE_RATE to at most ${max}`;
}

/** The stage's rate, with the setting it follows. */
const stageRate = (config: Config): string => `the stage's rate, from ${config.api.throttleRateSetting}`;

/**
 * The quotas every request meets. API Gateway's account-wide "Throttle rate" and Lambda's "Concurrent
 * executions" (a count: the stage's rate at about 1 s per request, or, with a reservation, the
 * reservation plus the 100 AWS keeps unreserved), and with the Data API its two calls per prediction:
 * the stage's rate was derived from DATA_API_SHARE_PERCENT of DATA_API_RATES_PER_SECOND, so it must fit
 * that share of the account's actual rates. The direct connection calls no Data API on the request path.
 */
export const REQUEST_PATH_QUOTAS: readonly QuotaOnThePath[] = [
  {
    serviceCode: 'apigateway',
    name: /^Throttle rate$/i,
    label: 'API Gateway throttle rate (account, region)',
    need: (config) =>
      atLeast(config.api.throttleRateLimit, `per second (${stageRate(config)})`, (value, quotaName) =>
        either(`request a higher "${quotaName}" for API Gateway in Service Quotas`, lowerStageRate(config, value)),
      ),
  },
  {
    serviceCode: 'lambda',
    name: /^Concurrent executions$/i,
    label: 'Lambda concurrent executions',
    need: (config) => {
      const reservation = config.api.lambdaReservedConcurrency;
      const higher = (quotaName: string) => `request a higher "${quotaName}" quota for Lambda in Service Quotas`;
      if (reservation === undefined) {
        const rate = config.api.throttleRateLimit;
        return atLeast(rate, `concurrent executions (${stageRate(config)}, ${rate} per second, at about 1 s per request)`, (value, quotaName) =>
          either(higher(quotaName), lowerStageRate(config, value)),
        );
      }
      return atLeast(
        reservation + UNRESERVED_MINIMUM,
        `concurrent executions (LAMBDA_RESERVED_CONCURRENCY=${reservation} and the ${UNRESERVED_MINIMUM} AWS keeps unreserved)`,
        (value, quotaName) =>
          either(higher(quotaName), value - UNRESERVED_MINIMUM >= 1 ? `lower LAMBDA_RESERVED_CONCURRENCY to at most ${value - UNRESERVED_MINIMUM}` : undefined),
      );
    },
  },
  ...(['ExecuteStatement', 'GetStatementResult'] as const).map(
    (operation): QuotaOnThePath => ({
      serviceCode: 'redshift-data',
      // The whole word: "ExecuteStatement" must not match the name of BatchExecuteStatement's quota.
      name: new RegExp(`\\b${operation}\\b`, 'i'),
      label: `Redshift Data API ${operation} rate`,
      need: (config) => {
        // No share with postgres: the direct connection calls no Data API on the request path.
        const share = config.api.dataApiSharePercent;
        if (share === undefined) return undefined;
        const rate = config.api.throttleRateLimit;
        // The share of the account's rate, rounded as the stage's rate is (at least 1 per second).
        const allowance = (value: number) => Math.max(1, Math.floor((value * share) / 100));
        return {
          text: `${share} % (DATA_API_SHARE_PERCENT) of it per second to cover the stage's ${rate} (one ${operation} per request)`,
          coveredBy: (value) => rate <= allowance(value),
          fix: (value, quotaName) => {
            const setRate = config.api.throttleRateSetting === 'API_THROTTLE_RATE' ? 'lower API_THROTTLE_RATE to at most' : 'set API_THROTTLE_RATE to';
            return `${setRate} ${allowance(value)} (${share} % of this account's ${value}/s), or request a higher "${quotaName}" quota in Service Quotas`;
          },
        };
      },
    }),
  ),
];

async function listQuotas(client: ServiceQuotasClient, serviceCode: string): Promise<ServiceQuota[]> {
  const quotas: ServiceQuota[] = [];
  let NextToken: string | undefined;
  do {
    const page = await client.send(new ListServiceQuotasCommand({ ServiceCode: serviceCode, NextToken }));
    quotas.push(...(page.Quotas ?? []));
    NextToken = page.NextToken;
  } while (NextToken !== undefined);
  return quotas;
}

/**
 * One result per quota this configuration's request path uses: pass or fail against what it needs,
 * could-not-check when not listed.
 */
export async function checkRequestPathQuotas(config: Config): Promise<CheckResult[]> {
  const client = new ServiceQuotasClient({ region: config.region });
  const byService = new Map<string, Promise<ServiceQuota[]>>();
  const actions = PREFLIGHT_CHECK_ACTIONS.quotas;
  const used = REQUEST_PATH_QUOTAS.flatMap((quota) => {
    const need = quota.need(config);
    return need === undefined ? [] : [{ quota, need }];
  });
  return Promise.all(
    used.map(async ({ quota, need }) => {
      const id = `quota: ${quota.label}`;
      try {
        if (!byService.has(quota.serviceCode)) byService.set(quota.serviceCode, listQuotas(client, quota.serviceCode));
        const found = (await byService.get(quota.serviceCode)!).find((q) => quota.name.test(q.QuotaName ?? ''));
        if (found?.Value === undefined) {
          return {
            id,
            status: 'could-not-check',
            detail: `Service Quotas lists no quota named like ${quota.name.source} for ${quota.serviceCode}`,
            fix: `look it up in the Service Quotas console; this configuration needs ${need.text}`,
          } satisfies CheckResult;
        }
        const name = found.QuotaName ?? quota.label;
        return need.coveredBy(found.Value)
          ? pass(id, `${name} ${found.Value}, needs ${need.text}`)
          : fail(id, `${name} is ${found.Value}; this configuration needs ${need.text}`, need.fix(found.Value, name));
      } catch (error) {
        if (errorName(error) === 'NoSuchResourceException') {
          return { id, status: 'could-not-check', detail: `Service Quotas does not know ${quota.serviceCode} here`, fix: 'look it up in the Service Quotas console' } satisfies CheckResult;
        }
        return couldNotCheck(id, actions, error);
      }
    }),
  );
}

/** Every check after credentials, in the order they are reported. */
export const CHECKS: readonly Check[] = [availabilityZones, apiGatewayAccountRole, lambdaConcurrency, cognitoDomain, stateBackend, logsResourcePolicies];
