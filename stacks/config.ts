/**
 * Deployment configuration: validates the raw settings (variable name -> text) that stacks/settings.ts
 * reads from settings/<environment>.env and the environment. Every value has a default that
 * synthesizes a working dev deployment, and every value is validated; a bad one stops synth with one
 * line naming the variable, the value and what is allowed.
 */
import { isIPv4, isIPv6 } from 'net';
import { WAREHOUSE_TRANSPORTS, WarehouseTransport } from '../lambda-src/config';
import { SQL_IDENTIFIER, SQL_IDENTIFIER_RULE } from '../lambda-src/sql';

/** A wrong setting, or a settings file that cannot be read: printed as one line, never a stack trace. */
export class ConfigError extends Error {
  /** The variable whose value is wrong; undefined for a message of the second form. */
  readonly variable: string | undefined;

  constructor(variable: string, value: string, allowed: string);
  /** A message that is not about one value (a malformed settings file, a refused override). */
  constructor(message: string);
  constructor(variableOrMessage: string, value?: string, allowed?: string) {
    const aboutValue = value !== undefined;
    super(aboutValue ? `${variableOrMessage}=${JSON.stringify(value)} is invalid: expected ${allowed}` : variableOrMessage);
    this.name = 'ConfigError';
    this.variable = aboutValue ? variableOrMessage : undefined;
  }
}

export const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/**
 * Cognito refuses a domain prefix with any of these anywhere in it, as a substring ("Using the Amazon
 * Cognito prefix domain for managed login", Amazon Cognito Developer Guide); the AWS provider does not check, so only
 * apply would find out. Ours is `<project>-<environment>-<account id>`.
 */
export const COGNITO_PREFIX_FORBIDDEN_WORDS = ['aws', 'amazon', 'cognito'] as const;
export const COGNITO_DOMAIN_PREFIX_MAX_LENGTH = 63;

/** Retention values CloudWatch Logs accepts. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

export interface Config {
  readonly region: string;
  readonly projectName: string;
  readonly environment: Environment;
  /** Remote-state bucket; undefined keeps every stack on the local backend. */
  readonly stateBucket: string | undefined;
  /** KMS key for the state objects (the `state` stack's output); required with `stateBucket`. */
  readonly stateKmsKeyArn: string | undefined;
  readonly vpcCidr: string;
  /** AZ IDs (e.g. use1-az2), not zone names: IDs name the same zone in every account. */
  readonly availabilityZoneIds: readonly [string, string, string];
  readonly enableNatGateway: boolean;
  readonly logRetentionDays: number;
  /** Prefix for resource names: `<project>-<environment>`. */
  readonly namePrefix: string;
  readonly warehouse: WarehouseConfig;
  readonly rateLimit: RateLimitConfig;
  readonly api: ApiConfig;
  readonly waf: WafConfig;
  readonly account: AccountConfig;
}

/**
 * The `account` stack: what exists once per account and region, applied by an administrator. The CI
 * identities exist only with CI_REPOSITORY. The names are not GitHub's own: GitHub Actions sets
 * GITHUB_REPOSITORY (and every GITHUB_* and RUNNER_* variable) in every step and lets no workflow
 * change it ("Variables reference", GitHub Docs), so a setting of that name would be an override CI
 * refuses.
 */
export interface AccountConfig {
  /** `owner/name` of the GitHub repository whose workflows plan and deploy. */
  readonly ciRepository: string | undefined;
  /** An OIDC provider for token.actions.githubusercontent.com that already exists (one per account). */
  readonly ciOidcProviderArn: string | undefined;
  /** The environments deployed into this account and region: a plan role, a deploy role and a boundary each. */
  readonly environments: readonly Environment[];
  /** Set API Gateway's account-wide CloudWatch Logs role (changes the whole account and region). */
  readonly manageApiGatewayAccountRole: boolean;
}

/** The `api` stack: the prediction Lambda, API Gateway, Cognito and the alarms. */
export interface ApiConfig {
  readonly lambdaMemoryMb: number;
  /** Under API Gateway's 29 s; the Lambda's DEADLINE_MS is derived from it. */
  readonly lambdaTimeoutSeconds: number;
  /**
   * Concurrency reserved for the Lambda (also its cap); undefined reserves nothing (`npm run preflight`
   * checks a reservation). Always set with postgres, where it protects the workgroup's connections.
   */
  readonly lambdaReservedConcurrency: number | undefined;
  /**
   * How the Lambda reaches the workgroup: the Data API (default), or a direct connection (postgres),
   * which puts it in the VPC with a concurrency cap that protects the workgroup's connections.
   */
  readonly warehouseTransport: WarehouseTransport;
  /** Run the Lambda in the private subnets (with its interface endpoint); always with postgres. */
  readonly lambdaInVpc: boolean;
  /**
   * Percent of the account's Redshift Data API rate this environment's API may use (the stage's
   * throttling follows it); undefined with postgres, which calls no Data API on the request path.
   */
  readonly dataApiSharePercent: number | undefined;
  /** Stage-wide steady-state requests per second (derived from `throttleRateSetting`) and burst. */
  readonly throttleRateLimit: number;
  readonly throttleBurstLimit: number;
  /** The setting the stage's rate comes from, for messages that say what to change. */
  readonly throttleRateSetting: StageRateSetting;
  /** Where Cognito may send people back after sign-in (authorization code + PKCE client). */
  readonly callbackUrls: readonly string[];
  /** Subscribed to the alarm topic when set (the address must confirm the subscription). */
  readonly alarmEmail: string | undefined;
  /** The user pool's deletion protection: on in prod unless turned off to tear the environment down. */
  readonly cognitoDeletionProtection: boolean;
}

/** What sets the stage's steady rate: the Data API share, the direct connection's reservation, or the rate itself. */
export type StageRateSetting = 'DATA_API_SHARE_PERCENT' | 'LAMBDA_RESERVED_CONCURRENCY' | 'API_THROTTLE_RATE';

/**
 * A Redshift Serverless workgroup takes 2,000 connections ("Quotas and limits in Amazon Redshift",
 * Amazon Redshift Management Guide: Number of maximum connections). With the direct transport each
 * execution environment holds one and, for a moment after a deadline, a second one for the cancel: a
 * reservation of at most 500 holds at most 500 connections, plus at most 500 more for a moment while
 * cancelling, so at most 1,000 of the 2,000, the rest for other clients.
 */
export const WORKGROUP_MAX_CONNECTIONS = 2000;
export const POSTGRES_MAX_RESERVED_CONCURRENCY = WORKGROUP_MAX_CONNECTIONS / 4;
export const POSTGRES_DEFAULT_RESERVED_CONCURRENCY = 10;

/** API Gateway REST integrations give up after 29 s; the Lambda must answer before that. */
export const API_LAMBDA_TIMEOUT_BOUNDS = { min: 5, max: 28 } as const;

/** The evaluation windows AWS WAF's rate-based rules allow, in seconds. */
export const RATE_LIMIT_WINDOWS = [60, 120, 300, 600] as const;
/** AWS WAF's bounds for a rate-based rule's limit (requests per window). */
export const RATE_LIMIT_BOUNDS = { min: 10, max: 2_000_000_000 } as const;

/**
 * The per-client rate limit: the WAF rate-based rule enforces it in AWS, and the local server reads
 * the same values, so both answer 429 at the same point.
 */
export interface RateLimitConfig {
  /** Requests one IP address may send per window before it gets 429. */
  readonly limit: number;
  readonly windowSeconds: (typeof RATE_LIMIT_WINDOWS)[number];
}

/** What the WAF writes to its log group: only requests a rule blocked or counted (cheaper), or every request. */
export const WAF_LOG_SCOPES = ['blocked-and-counted', 'all'] as const;
export type WafLogScope = (typeof WAF_LOG_SCOPES)[number];

/** The WAF's opt-in rules, its logging and its alarm; the rate limit itself is `rateLimit`. */
export interface WafConfig {
  /** ISO 3166 alpha-2 codes; requests from anywhere else are blocked. Empty: no country rule. */
  readonly allowedCountries: readonly string[];
  /**
   * Networks (CIDR, IPv4 or IPv6) in hosting providers and clouds, where machine clients run, that the
   * Anonymous IP list's HostingProviderIPList rule must not block. Every other hosting-provider address
   * is blocked; these still meet every other rule (rate limit, size, SQL injection).
   */
  readonly hostingProviderAllowList: readonly string[];
  /** The paid Bot Control managed rule group at its common inspection level. */
  readonly botControl: boolean;
  readonly logScope: WafLogScope;
  /** Blocked requests in 5 minutes at which the alarm notifies the api stack's topic. */
  readonly blockedRequestsAlarmThreshold: number;
}

export const USAGE_BREACH_ACTIONS = ['deactivate', 'emit-metric', 'log'] as const;
export type UsageBreachAction = (typeof USAGE_BREACH_ACTIONS)[number];

/**
 * A daily usage limit on the workgroup's compute ("Setting usage limits, including setting RPU limits",
 * Amazon Redshift Management Guide): `deactivate` turns user queries off until the next day,
 * `emit-metric` and `log` only report. A workgroup may have one `deactivate` limit.
 */
export interface UsageLimitConfig {
  /** `budget` is REDSHIFT_DAILY_RPU_HOURS; `hard-cap` the higher `deactivate` limit above a budget that only reports. */
  readonly name: 'budget' | 'hard-cap';
  readonly rpuHours: number;
  readonly breachAction: UsageBreachAction;
}

/** The Redshift Serverless warehouse and the names the warehouse SQL and the Lambda share. */
export interface WarehouseConfig {
  /** Base RPUs: 4, or 8 to 512 in steps of 8. */
  readonly baseCapacity: number;
  /** RPU ceiling for scaling; undefined leaves the AWS default. */
  readonly maxCapacity: number | undefined;
  /** The daily usage limits on the workgroup's compute; every one alarms before it is reached. */
  readonly usageLimits: readonly UsageLimitConfig[];
  /** Percent of a usage limit's RPU-hours at which its alarm fires. */
  readonly usageAlarmPercent: number;
  readonly adminUsername: string;
  readonly database: string;
  readonly schema: string;
  readonly table: string;
  readonly model: string;
  readonly predictionFunction: string;
  /** CREATE MODEL's MAX_RUNTIME: the SageMaker training budget. */
  readonly modelMaxRuntimeSeconds: number;
  /** Workgroup `max_query_execution_time`: any query running longer is cancelled. */
  readonly queryTimeoutSeconds: number;
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The longest PROJECT_NAME every name built from it allows, with the longest environment name:
 * - the Cognito domain prefix `<project>-<environment>-<12-digit account id>` has at most 63
 *   characters (CreateUserPoolDomain, Amazon Cognito API Reference), which leaves 42;
 * - an S3 `bucket_prefix` has at most 37 (the AWS provider's aws_s3_bucket), and the longest of ours,
 *   `<project>-<environment>-tfstate-`, leaves 20.
 */
const LONGEST_ENVIRONMENT = Math.max(...ENVIRONMENTS.map((environment) => environment.length));
export const PROJECT_NAME_MAX_LENGTH = Math.min(
  COGNITO_DOMAIN_PREFIX_MAX_LENGTH - '-'.length - LONGEST_ENVIRONMENT - '-'.length - 12,
  37 - '-'.length - LONGEST_ENVIRONMENT - '-tfstate-'.length,
);
const PROJECT_NAME = new RegExp(`^[a-z][a-z0-9-]{1,${PROJECT_NAME_MAX_LENGTH - 2}}[a-z0-9]$`);
// S3 bucket naming rules: 3-63 chars, lowercase letters, digits, dots and hyphens, no IP-like names.
const BUCKET_NAME = /^(?!\d+\.\d+\.\d+\.\d+$)(?!xn--)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
// A key ARN, not an alias: aliases give perpetual diffs and can be repointed.
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/(mrk-)?[0-9a-f-]{32,36}$/;
/** Redshift's own default admin names, which every scanner of the namespace flags. */
const DEFAULT_ADMIN_USERNAMES = ['admin', 'awsuser'];

function read(env: Env, variable: string): string | undefined {
  const value = env[variable];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function matching(env: Env, variable: string, fallback: string, pattern: RegExp, allowed: string): string {
  const value = read(env, variable) ?? fallback;
  if (!pattern.test(value)) throw new ConfigError(variable, value, allowed);
  return value;
}

function oneOf<T extends string | number>(env: Env, variable: string, fallback: T, allowed: readonly T[]): T {
  const raw = read(env, variable);
  if (raw === undefined) return fallback;
  const found = allowed.find((candidate) => String(candidate) === raw);
  if (found === undefined) throw new ConfigError(variable, raw, `one of ${allowed.join(', ')}`);
  return found;
}

function integer<F extends number | undefined>(
  env: Env,
  variable: string,
  fallback: F,
  valid: (n: number) => boolean,
  allowed: string,
): number | F {
  const raw = read(env, variable);
  if (raw === undefined) return fallback;
  const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!valid(value)) throw new ConfigError(variable, raw, allowed);
  return value;
}

function sqlIdentifier(env: Env, variable: string, fallback: string): string {
  return matching(env, variable, fallback, SQL_IDENTIFIER, SQL_IDENTIFIER_RULE);
}

function flag(env: Env, variable: string, fallback: boolean): boolean {
  return oneOf(env, variable, String(fallback), ['true', 'false']) === 'true';
}

/** Parses `a.b.c.d/n` and checks it is a network address (no host bits set) with prefix 16..24. */
export function parseVpcCidr(variable: string, value: string): string {
  const allowed = 'an IPv4 network in CIDR notation with a prefix from /16 to /24, e.g. 10.80.0.0/20';
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
  if (!match) throw new ConfigError(variable, value, allowed);
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255) || prefix < 16 || prefix > 24) throw new ConfigError(variable, value, allowed);
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const hostBits = 2 ** (32 - prefix);
  if (address % hostBits !== 0) {
    throw new ConfigError(variable, value, `${allowed} (host bits must be zero)`);
  }
  return value;
}

/**
 * Splits a VPC CIDR into four equal blocks: three private subnets (one per AZ) and one block kept
 * for the public subnet that the optional NAT gateway needs.
 */
export function subnetCidrs(vpcCidr: string): { private: [string, string, string]; public: string } {
  const [base, prefixText] = vpcCidr.split('/');
  const prefix = Number(prefixText) + 2;
  const start = base.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  const size = 2 ** (32 - prefix);
  const block = (i: number): string => {
    const n = start + i * size;
    return `${[24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.')}/${prefix}`;
  };
  return { private: [block(0), block(1), block(2)], public: block(3) };
}

/**
 * Regions where Amazon Redshift Serverless is offered, each with its AZ-ID prefix and the three AZ IDs
 * the private subnets go to by default.
 *
 * Source: Amazon Redshift Management Guide, "Considerations when using Amazon Redshift Serverless"
 * (https://docs.aws.amazon.com/redshift/latest/mgmt/serverless-usage-considerations.html): a
 * workgroup needs subnets in at least three of the *supported* Availability Zone IDs, and zone names
 * (us-east-1a) map to different IDs in every account, so subnets are placed by ID. In a region with
 * exactly three AZs, the three are the default (Serverless, which needs three, must run in all of
 * them); in us-east-1, us-west-2 and ap-northeast-2, which have more, the default is three IDs that
 * page lists. us-west-1 has two AZs (the page lets its three subnets span two), which this one-subnet-
 * per-AZ network cannot express: it has no default, so AVAILABILITY_ZONE_IDS must be set there and
 * synth stops with a one-line error until it is.
 */
export const REDSHIFT_SERVERLESS_REGIONS: Readonly<
  Record<string, { readonly azIdPrefix: string; readonly defaultAzIds?: readonly [string, string, string] }>
> = {
  'us-east-1': { azIdPrefix: 'use1', defaultAzIds: ['use1-az2', 'use1-az4', 'use1-az6'] },
  'us-east-2': { azIdPrefix: 'use2', defaultAzIds: ['use2-az1', 'use2-az2', 'use2-az3'] },
  'us-west-1': { azIdPrefix: 'usw1' },
  'us-west-2': { azIdPrefix: 'usw2', defaultAzIds: ['usw2-az1', 'usw2-az2', 'usw2-az3'] },
  'ca-central-1': { azIdPrefix: 'cac1', defaultAzIds: ['cac1-az1', 'cac1-az2', 'cac1-az4'] },
  'sa-east-1': { azIdPrefix: 'sae1', defaultAzIds: ['sae1-az1', 'sae1-az2', 'sae1-az3'] },
  'eu-central-1': { azIdPrefix: 'euc1', defaultAzIds: ['euc1-az1', 'euc1-az2', 'euc1-az3'] },
  'eu-central-2': { azIdPrefix: 'euc2', defaultAzIds: ['euc2-az1', 'euc2-az2', 'euc2-az3'] },
  'eu-west-1': { azIdPrefix: 'euw1', defaultAzIds: ['euw1-az1', 'euw1-az2', 'euw1-az3'] },
  'eu-west-2': { azIdPrefix: 'euw2', defaultAzIds: ['euw2-az1', 'euw2-az2', 'euw2-az3'] },
  'eu-west-3': { azIdPrefix: 'euw3', defaultAzIds: ['euw3-az1', 'euw3-az2', 'euw3-az3'] },
  'eu-north-1': { azIdPrefix: 'eun1', defaultAzIds: ['eun1-az1', 'eun1-az2', 'eun1-az3'] },
  'eu-south-1': { azIdPrefix: 'eus1', defaultAzIds: ['eus1-az1', 'eus1-az2', 'eus1-az3'] },
  'eu-south-2': { azIdPrefix: 'eus2', defaultAzIds: ['eus2-az1', 'eus2-az2', 'eus2-az3'] },
  'ap-east-1': { azIdPrefix: 'ape1', defaultAzIds: ['ape1-az1', 'ape1-az2', 'ape1-az3'] },
  'ap-south-1': { azIdPrefix: 'aps1', defaultAzIds: ['aps1-az1', 'aps1-az2', 'aps1-az3'] },
  'ap-southeast-1': { azIdPrefix: 'apse1', defaultAzIds: ['apse1-az1', 'apse1-az2', 'apse1-az3'] },
  'ap-southeast-2': { azIdPrefix: 'apse2', defaultAzIds: ['apse2-az1', 'apse2-az2', 'apse2-az3'] },
  'ap-northeast-1': { azIdPrefix: 'apne1', defaultAzIds: ['apne1-az1', 'apne1-az2', 'apne1-az4'] },
  'ap-northeast-2': { azIdPrefix: 'apne2', defaultAzIds: ['apne2-az1', 'apne2-az2', 'apne2-az3'] },
  'ap-northeast-3': { azIdPrefix: 'apne3', defaultAzIds: ['apne3-az1', 'apne3-az2', 'apne3-az3'] },
};

function region(env: Env): string {
  const value = read(env, 'AWS_REGION') ?? 'us-east-1';
  if (!(value in REDSHIFT_SERVERLESS_REGIONS)) {
    const allowed = `a region where Redshift Serverless is offered: ${Object.keys(REDSHIFT_SERVERLESS_REGIONS).join(', ')}`;
    throw new ConfigError('AWS_REGION', value, allowed);
  }
  return value;
}

function availabilityZoneIds(env: Env, region: string): [string, string, string] {
  const variable = 'AVAILABILITY_ZONE_IDS';
  const { azIdPrefix, defaultAzIds } = REDSHIFT_SERVERLESS_REGIONS[region];
  const raw = read(env, variable);
  if (raw === undefined) {
    if (defaultAzIds === undefined) {
      throw new ConfigError(
        variable,
        '',
        `three AZ IDs of ${region} that Redshift Serverless supports (${region} has no default; ` +
          'see "Considerations when using Amazon Redshift Serverless"), e.g. ' +
          `${azIdPrefix}-az1,${azIdPrefix}-az2,${azIdPrefix}-az3`,
      );
    }
    return [...defaultAzIds];
  }
  const ids = raw.split(',').map((id) => id.trim());
  const allowed = `three distinct comma-separated AZ IDs of ${region}, e.g. ${(defaultAzIds ?? [1, 2, 3].map((n) => `${azIdPrefix}-az${n}`)).join(',')}`;
  const pattern = new RegExp(`^${azIdPrefix}-az\\d{1,2}$`);
  const valid = ids.length === 3 && new Set(ids).size === 3 && ids.every((id) => pattern.test(id));
  if (!valid) throw new ConfigError(variable, raw, allowed);
  return [ids[0], ids[1], ids[2]];
}

/**
 * The daily limits: the budget (REDSHIFT_DAILY_RPU_HOURS) with REDSHIFT_USAGE_BREACH_ACTION, which in
 * prod defaults to `emit-metric` (the alarm says so, queries go on) with a `deactivate` hard cap above
 * it (REDSHIFT_DAILY_RPU_HOURS_HARD_CAP, default twice the budget); elsewhere the budget deactivates.
 */
function usageLimits(env: Env, environment: Environment): UsageLimitConfig[] {
  const rpuHours = 'RPU-hours from 1 to 10000';
  const budget = integer(env, 'REDSHIFT_DAILY_RPU_HOURS', 24, (n) => n >= 1 && n <= 10_000, rpuHours);
  const breachAction = oneOf<UsageBreachAction>(
    env,
    'REDSHIFT_USAGE_BREACH_ACTION',
    environment === 'prod' ? 'emit-metric' : 'deactivate',
    USAGE_BREACH_ACTIONS,
  );
  const hardCapVariable = 'REDSHIFT_DAILY_RPU_HOURS_HARD_CAP';
  if (breachAction === 'deactivate') {
    const raw = read(env, hardCapVariable);
    if (raw !== undefined) {
      throw new ConfigError(hardCapVariable, raw, 'unset while REDSHIFT_USAGE_BREACH_ACTION is deactivate (a workgroup has one deactivate limit)');
    }
    return [{ name: 'budget', rpuHours: budget, breachAction }];
  }
  const hardCap = integer(
    env,
    hardCapVariable,
    environment === 'prod' ? Math.min(10_000, budget * 2) : undefined,
    (n) => n > budget && n <= 10_000,
    `unset, or RPU-hours above REDSHIFT_DAILY_RPU_HOURS (${budget}) up to 10000`,
  );
  return [
    { name: 'budget', rpuHours: budget, breachAction },
    ...(hardCap === undefined ? [] : [{ name: 'hard-cap' as const, rpuHours: hardCap, breachAction: 'deactivate' as const }]),
  ];
}

function warehouseConfig(env: Env, environment: Environment): WarehouseConfig {
  const baseCapacity = integer(
    env,
    'REDSHIFT_BASE_CAPACITY',
    8,
    (n) => n === 4 || (n >= 8 && n <= 512 && n % 8 === 0),
    'RPUs: 4, or 8 to 512 in steps of 8',
  );
  const maxCapacity = integer(
    env,
    'REDSHIFT_MAX_CAPACITY',
    undefined,
    (n) => n >= baseCapacity && n <= 5632 && n % 8 === 0,
    `unset, or RPUs: a multiple of 8 from the base capacity (${baseCapacity}) to 5632`,
  );
  const adminUsername = sqlIdentifier(env, 'REDSHIFT_ADMIN_USERNAME', 'warehouse_admin');
  if (!/^[a-z]/.test(adminUsername)) {
    throw new ConfigError('REDSHIFT_ADMIN_USERNAME', adminUsername, 'a SQL identifier that starts with a letter');
  }
  if (DEFAULT_ADMIN_USERNAMES.includes(adminUsername)) {
    const allowed = `a name other than Redshift's defaults ${DEFAULT_ADMIN_USERNAMES.join(' and ')}`;
    throw new ConfigError('REDSHIFT_ADMIN_USERNAME', adminUsername, allowed);
  }
  return {
    baseCapacity,
    maxCapacity,
    usageLimits: usageLimits(env, environment),
    usageAlarmPercent: integer(env, 'REDSHIFT_USAGE_ALARM_PERCENT', 80, (n) => n >= 1 && n <= 99, 'percent from 1 to 99'),
    adminUsername,
    database: sqlIdentifier(env, 'REDSHIFT_DATABASE', 'loans'),
    schema: sqlIdentifier(env, 'REDSHIFT_SCHEMA', 'public'),
    table: sqlIdentifier(env, 'TABLE_NAME', 'loan_remediation'),
    model: sqlIdentifier(env, 'MODEL_NAME', 'predict_model'),
    predictionFunction: sqlIdentifier(env, 'PREDICTION_FUNCTION', 'ml_fn_prediction'),
    modelMaxRuntimeSeconds: integer(
      env,
      'MODEL_MAX_RUNTIME_SECONDS',
      5400,
      (n) => n >= 1800 && n <= 86_400,
      'seconds from 1800 (30 minutes) to 86400 (24 hours)',
    ),
    queryTimeoutSeconds: integer(env, 'QUERY_TIMEOUT_SECONDS', 3600, (n) => n >= 60 && n <= 86_399, 'seconds from 60 to 86399'),
  };
}

function rateLimitConfig(env: Env): RateLimitConfig {
  const { min, max } = RATE_LIMIT_BOUNDS;
  return {
    limit: integer(env, 'RATE_LIMIT', 500, (n) => n >= min && n <= max, `requests per window per IP address, from ${min} to ${max}`),
    windowSeconds: oneOf(env, 'RATE_LIMIT_WINDOW_SECONDS', 300, RATE_LIMIT_WINDOWS),
  };
}

/**
 * Redshift Data API request rates, per account and region: shared by every environment in the account
 * and by the warehouse scripts. AWS's "Quotas and limits in Amazon Redshift"
 * (Amazon Redshift Management Guide) gives no Data API rates; these come from secondary sources
 * (practitioners' measurements and reports), so `npm run preflight` looks them up by name in Service
 * Quotas at run time and says when it cannot find them.
 */
export const DATA_API_RATES_PER_SECOND = { ExecuteStatement: 30, GetStatementResult: 20, DescribeStatement: 100 } as const;
/**
 * Single predictions per second the account's Data API carries: each is one ExecuteStatement (which
 * waits for the statement) and one GetStatementResult, so the lower of the two rates bounds it. A batch
 * of N applications is still one statement: N predictions for the same two calls.
 */
export const DATA_API_REQUESTS_PER_SECOND = Math.min(DATA_API_RATES_PER_SECOND.ExecuteStatement, DATA_API_RATES_PER_SECOND.GetStatementResult);

/** The stage's steady rate for a share of the Data API: clients get the API's own 429 before the Data API throttles. */
export const stageRateForShare = (percent: number): number => Math.max(1, Math.floor((DATA_API_REQUESTS_PER_SECOND * percent) / 100));

// Cognito accepts HTTPS callback URLs, and plain HTTP only for localhost.
const CALLBACK_URL = /^(https:\/\/[a-z0-9.-]+(:\d+)?|http:\/\/localhost(:\d+)?)(\/[\w\-./~%]*)?$/i;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * No reservation by default with the Data API (a new account's whole quota may be 10); the direct
 * connection needs one, a cap that leaves the workgroup connections to spare.
 */
function reservedConcurrency(env: Env, transport: WarehouseTransport): number | undefined {
  if (transport === 'data-api') {
    return integer(env, 'LAMBDA_RESERVED_CONCURRENCY', undefined, (n) => n >= 1 && n <= 1000, 'unset (no reservation), or from 1 to 1000');
  }
  const max = POSTGRES_MAX_RESERVED_CONCURRENCY;
  const allowed =
    `from 1 to ${max} with WAREHOUSE_TRANSPORT=postgres (a connection per execution environment and one more while it cancels a statement: ` +
    `at most ${2 * max} of the workgroup's ${WORKGROUP_MAX_CONNECTIONS})`;
  return integer(env, 'LAMBDA_RESERVED_CONCURRENCY', POSTGRES_DEFAULT_RESERVED_CONCURRENCY, (n) => n >= 1 && n <= max, allowed);
}

/**
 * The Data API's share; the direct connection calls no Data API on the request path, so a share set
 * with it is refused, as LAMBDA_IN_VPC=false is: a setting that would change nothing.
 */
function dataApiShare(env: Env, transport: WarehouseTransport): number | undefined {
  const allowed = 'percent from 1 to 100';
  if (transport === 'data-api') return integer(env, 'DATA_API_SHARE_PERCENT', 40, (n) => n >= 1 && n <= 100, allowed);
  const raw = read(env, 'DATA_API_SHARE_PERCENT');
  if (raw !== undefined) {
    throw new ConfigError(
      'DATA_API_SHARE_PERCENT',
      raw,
      'unset with WAREHOUSE_TRANSPORT=postgres: the direct connection calls no Data API (its stage rate follows LAMBDA_RESERVED_CONCURRENCY)',
    );
  }
  return undefined;
}

/** The direct connection runs inside the VPC; the Data API may run either side. */
function lambdaInVpc(env: Env, transport: WarehouseTransport): boolean {
  if (transport === 'data-api') return flag(env, 'LAMBDA_IN_VPC', false);
  if (!flag(env, 'LAMBDA_IN_VPC', true)) {
    throw new ConfigError('LAMBDA_IN_VPC', 'false', 'true (or unset) with WAREHOUSE_TRANSPORT=postgres: the direct connection runs inside the VPC');
  }
  return true;
}

/**
 * The direct connection's default stage throttle follows the reservation, so that past it clients get
 * the stage's own 429 instead of Lambda's throttle (a 500): a burst of the reservation (one request at
 * once per reserved execution environment) and a steady rate of this many requests per second per
 * reserved environment. The function's concurrency is the rate times the seconds a request takes
 * (Little's law): at one per second per environment it stays within the reservation while requests
 * take up to 1 s (a warm query takes tens of milliseconds; a cold start or a slow warehouse longer).
 * A team that measured its requests raises API_THROTTLE_RATE, up to the reservation / p99 seconds.
 */
export const POSTGRES_REQUESTS_PER_SECOND_PER_ENVIRONMENT = 1;

function apiConfig(env: Env, environment: Environment): ApiConfig {
  const callbackVariable = 'COGNITO_CALLBACK_URLS';
  const callbacksRaw = read(env, callbackVariable) ?? 'http://localhost:8080/callback';
  const callbackUrls = callbacksRaw.split(',').map((url) => url.trim());
  if (callbackUrls.length > 100 || !callbackUrls.every((url) => CALLBACK_URL.test(url))) {
    throw new ConfigError(callbackVariable, callbacksRaw, 'comma-separated https:// URLs (http:// only for localhost), at most 100');
  }
  const alarmEmail = read(env, 'ALARM_EMAIL');
  if (alarmEmail !== undefined && !EMAIL.test(alarmEmail)) {
    throw new ConfigError('ALARM_EMAIL', alarmEmail, 'unset, or one e-mail address');
  }
  const { min, max } = API_LAMBDA_TIMEOUT_BOUNDS;
  const warehouseTransport = oneOf<WarehouseTransport>(env, 'WAREHOUSE_TRANSPORT', 'data-api', WAREHOUSE_TRANSPORTS);
  const lambdaReservedConcurrency = reservedConcurrency(env, warehouseTransport);
  const dataApiSharePercent = dataApiShare(env, warehouseTransport);
  // With the Data API the stage's rate is its share of the account's Data API rate, so clients get the
  // API's own 429 first; with the direct connection it follows the reservation. Set explicitly (a
  // benchmark) API_THROTTLE_RATE wins; with the Data API, above the share's rate the Data API refuses
  // calls before the stage does (502 and the data-api-throttled alarm).
  const reservation = lambdaReservedConcurrency ?? POSTGRES_DEFAULT_RESERVED_CONCURRENCY;
  const shareRate = dataApiSharePercent === undefined ? undefined : stageRateForShare(dataApiSharePercent);
  const reservationRate = reservation * POSTGRES_REQUESTS_PER_SECOND_PER_ENVIRONMENT;
  const rateDefault =
    shareRate !== undefined
      ? { rate: shareRate, setting: 'DATA_API_SHARE_PERCENT' as const, text: `${dataApiSharePercent} % of the Data API's ${DATA_API_REQUESTS_PER_SECOND}/s: ${shareRate}` }
      : { rate: reservationRate, setting: 'LAMBDA_RESERVED_CONCURRENCY' as const, text: `${reservationRate} with WAREHOUSE_TRANSPORT=postgres: LAMBDA_RESERVED_CONCURRENCY per second` };
  const throttleRateLimit = integer(
    env,
    'API_THROTTLE_RATE',
    rateDefault.rate,
    (n) => n >= 1 && n <= 10_000,
    `unset (${rateDefault.text}), or requests per second from 1 to 10000`,
  );
  // The direct connection's burst stays within the reservation (see POSTGRES_REQUESTS_PER_SECOND_PER_ENVIRONMENT).
  const burstDefault = Math.min(5000, throttleRateLimit, warehouseTransport === 'postgres' ? reservation : Infinity);
  return {
    lambdaMemoryMb: integer(env, 'LAMBDA_MEMORY_MB', 256, (n) => n >= 128 && n <= 10_240, 'MB from 128 to 10240'),
    lambdaTimeoutSeconds: integer(
      env,
      'LAMBDA_TIMEOUT_SECONDS',
      28,
      (n) => n >= min && n <= max,
      `seconds from ${min} to ${max} (API Gateway gives up at 29 s)`,
    ),
    lambdaReservedConcurrency,
    warehouseTransport,
    lambdaInVpc: lambdaInVpc(env, warehouseTransport),
    dataApiSharePercent,
    throttleRateLimit,
    throttleBurstLimit: integer(env, 'API_THROTTLE_BURST', burstDefault, (n) => n >= 1 && n <= 5000, 'requests from 1 to 5000'),
    throttleRateSetting: read(env, 'API_THROTTLE_RATE') === undefined ? rateDefault.setting : 'API_THROTTLE_RATE',
    callbackUrls,
    alarmEmail,
    cognitoDeletionProtection: flag(env, 'COGNITO_DELETION_PROTECTION', environment === 'prod'),
  };
}

/** Codes Intl knows but ISO 3166-1 only reserves (not countries AWS WAF can match), with the code to use instead. */
const RESERVED_COUNTRY_CODES: Record<string, string> = { UK: 'GB', EU: 'its member countries', EZ: 'its member countries', UN: 'its member countries' };
const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });

/** A comma-separated list of ISO 3166 alpha-2 country codes, uppercase, each known to Intl and listed once. */
function countryCodes(env: Env, variable: string): string[] {
  const raw = read(env, variable);
  if (raw === undefined) return [];
  const codes = raw.split(',').map((code) => code.trim());
  const allowed = 'unset, or distinct comma-separated ISO 3166 alpha-2 country codes in uppercase, e.g. DE,FR,GB';
  for (const code of codes) {
    const name = /^[A-Z]{2}$/.test(code) ? regionNames.of(code) : undefined;
    if (name === undefined || name === code || name === 'Unknown Region') throw new ConfigError(variable, raw, allowed);
    if (code in RESERVED_COUNTRY_CODES) {
      throw new ConfigError(variable, raw, `${allowed} (${code} is reserved, not a country: use ${RESERVED_COUNTRY_CODES[code]})`);
    }
  }
  if (new Set(codes).size !== codes.length) throw new ConfigError(variable, raw, allowed);
  return codes;
}

/** AWS WAF's largest IP set ("AWS WAF quotas": 10,000 addresses per IP set). */
export const WAF_IP_SET_MAX_ADDRESSES = 10_000;

/** An IPv4 or IPv6 network with no host bits set, prefix /1 or longer (AWS WAF takes any but /0). */
function isNetwork(cidr: string): boolean {
  const [address, prefixText, extra] = cidr.split('/');
  const bits = isIPv4(address) ? 32 : isIPv6(address) ? 128 : 0;
  const prefix = /^\d{1,3}$/.test(prefixText ?? '') ? Number(prefixText) : NaN;
  if (bits === 0 || extra !== undefined || !(prefix >= 1 && prefix <= bits)) return false;
  const value = bits === 32 ? ipv4Value(address) : ipv6Value(address);
  return value % 2n ** BigInt(bits - prefix) === 0n;
}

const ipv4Value = (address: string): bigint => address.split('.').reduce((acc, octet) => acc * 256n + BigInt(octet), 0n);

function ipv6Value(address: string): bigint {
  const [head, tail] = address.includes('::') ? address.split('::') : [address, undefined];
  const groups = (part: string | undefined) => (part ? part.split(':') : []);
  const expand = (part: string | undefined) => groups(part).flatMap((g) => (g.includes('.') ? ipv4Groups(g) : [g]));
  const [left, right] = [expand(head), expand(tail)];
  const all = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return all.reduce((acc, group) => acc * 65536n + BigInt(`0x${group}`), 0n);
}

/** An IPv4 tail of an IPv6 address (::ffff:192.0.2.1) as two 16-bit groups. */
function ipv4Groups(address: string): string[] {
  const value = ipv4Value(address);
  return [(value >> 16n).toString(16), (value & 0xffffn).toString(16)];
}

function networkList(env: Env, variable: string): string[] {
  const raw = read(env, variable);
  if (raw === undefined) return [];
  const networks = raw.split(',').map((cidr) => cidr.trim());
  const allowed = `unset, or distinct comma-separated IPv4/IPv6 networks in CIDR notation (host bits zero, not /0), at most ${WAF_IP_SET_MAX_ADDRESSES} of each version, e.g. 203.0.113.0/24,2001:db8::/32`;
  if (!networks.every(isNetwork) || new Set(networks.map((n) => n.toLowerCase())).size !== networks.length) {
    throw new ConfigError(variable, raw, allowed);
  }
  if (networks.filter((n) => isIPv4(n.split('/')[0])).length > WAF_IP_SET_MAX_ADDRESSES || networks.filter((n) => isIPv6(n.split('/')[0])).length > WAF_IP_SET_MAX_ADDRESSES) {
    throw new ConfigError(variable, raw, allowed);
  }
  return networks;
}

function wafConfig(env: Env): WafConfig {
  return {
    allowedCountries: countryCodes(env, 'WAF_ALLOWED_COUNTRIES'),
    hostingProviderAllowList: networkList(env, 'WAF_HOSTING_PROVIDER_ALLOW_LIST'),
    botControl: flag(env, 'WAF_BOT_CONTROL', false),
    logScope: oneOf<WafLogScope>(env, 'WAF_LOG_SCOPE', 'blocked-and-counted', WAF_LOG_SCOPES),
    blockedRequestsAlarmThreshold: integer(
      env,
      'WAF_BLOCKED_ALARM_THRESHOLD',
      100,
      (n) => n >= 1 && n <= 1_000_000_000,
      'blocked requests per 5 minutes, from 1 to 1000000000',
    ),
  };
}

// GitHub's rules: an owner of 1-39 letters, digits and single hyphens; a repository of letters, digits, `.`, `-`, `_`.
const REPOSITORY = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}\/[A-Za-z0-9._-]{1,100}$/;
const OIDC_PROVIDER_ARN = /^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/token\.actions\.githubusercontent\.com$/;

function accountConfig(env: Env, environment: Environment): AccountConfig {
  const ciRepository = read(env, 'CI_REPOSITORY');
  if (ciRepository !== undefined && (!REPOSITORY.test(ciRepository) || /^[^/]*\/\.{1,2}$/.test(ciRepository))) {
    throw new ConfigError('CI_REPOSITORY', ciRepository, 'unset, or owner/name of a GitHub repository, e.g. octo-org/loan-remediation');
  }
  const ciOidcProviderArn = read(env, 'CI_OIDC_PROVIDER_ARN');
  if (ciOidcProviderArn !== undefined && !OIDC_PROVIDER_ARN.test(ciOidcProviderArn)) {
    const allowed = 'unset, or the ARN of the account\'s GitHub OIDC provider, arn:aws:iam::<account>:oidc-provider/token.actions.githubusercontent.com';
    throw new ConfigError('CI_OIDC_PROVIDER_ARN', ciOidcProviderArn, allowed);
  }
  const environmentsRaw = read(env, 'ACCOUNT_ENVIRONMENTS');
  const environments = environmentsRaw === undefined ? [environment] : environmentsRaw.split(',').map((e) => e.trim());
  if (new Set(environments).size !== environments.length || !environments.every((e) => (ENVIRONMENTS as readonly string[]).includes(e))) {
    throw new ConfigError('ACCOUNT_ENVIRONMENTS', environmentsRaw ?? '', `distinct comma-separated environments of ${ENVIRONMENTS.join(', ')}`);
  }
  return {
    ciRepository,
    ciOidcProviderArn,
    environments: environments as Environment[],
    manageApiGatewayAccountRole: flag(env, 'API_GATEWAY_ACCOUNT_LOGGING_ROLE', true),
  };
}

/** Validates raw settings; stacks/settings.ts's loadSettings() is what reads the settings file. */
export function loadConfig(env: Env): Config {
  const awsRegion = region(env);
  const projectName = matching(
    env,
    'PROJECT_NAME',
    'loan-remediation',
    PROJECT_NAME,
    `3-${PROJECT_NAME_MAX_LENGTH} characters: lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen`,
  );
  const environment = oneOf<Environment>(env, 'ENVIRONMENT', 'dev', ENVIRONMENTS);
  const forbidden = COGNITO_PREFIX_FORBIDDEN_WORDS.find((word) => `${projectName}-${environment}`.includes(word));
  if (forbidden !== undefined) {
    throw new ConfigError(
      'PROJECT_NAME',
      projectName,
      `a name without "${COGNITO_PREFIX_FORBIDDEN_WORDS.join('", "')}" anywhere in it (it has "${forbidden}"): Cognito refuses such a domain prefix`,
    );
  }
  const stateBucketRaw = read(env, 'STATE_BUCKET');
  const stateBucket =
    stateBucketRaw === undefined
      ? undefined
      : matching(env, 'STATE_BUCKET', '', BUCKET_NAME, 'an S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)');
  const stateKmsKeyArn =
    read(env, 'STATE_KMS_KEY_ARN') === undefined
      ? undefined
      : matching(env, 'STATE_KMS_KEY_ARN', '', KMS_KEY_ARN, 'a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), not an alias');
  if (stateBucket !== undefined && stateKmsKeyArn === undefined) {
    // With `encrypt` alone the S3 backend writes every state object with SSE-S3, not the state key.
    throw new ConfigError('STATE_KMS_KEY_ARN', '', "the state key's ARN whenever STATE_BUCKET is set (the state stack's state_kms_key_arn output)");
  }
  return {
    region: awsRegion,
    projectName,
    environment,
    stateBucket,
    stateKmsKeyArn,
    vpcCidr: parseVpcCidr('VPC_CIDR', read(env, 'VPC_CIDR') ?? '10.80.0.0/20'),
    availabilityZoneIds: availabilityZoneIds(env, awsRegion),
    enableNatGateway: flag(env, 'ENABLE_NAT_GATEWAY', false),
    logRetentionDays: oneOf(env, 'LOG_RETENTION_DAYS', 365, LOG_RETENTION_DAYS),
    namePrefix: `${projectName}-${environment}`,
    warehouse: warehouseConfig(env, environment),
    rateLimit: rateLimitConfig(env),
    api: apiConfig(env, environment),
    waf: wafConfig(env),
    account: accountConfig(env, environment),
  };
}
