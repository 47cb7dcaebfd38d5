/**
 * `npm start`: the prediction API on this machine, no AWS and no Docker. Loads the dataset into an
 * embedded Postgres (PGlite), trains a model on CREATE MODEL's rows and installs it as Redshift ML's
 * SQL functions, then serves `POST /loan` with the Lambda's handler behind local imitations of API
 * Gateway and the WAF, answering every row of the API contract as AWS would. Run with `--help` for the flags.
 */
import './lib/quiet-sdk-node-warning';
import * as fs from 'fs';
import * as path from 'path';
import { loadSettings } from '../stacks/settings';
import { EXIT_FAILURE, runCli, UsageError } from './lib/cli';
import { LocalSetupError } from './local/errors';
import { localToken } from './local/issuer';
import { startLocalApi } from './local/local-api';
import { DEFAULT_DATA_FILE, LOCAL_DIR, localPort } from './local/paths';

const USAGE = `Usage: npm start [-- --data FILE] [-- --rebuild]

Runs the prediction API locally: the Lambda's handler and SQL against an embedded Postgres, with a
model trained on the dataset, behind local stand-ins for API Gateway, Cognito and the WAF rate limit.

  --data FILE   CSV to load (default: dataset/loan_remediation_data.csv); the generator's files and the
                original sample's CSV (True/False booleans) both load
  --rebuild     ignore the cache in .local/ and load and train again
  --help        show this help

Settings come from settings/<ENVIRONMENT>.env (dev by default), as for synth: RATE_LIMIT and
RATE_LIMIT_WINDOW_SECONDS (as for the WAF rule), the stage throttle, WAREHOUSE_TRANSPORT (data-api: the
embedded database in this process; postgres: the Lambda's direct connection over a socket to PGlite's
wire-protocol server), TABLE_NAME, PREDICTION_FUNCTION, REDSHIFT_SCHEMA (as for the warehouse); an
environment variable of the same name overrides the file (a note says so).
Environment: PORT (default 3000); POWERTOOLS_LOG_LEVEL (INFO logs every request as the Lambda does;
WARN keeps the terminal quiet).`;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function main(flags: { dataFile: string; rebuild: boolean }): Promise<number> {
  const { config } = loadSettings();
  const port = localPort(process.env);
  if (flags.rebuild) fs.rmSync(path.join(LOCAL_DIR, 'warehouse.json'), { force: true });

  const startedAt = performance.now();
  const progress = (message: string) => console.log(`[${seconds(performance.now() - startedAt)}] ${message}`);
  const api = await startLocalApi({ port, dataFile: flags.dataFile, cacheDir: LOCAL_DIR, issuerDir: LOCAL_DIR, config, onProgress: progress });
  const { summary } = api;
  progress(
    `${api.fromCache ? 'cached model' : `trained in ${seconds(summary.trainMs)}`} on ${summary.trainingRows} rows: ` +
      `holdout AUC ${summary.holdoutAuc.toFixed(3)} on ${summary.holdoutRows} later rows ` +
      `(best possible on these rows: ${summary.bestPossibleAuc.toFixed(3)}, from the dataset generator's true probabilities)`,
  );
  const token = await localToken();
  const sample = path.relative(process.cwd(), path.join(__dirname, '..', 'dataset', 'test-request-body.json'));
  console.log(`
Ready in ${seconds(performance.now() - startedAt)}: POST ${api.url}
Warehouse transport: ${api.transport}. Rate limit: ${config.rateLimit.limit} requests per ${config.rateLimit.windowSeconds} s per address. Ctrl-C stops.

Try it (the token is valid for an hour; a new one: npm run token -- --local):
  curl -s ${api.url} -H 'Content-Type: application/json' --data-binary @${sample} \\
    -H 'Authorization: Bearer ${token}'
`);

  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve).once('SIGTERM', resolve);
  });
  console.log('\nstopping: closing connections and the database');
  await api.close();
  return 0;
}

void runCli(USAGE, { data: { type: 'string' }, rebuild: { type: 'boolean' } }, async (flags) => {
  if (flags.data !== undefined && flags.data.trim() === '') throw new UsageError('--data needs a file name');
  try {
    return await main({ dataFile: flags.data ?? DEFAULT_DATA_FILE, rebuild: flags.rebuild ?? false });
  } catch (error) {
    if (!(error instanceof LocalSetupError)) throw error;
    console.error(`error: ${error.message}`);
    return EXIT_FAILURE;
  }
});
