/**
 * The local mode end to end over real HTTP: the server `npm start` runs (embedded warehouse loaded from
 * the committed dataset, model trained and installed as SQL functions), with every answer checked
 * against the shared API contract. PGlite needs `--experimental-vm-modules` under jest (set by `npm test`).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import * as fs from 'fs';
import { importJWK, JWK, KeyLike, SignJWT, generateKeyPair } from 'jose';
import * as os from 'os';
import * as path from 'path';
import { GATEWAY_ANSWERS, JSON_RESPONSE_HEADERS, WAF_RATE_LIMITED } from '../lambda-src/api-contract';
import { FEATURES, LoanApplication } from '../lambda-src/features';
import { buildPredictionStatement, PredictionQueryTarget, toPositionalParameters } from '../lambda-src/sql';
import { loadConfig } from '../stacks/config';
import { LOCAL_ISSUER, LOCAL_SCOPE, localToken } from '../scripts/local/issuer';
import { loadCsv } from '../scripts/local/embedded-warehouse';
import { LocalSetupError } from '../scripts/local/errors';
import { LocalApi, startLocalApi } from '../scripts/local/local-api';
import { modelProbability } from '../scripts/local/model';
import { DEFAULT_DATA_FILE } from '../scripts/local/paths';
import { RateLimiter } from '../scripts/local/server';
import { SAMPLE_APPLICATION } from './helpers/sample-application';

const RATE_LIMIT = 40;
const WINDOW_SECONDS = 600;

let api: LocalApi;
let issuerDir: string;
let token: string;
/** Every request this file sends counts against the rate limit: the 429 test relies on the count. */
let sent = 0;

/** `authorization` null sends no Authorization header. */
async function post(body: unknown, authorization: string | null = `Bearer ${token}`, url = api.url) {
  sent++;
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(authorization === null ? {} : { Authorization: authorization }) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

/** Signs like the local issuer would, with any key, algorithm or claims. */
async function signed(claims: Record<string, unknown>, key?: KeyLike | Uint8Array, issuer = LOCAL_ISSUER) {
  const { privateJwk } = JSON.parse(fs.readFileSync(path.join(issuerDir, 'issuer-key.json'), 'utf8')) as { privateJwk: JWK };
  const signingKey = key ?? (await importJWK(privateJwk, 'RS256'));
  return new SignJWT({ token_use: 'access', scope: LOCAL_SCOPE, ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: privateJwk.kid })
    .setIssuer(issuer)
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(signingKey);
}

const expectGatewayError = (response: Awaited<ReturnType<typeof post>>, answer: { status: number; error: string }) => {
  expect(response.status).toBe(answer.status);
  expect(response.body).toEqual({ error: answer.error, requestId: response.headers.get('x-request-id') });
  expect(response.headers.get('content-type')).toBe(JSON_RESPONSE_HEADERS['Content-Type']);
};

beforeAll(async () => {
  issuerDir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-issuer-'));
  api = await startLocalApi({
    // Any free port: another copy of the suite (or anything else) may hold any fixed one.
    port: 0,
    dataFile: DEFAULT_DATA_FILE,
    cacheDir: undefined,
    issuerDir,
    // The stage throttle (8 requests a second by default) out of the way: these tests count the WAF's rate rule.
    config: loadConfig({
      RATE_LIMIT: String(RATE_LIMIT),
      RATE_LIMIT_WINDOW_SECONDS: String(WINDOW_SECONDS),
      API_THROTTLE_RATE: '10000',
      API_THROTTLE_BURST: '5000',
    }),
    logger: new Logger({ serviceName: 'local-test', logLevel: 'SILENT' }),
  });
  token = await localToken({ cacheDir: issuerDir });
}, 180_000);

afterAll(async () => {
  await api?.close();
  fs.rmSync(issuerDir, { recursive: true, force: true });
});

test('the model trained on the committed file reaches a holdout AUC within 0.04 of the best possible', () => {
  const { summary } = api;
  expect(summary).toMatchObject({ rows: 10_000, trainingRows: 8_258, holdoutRows: 1_742 });
  expect(summary.holdoutAuc).toBeGreaterThanOrEqual(0.82);
  expect(summary.holdoutAuc).toBeLessThanOrEqual(summary.bestPossibleAuc);
  expect(summary.bestPossibleAuc - summary.holdoutAuc).toBeLessThan(0.04);
});

test('the sample application: 200 with the SQL function\'s answer, the contract headers and the request id', async () => {
  const response = await post(SAMPLE_APPLICATION);
  expect(response.status).toBe(200);
  const probability = modelProbability(api.model, SAMPLE_APPLICATION);
  expect(response.body).toEqual({
    effective: probability > 0.5,
    probability: expect.closeTo(probability, 9),
    model: 'ml_fn_prediction',
    requestId: expect.any(String),
  });
  for (const [name, value] of Object.entries(JSON_RESPONSE_HEADERS)) expect(response.headers.get(name)).toBe(value);
  expect(response.headers.get('x-request-id')).toBe(response.body.requestId);
});

test('a batch: one prediction per application, in request order, each with its index', async () => {
  const applications: LoanApplication[] = [
    SAMPLE_APPLICATION,
    { ...SAMPLE_APPLICATION, credit_score: 800, remediation_strategy: 'Refinancing' },
    { ...SAMPLE_APPLICATION, missed_payments: 0, missed_payments_duration: 0, remediation_strategy: 'Payment Reminder' },
  ];
  const response = await post({ applications });
  expect(response.status).toBe(200);
  expect(response.body.predictions).toEqual(
    applications.map((a, index) => ({
      index,
      effective: modelProbability(api.model, a) > 0.5,
      probability: expect.closeTo(modelProbability(api.model, a), 9),
    })),
  );
});

describe('the authorizer answers 401', () => {
  test.each([
    ['no token', async () => null],
    ['a bad signature', async () => `Bearer ${await signed({}, (await generateKeyPair('RS256')).privateKey)}`],
    [
      'alg: none',
      async () => {
        const [, payload] = (await signed({})).split('.');
        const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
        return `Bearer ${header}.${payload}.`;
      },
    ],
    ['an expired token', async () => `Bearer ${await localToken({ cacheDir: issuerDir, expiresInSeconds: -60 })}`],
    ['another issuer', async () => `Bearer ${await signed({}, undefined, 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_other')}`],
    ['not a JWT', async () => 'Bearer not-a-token'],
  ])('%s', async (_case, authorization) => {
    expectGatewayError(await post(SAMPLE_APPLICATION, await authorization()), GATEWAY_ANSWERS.unauthorized);
  });
});

test('a valid token without the predict scope is answered as API Gateway answers it', async () => {
  const withoutScope = await localToken({ cacheDir: issuerDir, scopes: ['loan-remediation-local/other'] });
  expectGatewayError(await post(SAMPLE_APPLICATION, `Bearer ${withoutScope}`), GATEWAY_ANSWERS.unauthorized);
});

test('every 400 comes from the Lambda in one shape, naming each bad field by path', async () => {
  const outOfRange = await post({ ...SAMPLE_APPLICATION, age: 17 });
  expect(outOfRange.status).toBe(400);
  expect(outOfRange.body.details).toEqual([{ path: '$.age', message: 'must be an integer from 18 to 65' }]);

  const crossField = await post({ ...SAMPLE_APPLICATION, missed_payments: 0, missed_payments_duration: 3 });
  expect(crossField.body.details).toEqual([{ path: '$.missed_payments_duration', message: 'must be 0 when missed_payments is 0' }]);

  const malformed = await post('{"age": ');
  expect(malformed.body).toEqual({ error: 'Request body is invalid', details: [{ path: '$', message: 'is not valid JSON' }], requestId: malformed.headers.get('x-request-id') });
});

test('a body over 8192 bytes is blocked by the WAF: 403 with a JSON body and the request id', async () => {
  const padded = JSON.stringify(SAMPLE_APPLICATION).replace('{', `{${' '.repeat(8192)}`);
  expectGatewayError(await post(padded), GATEWAY_ANSWERS.wafFiltered);
});

test('an unknown path is answered as a REST API answers it', async () => {
  expectGatewayError(await post(SAMPLE_APPLICATION, null, api.url.replace('/loan', '/loans')), GATEWAY_ANSWERS.noSuchRoute);
});

test("past RATE_LIMIT requests in the window, the address gets the WAF's static 429 with Retry-After and no request id", async () => {
  while (sent < RATE_LIMIT) expect((await post(SAMPLE_APPLICATION)).status).toBe(200);
  const refused = await post(SAMPLE_APPLICATION);
  expect(refused.status).toBe(429);
  expect(refused.body).toEqual({ error: WAF_RATE_LIMITED.error });
  expect(refused.headers.get('retry-after')).toBe(String(WINDOW_SECONDS));
  expect(refused.headers.get('x-request-id')).toBeNull();
});

test('the prediction SQL runs with $n parameters and its casts intact', () => {
  const target = { table: 't', predictionFunction: 'f', probabilityFunction: 'f_probabilities' } as unknown as PredictionQueryTarget;
  const statement = buildPredictionStatement([SAMPLE_APPLICATION, SAMPLE_APPLICATION], target);
  const { sql, values } = toPositionalParameters(statement);
  expect(values).toEqual(statement.parameters.map((p) => p.value));
  expect(sql).toBe(statement.sql.replace(/(?<!:):a(\d)_(\w+?)::/g, (_m, index: string, name: string) => `$${Number(index) * FEATURES.length + FEATURES.findIndex((f) => f.name === name) + 1}::`));
  expect(sql).not.toMatch(/(?<!:):[a-z]/);
});

describe('loading a data file', () => {
  const committed = fs.readFileSync(DEFAULT_DATA_FILE, 'utf8').split('\n');
  const write = (name: string, lines: string[]) => {
    const file = path.join(issuerDir, name);
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    return file;
  };
  const names = (schema: string) => ({ schema, table: 'loan_remediation', predictionFunction: 'ml_fn_prediction' });

  test("the original sample's True/False booleans load", async () => {
    const file = write('original.csv', [committed[0], ...committed.slice(1, 4).map((l) => l.replace(',true,', ',True,').replace(',false,', ',False,'))]);
    expect(await loadCsv(api.db, names('original_sample'), file)).toBe(3);
    const { rows } = await api.db.query<{ successful: boolean }>('SELECT successful FROM "original_sample"."loan_remediation"');
    expect(rows.map((r) => r.successful)).toEqual(committed.slice(1, 4).map((l) => l.includes(',true,')));
  });

  test('a bad row stops the load with one line naming the file and the line', async () => {
    const file = write('bad.csv', [committed[0], committed[1], '1,2,Male']);
    await expect(loadCsv(api.db, names('bad_sample'), file)).rejects.toThrow(
      new LocalSetupError(`the data file ${file} does not load: missing data for column "income" (COPY loan_remediation, line 3: "1,2,Male")`),
    );
  });

  test('a file with another header is refused before anything is created', async () => {
    const file = write('other.csv', ['a,b', '1,2']);
    await expect(loadCsv(api.db, names('other_sample'), file)).rejects.toThrow(/is not a loan-remediation CSV: its first line must be customer_id,age,/);
  });
});

test('the server reports the port it got and serves its URL there', () => {
  expect(api.port).toBeGreaterThan(0);
  expect(api.url).toBe(`http://127.0.0.1:${api.port}/loan`);
});

test('a taken port fails at once with one line', async () => {
  // The port this file's server holds: taken for sure, and by nothing else.
  const config = loadConfig({});
  await expect(
    startLocalApi({ port: api.port, dataFile: DEFAULT_DATA_FILE, cacheDir: undefined, issuerDir, config }),
  ).rejects.toThrow(new LocalSetupError(`port ${api.port} is already in use: stop the other server or choose another port with PORT=<port>`));
});

test('the rate limit counts each address over a sliding window', () => {
  let now = 1_000_000;
  const limiter = new RateLimiter({ limit: 10, windowSeconds: 60 }, () => now);
  const hits = (ip: string, count: number) => Array.from({ length: count }, () => limiter.overLimit(ip));
  expect(hits('10.0.0.1', 10)).toEqual(Array(10).fill(false));
  expect(limiter.overLimit('10.0.0.1')).toBe(true);
  expect(limiter.overLimit('10.0.0.2')).toBe(false);
  now += 59_000;
  expect(limiter.overLimit('10.0.0.1')).toBe(true);
  now += 1_000;
  // The first eleven requests left the window; the one refused at 59 s still counts.
  expect(hits('10.0.0.1', 9)).toEqual(Array(9).fill(false));
  expect(limiter.overLimit('10.0.0.1')).toBe(true);
});
