/**
 * The direct transport (WAREHOUSE_TRANSPORT=postgres) end to end on this machine: the Lambda's handler
 * and `PostgresWarehouse` over real sockets, through a fault proxy, to PGlite's wire-protocol server
 * holding the table and a model installed as Redshift ML's two functions. Credentials come from the
 * real GetCredentials adapter with the SDK client mocked. The Data API path's answers (200, 503, 502,
 * 504) and guarantees (its whole table of bad input answered alike and never reaching the warehouse, no
 * applicant values or secrets in logs) hold here too; throttling is replaced by the direct path's own faults: a lost connection, a hung
 * query, a refused (expired) credential and a statement past the deadline, each answered within the
 * deadline. PGlite needs `--experimental-vm-modules` under jest (set by `npm test`).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { GetCredentialsCommand, RedshiftServerlessClient } from '@aws-sdk/client-redshift-serverless';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { FEATURES, LoanApplication } from '../lambda-src/features';
import { CREDENTIAL_EXPIRY_MARGIN_MS, PostgresWarehouse, PostgresWarehouseOptions } from '../lambda-src/postgres-warehouse';
import { createPredictionHandler, LAMBDA_RESERVE_MS } from '../lambda-src/prediction-handler';
import { serverlessCredentials } from '../lambda-src/serverless-credentials';
import { parseSqlIdentifier, PredictionQueryTarget, SqlIdentifier } from '../lambda-src/sql';
import { loadCsv } from '../scripts/local/embedded-warehouse';
import { FittedModel, modelProbability, NUMERIC_FEATURES, CATEGORICAL_FEATURES, CROSSED_FEATURE } from '../scripts/local/model';
import { modelFunctionStatements } from '../scripts/local/model-sql';
import { DEFAULT_DATA_FILE } from '../scripts/local/paths';
import { FaultProxy, startFaultProxy } from './helpers/postgres-fault-proxy';
import { event } from './helpers/api-event';
import { BAD_INPUT_CASES, expectBadInputAnswer } from './helpers/bad-input-cases';
import { SAMPLE_APPLICATION } from './helpers/sample-application';

const sample = SAMPLE_APPLICATION;
const identifier = (name: string) => parseSqlIdentifier(name, { qualified: true }) as SqlIdentifier;
const TARGET: PredictionQueryTarget = {
  table: identifier('public.loan_remediation'),
  predictionFunction: identifier('public.ml_fn_prediction'),
  probabilityFunction: identifier('public.ml_fn_prediction_probabilities'),
};
const ROLE_USER = 'IAMR:loan-remediation-dev-predict-role';

/** A model whose answer depends on the strategy (so order shows) and the credit score. */
const MODEL: FittedModel = (() => {
  const strategies = FEATURES.find((f) => f.name === CROSSED_FEATURE);
  if (strategies?.kind !== 'category') throw new Error('no strategy column');
  const scores = Object.fromEntries(
    strategies.categories.map((strategy, index) => [
      strategy,
      {
        intercept: index - 2.5,
        slopes: Object.fromEntries(NUMERIC_FEATURES.map((f) => [f.name, f.name === 'credit_score' ? 0.004 : 0])),
        effects: Object.fromEntries(
          CATEGORICAL_FEATURES.map((f) => [f.name, Object.fromEntries((f.kind === 'category' ? f.categories : []).map((c) => [c, 0]))]),
        ),
      },
    ]),
  );
  return { scores, trainingRows: 0, iterations: 0 };
})();

const serverless = new RedshiftServerlessClient({ region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
const getCredentials = mockClient(serverless);
const logger = new Logger({ serviceName: 'loan-prediction-test', logLevel: process.env.DEBUG_LOGS ? 'DEBUG' : 'SILENT' });

let db: PGlite;
let socketServer: PGLiteSocketServer;
let proxy: FaultProxy;
let scratch: string;
const warehouses: PostgresWarehouse[] = [];

/** GetCredentials answers with these passwords in turn (the last one again once they run out). */
function credentialsIssued(...passwords: string[]) {
  let call = 0;
  getCredentials.on(GetCredentialsCommand).callsFake(() => ({
    dbUser: ROLE_USER,
    dbPassword: passwords[Math.min(call++, passwords.length - 1)],
    expiration: new Date(Date.now() + 3_600_000),
  }));
}

function warehouse(overrides: Partial<PostgresWarehouseOptions> = {}): PostgresWarehouse {
  const created = new PostgresWarehouse({
    host: '127.0.0.1',
    port: proxy.port,
    database: 'loans',
    target: TARGET,
    credentials: serverlessCredentials({ client: serverless, workgroupName: 'loan-remediation-dev', database: 'loans' }),
    tls: false,
    statementTimeoutMs: 25_000,
    logger,
    ...overrides,
  });
  warehouses.push(created);
  return created;
}

function handlerWith(target: PostgresWarehouse, deadlineMs = 25_000) {
  return createPredictionHandler({ warehouse: target, logger, modelName: 'ml_fn_prediction', deadlineMs });
}

const context = { awsRequestId: 'lambda-request-1', getRemainingTimeInMillis: () => 28_000 } as unknown as Context;
const sampleBody = JSON.stringify(sample);

async function call(target: PostgresWarehouse, body = sampleBody, deadlineMs?: number) {
  const startedAt = performance.now();
  const response = await handlerWith(target, deadlineMs)(event(body), context);
  return { status: response.statusCode, body: JSON.parse(response.body) as Record<string, unknown>, ms: performance.now() - startedAt };
}

const expectedAnswer = (application: LoanApplication) => {
  const probability = modelProbability(MODEL, application);
  return { effective: probability > 0, probability: expect.closeTo(probability, 9) };
};

beforeAll(async () => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'postgres-warehouse-'));
  const csv = path.join(scratch, 'one-row.csv');
  fs.writeFileSync(csv, `${fs.readFileSync(DEFAULT_DATA_FILE, 'utf8').split('\n').slice(0, 2).join('\n')}\n`);
  db = await PGlite.create();
  await loadCsv(db, { schema: 'public', table: 'loan_remediation', predictionFunction: 'ml_fn_prediction' }, csv);
  for (const statement of modelFunctionStatements(MODEL, 'public.ml_fn_prediction')) await db.exec(statement);
  // A reconnect may arrive before the server has seen the old connection close.
  socketServer = new PGLiteSocketServer({ db, port: 0, host: '127.0.0.1', maxConnections: 4 });
  await socketServer.start();
  proxy = await startFaultProxy(Number(socketServer.getServerConn().split(':')[1]));
}, 60_000);

// PGlite's server takes few connections: each test closes the ones it opened.
afterEach(async () => {
  await Promise.all(warehouses.splice(0).map((w) => w.close()));
});

afterAll(async () => {
  await proxy?.close();
  await socketServer?.stop();
  await db?.close();
  fs.rmSync(scratch, { recursive: true, force: true });
});

beforeEach(() => {
  getCredentials.reset();
  credentialsIssued('password-1');
  proxy.acceptPassword = () => true;
  proxy.nextQuery = undefined;
});

describe('answers as the Data API path does', () => {
  test('the sample application: 200 with the model function\'s answer; the warm connection is reused', async () => {
    const target = warehouse();
    const first = await call(target);
    expect(first).toMatchObject({ status: 200, body: { ...expectedAnswer(sample), model: 'ml_fn_prediction', requestId: 'api-request-1' } });
    const logins = proxy.logins.length;
    expect((await call(target)).status).toBe(200);
    expect(proxy.logins).toHaveLength(logins);
    expect(getCredentials).toHaveReceivedCommandTimes(GetCredentialsCommand, 1);
    expect(getCredentials).toHaveReceivedCommandWith(GetCredentialsCommand, {
      workgroupName: 'loan-remediation-dev',
      dbName: 'loans',
      durationSeconds: 3600,
    });
    expect(proxy.logins.at(-1)).toEqual({ user: ROLE_USER, password: 'password-1' });
  });

  test('a batch: one prediction per application, in request order', async () => {
    const applications = ['Forbearance', 'Deferment', 'Refinancing'].map((remediation_strategy) => ({ ...sample, remediation_strategy }) as LoanApplication);
    const response = await call(warehouse(), JSON.stringify({ applications }));
    expect(response.status).toBe(200);
    expect(response.body.predictions).toEqual(applications.map((application, index) => ({ index, ...expectedAnswer(application) })));
  });

  test('503 with Retry-After while the model function does not exist', async () => {
    const response = await call(warehouse({ target: { ...TARGET, predictionFunction: identifier('public.ml_fn_missing'), probabilityFunction: undefined } }));
    expect(response).toMatchObject({ status: 503, body: { error: 'The prediction model is not ready yet; retry later' } });
  });

  test('502 on a database error, without the SQL or the database message', async () => {
    const response = await handlerWith(warehouse({ target: { ...TARGET, table: identifier('public.no_such_table') } }))(event(sampleBody), context);
    expect(response.statusCode).toBe(502);
    expect(response.body).not.toMatch(/no_such_table|relation|SELECT|\$1/);
  });

  // The Data API path's whole table of bad input (helpers/bad-input-cases.ts): the same answers, and
  // nothing reaches this warehouse either, not even a login.
  test.each(BAD_INPUT_CASES.map((c) => [c.name, c] as const))('bad input (%s): the same answer, and nothing reaches the warehouse', async (_name, testCase) => {
    const before = { statements: proxy.statements, logins: proxy.logins.length };
    const response = await handlerWith(warehouse())(event(testCase.body), context);
    expectBadInputAnswer(response, testCase);
    expect({ statements: proxy.statements, logins: proxy.logins.length }).toEqual(before);
  });

  test("logs carry neither the applicants' values nor the password", async () => {
    const written: string[] = [];
    const printing = new Logger({ serviceName: 'loan-prediction-test', logLevel: 'INFO' });
    // Powertools writes INFO to stdout, WARN and ERROR to stderr.
    const capture = (chunk: unknown) => written.push(String(chunk)) > 0;
    const writes = [jest.spyOn(process.stdout, 'write').mockImplementation(capture), jest.spyOn(process.stderr, 'write').mockImplementation(capture)];
    try {
      const target = warehouse({ logger: printing });
      const handler = createPredictionHandler({ warehouse: target, logger: printing, modelName: 'm', deadlineMs: 25_000 });
      proxy.nextQuery = 'drop';
      expect((await handler(event(sampleBody), context)).statusCode).toBe(200);
    } finally {
      for (const write of writes) write.mockRestore();
    }
    const logged = written.join('');
    expect(logged).toContain('Reconnecting to the warehouse');
    expect(logged).toContain('Request handled');
    for (const value of ['password-1', '41820', '221750', 'Forbearance', 'Unemployed']) expect(logged).not.toContain(value);
  });
});

describe('faults, each answered within the deadline', () => {
  test('a connection lost as the statement arrives: reopened, the statement runs again, 200', async () => {
    const target = warehouse();
    proxy.nextQuery = 'drop';
    const response = await call(target);
    expect(response).toMatchObject({ status: 200, body: expectedAnswer(sample) });
    // The cached credentials log in again; GetCredentials is not called twice.
    expect(getCredentials).toHaveReceivedCommandTimes(GetCredentialsCommand, 1);
  });

  test('a connection the server closed while idle: the next request opens a new one, 200', async () => {
    const target = warehouse();
    expect((await call(target)).status).toBe(200);
    await proxy.dropConnections();
    expect((await call(target)).status).toBe(200);
  });

  test('a warehouse that cannot be reached: 502, after a bounded number of attempts', async () => {
    // A port that was free a moment ago: nothing listens there.
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as net.AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    const response = await call(warehouse({ port }));
    expect(response.status).toBe(502);
  });

  test('a hung statement: cancelled at the deadline (a CancelRequest reaches the server), 504, and the next request reconnects', async () => {
    const target = warehouse();
    const deadlineMs = 400;
    proxy.nextQuery = 'stall';
    const cancels = proxy.cancels;
    const response = await call(target, sampleBody, deadlineMs);
    expect(response).toMatchObject({ status: 504, body: { error: 'The prediction took too long; retry later' } });
    expect(response.ms).toBeGreaterThanOrEqual(deadlineMs - 5);
    expect(response.ms).toBeLessThan(deadlineMs + LAMBDA_RESERVE_MS);
    expect(proxy.cancels).toBe(cancels + 1);
    expect((await call(target)).status).toBe(200);
  });

  test("the warehouse's statement_timeout stops a statement first: 504", async () => {
    proxy.nextQuery = { statementTimeoutAfterMs: 20 };
    const response = await call(warehouse());
    expect(response.status).toBe(504);
    expect(response.ms).toBeLessThan(LAMBDA_RESERVE_MS);
  });

  test('an expired credential the server refuses: new credentials, logged in again, 200', async () => {
    credentialsIssued('expired-password', 'fresh-password');
    proxy.acceptPassword = (_user, password) => password !== 'expired-password';
    const response = await call(warehouse());
    expect(response.status).toBe(200);
    expect(proxy.logins.slice(-2).map((login) => login.password)).toEqual(['expired-password', 'fresh-password']);
    expect(getCredentials).toHaveReceivedCommandTimes(GetCredentialsCommand, 2);
  });

  test('credentials refused again after a refresh: 502, no third login', async () => {
    credentialsIssued('password-a', 'password-b', 'password-c');
    proxy.acceptPassword = () => false;
    const before = proxy.logins.length;
    expect((await call(warehouse())).status).toBe(502);
    expect(proxy.logins.length - before).toBe(2);
  });

  test('GetCredentials refused: 502 without a login', async () => {
    getCredentials.on(GetCredentialsCommand).rejects(Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException' }));
    const before = proxy.logins.length;
    expect((await call(warehouse())).status).toBe(502);
    expect(proxy.logins.length).toBe(before);
  });

  test('credentials are cached until shortly before they expire, then fetched for the next login', async () => {
    let wall = Date.now();
    const expiresAt = wall + 900_000;
    getCredentials.on(GetCredentialsCommand).callsFake(() => ({ dbUser: ROLE_USER, dbPassword: 'password-1', expiration: new Date(expiresAt) }));
    const target = warehouse({ wallClock: () => wall });
    expect((await call(target)).status).toBe(200);
    wall = expiresAt - CREDENTIAL_EXPIRY_MARGIN_MS - 1;
    proxy.nextQuery = 'drop';
    expect((await call(target)).status).toBe(200);
    expect(getCredentials).toHaveReceivedCommandTimes(GetCredentialsCommand, 1);
    wall = expiresAt - CREDENTIAL_EXPIRY_MARGIN_MS;
    proxy.nextQuery = 'drop';
    expect((await call(target)).status).toBe(200);
    expect(getCredentials).toHaveReceivedCommandTimes(GetCredentialsCommand, 2);
  });

  test('TLS required and the server offers none: 502, no password sent', async () => {
    const before = proxy.logins.length;
    expect((await call(warehouse({ tls: true }))).status).toBe(502);
    expect(proxy.logins.length).toBe(before);
  });
});
