/** What the two warehouse commands share: their environment and the admin Data API (flags and errors: scripts/lib/cli.ts). */
import { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import * as path from 'path';
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

/** The Data API client for the deployed workgroup, as its admin (setup creates users, roles and models). */
export function warehouseDataApi(environment: WarehouseEnvironment, outputs: WarehouseOutputs): DataApi {
  const region = outputs.workgroupArn.split(':')[3];
  return new DataApi(environment.createClient(region), {
    workgroupName: outputs.workgroupName,
    database: outputs.databaseName,
    secretArn: outputs.adminSecretArn,
  });
}
