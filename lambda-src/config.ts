/**
 * The Lambda's configuration, read once at cold start. Every problem is collected and reported together,
 * so a bad deployment fails at init with one log line that names each variable, never per request.
 */
import { parseSqlIdentifier, PredictionQueryTarget, SqlIdentifier } from './sql';

/**
 * How the function reaches the workgroup: the Redshift Data API (the default: no VPC, no connections),
 * or one PostgreSQL-protocol connection per warm execution environment (WAREHOUSE_TRANSPORT=postgres).
 * Synth (stacks/config.ts) reads the same list.
 */
export const WAREHOUSE_TRANSPORTS = ['data-api', 'postgres'] as const;
export type WarehouseTransport = (typeof WAREHOUSE_TRANSPORTS)[number];

/** The workgroup's endpoint (its `endpoint` attribute: address and port), for the direct connection. */
export interface WarehouseEndpoint {
  readonly host: string;
  readonly port: number;
}

/** The configuration of either transport: the postgres one also has the endpoint. */
export type HandlerConfig = CommonHandlerConfig &
  ({ readonly transport: 'data-api' } | { readonly transport: 'postgres'; readonly endpoint: WarehouseEndpoint });

interface CommonHandlerConfig {
  readonly workgroupName: string;
  readonly database: SqlIdentifier;
  readonly target: PredictionQueryTarget;
  /** Budget for the warehouse work of one request; the handler also stays inside the Lambda's remaining time. */
  readonly deadlineMs: number;
  /** How long the Data API keeps a session open for reuse by warm invocations; 0 disables sessions. */
  readonly sessionKeepAliveSeconds: number;
}

export class HandlerConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid Lambda configuration: ${problems.join('; ')}`);
    this.name = 'HandlerConfigError';
  }
}

/** Optional variables and their defaults. */
export const CONFIG_DEFAULTS = {
  INCLUDE_PROBABILITY: 'true',
  // API Gateway gives up after 29 s; 25 s leaves time to cancel the statement and answer 504.
  DEADLINE_MS: '25000',
  SESSION_KEEP_ALIVE_SECONDS: '300',
} as const;

/** The shortest Data API session worth opening (besides 0, no sessions). */
const MIN_SESSION_KEEP_ALIVE_SECONDS = 30;

// Redshift Serverless workgroup names: 3-64 lowercase letters, digits and hyphens.
const WORKGROUP_NAME = /^[a-z0-9-]{3,64}$/;
// A DNS name (the workgroup endpoint's address) or an IPv4 address (local mode).
const HOST_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;

type Env = Readonly<Record<string, string | undefined>>;

export function loadHandlerConfig(env: Env): HandlerConfig {
  const problems: string[] = [];
  const read = (name: string): string => (env[name] ?? '').trim();
  const optional = (name: keyof typeof CONFIG_DEFAULTS): string => read(name) || CONFIG_DEFAULTS[name];

  const identifier = (name: string, qualified: boolean): SqlIdentifier => {
    const value = read(name);
    const parsed = parseSqlIdentifier(value, { qualified });
    if (parsed === undefined) {
      const shape = qualified ? 'a SQL identifier, optionally schema-qualified (schema.name)' : 'a SQL identifier';
      problems.push(`${name}=${JSON.stringify(value)} must be ${shape}`);
    }
    return parsed ?? ('' as SqlIdentifier);
  };
  const integer = (name: keyof typeof CONFIG_DEFAULTS, min: number, max: number): number => {
    const value = optional(name);
    const parsed = /^\d+$/.test(value) ? Number(value) : NaN;
    if (!(parsed >= min && parsed <= max)) problems.push(`${name}=${JSON.stringify(value)} must be an integer from ${min} to ${max}`);
    return parsed;
  };
  /** 0 turns sessions off; otherwise an integer from min to max. */
  const sessionSeconds = (name: keyof typeof CONFIG_DEFAULTS, min: number, max: number): number => {
    const value = optional(name);
    const parsed = /^\d+$/.test(value) ? Number(value) : NaN;
    if (!(parsed === 0 || (parsed >= min && parsed <= max))) {
      problems.push(`${name}=${JSON.stringify(value)} must be 0 (no sessions) or an integer from ${min} to ${max}`);
    }
    return parsed;
  };

  const transportValue = read('WAREHOUSE_TRANSPORT') || 'data-api';
  const transport = WAREHOUSE_TRANSPORTS.find((candidate) => candidate === transportValue);
  if (transport === undefined) {
    problems.push(`WAREHOUSE_TRANSPORT=${JSON.stringify(transportValue)} must be one of ${WAREHOUSE_TRANSPORTS.join(', ')}`);
  }
  let endpoint: WarehouseEndpoint | undefined;
  if (transport === 'postgres') {
    const host = read('WAREHOUSE_HOST');
    if (!HOST_NAME.test(host)) problems.push(`WAREHOUSE_HOST=${JSON.stringify(host)} must be the workgroup endpoint's host name`);
    const portValue = read('WAREHOUSE_PORT');
    const port = /^\d+$/.test(portValue) ? Number(portValue) : NaN;
    if (!(port >= 1 && port <= 65_535)) problems.push(`WAREHOUSE_PORT=${JSON.stringify(portValue)} must be a port from 1 to 65535`);
    endpoint = { host, port };
  }
  const workgroupName = read('WORKGROUP_NAME');
  if (!WORKGROUP_NAME.test(workgroupName)) {
    problems.push(`WORKGROUP_NAME=${JSON.stringify(workgroupName)} must be 3-64 lowercase letters, digits or hyphens`);
  }
  const database = identifier('DATABASE_NAME', false);
  const table = identifier('TABLE_NAME', true);
  const predictionFunction = identifier('PREDICTION_FUNCTION', true);
  const includeProbability = optional('INCLUDE_PROBABILITY');
  if (includeProbability !== 'true' && includeProbability !== 'false') {
    problems.push(`INCLUDE_PROBABILITY=${JSON.stringify(includeProbability)} must be true or false`);
  }
  // Redshift ML names the probability function of a classification model `<function>_probabilities`.
  const probabilityFunction =
    includeProbability === 'true'
      ? parseSqlIdentifier(`${predictionFunction}_probabilities`, { qualified: true })
      : undefined;
  if (includeProbability === 'true' && predictionFunction && !probabilityFunction) {
    problems.push('PREDICTION_FUNCTION is too long to derive <function>_probabilities (127 characters at most)');
  }
  // At most 26 s: with the handler's reserve (2.5 s to abandon a hung call, cancel and answer) the
  // response still comes before API Gateway gives up at 29 s.
  const deadlineMs = integer('DEADLINE_MS', 1000, 26_000);
  // The adapter stops using a session 10 s before it expires: a shorter keep-alive than 30 s would leave
  // little or no time to reuse it, and every invocation would open a new one.
  const sessionKeepAliveSeconds = sessionSeconds('SESSION_KEEP_ALIVE_SECONDS', MIN_SESSION_KEEP_ALIVE_SECONDS, 3600);

  if (problems.length > 0) throw new HandlerConfigError(problems);
  const common: CommonHandlerConfig = {
    workgroupName,
    database,
    target: { table, predictionFunction, probabilityFunction },
    deadlineMs,
    sessionKeepAliveSeconds,
  };
  return endpoint === undefined ? { transport: 'data-api', ...common } : { transport: 'postgres', endpoint, ...common };
}
