/**
 * Deployment configuration: the only module that reads the environment. Every value has a default
 * that synthesizes a working dev deployment, and every value is validated; a bad one stops synth
 * with one line naming the variable, the value and what is allowed.
 */

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
  readonly vpcCidr: string;
  readonly availabilityZones: readonly [string, string, string];
  readonly enableNatGateway: boolean;
  readonly logRetentionDays: number;
  /** Prefix for resource names: `<project>-<environment>`. */
  readonly namePrefix: string;
}

type Env = Readonly<Record<string, string | undefined>>;

const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
const PROJECT_NAME = /^[a-z][a-z0-9-]{1,18}[a-z0-9]$/;
// S3 bucket naming rules: 3-63 chars, lowercase letters, digits, dots and hyphens, no IP-like names.
const BUCKET_NAME = /^(?!\d+\.\d+\.\d+\.\d+$)(?!xn--)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

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

function availabilityZones(env: Env, region: string): [string, string, string] {
  const variable = 'AVAILABILITY_ZONES';
  const raw = read(env, variable);
  if (raw === undefined) return [`${region}a`, `${region}b`, `${region}c`];
  const zones = raw.split(',').map((z) => z.trim());
  const allowed = `three distinct comma-separated zones of ${region}, e.g. ${region}a,${region}b,${region}c`;
  const valid =
    zones.length === 3 &&
    new Set(zones).size === 3 &&
    zones.every((z) => z.startsWith(region) && /^[a-z]$/.test(z.slice(region.length)));
  if (!valid) throw new ConfigError(variable, raw, allowed);
  return [zones[0], zones[1], zones[2]];
}

export function loadConfig(env: Env = process.env): Config {
  const region = matching(env, 'AWS_REGION', 'us-east-1', REGION, 'an AWS region name such as us-east-1 or eu-west-2');
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
  return {
    region,
    projectName,
    environment,
    stateBucket,
    vpcCidr: parseVpcCidr('VPC_CIDR', read(env, 'VPC_CIDR') ?? '10.80.0.0/20'),
    availabilityZones: availabilityZones(env, region),
    enableNatGateway: flag(env, 'ENABLE_NAT_GATEWAY', false),
    logRetentionDays: oneOf(env, 'LOG_RETENTION_DAYS', 365, LOG_RETENTION_DAYS),
    namePrefix: `${projectName}-${environment}`,
  };
}
