/**
 * The direct transport (WAREHOUSE_TRANSPORT=postgres): the handler's `Warehouse` over one
 * PostgreSQL-protocol connection to the workgroup (node-postgres, `pg`), kept open by the warm execution
 * environment. The handler, the SQL (`buildPredictionStatement`, with `$n` parameters instead of
 * `:name`), the error kinds and the logs are the Data API path's.
 *
 * - Credentials: temporary ones from a `CredentialSource` (redshift-serverless:GetCredentials in AWS),
 *   cached until CREDENTIAL_EXPIRY_MARGIN_MS before they expire. They are only needed to log in: an open
 *   connection outlives them. A login the server refuses (an expired or revoked password) fetches new
 *   ones and tries once more. Neither the password nor the client's configuration is ever logged.
 * - TLS with certificate and host-name verification against Node's bundled CA store, which holds the
 *   Amazon Root CAs that Redshift's ACM certificates chain to ("Configuring security options for
 *   connections", Amazon Redshift Management Guide). Only the local embedded database runs without TLS.
 * - One deadline: past it the running statement is cancelled with the protocol's CancelRequest, the
 *   connection is closed and the caller gets `deadline`. `statement_timeout` (set once per connection to
 *   the longest deadline a request can have) stops the statement in the warehouse even if the cancel
 *   never arrives ("statement_timeout", Amazon Redshift Database Developer Guide).
 * - One statement at a time: a Lambda environment serves one invocation at a time; the local server,
 *   which shares one warehouse between concurrent requests, queues them here.
 * - A lost connection (closed while idle, reset, refused) is reopened, and the statement, a read-only
 *   SELECT, runs again while the deadline allows: at most MAX_ATTEMPTS in all. An error the database
 *   reports for the statement itself is never retried.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import { Client, DatabaseError } from 'pg';
import { Clock, systemClock } from './clock';
import { LoanApplication } from './features';
import { buildPredictionStatement, PredictionQueryTarget, toPositionalParameters } from './sql';
import {
  CANCEL_TIMEOUT_MS,
  describeError,
  MODEL_NOT_READY,
  Prediction,
  PredictionResult,
  readProbabilityOfEffective,
  Warehouse,
  WarehouseError,
  WarehouseLogger,
} from './warehouse';

export interface DatabaseCredentials {
  readonly user: string;
  readonly password: string;
  /** When the password stops working, in milliseconds since the epoch (wall-clock time). */
  readonly expiresAt: number;
}

/** Fetches credentials for a new connection; `abortSignal` fires at the request's deadline. */
export type CredentialSource = (abortSignal: AbortSignal) => Promise<DatabaseCredentials>;

export interface PostgresWarehouseOptions {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly target: PredictionQueryTarget;
  readonly credentials: CredentialSource;
  /** TLS with certificate and host-name verification; false only for the local embedded database. */
  readonly tls: boolean;
  /** `statement_timeout` of every connection: the longest deadline a request can have. */
  readonly statementTimeoutMs: number;
  readonly logger: WarehouseLogger;
  readonly clock?: Clock;
  /** Wall-clock milliseconds since the epoch, for credential expiry. Default Date.now. */
  readonly wallClock?: () => number;
}

/** Stop using credentials this long before they expire: a login takes well under a second. */
export const CREDENTIAL_EXPIRY_MARGIN_MS = 60_000;
/** One statement, reopening a lost connection or logging in with new credentials up to twice. */
export const MAX_ATTEMPTS = 3;
export const APPLICATION_NAME = 'loan-prediction';

/** SQLSTATE codes ("PostgreSQL Error Codes", PostgreSQL documentation; Redshift reports the same). */
const QUERY_CANCELED = '57014';
const UNDEFINED_FUNCTION = '42883';
const LOGIN_REFUSED = new Set(['28P01', '28000']);

/** The protocol's CancelRequest and SSLRequest codes ("Message Formats", PostgreSQL documentation). */
const CANCEL_REQUEST_CODE = 80877102;
const SSL_REQUEST_CODE = 80877103;

interface Connection {
  readonly client: Client;
  /** The TCP socket under the client (and its TLS session): destroyed to abandon the connection at once. */
  readonly socket: net.Socket;
  /** From the server's BackendKeyData: what a CancelRequest names. Unset if the server sent none. */
  backend?: { readonly processId: number; readonly secretKey: number };
  statements: number;
  broken: boolean;
}

interface ResultRow {
  application_index?: unknown;
  effective?: unknown;
  probabilities?: unknown;
}

/**
 * Predictions from result rows `(application_index, effective, probabilities)`, in request order.
 * `probabilities` is Redshift ML's SUPER value as JSON text, or an already parsed object (Postgres's
 * jsonb, in local mode); an unreadable one becomes null and `onUnreadable` is called. Shared with the
 * local mode's in-process warehouse.
 */
export function predictionsFromRows(
  rows: readonly ResultRow[],
  expected: number,
  statementId: string,
  onUnreadable: () => void = () => undefined,
): Prediction[] {
  if (rows.length !== expected) {
    // No rows at all usually means TABLE_NAME is empty: the statement reads one row from it.
    throw new WarehouseError('failed', `expected ${expected} result rows, got ${rows.length}`, statementId);
  }
  return rows.map((row, position) => {
    if (Number(row.application_index) !== position || typeof row.effective !== 'boolean') {
      throw new WarehouseError('failed', `result row ${position} has an unexpected shape`, statementId);
    }
    if (row.probabilities === null || row.probabilities === undefined) return { effective: row.effective, probability: null };
    const text = typeof row.probabilities === 'string' ? row.probabilities : JSON.stringify(row.probabilities);
    const probability = readProbabilityOfEffective(text);
    if (probability === undefined) onUnreadable();
    return { effective: row.effective, probability: probability ?? null };
  });
}

/** Why a step failed, and whether a new connection may help. */
class ConnectionLost extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}
class LoginRefused extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}
const DEADLINE = Symbol('deadline');

export class PostgresWarehouse implements Warehouse {
  private readonly clock: Clock;
  private readonly wallClock: () => number;
  private connection?: Connection;
  private credentials?: DatabaseCredentials;
  /** The previous call, settled or not: calls run one after another. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: PostgresWarehouseOptions) {
    this.clock = options.clock ?? systemClock;
    this.wallClock = options.wallClock ?? Date.now;
  }

  predict(applications: readonly LoanApplication[], deadlineAt: number): Promise<PredictionResult> {
    const run = this.queue.then(() => this.run(applications, deadlineAt));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Closes the connection (local mode's shutdown; a Lambda environment just ends). */
  async close(): Promise<void> {
    await this.queue;
    const client = this.connection?.client;
    this.connection = undefined;
    await client?.end().catch(() => undefined);
  }

  private async run(applications: readonly LoanApplication[], deadlineAt: number): Promise<PredictionResult> {
    const { sql, values } = toPositionalParameters(buildPredictionStatement(applications, this.options.target));
    const trips = { count: 0 };
    let freshCredentials = false;
    let statementId: string | undefined;
    for (let attempt = 1; ; attempt++) {
      if (this.clock.now() >= deadlineAt) throw new WarehouseError('deadline', 'deadline passed', statementId);
      try {
        const reused = this.connection !== undefined && !this.connection.broken;
        const connection = await this.connect(deadlineAt, freshCredentials, trips);
        statementId = `${connection.backend?.processId ?? 'session'}:${++connection.statements}`;
        const rows = await this.query<ResultRow>(connection, sql, values, deadlineAt, statementId, trips);
        return {
          predictions: predictionsFromRows(rows, applications.length, statementId, () =>
            this.options.logger.warn('Unreadable probability result; answering null', { statementId }),
          ),
          statementId,
          roundTrips: trips.count,
          sessionReused: reused,
        };
      } catch (error) {
        if (error instanceof WarehouseError) throw error;
        if (this.clock.now() >= deadlineAt) {
          throw new WarehouseError('deadline', `deadline passed: ${describeError(error)}`, statementId);
        }
        const retryable = error instanceof ConnectionLost || (error instanceof LoginRefused && !freshCredentials);
        if (!retryable || attempt >= MAX_ATTEMPTS) {
          throw new WarehouseError('failed', `direct connection failed: ${describeError(error)}`, statementId);
        }
        // Cached credentials the server no longer accepts: log in once more with new ones.
        if (error instanceof LoginRefused) freshCredentials = true;
        this.options.logger.warn('Reconnecting to the warehouse', { attempt, reason: (error as Error).message });
      }
    }
  }

  /** The open connection, or a new one: credentials (cached or fetched), TLS, login, statement_timeout. */
  private async connect(deadlineAt: number, freshCredentials: boolean, trips: { count: number }): Promise<Connection> {
    if (this.connection && !this.connection.broken) return this.connection;
    this.drop();
    const { user, password } = await this.currentCredentials(deadlineAt, freshCredentials);
    const { host, port, database } = this.options;
    const socket = new net.Socket();
    const client = new Client({
      host,
      port,
      database,
      user,
      password,
      ssl: this.options.tls ? { rejectUnauthorized: true, servername: host } : false,
      application_name: APPLICATION_NAME,
      connectionTimeoutMillis: Math.max(1, Math.ceil(deadlineAt - this.clock.now())),
      keepAlive: true,
      stream: () => socket,
    });
    const connection: Connection = { client, socket, statements: 0, broken: false };
    // A connection that fails while idle (the server's idle-session timeout, a restart) reports here,
    // not to a query: mark it, so the next call opens a new one instead of the process crashing.
    client.on('error', () => {
      connection.broken = true;
    });
    try {
      trips.count++;
      await client.connect();
    } catch (error) {
      socket.destroy();
      if (error instanceof DatabaseError && LOGIN_REFUSED.has(error.code ?? '')) {
        throw new LoginRefused(`login refused: ${describeError(error)}`);
      }
      throw new ConnectionLost(`cannot connect: ${describeError(error)}`);
    }
    // node-postgres keeps the BackendKeyData it received (not in its type definitions).
    const { processID, secretKey } = client as unknown as { processID: number | null; secretKey: number | null };
    if (processID !== null && secretKey !== null) connection.backend = { processId: processID, secretKey };
    this.connection = connection;
    await this.query(connection, `SET statement_timeout TO ${Math.ceil(this.options.statementTimeoutMs)}`, [], deadlineAt, undefined, trips);
    return connection;
  }

  private async currentCredentials(deadlineAt: number, fresh: boolean): Promise<DatabaseCredentials> {
    const cached = this.credentials;
    if (!fresh && cached && this.wallClock() < cached.expiresAt - CREDENTIAL_EXPIRY_MARGIN_MS) return cached;
    this.credentials = undefined;
    const abortSignal = AbortSignal.timeout(Math.max(1, Math.ceil(deadlineAt - this.clock.now())));
    try {
      this.credentials = await this.options.credentials(abortSignal);
    } catch (error) {
      if (abortSignal.aborted) throw new WarehouseError('deadline', `database credentials: ${describeError(error)}`);
      throw new WarehouseError('failed', `cannot get database credentials: ${describeError(error)}`);
    }
    return this.credentials;
  }

  /**
   * One statement, answered before the deadline or cancelled at it. Database errors become
   * WarehouseErrors; a lost connection becomes ConnectionLost (the connection is dropped).
   */
  private async query<Row>(
    connection: Connection,
    text: string,
    values: readonly string[],
    deadlineAt: number,
    statementId: string | undefined,
    trips: { count: number },
  ): Promise<Row[]> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<typeof DEADLINE>((resolve) => {
      timer = setTimeout(() => resolve(DEADLINE), Math.max(0, deadlineAt - this.clock.now()));
    });
    trips.count++;
    const answer = connection.client.query({ text, values: [...values] });
    // Settled later, or never: the race below decides what the caller sees.
    answer.catch(() => undefined);
    try {
      const outcome = await Promise.race([answer, deadline]);
      if (outcome === DEADLINE) {
        await this.cancel(connection, statementId);
        throw new WarehouseError('deadline', 'deadline passed; statement cancelled', statementId);
      }
      return outcome.rows as Row[];
    } catch (error) {
      if (error instanceof WarehouseError) throw error;
      if (error instanceof DatabaseError && !connection.broken && error.severity !== 'FATAL') {
        if (error.code === QUERY_CANCELED) {
          // statement_timeout in the warehouse, or an operator's cancel: too late either way.
          this.drop();
          throw new WarehouseError('deadline', describeError(error), statementId);
        }
        if (error.code === UNDEFINED_FUNCTION || MODEL_NOT_READY.test(error.message)) {
          throw new WarehouseError('model-not-ready', describeError(error), statementId);
        }
        throw new WarehouseError('failed', `statement failed: ${describeError(error)}`, statementId);
      }
      this.drop();
      throw new ConnectionLost(`connection lost: ${describeError(error)}`);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Cancels the running statement (a CancelRequest on a second connection), then closes the connection:
   * whatever it answers now is too late, and a cancel that raced the statement's end would be left
   * pending for the next one.
   */
  private async cancel(connection: Connection, statementId: string | undefined): Promise<void> {
    try {
      if (connection.backend === undefined) throw new Error('the server sent no backend key');
      await sendCancelRequest(this.options, connection.backend, CANCEL_TIMEOUT_MS);
      this.options.logger.warn('Cancelled statement after the deadline', { statementId });
    } catch (error) {
      this.options.logger.warn('Could not cancel statement', { statementId, error: describeError(error) });
    } finally {
      this.drop();
    }
  }

  /** Forgets the connection and destroys its socket at once (a hung server would never finish a goodbye). */
  private drop(): void {
    const connection = this.connection;
    this.connection = undefined;
    if (connection) {
      connection.broken = true;
      connection.socket.destroy();
    }
  }
}

/**
 * Sends the protocol's CancelRequest for a backend ("Canceling Requests in Progress", PostgreSQL
 * documentation): a new connection carrying only the backend's process id and secret key, over TLS
 * when the warehouse connection uses it (SSLRequest first, then a handshake verified like the
 * connection's). The server answers nothing and closes the connection once it has processed the
 * request: that close, within `timeoutMs`, is the confirmation.
 */
export function sendCancelRequest(
  target: { readonly host: string; readonly port: number; readonly tls: boolean },
  backend: { readonly processId: number; readonly secretKey: number },
  timeoutMs: number,
): Promise<void> {
  const message = Buffer.alloc(16);
  message.writeInt32BE(16, 0);
  message.writeInt32BE(CANCEL_REQUEST_CODE, 4);
  message.writeInt32BE(backend.processId, 8);
  message.writeInt32BE(backend.secretKey, 12);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: target.host, port: target.port });
    let stream: net.Socket = socket;
    let sent = false;
    const timer = setTimeout(() => fail(new Error(`the server did not confirm the cancel request within ${timeoutMs} ms`)), timeoutMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    };
    const send = () => {
      stream.once('close', () => (sent ? (clearTimeout(timer), resolve()) : fail(new Error('the server closed the connection first'))));
      stream.write(message, (error) => {
        if (error) fail(error);
        sent = true;
      });
    };
    socket.once('error', fail);
    socket.once('connect', () => {
      if (!target.tls) {
        send();
        return;
      }
      const sslRequest = Buffer.alloc(8);
      sslRequest.writeInt32BE(8, 0);
      sslRequest.writeInt32BE(SSL_REQUEST_CODE, 4);
      socket.write(sslRequest);
      socket.once('data', (answer: Buffer) => {
        if (answer[0] !== 0x53 /* 'S' */) {
          fail(new Error('the server refused TLS for the cancel request'));
          return;
        }
        stream = tls.connect({ socket, servername: target.host, rejectUnauthorized: true });
        stream.once('error', fail);
        stream.once('secureConnect', send);
      });
    });
  });
}
