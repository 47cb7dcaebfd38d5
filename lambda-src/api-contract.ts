/**
 * The HTTP contract of the prediction API that every front door keeps: the Lambda's own responses,
 * the errors API Gateway answers itself (gateway responses), the WAF's rate-limit answer, and the
 * local server (`npm start`), which imitates all three. One source, so the deployed API and the
 * local one answer alike.
 *
 * Runtime code: the stacks import it (stacks may import runtime modules, never the reverse).
 */

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

export interface ErrorAnswer {
  readonly statusCode: number;
  /** The `error` field of the JSON body. */
  readonly error: string;
}

/**
 * Errors API Gateway answers before the Lambda runs, by gateway response type. Each body is
 * `{"error": ..., "requestId": ...}`; BAD_REQUEST_BODY adds `details` (API Gateway's validation
 * message, which names the failing field).
 */
// A Cognito access token that is valid but lacks the method's scope is refused by the COGNITO_USER_POOLS
// authorizer with 401 Unauthorized (gateway response UNAUTHORIZED), not 403: AWS Knowledge Center,
// "How do I troubleshoot 401 Unauthorized errors from an API Gateway REST API with a Cognito user pool
// authorizer?" (repost.aws/knowledge-center/api-gateway-cognito-401-unauthorized: with scopes on the
// method, use a valid access token carrying them), as reported in open-constructs/cdk-serverless#374.
// ACCESS_DENIED (403) is what a resource policy or a Lambda authorizer's Deny produces.
export const GATEWAY_ERRORS = {
  UNAUTHORIZED: { statusCode: 401, error: 'Missing, invalid or expired access token, or a token without the required scope' },
  ACCESS_DENIED: { statusCode: 403, error: 'Access denied' },
  MISSING_AUTHENTICATION_TOKEN: { statusCode: 403, error: 'No such resource or method' },
  BAD_REQUEST_BODY: { statusCode: 400, error: 'Request body is invalid' },
  REQUEST_TOO_LARGE: { statusCode: 413, error: 'Request body is too large' },
  THROTTLED: { statusCode: 429, error: 'Too many requests; retry later' },
  DEFAULT_4XX: { statusCode: 400, error: 'Request refused' },
  DEFAULT_5XX: { statusCode: 500, error: 'Internal error' },
} as const satisfies Record<string, ErrorAnswer>;

export type GatewayErrorType = keyof typeof GATEWAY_ERRORS;

/** What AWS WAF's per-IP rate-based rule answers (a custom response with `Retry-After`). */
export const RATE_LIMITED: ErrorAnswer = { statusCode: 429, error: 'Too many requests from this address; retry later' };
