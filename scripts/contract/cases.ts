/**
 * The rows of the API contract a client can provoke by itself, as requests: what `npm run
 * contract:check` sends to any base URL and what the local-mode tests send over HTTP. Rows that need
 * the server in a state (a model still training, a throttled Lambda, a flood of requests) are
 * provoked by the tests alone (__tests__/local-contract.test.ts).
 */
import sampleRequestBody from '../../dataset/test-request-body.json';
import { GATEWAY_MAX_PAYLOAD_BYTES, MAX_BODY_BYTES, PREDICT_METHOD, PREDICT_RESOURCE, REQUEST_MEDIA_TYPE } from '../../lambda-src/api-contract';

/** The token a case sends: `forged` is a well-formed JWT no issuer signed. */
export type TokenKind = 'valid' | 'none' | 'forged' | 'expired' | 'without-scope';

export interface ClientCase {
  /** The contract row whose answer is expected. */
  readonly row: string;
  /** What is sent, in a few words. */
  readonly name: string;
  readonly method: string;
  /** Under the base URL, e.g. `loan`. */
  readonly path: string;
  /** Sent besides the token; a request carries a User-Agent unless the case removes it (null). */
  readonly headers: Record<string, string | null>;
  /** Made when sent: one case is a 10 MB body. */
  readonly body: () => string;
  readonly token: TokenKind;
  /** For a 400: the paths `details` names, in order. */
  readonly details?: readonly string[];
}

const SAMPLE = sampleRequestBody as Record<string, unknown>;
const JSON_HEADERS = { 'Content-Type': REQUEST_MEDIA_TYPE };

const post = (row: string, name: string, body: string | (() => string), extra: Partial<ClientCase> = {}): ClientCase => ({
  row,
  name,
  method: PREDICT_METHOD,
  path: PREDICT_RESOURCE,
  headers: JSON_HEADERS,
  body: typeof body === 'string' ? () => body : body,
  token: 'valid',
  ...extra,
});

/** The sample with a padding field, `bytes` long in total (valid JSON, refused for its size first). */
const paddedTo = (bytes: number): string => {
  const shell = JSON.stringify({ ...SAMPLE, padding: '' });
  return JSON.stringify({ ...SAMPLE, padding: 'x'.repeat(bytes - shell.length) });
};

const sample = JSON.stringify(SAMPLE);

export const CLIENT_CASES: readonly ClientCase[] = [
  post('body-over-10mb', 'a body one byte over 10 MB', () => paddedTo(GATEWAY_MAX_PAYLOAD_BYTES + 1)),
  post('body-over-8kb', `a body of ${MAX_BODY_BYTES + 1} bytes`, () => paddedTo(MAX_BODY_BYTES + 1)),
  post('waf-rule-block', 'no User-Agent header (NoUserAgent_HEADER)', sample, { headers: { ...JSON_HEADERS, 'User-Agent': null } }),
  post('unknown-route', 'POST /loans', sample, { path: `${PREDICT_RESOURCE}s` }),
  post('unknown-route', 'GET /loan', '', { method: 'GET', headers: {} }),
  post('no-valid-token', 'no token', sample, { token: 'none' }),
  post('no-valid-token', 'a forged token', sample, { token: 'forged' }),
  post('no-valid-token', 'an expired token', sample, { token: 'expired' }),
  post('token-without-scope', 'a token without the predict scope', sample, { token: 'without-scope' }),
  post('wrong-content-type', 'Content-Type: text/plain', sample, { headers: { 'Content-Type': 'text/plain' } }),
  post('wrong-content-type', "curl --data's form encoding", sample, { headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }),
  post('empty-body', 'an empty body', '', { details: ['$'] }),
  post('malformed-json', 'truncated JSON', sample.slice(0, 40), { details: ['$'] }),
  post('extra-field', 'an unknown field', JSON.stringify({ ...SAMPLE, favourite_colour: 'red' }), { details: ['$.favourite_colour'] }),
  post('wrong-type', 'a number as a string', JSON.stringify({ ...SAMPLE, age: '38' }), { details: ['$.age'] }),
  post('out-of-range', 'an age under 18', JSON.stringify({ ...SAMPLE, age: 17 }), { details: ['$.age'] }),
  post('out-of-range', 'a broken cross-field rule', JSON.stringify({ ...SAMPLE, missed_payments: 0, missed_payments_duration: 3 }), {
    details: ['$.missed_payments_duration'],
  }),
  post('bad-batch-item', 'a batch whose second application is 17', JSON.stringify({ applications: [SAMPLE, { ...SAMPLE, age: 17 }] }), {
    details: ['$.applications[1].age'],
  }),
  post('prediction', 'the sample application', sample),
  post('batch-prediction', 'a batch of three', JSON.stringify({ applications: [SAMPLE, SAMPLE, SAMPLE] })),
];
