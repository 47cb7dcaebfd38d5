/**
 * The HTTP contract of the prediction API: every answer a client can get, in one table
 * (`CONTRACT`), each row with its status, body shape, headers, who answers and the AWS page it rests
 * on. Everything that answers is generated from it or tested against it:
 *
 * - the Lambda takes its error answers from `LAMBDA_ANSWERS`;
 * - the api stack's gateway responses are `gatewayResponses()` (status, template, headers);
 * - the waf stack's rate-limit custom response is `WAF_RATE_LIMITED`;
 * - local mode (`npm start`) renders every row the way AWS produces it (scripts/local/server.ts);
 * - docs/prediction-api.md shows `CONTRACT` (generated, checked byte for byte), and
 *   `npm run contract:check` runs the rows a client can provoke against any base URL.
 *
 * Runtime code: the Lambda bundles it (esbuild drops what the Lambda does not use); the stacks and
 * scripts import it (stacks may import runtime modules, never the reverse).
 */
import { randomUUID } from 'crypto';

/** `POST /loan`. */
export const PREDICT_RESOURCE = 'loan';
export const PREDICT_METHOD = 'POST';

/** The OAuth scope a token needs, as `<resource server identifier>/predict`. */
export const PREDICT_SCOPE = 'predict';
export const fullScopeName = (resourceServerIdentifier: string): string => `${resourceServerIdentifier}/${PREDICT_SCOPE}`;

/** Headers on every JSON response, whoever answers. */
export const JSON_RESPONSE_HEADERS = {
  'Content-Type': 'application/json',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
} as const;

/** The request id header of every answer but the WAF's static one; the body's `requestId` holds the same value. */
export const REQUEST_ID_HEADER = 'X-Request-Id';

/** The media type `POST /loan` accepts (parameters other than `charset=utf-8` are refused). */
export const REQUEST_MEDIA_TYPE = 'application/json';

/**
 * The largest body: what the Common rule set's SizeRestrictions_BODY lets through ("Baseline rule
 * groups", AWS WAF Developer Guide), so every body that passes the WAF was inspected whole (API
 * Gateway forwards up to 16 KB to it). The Lambda refuses larger ones too, for when no WAF is in front.
 */
export const MAX_BODY_BYTES = 8192;

/** Training takes minutes to hours; a minute between retries is plenty. */
export const MODEL_NOT_READY_RETRY_AFTER_SECONDS = 60;
/** API Gateway's stage throttle is a token bucket refilled every second. */
export const THROTTLED_RETRY_AFTER_SECONDS = 1;

/**
 * API Gateway's payload quota for a REST API, 10 MB ("Quotas for configuring and running a REST API
 * in API Gateway"), and its integration timeout, 29 s (same page).
 */
export const GATEWAY_MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;
export const GATEWAY_INTEGRATION_TIMEOUT_MS = 29_000;

/**
 * The gateway responses this API sets. The two fallbacks (`DEFAULT_4XX`, `DEFAULT_5XX`) answer
 * every other type API Gateway may produce; they template only the body, never a status, because
 * "changing the status code of this fallback gateway response changes the status codes of all other
 * 4XX (5XX) responses to the new value" ("Gateway response types for API Gateway").
 */
export const FALLBACK_GATEWAY_RESPONSES = ['DEFAULT_4XX', 'DEFAULT_5XX'] as const;
export type GatewayResponseType =
  | 'UNAUTHORIZED'
  | 'MISSING_AUTHENTICATION_TOKEN'
  | 'REQUEST_TOO_LARGE'
  | 'THROTTLED'
  | 'WAF_FILTERED'
  | 'INTEGRATION_TIMEOUT'
  | (typeof FALLBACK_GATEWAY_RESPONSES)[number];

/** What the body of an answer looks like (docs/prediction-api.md spells each out). */
export type BodyShape = 'prediction' | 'predictions' | 'error' | 'error with details' | 'error without requestId';

interface AnswerCommon {
  readonly status: number;
  readonly body: BodyShape;
  /** The body's `error`; for a fallback gateway response, the message AWS documents for the case. */
  readonly error?: string;
  /** Seconds, or the WAF rate-based rule's evaluation window (`RATE_LIMIT_WINDOW_SECONDS`). */
  readonly retryAfter?: number | 'rate-limit window';
}

/** Made by the Lambda (`lambda-src/prediction-handler.ts`). */
export interface LambdaAnswer extends AnswerCommon {
  readonly by: 'Lambda';
}

/** Made by API Gateway from one of its gateway responses, possibly because AWS WAF blocked the request. */
export interface GatewayAnswer extends AnswerCommon {
  readonly by: 'API Gateway';
  readonly error: string;
  readonly gatewayResponse: GatewayResponseType;
  readonly blockedBy?: 'AWS WAF';
}

/** AWS WAF's own custom response: static, so it carries no request id. */
export interface WafAnswer extends AnswerCommon {
  readonly by: 'AWS WAF';
  readonly error: string;
}

export type Answer = LambdaAnswer | GatewayAnswer | WafAnswer;

const lambda = (status: number, body: BodyShape, error?: string, retryAfter?: number): LambdaAnswer => ({
  by: 'Lambda',
  status,
  body,
  error,
  retryAfter,
});

/** The Lambda's answers. */
export const LAMBDA_ANSWERS = {
  prediction: lambda(200, 'prediction'),
  predictions: lambda(200, 'predictions'),
  unsupportedMediaType: lambda(415, 'error', `Content-Type must be ${REQUEST_MEDIA_TYPE}`),
  invalidBody: lambda(400, 'error with details', 'Request body is invalid'),
  bodyTooLarge: lambda(413, 'error', `Request body is larger than ${MAX_BODY_BYTES} bytes`),
  modelNotReady: lambda(503, 'error', 'The prediction model is not ready yet; retry later', MODEL_NOT_READY_RETRY_AFTER_SECONDS),
  deadline: lambda(504, 'error', 'The prediction took too long; retry later'),
  warehouseFailed: lambda(502, 'error', 'The warehouse could not make the prediction'),
  internalError: lambda(500, 'error', 'Internal error'),
} as const satisfies Record<string, LambdaAnswer>;

const gateway = (gatewayResponse: GatewayResponseType, status: number, error: string, extra: Partial<GatewayAnswer> = {}): GatewayAnswer => ({
  by: 'API Gateway',
  gatewayResponse,
  status,
  body: 'error',
  error,
  ...extra,
});

/**
 * API Gateway's answers. The fallbacks' `error` is API Gateway's own message for the case
 * ($context.error.messageString): for a Lambda that could not be invoked (500) or failed (502),
 * `Internal server error` ("Handling Lambda errors with an API Gateway API", AWS Lambda Developer Guide).
 */
export const GATEWAY_ANSWERS = {
  unauthorized: gateway('UNAUTHORIZED', 401, 'Missing, invalid or expired access token, or a token without the required scope'),
  noSuchRoute: gateway('MISSING_AUTHENTICATION_TOKEN', 403, 'No such resource or method'),
  payloadTooLarge: gateway('REQUEST_TOO_LARGE', 413, 'Request body is larger than API Gateway accepts (10 MB)'),
  throttled: gateway('THROTTLED', 429, 'Too many requests to the API; retry later', { retryAfter: THROTTLED_RETRY_AFTER_SECONDS }),
  wafFiltered: gateway('WAF_FILTERED', 403, 'Request blocked by the web application firewall', { blockedBy: 'AWS WAF' }),
  integrationTimeout: gateway('INTEGRATION_TIMEOUT', 504, 'The API did not answer in time; retry later'),
  lambdaNotInvoked: gateway('DEFAULT_5XX', 500, 'Internal server error'),
  lambdaFailed: gateway('DEFAULT_5XX', 502, 'Internal server error'),
} as const satisfies Record<string, GatewayAnswer>;

/** What AWS WAF's per-IP rate-based rule answers: its custom response, `Retry-After` = the window. */
export const WAF_RATE_LIMITED: WafAnswer = {
  by: 'AWS WAF',
  status: 429,
  body: 'error without requestId',
  error: 'Too many requests from this address; retry later',
  retryAfter: 'rate-limit window',
};

/** The WAF's static custom response body. */
export const WAF_RATE_LIMITED_BODY = JSON.stringify({ error: WAF_RATE_LIMITED.error });

export interface ContractRow {
  /** Stable name, used by the tests and `npm run contract:check`. */
  readonly id: string;
  /** The case, as a client sees it. */
  readonly when: string;
  readonly answer: Answer;
  /** The AWS documentation page (title) the row rests on. */
  readonly source: string;
}

const COGNITO_AUTHORIZER = '"Control access to REST APIs using Amazon Cognito user pools as an authorizer", API Gateway Developer Guide';
const GATEWAY_RESPONSE_TYPES = '"Gateway response types for API Gateway", API Gateway Developer Guide';
const REQUEST_VALIDATION = '"Request validation for REST APIs in API Gateway", API Gateway Developer Guide';
const LAMBDA_ERRORS = '"Handling Lambda errors with an API Gateway API", AWS Lambda Developer Guide';
const BASELINE_RULES = '"Baseline rule groups", AWS WAF Developer Guide';
const QUOTAS = '"Quotas for configuring and running a REST API in API Gateway", API Gateway Developer Guide';
const PROXY_OUTPUT = '"Lambda proxy integrations in API Gateway" (output format), API Gateway Developer Guide';

/**
 * Every answer a client can get from `POST /loan`, in the order a request meets them: API Gateway's
 * payload quota, AWS WAF, API Gateway, then the Lambda. Every 400 has one shape: `details` lists each
 * offending field once by path (`$` is the body itself).
 */
export const CONTRACT: readonly ContractRow[] = [
  {
    id: 'body-over-10mb',
    when: 'a body over 10 MB: refused before the WAF inspects it (AWS does not document the order; `npm run contract:check` against the stage shows it)',
    answer: GATEWAY_ANSWERS.payloadTooLarge,
    source: `${QUOTAS}; ${GATEWAY_RESPONSE_TYPES} (REQUEST_TOO_LARGE)`,
  },
  {
    id: 'waf-rate-limit',
    when: 'more than `RATE_LIMIT` requests from one address in `RATE_LIMIT_WINDOW_SECONDS`',
    answer: WAF_RATE_LIMITED,
    source: '"Rate-based rule high-level settings in AWS WAF" and "CustomResponse" (AWS WAF API Reference)',
  },
  {
    id: 'body-over-8kb',
    when: `a body over ${MAX_BODY_BYTES} bytes (the Common rule set's \`SizeRestrictions_BODY\`)`,
    answer: GATEWAY_ANSWERS.wafFiltered,
    source: `${BASELINE_RULES}; ${GATEWAY_RESPONSE_TYPES} (WAF_FILTERED)`,
  },
  {
    id: 'waf-rule-block',
    when: 'any other WAF block: a managed rule (e.g. no `User-Agent`, SQL injection, cross-site scripting), an address list, a hosting provider not in `WAF_HOSTING_PROVIDER_ALLOW_LIST`, a country outside `WAF_ALLOWED_COUNTRIES`',
    answer: GATEWAY_ANSWERS.wafFiltered,
    source: `${BASELINE_RULES}; ${GATEWAY_RESPONSE_TYPES} (WAF_FILTERED)`,
  },
  {
    id: 'unknown-route',
    when: 'any other path or method (a REST API answers 403, not 404)',
    answer: GATEWAY_ANSWERS.noSuchRoute,
    source: `${GATEWAY_RESPONSE_TYPES} (MISSING_AUTHENTICATION_TOKEN)`,
  },
  {
    id: 'stage-throttle',
    when: 'above the stage throttle: `API_THROTTLE_RATE` per second (by default `DATA_API_SHARE_PERCENT` of the Data API rate, or `LAMBDA_RESERVED_CONCURRENCY` with `WAREHOUSE_TRANSPORT=postgres`), bursts of `API_THROTTLE_BURST`',
    answer: GATEWAY_ANSWERS.throttled,
    source: `"Throttle requests to your REST APIs for better throughput in API Gateway"; ${GATEWAY_RESPONSE_TYPES} (THROTTLED)`,
  },
  {
    id: 'no-valid-token',
    when: 'no token, an invalid, expired or foreign one, or an ID token',
    answer: GATEWAY_ANSWERS.unauthorized,
    source: `${COGNITO_AUTHORIZER}; ${GATEWAY_RESPONSE_TYPES} (UNAUTHORIZED)`,
  },
  {
    id: 'token-without-scope',
    when: 'a valid access token without the `predict` scope',
    answer: GATEWAY_ANSWERS.unauthorized,
    source: '"How do I troubleshoot 401 Unauthorized errors from an API Gateway REST API with a Cognito user pool authorizer?", AWS Knowledge Center',
  },
  {
    id: 'wrong-content-type',
    when: `a \`Content-Type\` other than \`${REQUEST_MEDIA_TYPE}\` (or none): with a proxy integration API Gateway validates no body whose type matches no model, so the Lambda checks it`,
    answer: LAMBDA_ANSWERS.unsupportedMediaType,
    source: REQUEST_VALIDATION,
  },
  {
    id: 'body-over-8kb-without-waf',
    when: `a body over ${MAX_BODY_BYTES} bytes reaching the Lambda: only while the \`waf\` stack is not deployed`,
    answer: LAMBDA_ANSWERS.bodyTooLarge,
    source: BASELINE_RULES,
  },
  {
    id: 'empty-body',
    when: 'an empty body: `details` names `$`',
    answer: LAMBDA_ANSWERS.invalidBody,
    source: REQUEST_VALIDATION,
  },
  {
    id: 'malformed-json',
    when: 'a body that is not JSON: `details` names `$`',
    answer: LAMBDA_ANSWERS.invalidBody,
    source: REQUEST_VALIDATION,
  },
  {
    id: 'extra-field',
    when: 'an unknown field, e.g. `$.favourite_colour`',
    answer: LAMBDA_ANSWERS.invalidBody,
    source: REQUEST_VALIDATION,
  },
  {
    id: 'wrong-type',
    when: 'a field of the wrong type, e.g. `"age": "38"`',
    answer: LAMBDA_ANSWERS.invalidBody,
    source: REQUEST_VALIDATION,
  },
  {
    id: 'out-of-range',
    when: 'a value out of range or not a category, or a broken cross-field rule',
    answer: LAMBDA_ANSWERS.invalidBody,
    source: REQUEST_VALIDATION,
  },
  {
    id: 'bad-batch-item',
    when: 'a bad application in a batch, e.g. `$.applications[1].age`',
    answer: LAMBDA_ANSWERS.invalidBody,
    source: REQUEST_VALIDATION,
  },
  {
    id: 'prediction',
    when: 'one application',
    answer: LAMBDA_ANSWERS.prediction,
    source: PROXY_OUTPUT,
  },
  {
    id: 'batch-prediction',
    when: 'a batch: one prediction per application, each with its `index` in the request',
    answer: LAMBDA_ANSWERS.predictions,
    source: PROXY_OUTPUT,
  },
  {
    id: 'model-not-ready',
    when: 'the model is still training or missing',
    answer: LAMBDA_ANSWERS.modelNotReady,
    source: PROXY_OUTPUT,
  },
  {
    id: 'deadline',
    when: 'the prediction missed its deadline (the statement is cancelled)',
    answer: LAMBDA_ANSWERS.deadline,
    source: PROXY_OUTPUT,
  },
  {
    id: 'warehouse-failure',
    when: 'the warehouse failed the statement',
    answer: LAMBDA_ANSWERS.warehouseFailed,
    source: PROXY_OUTPUT,
  },
  {
    id: 'unexpected-error',
    when: 'anything else broke inside the Lambda',
    answer: LAMBDA_ANSWERS.internalError,
    source: PROXY_OUTPUT,
  },
  {
    id: 'lambda-throttled',
    when: 'Lambda refused the invocation (throttled: its concurrency is used up)',
    answer: GATEWAY_ANSWERS.lambdaNotInvoked,
    source: `${LAMBDA_ERRORS}; ${GATEWAY_RESPONSE_TYPES} (DEFAULT_5XX)`,
  },
  {
    id: 'lambda-failed',
    when: 'the Lambda crashed or hit its own timeout (`LAMBDA_TIMEOUT_SECONDS`)',
    answer: GATEWAY_ANSWERS.lambdaFailed,
    source: `${LAMBDA_ERRORS}; ${GATEWAY_RESPONSE_TYPES} (DEFAULT_5XX)`,
  },
  {
    id: 'integration-timeout',
    when: 'no answer from the Lambda within 29 s (e.g. a slow cold start)',
    answer: GATEWAY_ANSWERS.integrationTimeout,
    source: `${QUOTAS}; ${GATEWAY_RESPONSE_TYPES} (INTEGRATION_TIMEOUT)`,
  },
];

/** The row with this id (a typo is a bug in the caller: it throws). */
export function contractRow(id: string): ContractRow {
  const row = CONTRACT.find((candidate) => candidate.id === id);
  if (!row) throw new Error(`no contract row ${id}`);
  return row;
}

/** The headers of an answer, `X-Request-Id` included unless it is the WAF's static one. */
export function answerHeaders(answer: Answer, requestId: string | undefined, rateLimitWindowSeconds?: number): Record<string, string> {
  const headers: Record<string, string> = { ...JSON_RESPONSE_HEADERS };
  if (answer.by !== 'AWS WAF' && requestId !== undefined) headers[REQUEST_ID_HEADER] = requestId;
  if (answer.retryAfter === 'rate-limit window') {
    if (rateLimitWindowSeconds === undefined) throw new Error('the rate-limit window is needed for Retry-After');
    headers['Retry-After'] = String(rateLimitWindowSeconds);
  } else if (answer.retryAfter !== undefined) {
    headers['Retry-After'] = String(answer.retryAfter);
  }
  return headers;
}

// ---------------------------------------------------------------------------------------------------
// Gateway responses: generated from the table.

export interface GatewayResponseDefinition {
  readonly type: GatewayResponseType;
  /** Undefined for the fallbacks (see FALLBACK_GATEWAY_RESPONSES). */
  readonly statusCode: number | undefined;
  /** The `application/json` template. */
  readonly template: string;
  /** `response_parameters`: static values in single quotes, mapped ones bare. */
  readonly responseParameters: Record<string, string>;
}

const isFallback = (type: GatewayResponseType): boolean => (FALLBACK_GATEWAY_RESPONSES as readonly string[]).includes(type);

/** The body template of a gateway answer: our text, or API Gateway's message for the fallbacks. */
function gatewayTemplate(type: GatewayResponseType, error: string | undefined): string {
  const message = isFallback(type) ? '$context.error.messageString' : JSON.stringify(error);
  return `{"error": ${message}, "requestId": "$context.requestId"}`;
}

/**
 * Every gateway response the api stack sets: one per gateway response type in the table, plus both
 * fallbacks. Headers: the JSON headers and `Retry-After` as static values, and the request id mapped
 * from the context (`"gatewayresponse.header.X-Request-Id": "context.requestId"`: no `$`, no quotes;
 * a single-quoted value is a literal. "x-amazon-apigateway-gateway-responses.responseParameters
 * object" and "Parameter mapping for REST APIs in API Gateway").
 */
export function gatewayResponses(): GatewayResponseDefinition[] {
  const answers = new Map<GatewayResponseType, GatewayAnswer | undefined>(FALLBACK_GATEWAY_RESPONSES.map((type) => [type, undefined]));
  for (const { answer } of CONTRACT) {
    if (answer.by !== 'API Gateway') continue;
    const known = answers.get(answer.gatewayResponse);
    if (known && !isFallback(answer.gatewayResponse) && (known.status !== answer.status || known.error !== answer.error)) {
      throw new Error(`two answers for the gateway response ${answer.gatewayResponse}`);
    }
    if (!isFallback(answer.gatewayResponse)) answers.set(answer.gatewayResponse, answer);
  }
  return [...answers].map(([type, answer]) => {
    const headers: Record<string, string> = Object.fromEntries(Object.entries(JSON_RESPONSE_HEADERS).map(([name, value]) => [name, `'${value}'`]));
    if (typeof answer?.retryAfter === 'number') headers['Retry-After'] = `'${answer.retryAfter}'`;
    headers[REQUEST_ID_HEADER] = 'context.requestId';
    return {
      type,
      statusCode: isFallback(type) ? undefined : answer?.status,
      template: gatewayTemplate(type, answer?.error),
      responseParameters: Object.fromEntries(Object.entries(headers).map(([name, value]) => [`gatewayresponse.header.${name}`, value])),
    };
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A gateway response template as API Gateway renders it. The template is "a stringified mapping
 * template for simple variable substitutions", not processed by VTL
 * ("x-amazon-apigateway-gateway-responses.responseTemplates object"), so nothing can be escaped and
 * a template uses only two variables, each where it stays JSON whatever its value:
 *
 * - `$context.requestId`, inside quotes. Clients may override it with `x-amzn-RequestId`, but only
 *   "with a value in the format of a universally unique identifier (UUID)"; other values are replaced
 *   ("Access logging for REST APIs"): never a quote, a backslash or a newline.
 * - `$context.error.messageString`, bare: "the quoted value of $context.error.message" ("Variables for
 *   access logging for API Gateway"), a JSON string as AWS's own example template
 *   `{ "message": $context.error.messageString }` uses it.
 *
 * `$context.error.validationErrorString` is documented only as "a string containing a detailed
 * validation error message", not escaped, and real messages contain `"`. It and every other variable
 * are refused here and by the rule pack (ApiGatewayResponseTemplateVariables). Local mode answers
 * with this function; the tests render every template through it with hostile values.
 */
export function renderGatewayTemplate(template: string, values: { readonly requestId: string; readonly message: string }): string {
  const requestId = UUID.test(values.requestId) ? values.requestId : `${randomUUID()}_REPLACED_INVALID_REQUEST_ID`;
  return template.replace(/\$(context|input|util|stageVariables)(\.[A-Za-z_][\w]*)*/g, (variable) => {
    if (variable === '$context.requestId') return requestId;
    if (variable === '$context.error.messageString') return JSON.stringify(values.message);
    throw new Error(`${variable} has no documented, JSON-safe substitution in a gateway response template`);
  });
}
