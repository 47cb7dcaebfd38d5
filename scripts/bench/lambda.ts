/**
 * `npm run bench:lambda`: the prediction Lambda against a simulated Redshift Data API.
 *
 * 1. Synthesizes the NodejsFunction construct and reads the zipped asset it produces (the deployed bytes).
 * 2. Serves a fake Data API on 127.0.0.1 that honours WaitTimeSeconds, with statements taking 50 ms,
 *    500 ms and 5 s, and points the real bundle's SDK client at it (AWS_ENDPOINT_URL_REDSHIFT_DATA):
 *    request signing, HTTP and JSON parsing all run as in Lambda, with no network delay, so the time
 *    beyond the statement is the handler's own work.
 * 3. Runs the original's polling (check every 3 s) against the same fake, for contrast.
 * 4. Measures the bundle's module initialisation (require) in fresh Node processes.
 *
 * Nothing leaves the machine: the endpoint is local and the credentials are dummies.
 */
import '../lib/quiet-sdk-node-warning';
import {
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  RedshiftDataClient,
} from '@aws-sdk/client-redshift-data';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { TerraformStack, Testing } from 'cdktf';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import { AddressInfo } from 'net';
import { createRequire } from 'module';
import * as path from 'path';
import { FEATURES } from '../../lambda-src/features';
import { MAX_BATCH_SIZE } from '../../lambda-src/request-schema';
import { NodejsFunction } from '../../stacks/constructs/nodejs-function';
import { runCli } from '../lib/cli';
import { median } from './stats';
import sampleRequestBody from '../../dataset/test-request-body.json';

const TARGETS = { addedMs: 20, extraRoundTrips: 1, zippedKb: 250, initMs: 150 };
const STATEMENT_MS = [50, 500, 5000];
const RUNS: Record<number, number> = { 50: 30, 500: 10, 5000: 3 };
const COLD_STARTS = 25;
const ORIGINAL_POLL_MS = 3000;
const USAGE = `Usage: npm run bench:lambda

Runs the bundled prediction Lambda against a local fake Redshift Data API (statements of
${STATEMENT_MS.join(', ')} ms) and prints added latency, round trips, bundle size and module init time
against the targets. Nothing leaves the machine.

  --help  show this text`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const round = (value: number, digits = 1) => Number(value.toFixed(digits));

// The original AWS sample's request body (dataset/test-request-body.json), unchanged.
const sample = sampleRequestBody;

/** A Data API whose statements take `statementMs` and whose calls hold for up to WaitTimeSeconds. */
class FakeDataApi {
  statementMs = 50;
  requests = 0;
  private readonly statements = new Map<string, { finishAt: number; rows: number }>();
  private nextId = 0;

  async handle(operation: string, input: Record<string, unknown>): Promise<Record<string, unknown>> {
    this.requests++;
    switch (operation) {
      case 'ExecuteStatement': {
        const id = `statement-${++this.nextId}`;
        const rows = ((input.Parameters as unknown[] | undefined)?.length ?? 0) / FEATURES.length;
        this.statements.set(id, { finishAt: performance.now() + this.statementMs, rows });
        const sessionId = input.SessionId ?? (input.SessionKeepAliveSeconds ? 'session-1' : undefined);
        return { Id: id, SessionId: sessionId, Status: await this.wait(id, input.WaitTimeSeconds) };
      }
      case 'DescribeStatement':
        return { Id: input.Id, Status: await this.wait(String(input.Id), input.WaitTimeSeconds) };
      case 'GetStatementResult': {
        const { rows } = this.statements.get(String(input.Id))!;
        const probabilities = JSON.stringify({ probabilities: [0.3, 0.7], labels: ['f', 't'] });
        return {
          Records: Array.from({ length: rows }, (_, i) => [{ longValue: i }, { booleanValue: true }, { stringValue: probabilities }]),
          TotalNumRows: rows,
        };
      }
      case 'CancelStatement':
        return { Status: true };
      default:
        throw new Error(`fake Data API: unsupported ${operation}`);
    }
  }

  private async wait(id: string, waitSeconds: unknown): Promise<string> {
    const { finishAt } = this.statements.get(id)!;
    const waitMs = typeof waitSeconds === 'number' ? waitSeconds * 1000 : 0;
    const untilFinished = finishAt - performance.now();
    if (untilFinished <= waitMs) {
      await sleep(Math.max(0, untilFinished));
      return 'FINISHED';
    }
    await sleep(waitMs);
    return 'STARTED';
  }
}

function serve(api: FakeDataApi): Promise<http.Server> {
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      const operation = String(request.headers['x-amz-target']).split('.')[1];
      const output = await api.handle(operation, JSON.parse(Buffer.concat(chunks).toString() || '{}'));
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify(output));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** Synthesizes the construct as the api stack would and returns the bundle and its deployed archive. */
function synthesizeFunction(): { bundle: string; archive: string } {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'bench');
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  new NodejsFunction(stack, 'prediction', {
    entry: path.join(__dirname, '..', '..', 'lambda-src', 'handler.ts'),
    functionName: 'loan-predict-bench',
    description: 'benchmark',
  });
  app.synth();
  const find = (dir: string, name: string): string => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        const found = find(full, name);
        if (found) return found;
      } else if (entry.name === name) return full;
    }
    return '';
  };
  return { bundle: find(path.join(app.outdir, 'bundles'), 'index.js'), archive: find(path.join(app.outdir, 'stacks'), 'archive.zip') };
}

const lambdaEnv = (endpoint: string) => ({
  WORKGROUP_NAME: 'loan-bench',
  DATABASE_NAME: 'dev',
  TABLE_NAME: 'public.loan_remediation',
  PREDICTION_FUNCTION: 'ml_fn_prediction',
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'AKIDBENCHMARKONLY',
  AWS_SECRET_ACCESS_KEY: 'benchmark-only',
  AWS_ENDPOINT_URL_REDSHIFT_DATA: endpoint,
});

type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

function apiEvent(body: unknown): APIGatewayProxyEvent {
  return { body: JSON.stringify(body), isBase64Encoded: false, requestContext: { requestId: 'bench' } } as APIGatewayProxyEvent;
}
const context = { awsRequestId: 'bench', getRemainingTimeInMillis: () => 28_000 } as unknown as Context;

/** Runs fn with stdout swallowed: the handler still formats its log lines, they just go nowhere. */
async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const write = process.stdout.write;
  process.stdout.write = () => true;
  try {
    return await fn();
  } finally {
    process.stdout.write = write;
  }
}

async function invoke(handler: Handler, api: FakeDataApi, body: unknown) {
  const requestsBefore = api.requests;
  const startedAt = performance.now();
  const response = await quietly(() => handler(apiEvent(body), context));
  if (response.statusCode !== 200) throw new Error(`handler answered ${response.statusCode}: ${response.body}`);
  return { addedMs: performance.now() - startedAt - api.statementMs, roundTrips: api.requests - requestsBefore };
}

/** The original Lambda's loop: submit, then check every 3 s until done, then fetch. */
async function invokeOriginal(client: RedshiftDataClient, api: FakeDataApi) {
  const requestsBefore = api.requests;
  const startedAt = performance.now();
  const { Id } = await client.send(
    new ExecuteStatementCommand({ Sql: 'SELECT 1', WorkgroupName: 'loan-bench', Database: 'dev' }),
  );
  let status: string | undefined;
  do {
    await sleep(ORIGINAL_POLL_MS);
    status = (await client.send(new DescribeStatementCommand({ Id }))).Status;
  } while (status !== 'FINISHED');
  await client.send(new GetStatementResultCommand({ Id }));
  return { addedMs: performance.now() - startedAt - api.statementMs, roundTrips: api.requests - requestsBefore };
}

/** One Data API call through the SDK to the fake, no waiting: signing, HTTP on loopback, JSON. */
async function bareRoundTripMs(client: RedshiftDataClient, api: FakeDataApi): Promise<number> {
  const { Id } = await client.send(new ExecuteStatementCommand({ Sql: 'SELECT 1', WorkgroupName: 'loan-bench', Database: 'dev' }));
  await sleep(api.statementMs);
  const times: number[] = [];
  for (let i = 0; i < 30; i++) {
    const startedAt = performance.now();
    await client.send(new DescribeStatementCommand({ Id }));
    times.push(performance.now() - startedAt);
  }
  return median(times);
}

function measureInit(bundle: string, env: Record<string, string>, nodeOptions: string): number[] {
  const script = `const t = performance.now(); require(${JSON.stringify(bundle)}); process.stdout.write(String(performance.now() - t));`;
  return Array.from({ length: COLD_STARTS }, () => {
    const run = spawnSync(process.execPath, ['-e', script], {
      env: { ...process.env, ...env, NODE_OPTIONS: nodeOptions, NODE_NO_WARNINGS: '1' },
      encoding: 'utf8',
    });
    if (run.status !== 0) throw new Error(`cold start failed: ${run.stderr}`);
    return Number(run.stdout);
  });
}

const verdict = (ok: boolean) => (ok ? 'OK  ' : 'MISS');
const ms = (value: number, width = 6) => round(value).toFixed(1).padStart(width);

/**
 * The AWS SDK warns once per process that its releases after January 2027 need Node 22; this bench
 * runs on the project's Node 20 on purpose (Lambda itself runs nodejs22.x), so the warning is noise
 * here. The variable is the one the pinned SDK checks (@aws-sdk/core, emitWarningIfUnsupportedVersion).
 */
const SDK_NODE_WARNING_OFF = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };

async function main(): Promise<number> {
  Object.assign(process.env, SDK_NODE_WARNING_OFF);
  // Printed at the end, so any other one-time warning does not cut through the tables.
  const report: string[] = [`Prediction Lambda benchmark (Node ${process.version} here; Lambda runs nodejs22.x)`];
  const loadBefore = os.loadavg()[0];

  const { bundle, archive } = synthesizeFunction();
  const zippedKb = fs.statSync(archive).size / 1024;

  const api = new FakeDataApi();
  const server = await serve(api);
  const env = lambdaEnv(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  Object.assign(process.env, env);
  const { handler } = createRequire(__filename)(bundle) as { handler: Handler };
  const client = new RedshiftDataClient({ region: 'eu-west-1', maxAttempts: 1 });

  report.push(
    '',
    'Handler against the fake Data API: added = total - statement time (no network delay), warm invocations',
    'statement | body            | runs | added ms median / max | round trips | first call added ms',
  );
  const rows: { addedMs: number; roundTrips: number }[] = [];
  for (const statementMs of STATEMENT_MS) {
    api.statementMs = statementMs;
    const bodies: [string, unknown][] = [['1 application', sample]];
    if (statementMs === STATEMENT_MS[0]) {
      bodies.push([`batch of ${MAX_BATCH_SIZE}`, { applications: Array.from({ length: MAX_BATCH_SIZE }, () => sample) }]);
    }
    for (const [label, body] of bodies) {
      const first = await invoke(handler, api, body);
      const runs = [];
      for (let i = 0; i < RUNS[statementMs]; i++) runs.push(await invoke(handler, api, body));
      const added = median(runs.map((r) => r.addedMs));
      const roundTrips = Math.max(...runs.map((r) => r.roundTrips));
      rows.push({ addedMs: added, roundTrips });
      report.push(
        `${String(statementMs).padStart(6)} ms | ${label.padEnd(15)} | ${String(runs.length).padStart(4)} | ` +
          `${ms(added, 8)} / ${ms(Math.max(...runs.map((r) => r.addedMs)))}     | ${String(roundTrips).padStart(11)} | ${ms(first.addedMs)}`,
      );
    }
  }
  api.statementMs = STATEMENT_MS[0];
  const roundTripMs = await bareRoundTripMs(client, api);
  report.push(`one bare SDK call to the fake (signing + loopback HTTP + JSON), median: ${ms(roundTripMs, 0)} ms`);

  report.push('', 'The original (check every 3 s), same fake Data API, one run each', 'statement | added ms | round trips');
  for (const statementMs of STATEMENT_MS) {
    api.statementMs = statementMs;
    const original = await invokeOriginal(client, api);
    report.push(`${String(statementMs).padStart(6)} ms | ${round(original.addedMs, 0).toFixed(0).padStart(8)} | ${String(original.roundTrips).padStart(11)}`);
  }
  server.close();

  const withMaps = measureInit(bundle, env, '--enable-source-maps');
  const withoutMaps = measureInit(bundle, env, '');
  const initMs = median(withMaps);

  report.push(
    '',
    `Bundle: index.js ${round(fs.statSync(bundle).size / 1024)} KB, index.js.map ${round(fs.statSync(`${bundle}.map`).size / 1024)} KB, ` +
      `deployed archive.zip ${round(zippedKb)} KB`,
    '',
    `Module init: require() of the bundle in a fresh node, ${COLD_STARTS} runs (process start excluded)`,
    `with --enable-source-maps (as deployed): median ${ms(initMs, 0)} ms, min ${ms(Math.min(...withMaps), 0)} ms`,
    `without source maps:                     median ${ms(median(withoutMaps), 0)} ms, min ${ms(Math.min(...withoutMaps), 0)} ms`,
  );

  const worstAdded = Math.max(...rows.map((r) => r.addedMs));
  const worstRoundTrips = Math.max(...rows.map((r) => r.roundTrips));
  report.push(
    '',
    `Targets (load average ${loadBefore.toFixed(1)} before, ${os.loadavg()[0].toFixed(1)} after, on ${os.cpus().length} cores)`,
    `${verdict(worstAdded < TARGETS.addedMs)} added latency: worst median ${ms(worstAdded, 0)} ms (target < ${TARGETS.addedMs} ms)`,
    `${verdict(worstRoundTrips <= 1 + TARGETS.extraRoundTrips)} round trips: ${worstRoundTrips}, ExecuteStatement + GetStatementResult ` +
      `(target: at most ${TARGETS.extraRoundTrips} beyond the submission; the original needs 3 or more)`,
    `${verdict(zippedKb < TARGETS.zippedKb)} bundle: ${ms(zippedKb, 0)} KB zipped (target < ${TARGETS.zippedKb} KB)`,
    `${verdict(initMs < TARGETS.initMs)} init: median ${ms(initMs, 0)} ms (target < ${TARGETS.initMs} ms)`,
  );
  console.log(report.join('\n'));
  return 0;
}

void runCli(USAGE, {}, main);
