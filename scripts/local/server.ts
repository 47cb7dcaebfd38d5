/**
 * The local API: `POST /loan` served by the Lambda's own handler, with what AWS puts in front of it
 * imitated row by row from the API contract's table (lambda-src/api-contract.ts), in the order a
 * request meets them:
 *
 * 1. API Gateway's 10 MB payload quota (413, its REQUEST_TOO_LARGE gateway response);
 * 2. AWS WAF: the per-IP rate-based rule (RATE_LIMIT per RATE_LIMIT_WINDOW_SECONDS: 429, the WAF's
 *    static custom response with `Retry-After`, no request id), then the Common rule set's
 *    NoUserAgent_HEADER and SizeRestrictions_BODY (blocks without a custom response, which API Gateway
 *    answers with its WAF_FILTERED gateway response: 403);
 * 3. API Gateway: an unknown resource or method (403 MISSING_AUTHENTICATION_TOKEN, as a REST API
 *    answers), the stage throttle (the config's stage rate and API_THROTTLE_BURST, a token bucket: 429
 *    THROTTLED), the Cognito authorizer (401 UNAUTHORIZED, a missing scope included);
 * 4. the Lambda: the handler (`createPredictionHandler`) with the embedded warehouse behind it, under
 *    the Lambda's concurrency and timeout (500 and 502 from DEFAULT_5XX, as API Gateway answers a
 *    throttled or failed invocation) and API Gateway's 29 s integration timeout (504), which counts the
 *    wait for the warehouse as AWS counts a cold start.
 *
 * Gateway answers are rendered from the same gateway response definitions the api stack deploys, so
 * they are byte for byte what API Gateway sends.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { randomBytes, randomUUID } from 'crypto';
import * as http from 'http';
import {
  answerHeaders,
  GATEWAY_ANSWERS,
  GATEWAY_INTEGRATION_TIMEOUT_MS,
  GATEWAY_MAX_PAYLOAD_BYTES,
  GatewayAnswer,
  gatewayResponses,
  MAX_BODY_BYTES,
  PREDICT_METHOD,
  PREDICT_RESOURCE,
  renderGatewayTemplate,
  WAF_RATE_LIMITED,
  WAF_RATE_LIMITED_BODY,
} from '../../lambda-src/api-contract';
import { CONFIG_DEFAULTS } from '../../lambda-src/config';
import { createPredictionHandler } from '../../lambda-src/prediction-handler';
import { Warehouse } from '../../lambda-src/warehouse';
import { RateLimitConfig } from '../../stacks/config';
import { LocalSetupError } from './errors';
import { TokenCheck } from './issuer';

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

/**
 * API Gateway's throttle: a token bucket holding `burstLimit` tokens, refilled at `rateLimit` per
 * second; a request takes one or is throttled ("Throttle requests to your REST APIs for better
 * throughput in API Gateway").
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly throttle: StageThrottle,
    private readonly nowMs: () => number,
  ) {
    this.tokens = throttle.burstLimit;
    this.last = nowMs();
  }

  /** Takes a token; false when none is left (the request is throttled). */
  take(): boolean {
    const now = this.nowMs();
    this.tokens = Math.min(this.throttle.burstLimit, this.tokens + ((now - this.last) / 1000) * this.throttle.rateLimit);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

export interface StageThrottle {
  /** Steady-state requests per second. */
  readonly rateLimit: number;
  readonly burstLimit: number;
}

/** Time for the local limits and timeouts; tests drive their own. */
export interface ServerClock {
  /** Milliseconds from an arbitrary origin. */
  now(): number;
  /** Resolves after `ms`; never, once `signal` aborts (its timer is cleared). */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const systemServerClock: ServerClock = {
  now: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      // Unref'd: the server keeps the process alive while it serves, a pending timeout never does.
      const timer = setTimeout(resolve, ms).unref();
      signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
    }),
};

export interface LocalServerOptions {
  /** Resolves once the warehouse is loaded; requests that arrive earlier wait for it, as for a cold start. */
  readonly warehouse: Warehouse | Promise<Warehouse>;
  readonly modelName: string;
  readonly verifyToken: (authorization: string | undefined) => Promise<TokenCheck>;
  readonly rateLimit: RateLimitConfig;
  readonly throttle: StageThrottle;
  /** The Lambda: its timeout, and its reserved concurrency (undefined: none). */
  readonly lambda: { readonly timeoutMs: number; readonly concurrency?: number };
  readonly logger: Logger;
  /** False serves the api stack alone, as between deploying `api` and `waf`. Default true. */
  readonly waf?: boolean;
  /** Default: API Gateway's 29 s. */
  readonly integrationTimeoutMs?: number;
  /** Time for the limits, the timeouts and the handler. Default: the system's. */
  readonly clock?: ServerClock;
}

interface Answer {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

const TIMED_OUT: unique symbol = Symbol('the Lambda timed out');
const GATEWAY_RESPONSES = new Map(gatewayResponses().map((definition) => [definition.type, definition]));

/** An answer of API Gateway, rendered from the gateway response the api stack deploys for it. */
export function gatewayAnswer(answer: GatewayAnswer, requestId: string): Answer {
  const definition = GATEWAY_RESPONSES.get(answer.gatewayResponse);
  if (!definition) throw new Error(`no gateway response ${answer.gatewayResponse}`);
  const headers = Object.fromEntries(
    Object.entries(definition.responseParameters).map(([parameter, value]) => [
      parameter.replace(/^gatewayresponse\.header\./, ''),
      value === 'context.requestId' ? requestId : value.replace(/^'(.*)'$/, '$1'),
    ]),
  );
  // A fallback has no status of its own: API Gateway keeps the status of the case (e.g. 500, 502).
  return {
    statusCode: definition.statusCode ?? answer.status,
    headers,
    body: renderGatewayTemplate(definition.template, { requestId, message: answer.error }),
  };
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

function lambdaContext(timeoutMs: number, clock: ServerClock): Context {
  const startedAt = clock.now();
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'loan-prediction-local',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'local',
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: 'local',
    logStreamName: 'local',
    getRemainingTimeInMillis: () => timeoutMs - (clock.now() - startedAt),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

interface RequestIds {
  readonly requestId: string;
  /** API Gateway's own id, which a client cannot set (base64, like `Kd7Y-FpbIAMFQ4Q=`). */
  readonly extendedRequestId: string;
}

function proxyEvent(request: http.IncomingMessage, body: string, ids: RequestIds, claims: Record<string, unknown>): APIGatewayProxyEvent {
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
      ...ids,
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
  const clock = options.clock ?? systemServerClock;
  const limiter = new RateLimiter(options.rateLimit, () => clock.now());
  const bucket = new TokenBucket(options.throttle, () => clock.now());
  const integrationTimeoutMs = options.integrationTimeoutMs ?? GATEWAY_INTEGRATION_TIMEOUT_MS;
  const handler = (async () =>
    createPredictionHandler({
      warehouse: await options.warehouse,
      logger: options.logger,
      modelName: options.modelName,
      deadlineMs: Number(CONFIG_DEFAULTS.DEADLINE_MS),
      // The handler only reads the time; it never sleeps.
      clock: { now: () => clock.now(), sleep: (ms) => clock.sleep(ms, new AbortController().signal) },
    }))();
  // A failed load is reported by whoever awaited the warehouse; requests then get API Gateway's 5xx.
  handler.catch(() => undefined);
  let running = 0;

  /** A promise of `value` after `ms`, and a way to cancel it. */
  function timer<T>(ms: number, value: () => T): { readonly fired: Promise<T>; cancel(): void } {
    const controller = new AbortController();
    return { fired: clock.sleep(ms, controller.signal).then(value), cancel: () => controller.abort() };
  }

  /**
   * API Gateway invoking the Lambda: refused past its concurrency (500), a crash or the Lambda's own
   * timeout (502), no answer within the integration timeout (504); the wait for the warehouse counts
   * as a cold start does. A timed-out invocation keeps its concurrency until it ends, as in Lambda.
   */
  async function invoke(event: APIGatewayProxyEvent, requestId: string): Promise<Answer> {
    if (options.lambda.concurrency !== undefined && running >= options.lambda.concurrency) {
      return gatewayAnswer(GATEWAY_ANSWERS.lambdaNotInvoked, requestId);
    }
    running++;
    const execution = (async (): Promise<Answer> => {
      const run = await handler;
      const lambdaTimeout = timer(options.lambda.timeoutMs, (): typeof TIMED_OUT => TIMED_OUT);
      const result = await Promise.race([run(event, lambdaContext(options.lambda.timeoutMs, clock)), lambdaTimeout.fired]).finally(
        lambdaTimeout.cancel,
      );
      if (result === TIMED_OUT) return gatewayAnswer(GATEWAY_ANSWERS.lambdaFailed, requestId);
      const headers = Object.fromEntries(Object.entries(result.headers ?? {}).map(([name, value]) => [name, String(value)]));
      return { statusCode: result.statusCode, headers, body: result.body };
    })()
      .catch(() => gatewayAnswer(GATEWAY_ANSWERS.lambdaFailed, requestId))
      .finally(() => running--);
    const integrationTimeout = timer(integrationTimeoutMs, () => gatewayAnswer(GATEWAY_ANSWERS.integrationTimeout, requestId));
    return Promise.race([execution, integrationTimeout.fired]).finally(integrationTimeout.cancel);
  }

  async function answer(request: http.IncomingMessage, ids: RequestIds): Promise<Answer> {
    const { requestId } = ids;
    const raw = await readBody(request, GATEWAY_MAX_PAYLOAD_BYTES);
    if (raw === undefined) return gatewayAnswer(GATEWAY_ANSWERS.payloadTooLarge, requestId);

    if (options.waf ?? true) {
      if (limiter.overLimit(request.socket.remoteAddress ?? '')) {
        return { statusCode: WAF_RATE_LIMITED.status, headers: answerHeaders(WAF_RATE_LIMITED, undefined, options.rateLimit.windowSeconds), body: WAF_RATE_LIMITED_BODY };
      }
      if (!request.headers['user-agent'] || raw.length > MAX_BODY_BYTES) return gatewayAnswer(GATEWAY_ANSWERS.wafFiltered, requestId);
    }

    const path = (request.url ?? '').split('?')[0];
    if (path !== `/${PREDICT_RESOURCE}` || request.method !== PREDICT_METHOD) return gatewayAnswer(GATEWAY_ANSWERS.noSuchRoute, requestId);
    if (!bucket.take()) return gatewayAnswer(GATEWAY_ANSWERS.throttled, requestId);
    const token = await options.verifyToken(request.headers.authorization);
    if (!token.ok) return gatewayAnswer(GATEWAY_ANSWERS.unauthorized, requestId);

    return invoke(proxyEvent(request, raw.toString('utf8'), ids, token.claims), requestId);
  }

  return http.createServer((request, response) => {
    const ids = { requestId: randomUUID(), extendedRequestId: randomBytes(12).toString('base64') };
    answer(request, ids)
      .catch(() => gatewayAnswer(GATEWAY_ANSWERS.lambdaFailed, ids.requestId))
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
