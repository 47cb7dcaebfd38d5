/** `npm run predict`: get a token, call POST /loan, print the status and the body. */
import * as path from 'path';
import { REMEDIATION_STRATEGIES } from '../../lambda-src/features';
import { MAX_BATCH_SIZE } from '../../lambda-src/request-schema';
import { parseFlags, runCommand, UsageError } from '../lib/cli';
import { ApiEnvironment, TARGET_FLAGS, TARGET_USAGE, resolveTarget } from './cli';
import { describeFetchError } from './target';

export const SAMPLE_REQUEST = path.join('dataset', 'test-request-body.json');

export const PREDICT_USAGE = `Usage: npm run predict [-- [--file <json>] [--batch N] [--outputs-file <file> | --local]]

Gets an access token (as npm run token does), sends the request body to the prediction API
(POST /loan) and prints the HTTP status and the response body. Exits 0 on a 2XX answer, 1 otherwise.

  --file <json>          request body to send (default: ${SAMPLE_REQUEST}, the original sample);
                         sent as it is, so an invalid file shows how the API refuses it
  --batch N              send one batch of N applications (1-${MAX_BATCH_SIZE}): the file's application
                         with each remediation strategy in turn; prints each prediction next to its strategy
${TARGET_USAGE}
  --help                 show this text`;

const FLAGS = { ...TARGET_FLAGS, file: { type: 'string' }, batch: { type: 'string' }, help: { type: 'boolean' } } as const;

/** Longer than API Gateway's 29 s integration timeout: the API, not this command, decides when to give up. */
const REQUEST_TIMEOUT_MS = 35_000;

function parseBatch(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= 1 && n <= MAX_BATCH_SIZE)) throw new UsageError(`--batch ${raw}: expected a whole number from 1 to ${MAX_BATCH_SIZE}`);
  return n;
}

/** The request body: the file as it is, or a batch of N built from its (first) application. */
function requestBody(text: string, file: string, batch: number | undefined): string {
  if (batch === undefined) return text;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UsageError(`--batch needs ${file} to hold JSON (one application or {"applications": [...]})`);
  }
  const applications = (parsed as { applications?: unknown }).applications;
  const application = Array.isArray(applications) ? applications[0] : parsed;
  if (typeof application !== 'object' || application === null) {
    throw new UsageError(`--batch needs ${file} to hold one application or {"applications": [...]}`);
  }
  return JSON.stringify({
    applications: Array.from({ length: batch }, (_, i) => ({
      ...application,
      remediation_strategy: REMEDIATION_STRATEGIES[i % REMEDIATION_STRATEGIES.length],
    })),
  });
}

export function predictMain(argv: readonly string[], environment: ApiEnvironment): Promise<number> {
  return runCommand(environment, PREDICT_USAGE, async () => {
    const flags = parseFlags(argv, FLAGS);
    if (flags.help) {
      environment.print(PREDICT_USAGE);
      return 0;
    }
    const batch = parseBatch(flags.batch);
    const file = flags.file ?? SAMPLE_REQUEST;
    let text: string;
    try {
      text = environment.readFile(file);
    } catch (error) {
      throw new UsageError(`cannot read --file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    const body = requestBody(text, file, batch);

    const target = await resolveTarget(flags, environment);
    const token = await target.token();
    const what = batch === undefined ? file : `a batch of ${batch} from ${file}`;
    environment.print(`POST ${target.url} (${what})`);
    const started = environment.now();
    let response: Response;
    try {
      response = await fetch(target.url, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      const hint = target.whenUnreachable === undefined ? '' : `: ${target.whenUnreachable}`;
      throw new Error(`cannot reach the API at ${target.url}: ${describeFetchError(error)}${hint}`);
    }
    const answer = await response.text();
    environment.print(`HTTP ${response.status} in ${Math.round(environment.now() - started)} ms`);
    environment.print(prettyJson(answer));
    if (batch !== undefined && response.ok) environment.print(strategyTable(body, answer));
    return response.ok ? 0 : 1;
  });
}

/** One line per prediction of a batch answer: its index, the strategy it was asked about, the answer. */
function strategyTable(sent: string, answer: string): string {
  const applications = (JSON.parse(sent) as { applications: { remediation_strategy: string }[] }).applications;
  let predictions: { index?: unknown; effective?: unknown; probability?: unknown }[] = [];
  try {
    predictions = (JSON.parse(answer) as { predictions?: typeof predictions }).predictions ?? [];
  } catch {
    // not JSON: the body printed above says what came back
  }
  const width = Math.max(...applications.map((a) => a.remediation_strategy.length), 'remediation_strategy'.length);
  const lines = predictions.map((prediction) => {
    const index = typeof prediction.index === 'number' ? prediction.index : NaN;
    const strategy = applications[index]?.remediation_strategy ?? '(no such application)';
    const probability = typeof prediction.probability === 'number' ? prediction.probability.toFixed(3) : 'n/a';
    return `${String(index).padStart(5)}  ${strategy.padEnd(width)}  ${String(prediction.effective).padEnd(9)}  ${probability}`;
  });
  return [`index  ${'remediation_strategy'.padEnd(width)}  effective  probability`, ...lines].join('\n');
}

const prettyJson = (text: string): string => {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
};
