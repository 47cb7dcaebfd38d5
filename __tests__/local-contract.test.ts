/**
 * Every row of the API contract through local mode over HTTP: the local server (scripts/local/server.ts)
 * with the Lambda's real handler and the local token issuer, a stand-in warehouse whose behaviour each
 * test sets, and a clock the tests move, so limits and timeouts need no waiting. Each answer is checked
 * with the same function `npm run contract:check` uses, and `npm run contract:check --local` itself
 * runs against one of these servers. (The real embedded warehouse: local-server.test.ts.)
 */
import { Logger } from '@aws-lambda-powertools/logger';
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { CONTRACT, contractRow, THROTTLED_RETRY_AFTER_SECONDS } from '../lambda-src/api-contract';
import { LoanApplication } from '../lambda-src/features';
import { PredictionResult, Warehouse, WarehouseError } from '../lambda-src/warehouse';
import { CLIENT_CASES } from '../scripts/contract/cases';
import { answerProblems, caseUrl, Received, runCase, send } from '../scripts/contract/check';
import { ContractCheckEnvironment, contractCheckMain, localTokens } from '../scripts/contract/main';
import { createTokenVerifier, localToken } from '../scripts/local/issuer';
import { createLocalServer, listen, LocalServerOptions, ServerClock } from '../scripts/local/server';
import { loadConfig } from '../stacks/config';
import { SAMPLE_APPLICATION } from './helpers/sample-application';

/** A clock that moves only when a test moves it; sleeps end when it passes their time. */
class ManualClock implements ServerClock {
  private time = 1_000_000;
  private sleepers: { due: number; resolve: () => void; signal: AbortSignal }[] = [];
  private waiters: { count: number; resolve: () => void }[] = [];

  now = () => this.time;

  sleep = (ms: number, signal: AbortSignal) =>
    new Promise<void>((resolve) => {
      this.sleepers.push({ due: this.time + ms, resolve, signal });
      this.notify();
    });

  /** Moves time on and ends every sleep that is due. */
  advance(ms: number): void {
    this.time += ms;
    const due = this.sleepers.filter((s) => s.due <= this.time);
    this.sleepers = this.sleepers.filter((s) => s.due > this.time);
    for (const sleeper of due) if (!sleeper.signal.aborted) sleeper.resolve();
  }

  /** Resolves once `count` sleeps are pending (not aborted): the server is waiting on its timers. */
  pending(count: number): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.push({ count, resolve });
      this.notify();
    });
  }

  private notify(): void {
    const live = this.sleepers.filter((s) => !s.signal.aborted).length;
    this.waiters = this.waiters.filter((w) => (live >= w.count ? (w.resolve(), false) : true));
  }
}

/** A warehouse whose answer each test sets; `calls` resolves when predict is called. */
class StandInWarehouse implements Warehouse {
  behaviour: (applications: readonly LoanApplication[]) => Promise<PredictionResult> = async (applications) => ({
    predictions: applications.map((_, i) => ({ effective: i % 2 === 0, probability: 0.5 })),
    statementId: 'st-1',
    roundTrips: 1,
    sessionReused: false,
  });
  private called: (() => void)[] = [];

  predict(applications: readonly LoanApplication[]): Promise<PredictionResult> {
    this.called.splice(0).forEach((resolve) => resolve());
    return this.behaviour(applications);
  }

  /** Resolves at the next call of predict. */
  nextCall(): Promise<void> {
    return new Promise((resolve) => this.called.push(resolve));
  }
}

const logger = new Logger({ serviceName: 'local-contract-test', logLevel: 'SILENT' });
const WINDOW_SECONDS = 60;
let issuerDir: string;
let verifyToken: LocalServerOptions['verifyToken'];
const servers: http.Server[] = [];

async function start(overrides: Partial<LocalServerOptions> = {}) {
  const clock = new ManualClock();
  const warehouse = new StandInWarehouse();
  const server = createLocalServer({
    warehouse,
    modelName: 'ml_fn_prediction',
    verifyToken,
    rateLimit: { limit: 1000, windowSeconds: WINDOW_SECONDS },
    throttle: { rateLimit: 1000, burstLimit: 2000 },
    lambda: { timeoutMs: 28_000, concurrency: 1 },
    logger,
    clock,
    ...overrides,
  });
  servers.push(server);
  await listen(server, 0);
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, clock, warehouse };
}

let api: Awaited<ReturnType<typeof start>>;

beforeAll(async () => {
  issuerDir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-contract-'));
  verifyToken = await createTokenVerifier(issuerDir);
  api = await start();
});

afterAll(async () => {
  await Promise.all(
    servers.map(
      (server) =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    ),
  );
  fs.rmSync(issuerDir, { recursive: true, force: true });
});

const problems = (row: string, received: Received) => answerProblems(contractRow(row), received, { rateLimitWindowSeconds: WINDOW_SECONDS });

/** POST /loan with the sample, a valid token and a User-Agent, as a well-behaved client sends it. */
async function postSample(base: string, overrides: { path?: string; token?: string | null; body?: string } = {}): Promise<Received> {
  const token = overrides.token === undefined ? await localToken({ cacheDir: issuerDir }) : overrides.token;
  return send(
    caseUrl(base, overrides.path ?? 'loan'),
    'POST',
    { 'Content-Type': 'application/json', 'User-Agent': 'local-contract-test', ...(token === null ? {} : { Authorization: `Bearer ${token}` }) },
    overrides.body ?? JSON.stringify(SAMPLE_APPLICATION),
  );
}

describe("every request of npm run contract:check is answered as the table's row says", () => {
  test.each(CLIENT_CASES.map((c) => [`${c.row}: ${c.name}`, c] as const))('%s', async (_name, testCase) => {
    const result = await runCase(api.base, testCase, localTokens(issuerDir));
    expect(result.outcome === 'skipped' ? result.reason : result.problems).toEqual([]);
  });

  test('a 9 KB body answers 403 with a JSON body and the request id; {"favourite_colour": "red", ...} names $.favourite_colour', async () => {
    const big = await postSample(api.base, { body: JSON.stringify({ ...SAMPLE_APPLICATION, padding: 'x'.repeat(9 * 1024) }) });
    expect(big.status).toBe(403);
    expect(JSON.parse(big.body)).toEqual({ error: 'Request blocked by the web application firewall', requestId: big.headers['x-request-id'] });
    const extra = await postSample(api.base, { body: JSON.stringify({ favourite_colour: 'red', ...SAMPLE_APPLICATION }) });
    expect(extra.status).toBe(400);
    expect(JSON.parse(extra.body)).toMatchObject({ details: [{ path: '$.favourite_colour', message: 'unknown field' }] });
  });
});

/** The rows a client cannot provoke alone: each with the server in the state that makes it. */
const SERVER_SIDE: Record<string, () => Promise<Received>> = {
  async 'waf-rate-limit'() {
    const tight = await start({ rateLimit: { limit: 10, windowSeconds: WINDOW_SECONDS } });
    for (let i = 0; i < 10; i++) expect((await postSample(tight.base, { path: 'elsewhere' })).status).toBe(403);
    return postSample(tight.base);
  },
  async 'stage-throttle'() {
    const tight = await start({ throttle: { rateLimit: 1, burstLimit: 3 } });
    for (let i = 0; i < 3; i++) expect((await postSample(tight.base, { token: null })).status).toBe(401);
    const throttled = await postSample(tight.base, { token: null });
    // A second later the bucket holds one token again.
    tight.clock.advance(1000);
    expect((await postSample(tight.base, { token: null })).status).toBe(401);
    return throttled;
  },
  async 'body-over-8kb-without-waf'() {
    const alone = await start({ waf: false });
    return postSample(alone.base, { body: JSON.stringify({ ...SAMPLE_APPLICATION, padding: 'x'.repeat(9 * 1024) }) });
  },
  async 'model-not-ready'() {
    api.warehouse.behaviour = () => Promise.reject(new WarehouseError('model-not-ready', 'function does not exist'));
    return postSample(api.base);
  },
  async deadline() {
    api.warehouse.behaviour = () => Promise.reject(new WarehouseError('deadline', 'deadline passed'));
    return postSample(api.base);
  },
  async 'warehouse-failure'() {
    api.warehouse.behaviour = () => Promise.reject(new WarehouseError('failed', 'permission denied'));
    return postSample(api.base);
  },
  async 'unexpected-error'() {
    api.warehouse.behaviour = () => Promise.reject(new TypeError('a bug'));
    return postSample(api.base);
  },
  async 'lambda-throttled'() {
    const { base, warehouse } = await start({ lambda: { timeoutMs: 28_000, concurrency: 1 } });
    let release!: () => void;
    const defaultBehaviour = warehouse.behaviour;
    warehouse.behaviour = (applications) => new Promise((resolve) => (release = () => void resolve(defaultBehaviour(applications))));
    const called = warehouse.nextCall();
    const first = postSample(base);
    await called;
    const second = await postSample(base);
    release();
    expect((await first).status).toBe(200);
    // The invocation is over: the next one runs.
    warehouse.behaviour = defaultBehaviour;
    expect((await postSample(base)).status).toBe(200);
    return second;
  },
  async 'lambda-failed'() {
    const { base, warehouse, clock } = await start();
    warehouse.behaviour = () => new Promise(() => undefined);
    const called = warehouse.nextCall();
    const answer = postSample(base);
    await called;
    // The integration timer (29 s) and the Lambda's (28 s) are running.
    await clock.pending(2);
    clock.advance(28_000);
    return answer;
  },
  async 'integration-timeout'() {
    // The warehouse never opens: the invocation waits, as a cold start does, until API Gateway gives up.
    const { base, clock } = await start({ warehouse: new Promise<Warehouse>(() => undefined) });
    const answer = postSample(base);
    await clock.pending(1);
    clock.advance(28_999);
    clock.advance(1);
    return answer;
  },
};

describe('the rows that need the server in a state', () => {
  beforeEach(() => {
    api.warehouse.behaviour = new StandInWarehouse().behaviour;
  });

  test.each(Object.keys(SERVER_SIDE))('%s', async (row) => {
    expect(problems(row, await SERVER_SIDE[row]())).toEqual([]);
  });

  test('every row of the table is provoked here, by a request of contract:check or a server state', () => {
    const covered = new Set([...CLIENT_CASES.map((c) => c.row), ...Object.keys(SERVER_SIDE)]);
    expect(CONTRACT.filter((row) => !covered.has(row.id)).map((row) => row.id)).toEqual([]);
  });
});

describe('the checks can fail', () => {
  test('a wrong status, a missing request id header and a wrong body are each reported', async () => {
    const good = await postSample(api.base, { token: null });
    expect(problems('no-valid-token', good)).toEqual([]);
    expect(problems('unknown-route', good)).toContain('status 401, expected 403');
    expect(problems('no-valid-token', { ...good, headers: { ...good.headers, 'x-request-id': undefined } })).toEqual([
      "X-Request-Id (none) is missing or differs from the body's requestId",
    ]);
    expect(problems('waf-rate-limit', good)).toEqual(
      expect.arrayContaining(["X-Request-Id is set on the WAF's static answer", 'expected {error}']),
    );
  });
});

test("npm run contract:check --local --url <base> passes against a server with the default config's stage throttle, resending what it throttles", async () => {
  // The real defaults (8 requests per second, bursts of 8): the check's requests go out back to back,
  // faster than that, as against `npm start` or a deployed default stage.
  const { throttleRateLimit, throttleBurstLimit } = loadConfig({}).api;
  const paced = await start({ throttle: { rateLimit: throttleRateLimit, burstLimit: throttleBurstLimit } });
  const printed: string[] = [];
  const errors: string[] = [];
  const slept: number[] = [];
  const environment = {
    print: (line: string) => printed.push(line),
    printError: (line: string) => errors.push(line),
    root: path.join(__dirname, '..'),
    localIssuerDir: issuerDir,
    // Waiting for Retry-After moves the server's clock: its token bucket refills.
    sleep: async (ms: number) => {
      slept.push(ms);
      paced.clock.advance(ms);
    },
  } as unknown as ContractCheckEnvironment;
  const code = await contractCheckMain(['--local', '--url', paced.base], environment);
  expect(errors).toEqual([`checking ${CLIENT_CASES.length} requests against ${paced.base}`]);
  expect(slept.length).toBeGreaterThan(0);
  expect(new Set(slept)).toEqual(new Set([THROTTLED_RETRY_AFTER_SECONDS * 1000]));
  expect(printed.filter((line) => !line.startsWith('PASS '))).toEqual([
    `${CLIENT_CASES.length} passed, 0 failed, 0 skipped against ${paced.base} (${slept.length} ${slept.length === 1 ? 'resend' : 'resends'} after the stage's 429 THROTTLED)`,
  ]);
  expect(printed.filter((line) => line.endsWith('(sent 2 times: the stage throttled it)'))).toHaveLength(slept.length);
  expect(code).toBe(0);
});

test('a request the stage still throttles after the last resend fails, saying so; the stage-throttle row is never resent', async () => {
  const closed = await start({ throttle: { rateLimit: 1, burstLimit: 1 } });
  const sample = CLIENT_CASES.find((c) => c.row === 'prediction')!;
  const tokens = localTokens(issuerDir);
  expect((await runCase(closed.base, sample, tokens)).outcome).toBe('pass');
  // Time stands still, so the bucket stays empty however often the request is sent again.
  const sleep = jest.fn(async () => undefined);
  const result = await runCase(closed.base, sample, tokens, { sleep, maxResends: 2 });
  expect(result).toMatchObject({ outcome: 'fail', resends: 2 });
  expect(result.outcome === 'fail' && result.problems.at(-1)).toBe(
    'the stage still throttled it after 2 resends: lower the load on the stage, or run the check again',
  );
  expect(sleep).toHaveBeenCalledTimes(2);
  const throttleCase = { ...sample, row: 'stage-throttle' };
  expect(await runCase(closed.base, throttleCase, tokens, { sleep, maxResends: 2 })).toMatchObject({ outcome: 'pass', resends: 0 });
  expect(sleep).toHaveBeenCalledTimes(2);
});
