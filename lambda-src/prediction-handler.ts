/**
 * `POST /loan`: check the media type -> parse -> validate -> predict -> respond. Every response is
 * JSON, carries the request id (body and `X-Request-Id` header), takes its status and text from the
 * API contract's table (`LAMBDA_ANSWERS`), and never contains SQL, database messages or stack traces.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { answerHeaders, LAMBDA_ANSWERS, LambdaAnswer, MAX_BODY_BYTES, REQUEST_MEDIA_TYPE } from './api-contract';
import { Clock, systemClock } from './clock';
import { ValidationDetail, validateRequestBody } from './request-schema';
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

interface Outcome {
  readonly answer: LambdaAnswer;
  /** Body fields besides `error` and `requestId`. */
  readonly body?: Record<string, unknown>;
  /** Extra attributes for the request's log line. */
  readonly log?: Record<string, unknown>;
}

const WAREHOUSE_FAILURES: Record<WarehouseError['kind'], LambdaAnswer> = {
  'model-not-ready': LAMBDA_ANSWERS.modelNotReady,
  deadline: LAMBDA_ANSWERS.deadline,
  failed: LAMBDA_ANSWERS.warehouseFailed,
};

const invalid = (details: ValidationDetail[]): Outcome => ({
  answer: LAMBDA_ANSWERS.invalidBody,
  body: { details },
  log: { invalidFields: details.map((detail) => detail.path) },
});

/** `application/json`, with no parameter but an optional `charset=utf-8` (JSON is UTF-8: RFC 8259). */
export function isJsonMediaType(contentType: string | undefined): boolean {
  const [type, ...parameters] = (contentType ?? '').split(';').map((part) => part.trim().toLowerCase());
  return type === REQUEST_MEDIA_TYPE && parameters.every((parameter) => /^charset="?utf-8"?$/.test(parameter));
}

/** Header names are case-insensitive; API Gateway passes them as the client sent them. */
const header = (event: APIGatewayProxyEvent, name: string): string | undefined =>
  Object.entries(event.headers ?? {}).find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1];

function parseBody(event: APIGatewayProxyEvent): { readonly value: unknown } | Outcome {
  if (!isJsonMediaType(header(event, 'content-type'))) return { answer: LAMBDA_ANSWERS.unsupportedMediaType };
  const text = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : (event.body ?? '');
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) return { answer: LAMBDA_ANSWERS.bodyTooLarge };
  if (text.trim() === '') return invalid([{ path: '$', message: 'is empty' }]);
  try {
    return { value: JSON.parse(text) };
  } catch {
    return invalid([{ path: '$', message: 'is not valid JSON' }]);
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
    if (!validation.success) return invalid(validation.details);

    const { applications, batch } = validation;
    const startedAt = clock.now();
    const deadlineMs = Math.min(dependencies.deadlineMs, context.getRemainingTimeInMillis() - LAMBDA_RESERVE_MS);
    const log = { batchSize: applications.length };
    try {
      const result = await warehouse.predict(applications, startedAt + deadlineMs);
      const predictions = result.predictions.map(toJson);
      return {
        answer: batch ? LAMBDA_ANSWERS.predictions : LAMBDA_ANSWERS.prediction,
        // Each batch prediction names the application it answers by its index in the request.
        body: batch
          ? { predictions: predictions.map((prediction, index) => ({ index, ...prediction })), model: modelName }
          : { ...predictions[0], model: modelName },
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
        answer: WAREHOUSE_FAILURES[error.kind],
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
    // A client may set it (x-amzn-RequestId, a UUID), so the extended id, which it cannot, is logged too
    // ("Access logging for REST APIs", API Gateway Developer Guide).
    const requestId = event.requestContext?.requestId ?? context.awsRequestId;
    logger.addContext(context);
    logger.appendKeys({ requestId, extendedRequestId: event.requestContext?.extendedRequestId });
    try {
      let outcome: Outcome;
      try {
        outcome = await predict(event, context);
      } catch (error) {
        logger.error('Unexpected error', error as Error);
        outcome = { answer: LAMBDA_ANSWERS.internalError };
      }
      const { status } = outcome.answer;
      const line = { statusCode: status, durationMs: Math.round(clock.now() - startedAt), ...outcome.log };
      // 503 and 504 are expected while a model trains or the workgroup resumes; 500 and 502 need a look.
      if (status === 500 || status === 502) logger.error('Request failed', line);
      else if (status >= 503) logger.warn('Request not served', line);
      else logger.info('Request handled', line);
      const error = outcome.answer.error === undefined ? {} : { error: outcome.answer.error };
      return {
        statusCode: status,
        headers: answerHeaders(outcome.answer, requestId),
        body: JSON.stringify({ ...error, ...outcome.body, requestId }),
      };
    } finally {
      logger.resetKeys();
    }
  };
}
