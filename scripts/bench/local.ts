/**
 * `npm run bench:local`: requests/s and latency of the local API (`npm start`) over HTTP, measured with
 * autocannon at concurrency 1 and 10, for the sample application and for a batch of 10.
 *
 * The server runs in its own process, exactly as `npm start` runs it (cached database, Powertools
 * logging at WARN so the terminal is not the bottleneck, RATE_LIMIT and the stage throttle raised so
 * the WAF and API Gateway imitations let the load through); autocannon runs in this one. Every request
 * carries a token that the server verifies (RS256) and a User-Agent (the WAF imitation blocks requests
 * without one, as the Common rule set does), passes the Lambda's validation and one SQL statement.
 */
import autocannon from 'autocannon';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { MAX_BATCH_SIZE } from '../../lambda-src/request-schema';
import sampleRequestBody from '../../dataset/test-request-body.json';
import { localToken } from '../local/issuer';
import { localApiUrl } from '../local/paths';
import { runCli } from '../lib/cli';

const PORT = 3190;
const DURATION_SECONDS = 10;
const WARMUP_SECONDS = 3;
const TARGET = { requestsPerSecond: 500, p99Ms: 50 };

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

function startServer(): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', 'start.ts')], {
    env: {
      ...process.env,
      PORT: String(PORT),
      RATE_LIMIT: '2000000000',
      API_THROTTLE_RATE: '10000',
      API_THROTTLE_BURST: '5000',
      POWERTOOLS_LOG_LEVEL: 'WARN',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      process.stdout.write(chunk.toString().split('\n').filter((line) => line.startsWith('[')).map((line) => `  server ${line}\n`).join(''));
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
    requests: result.requests.total,
    failures: result.non2xx + result.errors + result.timeouts,
  };
}

async function main(): Promise<void> {
  console.log(`bench:local: starting the local API on port ${PORT} (npm start; the first run loads and trains)`);
  const server = await startServer();
  try {
    const token = await localToken();
    const single = JSON.stringify(sampleRequestBody);
    const batch = JSON.stringify({ applications: Array.from({ length: MAX_BATCH_SIZE }, () => sampleRequestBody) });
    await run(server, single, 10, token, WARMUP_SECONDS);
    const rows: string[] = [];
    for (const [name, body] of [
      ['sample application', single],
      [`batch of ${MAX_BATCH_SIZE}`, batch],
    ] as const) {
      for (const connections of [1, 10]) {
        const r = await run(server, body, connections, token, DURATION_SECONDS);
        rows.push(
          `| ${name} | ${connections} | ${Math.round(r.requestsPerSecond)} | ${r.p50} | ${r.p99} | ${r.cpuMsPerRequest.toFixed(2)} | ${r.requests} | ${r.failures} |`,
        );
        console.log(rows.at(-1));
      }
    }
    console.log(`
${DURATION_SECONDS} s per row, after a ${WARMUP_SECONDS} s warm-up; latency in ms (autocannon, keep-alive connections).
| request | concurrency | requests/s | p50 ms | p99 ms | server CPU ms/request | requests | non-2xx or errors |
|---|---:|---:|---:|---:|---:|---:|---:|
${rows.join('\n')}

Load average during the run: ${os.loadavg().map((l) => l.toFixed(1)).join(', ')} on ${os.cpus().length} cores.
Target at concurrency 10 (sample application): >= ${TARGET.requestsPerSecond} requests/s, p99 <= ${TARGET.p99Ms} ms.`);
  } finally {
    await server.stop();
  }
}

const USAGE = `Usage: npm run bench:local

Starts the local API (npm start) on port ${PORT} with the rate limit lifted and measures it with
autocannon: requests/s, p50/p99 latency and server CPU per request at concurrency 1 and 10, for the
sample application and a batch of ${MAX_BATCH_SIZE}. Nothing leaves the machine.

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
