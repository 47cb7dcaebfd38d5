/**
 * Deployment configuration: the only module that reads the environment. Every value has a default
 * that synthesizes a working dev deployment, and every value is validated; a bad one stops synth
 * with one line naming the variable, the value and what is allowed.
 */
import { SQL_IDENTIFIER, SQL_IDENTIFIER_RULE } from '../lambda-src/sql';

export class ConfigError extends Error {
  constructor(variable: string, value: string, allowed: string) {
    super(`${variable}=${JSON.stringify(value)} is invalid: expected ${allowed}`);
    this.name = 'ConfigError';
  }
}

export const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

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
  /** KMS key for the state objects (the `state` stack's output); undefined means SSE-S3. */
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
 * identities need the repository; without it the stack still synthesizes, and its plan stops with a
 * message naming GITHUB_REPOSITORY.
 */
export interface AccountConfig {
  /** `owner/name` of the GitHub repository whose workflows plan and deploy. */
  readonly githubRepository: string | undefined;
  /** An OIDC provider for token.actions.githubusercontent.com that already exists (one per account). */
  readonly githubOidcProviderArn: string | undefined;
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
  readonly lambdaReservedConcurrency: number;
  /** Run the Lambda in the private subnets (needs a redshift-data interface endpoint, created with it). */
  readonly lambdaInVpc: boolean;
  /** Stage-wide steady-state requests per second and burst. */
  readonly throttleRateLimit: number;
  readonly throttleBurstLimit: number;
  /** Where Cognito may send people back after sign-in (authorization code + PKCE client). */
  readonly callbackUrls: readonly string[];
  /** Subscribed to the alarm topic when set (the address must confirm the subscription). */
  readonly alarmEmail: string | undefined;
}

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
  /** The paid Bot Control managed rule group at its common inspection level. */
  readonly botControl: boolean;
  readonly logScope: WafLogScope;
  /** Blocked requests in 5 minutes at which the alarm notifies the api stack's topic. */
  readonly blockedRequestsAlarmThreshold: number;
}

export const USAGE_BREACH_ACTIONS = ['deactivate', 'emit-metric', 'log'] as const;
export type UsageBreachAction = (typeof USAGE_BREACH_ACTIONS)[number];

/** The Redshift Serverless warehouse and the names the warehouse SQL and the Lambda share. */
export interface WarehouseConfig {
  /** Base RPUs: 4, or 8 to 512 in steps of 8. */
  readonly baseCapacity: number;
  /** RPU ceiling for scaling; undefined leaves the AWS default. */
  readonly maxCapacity: number | undefined;
  /** Compute the workgroup may use per day before the breach action fires. */
  readonly dailyRpuHours: number;
  readonly usageBreachAction: UsageBreachAction;
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

const PROJECT_NAME = /^[a-z][a-z0-9-]{1,18}[a-z0-9]$/;
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

function warehouseConfig(env: Env): WarehouseConfig {
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
    dailyRpuHours: integer(env, 'REDSHIFT_DAILY_RPU_HOURS', 24, (n) => n >= 1 && n <= 10_000, 'RPU-hours from 1 to 10000'),
    usageBreachAction: oneOf<UsageBreachAction>(env, 'REDSHIFT_USAGE_BREACH_ACTION', 'deactivate', USAGE_BREACH_ACTIONS),
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

// Cognito accepts HTTPS callback URLs, and plain HTTP only for localhost.
const CALLBACK_URL = /^(https:\/\/[a-z0-9.-]+(:\d+)?|http:\/\/localhost(:\d+)?)(\/[\w\-./~%]*)?$/i;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function apiConfig(env: Env): ApiConfig {
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
  const throttleRateLimit = integer(env, 'API_THROTTLE_RATE', 50, (n) => n >= 1 && n <= 10_000, 'requests per second from 1 to 10000');
  return {
    lambdaMemoryMb: integer(env, 'LAMBDA_MEMORY_MB', 256, (n) => n >= 128 && n <= 10_240, 'MB from 128 to 10240'),
    lambdaTimeoutSeconds: integer(
      env,
      'LAMBDA_TIMEOUT_SECONDS',
      28,
      (n) => n >= min && n <= max,
      `seconds from ${min} to ${max} (API Gateway gives up at 29 s)`,
    ),
    lambdaReservedConcurrency: integer(env, 'LAMBDA_RESERVED_CONCURRENCY', 10, (n) => n >= 1 && n <= 1000, 'from 1 to 1000'),
    lambdaInVpc: flag(env, 'LAMBDA_IN_VPC', false),
    throttleRateLimit,
    throttleBurstLimit: integer(
      env,
      'API_THROTTLE_BURST',
      Math.min(5000, throttleRateLimit * 2),
      (n) => n >= 1 && n <= 5000,
      'requests from 1 to 5000',
    ),
    callbackUrls,
    alarmEmail,
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

function wafConfig(env: Env): WafConfig {
  return {
    allowedCountries: countryCodes(env, 'WAF_ALLOWED_COUNTRIES'),
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
const GITHUB_REPOSITORY = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}\/[A-Za-z0-9._-]{1,100}$/;
const GITHUB_OIDC_PROVIDER_ARN = /^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/token\.actions\.githubusercontent\.com$/;

function accountConfig(env: Env, environment: Environment): AccountConfig {
  const githubRepository = read(env, 'GITHUB_REPOSITORY');
  if (githubRepository !== undefined && (!GITHUB_REPOSITORY.test(githubRepository) || /^[^/]*\/\.{1,2}$/.test(githubRepository))) {
    throw new ConfigError('GITHUB_REPOSITORY', githubRepository, 'unset, or owner/name of a GitHub repository, e.g. octo-org/loan-remediation');
  }
  const githubOidcProviderArn = read(env, 'GITHUB_OIDC_PROVIDER_ARN');
  if (githubOidcProviderArn !== undefined && !GITHUB_OIDC_PROVIDER_ARN.test(githubOidcProviderArn)) {
    const allowed = 'unset, or the ARN of the account\'s GitHub OIDC provider, arn:aws:iam::<account>:oidc-provider/token.actions.githubusercontent.com';
    throw new ConfigError('GITHUB_OIDC_PROVIDER_ARN', githubOidcProviderArn, allowed);
  }
  const environmentsRaw = read(env, 'ACCOUNT_ENVIRONMENTS');
  const environments = environmentsRaw === undefined ? [environment] : environmentsRaw.split(',').map((e) => e.trim());
  if (new Set(environments).size !== environments.length || !environments.every((e) => (ENVIRONMENTS as readonly string[]).includes(e))) {
    throw new ConfigError('ACCOUNT_ENVIRONMENTS', environmentsRaw ?? '', `distinct comma-separated environments of ${ENVIRONMENTS.join(', ')}`);
  }
  return {
    githubRepository,
    githubOidcProviderArn,
    environments: environments as Environment[],
    manageApiGatewayAccountRole: flag(env, 'API_GATEWAY_ACCOUNT_LOGGING_ROLE', true),
  };
}

export function loadConfig(env: Env = process.env): Config {
  const awsRegion = region(env);
  const projectName = matching(
    env,
    'PROJECT_NAME',
    'loan-remediation',
    PROJECT_NAME,
    '3-20 characters: lowercase letters, digits and hyphens, starting with a letter',
  );
  const environment = oneOf<Environment>(env, 'ENVIRONMENT', 'dev', ENVIRONMENTS);
  const stateBucketRaw = read(env, 'STATE_BUCKET');
  const stateBucket =
    stateBucketRaw === undefined
      ? undefined
      : matching(env, 'STATE_BUCKET', '', BUCKET_NAME, 'an S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)');
  const stateKmsKeyArn =
    read(env, 'STATE_KMS_KEY_ARN') === undefined
      ? undefined
      : matching(env, 'STATE_KMS_KEY_ARN', '', KMS_KEY_ARN, 'a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), not an alias');
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
    warehouse: warehouseConfig(env),
    rateLimit: rateLimitConfig(env),
    api: apiConfig(env),
    waf: wafConfig(env),
    account: accountConfig(env, environment),
  };
}
