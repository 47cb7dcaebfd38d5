/**
 * `POST /loan`: parse -> validate -> predict -> respond. Every response is JSON, carries the request id
 * (body and `X-Request-Id` header), and never contains SQL, database messages or stack traces.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { JSON_RESPONSE_HEADERS } from './api-contract';
import { Clock, systemClock } from './clock';
import { MAX_BODY_BYTES, validateRequestBody } from './request-schema';
import { ABORT_GRACE_MS, CANCEL_TIMEOUT_MS, Prediction, Warehouse, WarehouseError } from './warehouse';

export interface PredictionHandlerDependencies {
  readonly warehouse: Warehouse;
  readonly logger: Logger;
  /** Reported with every prediction: the Redshift ML function that made it. */
  readonly modelName: string;
  /** Budget for the warehouse work of one request. */
  readonly deadlineMs: number;
  readonly clock?: Clock;
}

export type PredictionHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/** Time to log and send the 504 once a late statement is cancelled. */
const RESPOND_MS = 500;
/**
 * Kept back from the Lambda's own timeout. Past the deadline, a hung call is abandoned ABORT_GRACE_MS
 * later, the statement's cancellation may take CANCEL_TIMEOUT_MS, and the answer must still go out.
 */
export const LAMBDA_RESERVE_MS = ABORT_GRACE_MS + CANCEL_TIMEOUT_MS + RESPOND_MS;
/** Training takes minutes to hours; a minute between retries is plenty. */
const MODEL_NOT_READY_RETRY_AFTER_SECONDS = 60;

interface Outcome {
  readonly statusCode: number;
  readonly body: Record<string, unknown>;
  readonly headers?: Record<string, string>;
  /** Extra attributes for the request's log line. */
  readonly log?: Record<string, unknown>;
}

const WAREHOUSE_FAILURES: Record<WarehouseError['kind'], Omit<Outcome, 'log'>> = {
  'model-not-ready': {
    statusCode: 503,
    body: { error: 'The prediction model is not ready yet; retry later' },
    headers: { 'Retry-After': String(MODEL_NOT_READY_RETRY_AFTER_SECONDS) },
  },
  deadline: { statusCode: 504, body: { error: 'The prediction took too long; retry later' } },
  failed: { statusCode: 502, body: { error: 'The warehouse could not make the prediction' } },
};

function parseBody(event: APIGatewayProxyEvent): { readonly value: unknown } | Outcome {
  const text = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : (event.body ?? '');
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) {
    return { statusCode: 413, body: { error: `Request body is larger than ${MAX_BODY_BYTES} bytes` } };
  }
  if (text.trim() === '') return { statusCode: 400, body: { error: 'Request body is empty' } };
  try {
    return { value: JSON.parse(text) };
  } catch {
    return { statusCode: 400, body: { error: 'Request body is not valid JSON' } };
  }
}

const toJson = ({ effective, probability }: Prediction) => ({ effective, probability });

export function createPredictionHandler(dependencies: PredictionHandlerDependencies): PredictionHandler {
  const { warehouse, logger, modelName } = dependencies;
  const clock = dependencies.clock ?? systemClock;

  async function predict(event: APIGatewayProxyEvent, context: Context): Promise<Outcome> {
    const parsed = parseBody(event);
    if (!('value' in parsed)) return parsed;

    const validation = validateRequestBody(parsed.value);
    if (!validation.success) {
      return {
        statusCode: 400,
        body: { error: 'Request body is invalid', details: validation.details },
        log: { invalidFields: validation.details.map((detail) => detail.path) },
      };
    }

    const { applications, batch } = validation;
    const startedAt = clock.now();
    const deadlineMs = Math.min(dependencies.deadlineMs, context.getRemainingTimeInMillis() - LAMBDA_RESERVE_MS);
    const log = { batchSize: applications.length };
    try {
      const result = await warehouse.predict(applications, startedAt + deadlineMs);
      const predictions = result.predictions.map(toJson);
      return {
        statusCode: 200,
        body: batch ? { predictions, model: modelName } : { ...predictions[0], model: modelName },
        log: {
          ...log,
          statementId: result.statementId,
          roundTrips: result.roundTrips,
          sessionReused: result.sessionReused,
          warehouseMs: Math.round(clock.now() - startedAt),
        },
      };
    } catch (error) {
      if (!(error instanceof WarehouseError)) throw error;
      return {
        ...WAREHOUSE_FAILURES[error.kind],
        log: {
          ...log,
          statementId: error.statementId,
          failure: error.kind,
          reason: error.reason,
          warehouseMs: Math.round(clock.now() - startedAt),
        },
      };
    }
  }

  return async (event, context) => {
    const startedAt = clock.now();
    // API Gateway's id is the one the client and the access logs see; the Lambda's is the fallback.
    const requestId = event.requestContext?.requestId ?? context.awsRequestId;
    logger.addContext(context);
    logger.appendKeys({ requestId });
    try {
      let outcome: Outcome;
      try {
        outcome = await predict(event, context);
      } catch (error) {
        logger.error('Unexpected error', error as Error);
        outcome = { statusCode: 500, body: { error: 'Internal error' } };
      }
      const line = { statusCode: outcome.statusCode, durationMs: Math.round(clock.now() - startedAt), ...outcome.log };
      // 503 and 504 are expected while a model trains or the workgroup resumes; 500 and 502 need a look.
      if (outcome.statusCode === 500 || outcome.statusCode === 502) logger.error('Request failed', line);
      else if (outcome.statusCode >= 503) logger.warn('Request not served', line);
      else logger.info('Request handled', line);
      return {
        statusCode: outcome.statusCode,
        headers: {
          ...JSON_RESPONSE_HEADERS,
          'X-Request-Id': requestId,
          ...outcome.headers,
        },
        body: JSON.stringify({ ...outcome.body, requestId }),
      };
    } finally {
      logger.resetKeys();
    }
  };
}
