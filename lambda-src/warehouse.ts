/**
 * The warehouse behind the handler: a small interface, so a local mode can swap in another warehouse,
 * and its Redshift Data API implementation.
 *
 * Polling strategy (one statement per request):
 * 1. ExecuteStatement with WaitTimeSeconds: the call returns when the statement finishes (or the wait
 *    ends), so a prediction usually costs two round trips: ExecuteStatement + GetStatementResult.
 * 2. Still running: DescribeStatement with WaitTimeSeconds; if the endpoint does not hold the request
 *    (it answers early, or refuses with ActiveWaitingRequestsExceededException), short polling from
 *    50 ms doubling to 1 s.
 * 3. One deadline for everything; when it passes the statement is cancelled.
 * 4. Only throttling and transient errors are retried, with full-jitter backoff inside the deadline.
 *    A resubmitted ExecuteStatement carries the same ClientToken, so it cannot run twice; a FAILED or
 *    ABORTED statement is reported, never re-run.
 * 5. A Data API session (SessionKeepAliveSeconds) is kept for warm invocations. That is safe because
 *    an execution environment serves one invocation at a time. A statement that FAILED in the database,
 *    or finished with a result the adapter cannot use, leaves the session healthy, so it is kept. The
 *    session is dropped after a deadline (the statement is cancelled), an ABORTED statement, a session
 *    the Data API refuses, or any other error (transport or unknown), and before it can expire.
 */
import {
  CancelStatementCommand,
  DescribeStatementCommand,
  ExecuteStatementCommand,
  Field,
  GetStatementResultCommand,
  RedshiftDataClient,
  RedshiftDataServiceException,
} from '@aws-sdk/client-redshift-data';
import { randomUUID } from 'node:crypto';
import { Clock, systemClock } from './clock';
import { LoanApplication } from './features';
import { buildPredictionStatement, PredictionQueryTarget, SqlStatement } from './sql';

export interface Prediction {
  readonly effective: boolean;
  /** Probability that the remediation is effective; null when the model provides none. */
  readonly probability: number | null;
}

export interface PredictionResult {
  /** In request order. */
  readonly predictions: Prediction[];
  readonly statementId: string;
  /** Data API calls made, retries included. */
  readonly roundTrips: number;
  readonly sessionReused: boolean;
}

export interface Warehouse {
  /** Predicts every application with one statement; `deadlineAt` is a time on the warehouse's clock. */
  predict(applications: readonly LoanApplication[], deadlineAt: number): Promise<PredictionResult>;
}

/**
 * - `model-not-ready`: the model is still training or does not exist (503, retry later)
 * - `deadline`: the deadline passed (504)
 * - `failed`: the statement failed or was aborted, the Data API refused, or the result was unusable (502)
 */
export type WarehouseErrorKind = 'model-not-ready' | 'deadline' | 'failed';

export class WarehouseError extends Error {
  constructor(
    readonly kind: WarehouseErrorKind,
    /** For logs only: never sent to the client. */
    readonly reason: string,
    readonly statementId?: string,
  ) {
    super(`${kind}: ${reason}`);
    this.name = 'WarehouseError';
  }
}

/** What the adapter logs: retries, cancellations, dropped sessions. Powertools' Logger fits. */
export interface WarehouseLogger {
  warn(message: string, attributes: Record<string, unknown>): void;
}

/** What the adapter counts: Data API calls refused for the account's request rate (see handler.ts). */
export interface WarehouseMetrics {
  dataApiThrottled(operation: DataApiOperation): void;
}

export type DataApiOperation = 'ExecuteStatement' | 'DescribeStatement' | 'GetStatementResult';

export interface RedshiftDataWarehouseOptions {
  readonly client: RedshiftDataClient;
  readonly workgroupName: string;
  readonly database: string;
  readonly target: PredictionQueryTarget;
  /** 0 runs every statement without a session. */
  readonly sessionKeepAliveSeconds: number;
  readonly logger: WarehouseLogger;
  /** Counts throttled calls; none by default. */
  readonly metrics?: WarehouseMetrics;
  readonly clock?: Clock;
  /** Uniform in [0, 1), for backoff jitter. */
  readonly random?: () => number;
}

const TERMINAL_STATUSES = new Set(['FINISHED', 'FAILED', 'ABORTED']);
/** The Data API's maximum WaitTimeSeconds. */
const MAX_WAIT_SECONDS = 30;
/** A long poll may answer only when its wait ends: ask for a wait that ends this long before the deadline. */
const RESPONSE_MARGIN_MS = 1000;
/** A call still open this long after the deadline is abandoned. */
export const ABORT_GRACE_MS = 1000;
const SHORT_POLL_FIRST_MS = 50;
const SHORT_POLL_MAX_MS = 1000;
const MAX_ATTEMPTS = 4;
const BACKOFF_BASE_MS = 100;
const BACKOFF_CAP_MS = 2000;
/** How long the CancelStatement after a deadline may take. */
export const CANCEL_TIMEOUT_MS = 1000;
/** Stop using a session this long before the Data API would close it. */
const SESSION_EXPIRY_MARGIN_MS = 10_000;

/**
 * A Data API refusal for the account's request rate ("Rate exceeded"), by the names the SDK's retry
 * strategy recognises as throttling (not modelled for these calls): retried, and counted
 * (DATA_API_THROTTLED_METRIC in metrics.ts).
 */
export const THROTTLING_ERRORS: ReadonlySet<string> = new Set(['ThrottlingException', 'TooManyRequestsException']);

/**
 * Error names (or Node error codes) retried by `call`, which makes ExecuteStatement, DescribeStatement
 * and GetStatementResult calls. Any error with a 5xx status is retried too. Exported for a test that
 * checks every name against the installed SDK.
 */
export const RETRYABLE_ERRORS: ReadonlySet<string> = new Set([
  // Modelled by the SDK for these calls.
  'ActiveStatementsExceededException',
  'InternalServerException',
  ...THROTTLING_ERRORS,
  // Timeouts and dropped connections, as the SDK's retry strategy classifies them.
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
]);

/**
 * Redshift's wording when the model cannot answer yet: its function is only created once training
 * finishes ("function ml_fn_prediction(integer, ...) does not exist"), and a model that is still
 * training or failed is reported as not ready.
 */
export const MODEL_NOT_READY = /\bfunction\b.*\bdoes not exist\b|\bmodel\b.*\b(not ready|not in ready state|training|does not exist)\b/i;

/**
 * Labels Redshift ML may use for the classes of a BOOLEAN target, in any case and with an optional
 * trailing dot: AWS's documented `<function>_probabilities` output reads `"labels": ["False.", "True."]`.
 */
const POSITIVE_LABEL = /^(t|true|1|yes)\.?$/i;
const NEGATIVE_LABEL = /^(f|false|0|no)\.?$/i;

const isProbability = (value: unknown): value is number => typeof value === 'number' && value >= 0 && value <= 1;

interface ErrorShape {
  name?: string;
  code?: string;
  message?: string;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number };
}

const errorShape = (error: unknown): ErrorShape => (typeof error === 'object' && error !== null ? error : {});

function isRetryable(error: unknown): boolean {
  const { name, code, $retryable, $metadata } = errorShape(error);
  return (
    RETRYABLE_ERRORS.has(name ?? '') ||
    RETRYABLE_ERRORS.has(code ?? '') ||
    Boolean($retryable) ||
    ($metadata?.httpStatusCode ?? 0) >= 500
  );
}

/** Error text for logs, with SQL string literals masked (identifiers, in double quotes, stay readable). */
const redact = (text: string): string => text.replace(/'[^']*'/g, "'?'").slice(0, 500);

export const describeError = (error: unknown): string => {
  const { name, message } = errorShape(error);
  return redact(`${name ?? 'Error'}: ${message ?? String(error)}`);
};

/** Reuse a live session, open one for later invocations, or run without. */
type SessionUse = { readonly reuse: string } | 'open' | 'none';

interface Run {
  readonly deadlineAt: number;
  roundTrips: number;
  sessionReused: boolean;
  statementId?: string;
  /** Set once the Data API has answered in a way that shows the session works (see predict). */
  sessionHealthy?: boolean;
}

export class RedshiftDataWarehouse implements Warehouse {
  private readonly clock: Clock;
  private readonly random: () => number;
  private session?: { readonly id: string; readonly expiresAt: number };

  constructor(private readonly options: RedshiftDataWarehouseOptions) {
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
  }

  async predict(applications: readonly LoanApplication[], deadlineAt: number): Promise<PredictionResult> {
    const statement = buildPredictionStatement(applications, this.options.target);
    const run: Run = { deadlineAt, roundTrips: 0, sessionReused: false };
    try {
      const submitted = await this.execute(statement, run, this.sessionUse());
      run.statementId = submitted.id;
      const done = await this.waitUntilDone(submitted.id, submitted.status, run);
      if (done.status !== 'FINISHED') {
        const failure = await this.failure(submitted.id, done.status, done.error, run);
        // A database error (FAILED) says nothing against the session; ABORTED may mean it was ended.
        run.sessionHealthy = done.status === 'FAILED';
        throw failure;
      }
      const result = await this.call(run, 'GetStatementResult', (abortSignal) =>
        this.options.client.send(new GetStatementResultCommand({ Id: submitted.id }), { abortSignal }),
      );
      // From here on, a failure is about the result's content, not the session.
      run.sessionHealthy = true;
      return {
        predictions: this.toPredictions(result.Records ?? [], applications.length, submitted.id),
        statementId: submitted.id,
        roundTrips: run.roundTrips,
        sessionReused: run.sessionReused,
      };
    } catch (error) {
      if (!run.sessionHealthy) this.session = undefined;
      const failure =
        error instanceof WarehouseError
          ? error
          : new WarehouseError('failed', `Data API call failed: ${describeError(error)}`, run.statementId);
      if (failure.kind === 'deadline' && run.statementId !== undefined) await this.cancel(run.statementId);
      throw failure;
    }
  }

  private sessionUse(): SessionUse {
    if (this.session && this.clock.now() >= this.session.expiresAt) this.session = undefined;
    if (this.session) return { reuse: this.session.id };
    return this.options.sessionKeepAliveSeconds > 0 ? 'open' : 'none';
  }

  private async execute(statement: SqlStatement, run: Run, session: SessionUse): Promise<{ id: string; status: string }> {
    const { workgroupName, database, sessionKeepAliveSeconds } = this.options;
    const command = new ExecuteStatementCommand({
      Sql: statement.sql,
      Parameters: statement.parameters.map(({ name, value }) => ({ name, value })),
      // One token for every retry of this submission: the Data API runs it at most once.
      ClientToken: randomUUID(),
      WaitTimeSeconds: this.waitSeconds(run) || undefined,
      ...(typeof session === 'object'
        ? { SessionId: session.reuse }
        : {
            WorkgroupName: workgroupName,
            Database: database,
            SessionKeepAliveSeconds: session === 'open' ? sessionKeepAliveSeconds : undefined,
          }),
    });
    const submittedAt = this.clock.now();
    let output;
    try {
      output = await this.call(run, 'ExecuteStatement', (abortSignal) => this.options.client.send(command, { abortSignal }));
    } catch (error) {
      // A submission the Data API refused ran nothing. When a session may be the cause (closed, busy,
      // too many sessions), submit once more without one.
      if (session === 'none' || !(error instanceof RedshiftDataServiceException) || isRetryable(error)) throw error;
      this.options.logger.warn('Data API session refused; submitting without a session', {
        error: describeError(error),
      });
      this.session = undefined;
      return this.execute(statement, run, 'none');
    }
    if (output.Id === undefined) throw new WarehouseError('failed', 'ExecuteStatement returned no statement id');
    run.sessionReused = typeof session === 'object';
    if (session === 'open' && output.SessionId !== undefined) {
      this.session = {
        id: output.SessionId,
        expiresAt: submittedAt + sessionKeepAliveSeconds * 1000 - SESSION_EXPIRY_MARGIN_MS,
      };
    }
    return { id: output.Id, status: output.Status ?? 'SUBMITTED' };
  }

  private async waitUntilDone(
    id: string,
    initialStatus: string,
    run: Run,
  ): Promise<{ status: string; error: string | undefined }> {
    let status = initialStatus;
    let error: string | undefined;
    let longPolling = true;
    let shortPollMs = SHORT_POLL_FIRST_MS;
    while (!TERMINAL_STATUSES.has(status)) {
      const wait = longPolling ? this.waitSeconds(run) : 0;
      if (wait === 0) {
        await this.clock.sleep(Math.max(0, Math.min(shortPollMs, run.deadlineAt - this.clock.now())));
        shortPollMs = Math.min(shortPollMs * 2, SHORT_POLL_MAX_MS);
      }
      const askedAt = this.clock.now();
      try {
        const output = await this.call(run, 'DescribeStatement', (abortSignal) =>
          this.options.client.send(
            new DescribeStatementCommand({ Id: id, WaitTimeSeconds: wait || undefined }),
            { abortSignal },
          ),
        );
        status = output.Status ?? status;
        error = output.Error;
        // An answer well before the wait ended: the endpoint does not long-poll, so poll briefly instead.
        // (A call that asked for no wait never answers that early; a finished statement ends the loop.)
        if (this.clock.now() - askedAt < (wait * 1000) / 2) longPolling = false;
      } catch (caught) {
        if (errorShape(caught).name !== 'ActiveWaitingRequestsExceededException') throw caught;
        longPolling = false;
      }
    }
    return { status, error };
  }

  private async failure(id: string, status: string, knownError: string | undefined, run: Run): Promise<WarehouseError> {
    // ExecuteStatement reports a status but no error text; DescribeStatement has it.
    let error = knownError;
    if (error === undefined) {
      const described = await this.call(run, 'DescribeStatement', (abortSignal) =>
        this.options.client.send(new DescribeStatementCommand({ Id: id }), { abortSignal }),
      );
      error = described.Error ?? '';
    }
    if (status === 'FAILED' && MODEL_NOT_READY.test(error)) {
      return new WarehouseError('model-not-ready', redact(error), id);
    }
    return new WarehouseError('failed', `statement ${status}: ${redact(error)}`, id);
  }

  /** Seconds a call may wait and still answer before the deadline (0: no time for a long poll). */
  private waitSeconds(run: Run): number {
    const usable = run.deadlineAt - this.clock.now() - RESPONSE_MARGIN_MS;
    return Math.max(0, Math.min(MAX_WAIT_SECONDS, Math.floor(usable / 1000)));
  }

  /** One Data API call, retried on throttling and transient errors while the deadline allows; throttling is counted. */
  private async call<T>(run: Run, operation: DataApiOperation, send: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const remaining = run.deadlineAt - this.clock.now();
      if (remaining <= 0) throw new WarehouseError('deadline', 'deadline passed', run.statementId);
      run.roundTrips++;
      const abortSignal = AbortSignal.timeout(Math.ceil(remaining + ABORT_GRACE_MS));
      try {
        return await send(abortSignal);
      } catch (error) {
        if (abortSignal.aborted) {
          throw new WarehouseError('deadline', describeError(error), run.statementId);
        }
        if (THROTTLING_ERRORS.has(errorShape(error).name ?? '')) this.options.metrics?.dataApiThrottled(operation);
        const delay = this.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1));
        if (!isRetryable(error) || attempt >= MAX_ATTEMPTS || this.clock.now() + delay >= run.deadlineAt) throw error;
        this.options.logger.warn('Retrying Data API call', { attempt, delayMs: Math.round(delay), error: describeError(error) });
        await this.clock.sleep(delay);
      }
    }
  }

  private async cancel(id: string): Promise<void> {
    try {
      await this.options.client.send(new CancelStatementCommand({ Id: id }), {
        abortSignal: AbortSignal.timeout(CANCEL_TIMEOUT_MS),
      });
      this.options.logger.warn('Cancelled statement after the deadline', { statementId: id });
    } catch (error) {
      this.options.logger.warn('Could not cancel statement', { statementId: id, error: describeError(error) });
    }
  }

  private toPredictions(records: Field[][], expected: number, id: string): Prediction[] {
    if (records.length !== expected) {
      // No rows at all usually means TABLE_NAME is empty: the statement reads one row from it.
      throw new WarehouseError('failed', `expected ${expected} result rows, got ${records.length}`, id);
    }
    return records.map(([index, effective, probabilities], position) => {
      if (index?.longValue !== position || typeof effective?.booleanValue !== 'boolean') {
        throw new WarehouseError('failed', `result row ${position} has an unexpected shape`, id);
      }
      return { effective: effective.booleanValue, probability: this.probabilityOfEffective(probabilities, id) };
    });
  }

  private probabilityOfEffective(field: Field | undefined, id: string): number | null {
    if (field?.stringValue === undefined) return null;
    const probability = readProbabilityOfEffective(field.stringValue);
    if (probability !== undefined) return probability;
    this.options.logger.warn('Unreadable probability result; answering null', { statementId: id });
    return null;
  }
}

/**
 * Reads `{"probabilities": [..], "labels": [..]}` (Redshift ML's `<function>_probabilities` result) for
 * the positive label; with two labels of which only the negative one is recognised, 1 - p(negative).
 * Undefined when the text has no readable probability. Shared with the local mode's warehouse.
 */
export function readProbabilityOfEffective(text: string): number | undefined {
  try {
    const { probabilities, labels } = JSON.parse(text) as { probabilities?: unknown; labels?: unknown };
    if (Array.isArray(probabilities) && Array.isArray(labels) && probabilities.length === labels.length) {
      const positive = labels.findIndex((label) => POSITIVE_LABEL.test(String(label)));
      if (positive >= 0) {
        const probability: unknown = probabilities[positive];
        if (isProbability(probability)) return probability;
      } else if (labels.length === 2) {
        const negatives = labels.flatMap((label, index) => (NEGATIVE_LABEL.test(String(label)) ? [index] : []));
        const probability: unknown = negatives.length === 1 ? probabilities[negatives[0]] : undefined;
        if (isProbability(probability)) return 1 - probability;
      }
    }
  } catch {
    // not JSON: unreadable
  }
  return undefined;
}
