/** `npm run contract:check`: the API contract's client-side rows against any base URL. */
import * as path from 'path';
import { PREDICT_RESOURCE } from '../../lambda-src/api-contract';
import { ApiEnvironment, resolveTarget, TARGET_FLAGS, TARGET_USAGE } from '../api/cli';
import { parseFlags, runCommand, UsageError } from '../lib/cli';
import { LOCAL_RESOURCE_SERVER, localToken } from '../local/issuer';
import { LOCAL_DIR } from '../local/paths';
import { CLIENT_CASES } from './cases';
import { DEFAULT_MAX_RESENDS, runCase, TokenSource } from './check';
import { CONTRACT_DOC, writeContractDocs } from './docs';

export const CONTRACT_CHECK_USAGE = `Usage: npm run contract:check [-- [--url <base>] [--outputs-file <file> | --local] | --docs]

Sends every request of the API contract that a client can make by itself (${CONTRACT_DOC},
"Every answer") to the API and checks each answer against the table in lambda-src/api-contract.ts:
status, JSON headers, X-Request-Id, Retry-After, the body's shape and text, the fields a 400 names.
Prints one line per request and exits 0 when every answer matches, 1 otherwise. Rows that need the
server in a state (a flood of requests, a model in training, a throttled Lambda) are left to the tests.
A request the stage's throttle refuses (429 THROTTLED: the requests go out back to back, faster than
the stage's rate) is sent again after its Retry-After, up to ${DEFAULT_MAX_RESENDS} times, and the line says so.

  --url <base>           the stage to check, e.g. https://<api>.execute-api.<region>.amazonaws.com/v1
                         or http://127.0.0.1:3000 (default: the api stack's stage, or npm start's with --local)
${TARGET_USAGE}
                         (--local also gives an expired token and one without the scope, which Cognito cannot)
  --docs                 write the contract table into ${CONTRACT_DOC} instead, and check nothing
  --help                 show this text

Against the deployed stage, run it once the model is trained (npm run model:status -- --wait): the
prediction rows expect 200, and one request is over 10 MB.`;

const FLAGS = { ...TARGET_FLAGS, url: { type: 'string' }, docs: { type: 'boolean' }, help: { type: 'boolean' } } as const;

export interface ContractCheckEnvironment extends ApiEnvironment {
  /** Where the repository is (docs are written there). */
  readonly root: string;
  /** The local issuer's folder (npm start's, or a test's). */
  readonly localIssuerDir: string;
  /** Waits before a throttled request is sent again. */
  readonly sleep: (ms: number) => Promise<void>;
}

export const realContractCheckEnvironment = (api: ApiEnvironment): ContractCheckEnvironment => ({
  ...api,
  root: path.resolve(__dirname, '..', '..'),
  localIssuerDir: LOCAL_DIR,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
});

/** Tokens from the local issuer: valid, expired, and valid without the predict scope. */
export const localTokens = (cacheDir: string): TokenSource => ({
  valid: () => localToken({ cacheDir }),
  expired: () => localToken({ cacheDir, expiresInSeconds: -60 }),
  withoutScope: () => localToken({ cacheDir, scopes: [`${LOCAL_RESOURCE_SERVER}/other`] }),
});

/** One token for every case: Cognito bills each token request. */
function once(token: () => Promise<string>): () => Promise<string> {
  let issued: Promise<string> | undefined;
  return () => (issued ??= token());
}

const baseOf = (url: string): string => url.replace(new RegExp(`/${PREDICT_RESOURCE}$`), '');

export function contractCheckMain(argv: readonly string[], environment: ContractCheckEnvironment): Promise<number> {
  return runCommand(environment, CONTRACT_CHECK_USAGE, async () => {
    const flags = parseFlags(argv, FLAGS);
    if (flags.help) {
      environment.print(CONTRACT_CHECK_USAGE);
      return 0;
    }
    if (flags.docs) {
      if (flags.url !== undefined || flags.local || flags['outputs-file'] !== undefined) throw new UsageError('--docs takes no other flag');
      const changed = writeContractDocs(environment.root);
      environment.print(changed ? `wrote the contract table into ${CONTRACT_DOC}` : `${CONTRACT_DOC} is up to date`);
      return 0;
    }
    if (flags.url !== undefined && !/^https?:\/\/[^/\s]+/.test(flags.url)) throw new UsageError(`--url ${flags.url}: expected an http:// or https:// base URL`);
    let tokens: TokenSource;
    let base: string;
    if (flags.local) {
      if (flags['outputs-file'] !== undefined) throw new UsageError('--local and --outputs-file cannot be combined');
      tokens = localTokens(environment.localIssuerDir);
      base = flags.url ?? baseOf((await resolveTarget(flags, environment)).url);
    } else {
      const target = await resolveTarget(flags, environment);
      tokens = { valid: once(() => target.token()) };
      base = flags.url ?? baseOf(target.url);
    }

    environment.printError(`checking ${CLIENT_CASES.length} requests against ${base}`);
    const counts = { pass: 0, fail: 0, skipped: 0 };
    const pacing = { sleep: environment.sleep, maxResends: DEFAULT_MAX_RESENDS };
    let resends = 0;
    for (const testCase of CLIENT_CASES) {
      let result;
      try {
        result = await runCase(base, testCase, tokens, pacing);
      } catch (error) {
        throw new Error(`cannot reach ${base}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      }
      counts[result.outcome]++;
      const label = `${testCase.row}: ${testCase.name}`;
      if (result.outcome === 'skipped') {
        environment.print(`SKIP ${label} (${result.reason})`);
        continue;
      }
      resends += result.resends;
      const throttled = result.resends > 0 ? ` (sent ${result.resends + 1} times: the stage throttled it)` : '';
      if (result.outcome === 'pass') environment.print(`PASS ${label}: ${result.received.status}${throttled}`);
      else environment.print(`FAIL ${label}: ${result.problems.join('; ')}${throttled}`);
    }
    const paced = resends === 0 ? '' : ` (${resends} ${resends === 1 ? 'resend' : 'resends'} after the stage's 429 THROTTLED)`;
    environment.print(`${counts.pass} passed, ${counts.fail} failed, ${counts.skipped} skipped against ${base}${paced}`);
    if (counts.fail > 0) environment.printError('The expected answers are the table in lambda-src/api-contract.ts (shown in docs/prediction-api.md).');
    return counts.fail === 0 ? 0 : 1;
  });
}
