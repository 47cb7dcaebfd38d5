import type { APIGatewayProxyEvent } from 'aws-lambda';

/** The event API Gateway's Lambda proxy integration sends for `POST /loan`, with request id `api-request-1`
 * (and API Gateway's own extended request id). */
export function event(body: string | null, overrides: Partial<APIGatewayProxyEvent> = {}): APIGatewayProxyEvent {
  return {
    body,
    isBase64Encoded: false,
    httpMethod: 'POST',
    path: '/loan',
    resource: '/loan',
    headers: { 'Content-Type': 'application/json' },
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    requestContext: { requestId: 'api-request-1', extendedRequestId: 'Kd7Y-FpbIAMFQ4Q=' } as APIGatewayProxyEvent['requestContext'],
    ...overrides,
  };
}
