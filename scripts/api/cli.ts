/** What `npm run token` and `npm run predict` share: their environment and how they find the API. */
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import * as fs from 'fs';
import * as path from 'path';
import { OutputsSource, outputsFile, terraformOutputs } from '../warehouse/stack-outputs';
import { readApiOutputs } from './outputs';
import { UsageError } from '../lib/cli';
import { LOCAL_DIR } from '../local/paths';
import { localTarget } from '../local/target';
import { PredictionTarget, cognitoTarget } from './target';

const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/** Everything the commands touch outside themselves, so tests can replace it. */
export interface ApiEnvironment {
  readonly outputs: (outputsFile: string | undefined) => OutputsSource;
  readonly createCognitoClient: (region: string) => CognitoIdentityProviderClient;
  /** stdout: results only. */
  readonly print: (line: string) => void;
  /** stderr: progress, hints and errors. */
  readonly printError: (line: string) => void;
  readonly readFile: (file: string) => string;
  readonly now: () => number;
  /** The local mode's folder (.local/), where `--local` finds the issuer key of `npm start`. */
  readonly localDir: string;
}

export const realApiEnvironment = (): ApiEnvironment => ({
  outputs: (file) => (file === undefined ? terraformOutputs(PROJECT_ROOT) : outputsFile(path.resolve(file))),
  createCognitoClient: (region) => new CognitoIdentityProviderClient({ region }),
  print: (line) => console.log(line),
  printError: (line) => console.error(line),
  readFile: (file) => fs.readFileSync(file, 'utf8'),
  now: () => Date.now(),
  localDir: LOCAL_DIR,
});

/** Flags every target-aware command takes. */
export const TARGET_FLAGS = {
  'outputs-file': { type: 'string' },
  local: { type: 'boolean' },
} as const;

export const TARGET_USAGE = `  --outputs-file <file>  read the api stack's outputs from \`cdktf deploy --outputs-file <file>\` instead
                         of \`terraform output\` in cdktf.out/stacks/api
  --local                the local API of \`npm start\` (its own token issuer; PORT as for npm start), no AWS`;

/** The API the command talks to: the local one of `npm start` (--local), or the deployed api stack. */
export async function resolveTarget(
  flags: { 'outputs-file'?: string; local?: boolean },
  environment: ApiEnvironment,
): Promise<PredictionTarget> {
  if (flags.local) {
    if (flags['outputs-file'] !== undefined) throw new UsageError('--local and --outputs-file cannot be combined');
    return localTarget(environment.localDir);
  }
  const outputs = await readApiOutputs(environment.outputs(flags['outputs-file']));
  return cognitoTarget(outputs, environment.createCognitoClient);
}
