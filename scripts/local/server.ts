/**
 * The local API: `POST /loan` served by the Lambda's own handler, with what AWS puts in front of it
 * imitated from the shared contract (lambda-src/api-contract.ts), in the order a request meets them:
 *
 * 1. AWS WAF's per-IP rate-based rule (RATE_LIMIT requests per RATE_LIMIT_WINDOW_SECONDS): 429 with
 *    `Retry-After`, the WAF's custom response;
 * 2. API Gateway: an unknown resource or method (403 MISSING_AUTHENTICATION_TOKEN, as a REST API
 *    answers), the Cognito authorizer (401 UNAUTHORIZED; a token without the scope answered as the
 *    contract says), the 10 MB payload limit (413), the draft-4 request model (400 BAD_REQUEST_BODY
 *    with the validation message in `details`);
 * 3. the Lambda handler (`createPredictionHandler`) with the embedded warehouse behind it.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import Ajv from 'ajv';
import draft04MetaSchema from 'ajv/lib/refs/json-schema-draft-04.json';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { randomUUID } from 'crypto';
import * as http from 'http';
import {
  GATEWAY_ERRORS,
  GatewayErrorType,
  JSON_RESPONSE_HEADERS,
  PREDICT_METHOD,
  PREDICT_RESOURCE,
  RATE_LIMITED,
} from '../../lambda-src/api-contract';
import { CONFIG_DEFAULTS } from '../../lambda-src/config';
import { createPredictionHandler } from '../../lambda-src/prediction-handler';
import { requestBodyJsonSchema } from '../../lambda-src/request-schema';
import { Warehouse } from '../../lambda-src/warehouse';
import { RateLimitConfig } from '../../stacks/config';
import { LocalSetupError } from './errors';
import { TokenCheck } from './issuer';

/**
 * How API Gateway answers a valid token that lacks the method's scope: the gateway response the
 * shared contract names for it (its UNAUTHORIZED text covers "a token without the required scope").
 */
export const MISSING_SCOPE_RESPONSE: GatewayErrorType = 'UNAUTHORIZED';

/**
 * API Gateway's largest REST API payload, 10 MB ("Quotas for configuring and running a REST API in API
 * Gateway", https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html);
 * the Lambda enforces its own 8 KB.
 */
export const GATEWAY_MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

/**
 * The time the local "Lambda" has per request: API Gateway's 29 s integration timeout (same quota
 * page). The handler keeps its deadline inside it, as in AWS.
 */
const LAMBDA_TIMEOUT_MS = 29_000;

/** A per-IP count over the last `windowSeconds`, in one-second buckets (WAF's rate-based rules slide too). */
export class RateLimiter {
  private readonly clients = new Map<string, { counts: Float64Array; total: number; second: number }>();

  constructor(
    private readonly config: RateLimitConfig,
    private readonly nowMs: () => number = Date.now,
  ) {}

  /** Counts a request from `ip`; true when the address is over its limit (the request is refused). */
  overLimit(ip: string): boolean {
    const window = this.config.windowSeconds;
    const second = Math.floor(this.nowMs() / 1000);
    let client = this.clients.get(ip);
    if (!client) {
      client = { counts: new Float64Array(window), total: 0, second };
      this.clients.set(ip, client);
    }
    for (let s = client.second + 1; s <= Math.min(second, client.second + window); s++) {
      client.total -= client.counts[s % window];
      client.counts[s % window] = 0;
    }
    client.second = second;
    client.counts[second % window]++;
    client.total++;
    return client.total > this.config.limit;
  }
}

export interface LocalServerOptions {
  /** Resolves once the warehouse is loaded; requests that arrive earlier wait for it. */
  readonly warehouse: Warehouse | Promise<Warehouse>;
  readonly modelName: string;
  readonly verifyToken: (authorization: string | undefined) => Promise<TokenCheck>;
  readonly rateLimit: RateLimitConfig;
  readonly logger: Logger;
}

interface Answer {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

function gatewayAnswer(
  answer: { statusCode: number; error: string },
  requestId: string,
  extra: { details?: string; headers?: Record<string, string> } = {},
): Answer {
  const body = extra.details === undefined ? { error: answer.error, requestId } : { error: answer.error, details: extra.details, requestId };
  return { statusCode: answer.statusCode, headers: { ...JSON_RESPONSE_HEADERS, ...extra.headers }, body: JSON.stringify(body) };
}

/** API Gateway validates with draft-4 semantics; ajv 6 still speaks draft-4. */
function requestModelCheck(): (body: unknown) => string | undefined {
  // Without ajv's default draft-07 meta-schema, which it would warn about in draft-4 mode.
  const ajv = new Ajv({ schemaId: 'id', allErrors: true, meta: false });
  ajv.addMetaSchema(draft04MetaSchema);
  const validate = ajv.compile(requestBodyJsonSchema());
  return (body) =>
    validate(body)
      ? undefined
      : `[${(validate.errors ?? []).map((e) => `${e.dataPath ? `instance ${e.dataPath}` : 'instance'} ${e.message}`).join(', ')}]`;
}

/** Reads the body; undefined when it is over `limit` bytes (the rest is discarded). */
function readBody(request: http.IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    request.on('end', () => resolve(size > limit ? undefined : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function lambdaContext(requestId: string, startedAt: number): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'loan-prediction-local',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'local',
    memoryLimitInMB: '512',
    awsRequestId: requestId,
    logGroupName: 'local',
    logStreamName: 'local',
    getRemainingTimeInMillis: () => LAMBDA_TIMEOUT_MS - (performance.now() - startedAt),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function proxyEvent(request: http.IncomingMessage, body: string, requestId: string, claims: Record<string, unknown>): APIGatewayProxyEvent {
  const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, String(value)]));
  return {
    body,
    headers,
    multiValueHeaders: {},
    httpMethod: PREDICT_METHOD,
    isBase64Encoded: false,
    path: `/${PREDICT_RESOURCE}`,
    pathParameters: null,
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    resource: `/${PREDICT_RESOURCE}`,
    requestContext: {
      requestId,
      httpMethod: PREDICT_METHOD,
      path: `/local/${PREDICT_RESOURCE}`,
      resourcePath: `/${PREDICT_RESOURCE}`,
      stage: 'local',
      identity: { sourceIp: request.socket.remoteAddress ?? '' },
      authorizer: { claims },
    } as unknown as APIGatewayProxyEvent['requestContext'],
  };
}

/** The local API as an `http.Server` (not yet listening). */
export function createLocalServer(options: LocalServerOptions): http.Server {
  const limiter = new RateLimiter(options.rateLimit);
  const modelCheck = requestModelCheck();
  const handler = (async () =>
    createPredictionHandler({
      warehouse: await options.warehouse,
      logger: options.logger,
      modelName: options.modelName,
      deadlineMs: Number(CONFIG_DEFAULTS.DEADLINE_MS),
    }))();
  // A failed load is reported by whoever awaited the warehouse; requests then get API Gateway's 5xx.
  handler.catch(() => undefined);

  async function answer(request: http.IncomingMessage, requestId: string): Promise<Answer> {
    const startedAt = performance.now();
    if (limiter.overLimit(request.socket.remoteAddress ?? '')) {
      return gatewayAnswer(RATE_LIMITED, requestId, { headers: { 'Retry-After': String(options.rateLimit.windowSeconds) } });
    }
    const path = (request.url ?? '').split('?')[0];
    if (path !== `/${PREDICT_RESOURCE}` || request.method !== PREDICT_METHOD) {
      return gatewayAnswer(GATEWAY_ERRORS.MISSING_AUTHENTICATION_TOKEN, requestId);
    }
    const token = await options.verifyToken(request.headers.authorization);
    if (!token.ok) {
      return gatewayAnswer(GATEWAY_ERRORS[token.reason === 'scope' ? MISSING_SCOPE_RESPONSE : 'UNAUTHORIZED'], requestId);
    }
    const raw = await readBody(request, GATEWAY_MAX_PAYLOAD_BYTES);
    if (raw === undefined) return gatewayAnswer(GATEWAY_ERRORS.REQUEST_TOO_LARGE, requestId);
    const body = raw.toString('utf8');
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return gatewayAnswer(GATEWAY_ERRORS.BAD_REQUEST_BODY, requestId, { details: 'Invalid request body' });
    }
    const problems = modelCheck(parsed);
    if (problems !== undefined) return gatewayAnswer(GATEWAY_ERRORS.BAD_REQUEST_BODY, requestId, { details: problems });

    let result: APIGatewayProxyResult;
    try {
      result = await (await handler)(proxyEvent(request, body, requestId, token.claims), lambdaContext(requestId, startedAt));
    } catch {
      return gatewayAnswer(GATEWAY_ERRORS.DEFAULT_5XX, requestId);
    }
    const headers = Object.fromEntries(Object.entries(result.headers ?? {}).map(([name, value]) => [name, String(value)]));
    return { statusCode: result.statusCode, headers, body: result.body };
  }

  return http.createServer((request, response) => {
    const requestId = randomUUID();
    answer(request, requestId)
      .catch(() => gatewayAnswer(GATEWAY_ERRORS.DEFAULT_5XX, requestId))
      .then(({ statusCode, headers, body }) => {
        response.writeHead(statusCode, { ...headers, 'Content-Length': Buffer.byteLength(body) });
        response.end(body);
      });
  });
}

/** Listens on 127.0.0.1; a port in use or not allowed becomes one readable line. */
export function listen(server: http.Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      const reason =
        error.code === 'EADDRINUSE'
          ? `port ${port} is already in use: stop the other server or choose another port with PORT=<port>`
          : error.code === 'EACCES'
            ? `port ${port} needs privileges: choose a port above 1023 with PORT=<port>`
            : `cannot listen on 127.0.0.1:${port}: ${error.message}`;
      reject(new LocalSetupError(reason));
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, '127.0.0.1');
  });
}
