/**
 * Checks answers against the API contract's table: what `npm run contract:check` does against any
 * base URL (a local server, the deployed stage), and what the local-mode tests assert for every row.
 */
import * as http from 'http';
import * as https from 'https';
import { generateKeyPair, SignJWT } from 'jose';
import {
  Answer,
  contractRow,
  ContractRow,
  GATEWAY_ANSWERS,
  JSON_RESPONSE_HEADERS,
  REQUEST_ID_HEADER,
  THROTTLED_RETRY_AFTER_SECONDS,
} from '../../lambda-src/api-contract';
import { ClientCase, TokenKind } from './cases';

/** An HTTP answer as received: header names in lowercase. */
export interface Received {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: string;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const sameKeys = (value: Record<string, unknown>, keys: string[]) => Object.keys(value).sort().join() === [...keys].sort().join();

/** What is wrong with the body for the answer's shape (undefined: nothing). */
function bodyProblem(answer: Answer, body: unknown, details: readonly string[] | undefined): string | undefined {
  if (!isObject(body)) return 'the body is not a JSON object';
  const withId = answer.body === 'error without requestId' ? [] : ['requestId'];
  if (withId.length > 0 && typeof body.requestId !== 'string') return 'the body has no requestId';
  switch (answer.body) {
    case 'prediction':
      return sameKeys(body, ['effective', 'probability', 'model', 'requestId']) && typeof body.effective === 'boolean'
        ? undefined
        : 'expected {effective, probability, model, requestId}';
    case 'predictions': {
      const predictions = body.predictions;
      const good =
        Array.isArray(predictions) &&
        predictions.every((p, index) => isObject(p) && p.index === index && typeof p.effective === 'boolean' && 'probability' in p);
      return good && sameKeys(body, ['predictions', 'model', 'requestId']) ? undefined : 'expected {predictions: [{index, effective, probability}], model, requestId}';
    }
    case 'error with details': {
      if (!sameKeys(body, ['error', 'details', 'requestId']) || !Array.isArray(body.details)) return 'expected {error, details, requestId}';
      const paths = body.details.map((detail) => (isObject(detail) && typeof detail.message === 'string' ? detail.path : undefined));
      if (details !== undefined && paths.join() !== details.join()) return `details name ${JSON.stringify(paths)}, expected ${JSON.stringify(details)}`;
      break;
    }
    case 'error':
    case 'error without requestId':
      if (!sameKeys(body, ['error', ...withId])) return `expected {${['error', ...withId].join(', ')}}`;
  }
  return body.error === answer.error ? undefined : `error is ${JSON.stringify(body.error)}, expected ${JSON.stringify(answer.error)}`;
}

/**
 * Every way `received` differs from the row's answer: status, JSON headers, `X-Request-Id` (equal to
 * the body's `requestId`, absent only from the WAF's static answer), `Retry-After`, the body's shape
 * and text, and for a 400 the paths `details` names. Empty when it matches.
 */
export function answerProblems(row: ContractRow, received: Received, options: { details?: readonly string[]; rateLimitWindowSeconds?: number } = {}): string[] {
  const { answer } = row;
  const problems: string[] = [];
  if (received.status !== answer.status) problems.push(`status ${received.status}, expected ${answer.status}`);
  for (const [name, value] of Object.entries(JSON_RESPONSE_HEADERS)) {
    const got = received.headers[name.toLowerCase()];
    if (!(got === value || (name === 'Content-Type' && got?.startsWith(`${value};`)))) problems.push(`${name}: ${got ?? '(none)'}, expected ${value}`);
  }
  let body: unknown;
  try {
    body = JSON.parse(received.body);
  } catch {
    problems.push(`the body is not JSON: ${received.body.slice(0, 120)}`);
  }
  const requestId = received.headers[REQUEST_ID_HEADER.toLowerCase()];
  if (answer.by === 'AWS WAF') {
    if (requestId !== undefined) problems.push(`${REQUEST_ID_HEADER} is set on the WAF's static answer`);
  } else if (requestId === undefined || !isObject(body) || body.requestId !== requestId) {
    problems.push(`${REQUEST_ID_HEADER} (${requestId ?? 'none'}) is missing or differs from the body's requestId`);
  }
  const retryAfter = received.headers['retry-after'];
  const expectedRetry =
    answer.retryAfter === 'rate-limit window' ? (options.rateLimitWindowSeconds ?? /^\d+$/) : answer.retryAfter === undefined ? undefined : answer.retryAfter;
  if (expectedRetry instanceof RegExp ? !expectedRetry.test(retryAfter ?? '') : retryAfter !== (expectedRetry === undefined ? undefined : String(expectedRetry))) {
    problems.push(`Retry-After: ${retryAfter ?? '(none)'}, expected ${expectedRetry ?? '(none)'}`);
  }
  if (body !== undefined) {
    const problem = bodyProblem(answer, body, options.details);
    if (problem) problems.push(problem);
  }
  return problems;
}

/** Tokens for the cases: a valid one always; an expired or scope-less one only where they can be minted. */
export interface TokenSource {
  valid(): Promise<string>;
  expired?(): Promise<string>;
  withoutScope?(): Promise<string>;
}

/** A JWT that looks like an access token but no issuer of ours signed. */
async function forgedToken(): Promise<string> {
  const { privateKey } = await generateKeyPair('RS256');
  return new SignJWT({ token_use: 'access', scope: 'forged/predict' })
    .setProtectedHeader({ alg: 'RS256', kid: 'forged' })
    .setIssuer('https://issuer.invalid')
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(privateKey);
}

/** The token a case sends; undefined when the source cannot make that kind. */
async function tokenFor(kind: TokenKind, tokens: TokenSource): Promise<string | null | undefined> {
  switch (kind) {
    case 'none':
      return null;
    case 'forged':
      return forgedToken();
    case 'valid':
      return tokens.valid();
    case 'expired':
      return tokens.expired?.();
    case 'without-scope':
      return tokens.withoutScope?.();
  }
}

/** Sends one request with node's http client, which adds no header of its own (fetch adds a User-Agent). */
export function send(url: URL, method: string, headers: Record<string, string>, body: string): Promise<Received> {
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.request(url, { method, headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) }, timeout: 35_000 }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: Object.fromEntries(Object.entries(response.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : value])),
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error('no answer within 35 s')));
    request.on('error', reject);
    request.end(body);
  });
}

export type CaseResult =
  | { readonly outcome: 'pass' | 'fail'; readonly received: Received; readonly problems: string[]; readonly resends: number }
  | { readonly outcome: 'skipped'; readonly reason: string };

/** `base` joined with a case's path: `https://x.execute-api.../v1` + `loan`. */
export const caseUrl = (base: string, path: string): URL => new URL(path, base.endsWith('/') ? base : `${base}/`);

/**
 * The stage throttle's answer: API Gateway's THROTTLED gateway response (429 with our text), told
 * apart from the WAF's rate-limit 429 by its body.
 */
export function isStageThrottled(received: Received): boolean {
  if (received.status !== GATEWAY_ANSWERS.throttled.status) return false;
  try {
    return (JSON.parse(received.body) as { error?: unknown }).error === GATEWAY_ANSWERS.throttled.error;
  } catch {
    return false;
  }
}

/**
 * How a check keeps to the stage's throttle: the contract's requests go out back to back, and a stage
 * (the default allows 8 per second, in bursts of 8) answers the ones past its rate with 429 THROTTLED.
 * Such a request is not the case being checked: it is sent again after the answer's `Retry-After`, at
 * most `maxResends` times.
 */
export interface Pacing {
  /** Waits this many milliseconds (a test moves its server's clock instead). */
  readonly sleep: (ms: number) => Promise<void>;
  readonly maxResends: number;
}

export const DEFAULT_MAX_RESENDS = 5;

/** The answer's `Retry-After` in milliseconds: whole seconds from 1 to 60, else the throttle's own 1 s. */
function retryAfterMs(received: Received): number {
  const seconds = Number(received.headers['retry-after']);
  return (Number.isInteger(seconds) && seconds >= 1 && seconds <= 60 ? seconds : THROTTLED_RETRY_AFTER_SECONDS) * 1000;
}

/**
 * Sends one case to `base` and checks the answer against its row. With `pacing`, a request the stage
 * throttled is sent again after its `Retry-After` (never for the stage-throttle row itself, whose 429
 * is the answer); the result counts the resends.
 */
export async function runCase(base: string, testCase: ClientCase, tokens: TokenSource, pacing?: Pacing): Promise<CaseResult> {
  const token = await tokenFor(testCase.token, tokens);
  if (token === undefined) return { outcome: 'skipped', reason: `no ${testCase.token} token can be made for this API` };
  const headers: Record<string, string> = { 'User-Agent': 'loan-remediation contract:check' };
  for (const [name, value] of Object.entries(testCase.headers)) {
    if (value === null) delete headers[name];
    else headers[name] = value;
  }
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  const body = testCase.body();
  const sendCase = () => send(caseUrl(base, testCase.path), testCase.method, headers, body);
  let received = await sendCase();
  let resends = 0;
  const resend = pacing !== undefined && testCase.row !== 'stage-throttle';
  while (resend && resends < pacing.maxResends && isStageThrottled(received)) {
    await pacing.sleep(retryAfterMs(received));
    resends++;
    received = await sendCase();
  }
  const problems = answerProblems(contractRow(testCase.row), received, { details: testCase.details });
  if (resend && isStageThrottled(received)) {
    problems.push(`the stage still throttled it after ${resends} resends: lower the load on the stage, or run the check again`);
  }
  return { outcome: problems.length === 0 ? 'pass' : 'fail', received, problems, resends };
}
