/** What the two warehouse commands share: flag parsing, their environment, and error reporting. */
import { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import * as path from 'path';
import { parseArgs } from 'util';
import { DataApi } from './data-api';
import { OutputsSource, WarehouseOutputs, outputsFile, terraformOutputs } from './stack-outputs';

const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/** Everything the commands touch outside themselves, so tests can replace it. */
export interface WarehouseEnvironment {
  readonly createClient: (region: string) => RedshiftDataClient;
  readonly outputs: (outputsFile: string | undefined) => OutputsSource;
  readonly print: (line: string) => void;
  readonly printError: (line: string) => void;
  /** Rewrites the current terminal line (a progress line); prints a new line when not on a terminal. */
  readonly progress: (line: string) => void;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

export const realEnvironment = (): WarehouseEnvironment => ({
  createClient: (region) => new RedshiftDataClient({ region }),
  outputs: (file) => (file === undefined ? terraformOutputs(PROJECT_ROOT) : outputsFile(path.resolve(file))),
  print: (line) => console.log(line),
  printError: (line) => console.error(line),
  progress: (line) => (process.stdout.isTTY ? process.stdout.write(`\r\x1b[2K${line}`) : console.log(line)),
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
});

export class UsageError extends Error {}

type FlagSpec = Record<string, { type: 'boolean' | 'string' }>;

/** Parses `--flag` and `--flag value` options; anything else is a UsageError. */
export function parseFlags<S extends FlagSpec>(
  argv: readonly string[],
  spec: S,
): { [K in keyof S]?: S[K]['type'] extends 'boolean' ? boolean : string } {
  try {
    return parseArgs({ args: [...argv], options: spec, strict: true, allowPositionals: false }).values as {
      [K in keyof S]?: S[K]['type'] extends 'boolean' ? boolean : string;
    };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/**
 * Runs a command: usage errors exit 2 with the usage text, any other error exits 1 with its message,
 * never a stack trace.
 */
export async function runCommand(
  environment: Pick<WarehouseEnvironment, 'printError'>,
  usage: string,
  command: () => Promise<number>,
): Promise<number> {
  try {
    return await command();
  } catch (error) {
    if (error instanceof UsageError) {
      environment.printError(`error: ${error.message}\n\n${usage}`);
      return 2;
    }
    environment.printError(`error: ${(error as Error).message}`);
    return 1;
  }
}

/** The Data API client for the deployed workgroup, as its admin (setup creates users, roles and models). */
export function warehouseDataApi(environment: WarehouseEnvironment, outputs: WarehouseOutputs): DataApi {
  const region = outputs.workgroupArn.split(':')[3];
  return new DataApi(environment.createClient(region), {
    workgroupName: outputs.workgroupName,
    database: outputs.databaseName,
    secretArn: outputs.adminSecretArn,
  });
}
