/**
 * `npm run bench:local`: requests/s and latency of the local API (`npm start`) over HTTP, measured with
 * autocannon at concurrency 1 and 10, for the sample application and for a batch of 10, for both
 * warehouse transports side by side: `data-api` (the embedded database queried in the server's process)
 * and `postgres` (the Lambda's direct transport, node-postgres over a real socket to PGlite's
 * wire-protocol server). Local figures only: they say what the transport's code and one socket round
 * trip add, not what AWS answers in.
 *
 * The server runs in its own process, exactly as `npm start` runs it (cached database, Powertools
 * logging at WARN so the terminal is not the bottleneck, RATE_LIMIT and the stage throttle raised so
 * the WAF and API Gateway imitations let the load through); autocannon runs in this one. Every request
 * carries a token that the server verifies (RS256) and a User-Agent (the WAF imitation blocks requests
 * without one, as the Common rule set does), passes the Lambda's validation and one SQL statement.
 * The transports take turns, ROUNDS times in alternating order, so a change in the machine's load hits
 * both. HTTP at concurrency 1 swings with the machine's load by more than the transports differ, so the
 * last step compares the two warehouses directly, in this process, call by call (compareWarehouses).
 */
import '../lib/quiet-sdk-node-warning';
import autocannon from 'autocannon';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { WAREHOUSE_TRANSPORTS, WarehouseTransport } from '../../lambda-src/config';
import { MAX_BATCH_SIZE } from '../../lambda-src/request-schema';
import sampleRequestBody from '../../dataset/test-request-body.json';
import { Logger } from '@aws-lambda-powertools/logger';
import { LoanApplication } from '../../lambda-src/features';
import { loadConfig } from '../../stacks/config';
import { openLocalWarehouse } from '../local/embedded-warehouse';
import { localToken } from '../local/issuer';
import { directWarehouse, predictionTarget } from '../local/local-api';
import { DEFAULT_DATA_FILE, LOCAL_DIR, localApiUrl } from '../local/paths';
import { PgliteWarehouse } from '../local/pglite-warehouse';
import { runCli } from '../lib/cli';
import { median } from './stats';

const PORT = 3190;
const DURATION_SECONDS = 5;
const WARMUP_SECONDS = 2;
const ROUNDS = 3;
/** Warehouse calls per transport in the side-by-side comparison, alternating one by one. */
const WAREHOUSE_CALLS = 2000;
const TARGET = { requestsPerSecond: 500, p99Ms: 50, directAddedP50Ms: 3 };

/**
 * CPU time the server process has used, in ms (Linux /proc/<pid>/stat: utime + stime in clock ticks of
 * 1/100 s). On a shared machine, CPU per request is the steadier figure: wall-clock rates fall with
 * other load, the work per request does not.
 */
function cpuMs(pid: number): number | undefined {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

interface Server {
  readonly pid: number;
  stop(): Promise<void>;
}

function startServer(transport: WarehouseTransport): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', 'start.ts')], {
    env: {
      ...process.env,
      PORT: String(PORT),
      RATE_LIMIT: '2000000000',
      API_THROTTLE_RATE: '10000',
      API_THROTTLE_BURST: '5000',
      POWERTOOLS_LOG_LEVEL: 'WARN',
      WAREHOUSE_TRANSPORT: transport,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      process.stdout.write(chunk.toString().split('\n').filter((line) => line.startsWith('[')).map((line) => `  ${transport} server ${line}\n`).join(''));
      if (output.includes('Ready in')) {
        resolve({
          pid: child.pid ?? 0,
          stop: () =>
            new Promise((stopped) => {
              child.once('exit', () => stopped());
              child.kill('SIGINT');
            }),
        });
      }
    });
    child.once('exit', (code) => reject(new Error(`the server exited with code ${code} before it was ready`)));
  });
}

async function run(server: Server, body: string, connections: number, token: string, duration: number) {
  const cpuBefore = cpuMs(server.pid);
  const result = await autocannon({
    url: localApiUrl(PORT),
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'User-Agent': 'bench:local (autocannon)', Authorization: `Bearer ${token}` },
    body,
    connections,
    duration,
  });
  const cpuAfter = cpuMs(server.pid);
  return {
    cpuMsPerRequest: cpuBefore === undefined || cpuAfter === undefined ? NaN : (cpuAfter - cpuBefore) / result.requests.total,
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    mean: result.latency.mean,
    requests: result.requests.total,
    failures: result.non2xx + result.errors + result.timeouts,
  };
}

type Measurement = Awaited<ReturnType<typeof run>>;

const percentile = (values: readonly number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))];

/**
 * The two warehouses on the same cached database in this process, called alternately one call at a
 * time (concurrency 1), so the machine's load changes hit both alike: what the direct transport adds
 * over the in-process path is the difference of their latencies, without HTTP, tokens and autocannon.
 */
async function compareWarehouses(): Promise<string> {
  const { warehouse } = loadConfig(process.env);
  const names = { schema: warehouse.schema, table: warehouse.table, predictionFunction: warehouse.predictionFunction };
  const opened = await openLocalWarehouse({ dataFile: DEFAULT_DATA_FILE, names, cacheDir: LOCAL_DIR });
  const target = predictionTarget(names);
  const direct = await directWarehouse(opened.db, target, new Logger({ logLevel: 'WARN' }));
  try {
    const inProcess = new PgliteWarehouse(opened.db, target);
    const applications = [sampleRequestBody as LoanApplication];
    const timings: Record<WarehouseTransport, number[]> = { 'data-api': [], postgres: [] };
    const call = async (transport: WarehouseTransport) => {
      const startedAt = performance.now();
      await (transport === 'postgres' ? direct.warehouse : inProcess).predict(applications, startedAt + 25_000);
      return performance.now() - startedAt;
    };
    for (let i = 0; i < 100; i++) await Promise.all([call('data-api'), call('postgres')]); // warm-up
    for (let i = 0; i < WAREHOUSE_CALLS; i++) {
      for (const transport of i % 2 === 0 ? WAREHOUSE_TRANSPORTS : [...WAREHOUSE_TRANSPORTS].reverse()) timings[transport].push(await call(transport));
    }
    const row = (transport: WarehouseTransport) =>
      `| ${transport} | ${percentile(timings[transport], 0.5).toFixed(2)} | ${percentile(timings[transport], 0.9).toFixed(2)} | ${percentile(timings[transport], 0.99).toFixed(2)} |`;
    const added = percentile(timings.postgres, 0.5) - percentile(timings['data-api'], 0.5);
    return `Warehouse calls side by side in one process (sample application, concurrency 1, ${WAREHOUSE_CALLS} calls each, alternating), ms:
| transport | p50 | p90 | p99 |
|---|---:|---:|---:|
${row('data-api')}
${row('postgres')}
The direct transport adds ${added.toFixed(2)} ms at p50 (target: at most ${TARGET.directAddedP50Ms} ms: ${added <= TARGET.directAddedP50Ms ? 'met' : 'NOT met'}).`;
  } finally {
    await direct.stop();
    await opened.close();
  }
}

const ROWS = [
  { name: 'sample application', batch: false, connections: 1 },
  { name: 'sample application', batch: false, connections: 10 },
  { name: `batch of ${MAX_BATCH_SIZE}`, batch: true, connections: 1 },
  { name: `batch of ${MAX_BATCH_SIZE}`, batch: true, connections: 10 },
] as const;

const spread = (values: number[], digits = 0) =>
  `${median(values).toFixed(digits)} (${Math.min(...values).toFixed(digits)}-${Math.max(...values).toFixed(digits)})`;

async function main(): Promise<void> {
  console.log(`bench:local: both warehouse transports, ${ROUNDS} rounds each, on port ${PORT} (the first start loads and trains)`);
  let token: string | undefined;
  const single = JSON.stringify(sampleRequestBody);
  const batch = JSON.stringify({ applications: Array.from({ length: MAX_BATCH_SIZE }, () => sampleRequestBody) });
  /** results[transport][row] = one measurement per round. */
  const results = Object.fromEntries(WAREHOUSE_TRANSPORTS.map((t) => [t, ROWS.map((): Measurement[] => [])])) as Record<WarehouseTransport, Measurement[][]>;
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? WAREHOUSE_TRANSPORTS : [...WAREHOUSE_TRANSPORTS].reverse();
    for (const transport of order) {
      const server = await startServer(transport);
      try {
        // The first start creates the local issuer's key, if there is none yet.
        token ??= await localToken();
        await run(server, single, 1, token, WARMUP_SECONDS);
        for (const [index, row] of ROWS.entries()) {
          const r = await run(server, row.batch ? batch : single, row.connections, token, DURATION_SECONDS);
          results[transport][index].push(r);
          console.log(`  round ${round + 1} ${transport}: ${row.name}, concurrency ${row.connections}: ${Math.round(r.requestsPerSecond)} requests/s, p50 ${r.p50} ms, mean ${r.mean.toFixed(2)} ms, p99 ${r.p99} ms, ${r.failures} failures`);
        }
      } finally {
        await server.stop();
      }
    }
  }
  const table = ROWS.flatMap((row, index) =>
    WAREHOUSE_TRANSPORTS.map((transport) => {
      const rounds = results[transport][index];
      return `| ${row.name} | ${row.connections} | ${transport} | ${spread(rounds.map((r) => r.requestsPerSecond))} | ${spread(rounds.map((r) => r.p50))} | ${spread(rounds.map((r) => r.mean), 2)} | ${spread(rounds.map((r) => r.p99))} | ${spread(rounds.map((r) => r.cpuMsPerRequest), 2)} | ${rounds.reduce((sum, r) => sum + r.failures, 0)} |`;
    }),
  );
  // The comparison the direct transport is held to: the sample application at concurrency 1, per round.
  const added = (pick: (r: Measurement) => number) =>
    results.postgres[0].map((direct, round) => pick(direct) - pick(results['data-api'][0][round]));
  const addedP50 = added((r) => r.p50);
  const addedMean = added((r) => r.mean);
  console.log(`
${ROUNDS} rounds per transport in alternating order, ${DURATION_SECONDS} s per row after a ${WARMUP_SECONDS} s warm-up; each cell: median (min-max) over the rounds.
Latency in ms (autocannon, keep-alive connections). data-api = the embedded database in the server's process (local stand-in
for the Data API); postgres = the Lambda's direct transport over a socket to PGlite's wire-protocol server. Local only.
| request | concurrency | transport | requests/s | p50 ms | mean ms | p99 ms | server CPU ms/request | non-2xx or errors |
|---|---:|---|---:|---:|---:|---:|---:|---:|
${table.join('\n')}

Over HTTP, the direct transport minus the in-process path, sample application at concurrency 1, per round: p50 ${addedP50.map((d) => `${d >= 0 ? '+' : ''}${d}`).join(', ')} ms; mean ${addedMean.map((d) => `${d >= 0 ? '+' : ''}${d.toFixed(2)}`).join(', ')} ms (median ${median(addedP50)} ms at p50).

${await compareWarehouses()}
Target at concurrency 10 (sample application, data-api): >= ${TARGET.requestsPerSecond} requests/s, p99 <= ${TARGET.p99Ms} ms.
Load average during the run: ${os.loadavg().map((l) => l.toFixed(1)).join(', ')} on ${os.cpus().length} cores.`);
}

const USAGE = `Usage: npm run bench:local

Starts the local API (npm start) on port ${PORT} with the rate limit lifted, once per warehouse
transport (data-api: in-process; postgres: the direct transport over PGlite's wire-protocol server),
${ROUNDS} rounds in alternating order, and measures it with autocannon: requests/s, p50/mean/p99
latency and server CPU per request at concurrency 1 and 10, for the sample application and a batch of
${MAX_BATCH_SIZE}. Then both warehouses in this process on the same database, ${WAREHOUSE_CALLS} calls each,
alternating: what the direct transport adds at p50 (target: at most ${TARGET.directAddedP50Ms} ms). Nothing leaves the machine.

  --help  show this text`;

void runCli(USAGE, {}, () =>
  main().then(
    () => 0,
    (error: unknown) => {
      console.error(`bench:local failed: ${error instanceof Error ? error.message : String(error)}`);
      return 1;
    },
  ),
);
