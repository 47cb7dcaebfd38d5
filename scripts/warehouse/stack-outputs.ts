/**
 * The deployed stacks' outputs, which the warehouse scripts run against: read with `terraform output
 * -json` in the stack's synthesized directory (where `cdktf deploy` ran `terraform init`), or from the
 * JSON file that `cdktf deploy --outputs-file <file>` writes.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { promisify } from 'util';

export type StackName = 'redshift' | 'api';
export type StackOutputs = Readonly<Record<string, unknown>>;

export class OutputsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutputsError';
  }
}

export interface OutputsSource {
  /** Where the outputs come from, for the report. */
  readonly description: string;
  /** Where one stack's outputs are read, for messages about that stack. */
  locate(stack: StackName): string;
  /** The stack's outputs, or undefined when the stack has not been deployed. */
  read(stack: StackName): Promise<StackOutputs | undefined>;
}

/** `terraform output -json` in `cdktf.out/stacks/<stack>` (`terraform`: the executable to run, from PATH by default). */
export function terraformOutputs(projectRoot: string, terraform = 'terraform'): OutputsSource {
  const stackDir = (stack: StackName) => path.join(projectRoot, 'cdktf.out', 'stacks', stack);
  return {
    description: "terraform output in each stack's folder under cdktf.out/stacks",
    locate: (stack) => `terraform output in ${path.relative(projectRoot, stackDir(stack))}`,
    async read(stack) {
      const cwd = stackDir(stack);
      if (!fs.existsSync(path.join(cwd, '.terraform'))) return undefined;
      try {
        const { stdout } = await promisify(execFile)(terraform, ['output', '-json', '-no-color'], { cwd });
        const outputs = Object.entries(JSON.parse(stdout) as Record<string, { value: unknown }>);
        return outputs.length === 0 ? undefined : Object.fromEntries(outputs.map(([name, output]) => [name, output.value]));
      } catch (error) {
        const stderr = (error as { stderr?: string }).stderr ?? '';
        // Terraform may print CLI-configuration warnings first; the error line is what matters.
        const reason = /Error: (.*)/.exec(stderr)?.[1] ?? (stderr.trim().split('\n')[0] || (error as Error).message);
        throw new OutputsError(`cannot read the ${stack} stack's outputs in ${cwd}: ${reason}`);
      }
    },
  };
}

/** The file written by `cdktf deploy <stacks...> --outputs-file <file>`: `{ "<stack>": { "<output>": value } }`. */
export function outputsFile(file: string): OutputsSource {
  const expected = 'a JSON object of stacks, {"<stack>": {"<output>": value}}, as `cdktf deploy --outputs-file` writes';
  return {
    description: file,
    locate: (stack) => `"${stack}" in ${file}`,
    async read(stack) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
      } catch (error) {
        throw new OutputsError(`cannot read outputs file ${file}: ${(error as Error).message}`);
      }
      if (!isPlainObject(parsed)) {
        throw new OutputsError(`outputs file ${file} is malformed: expected ${expected}, found ${kindOf(parsed)}`);
      }
      const outputs = parsed[stack];
      if (outputs === undefined) return undefined;
      if (!isPlainObject(outputs)) {
        throw new OutputsError(`outputs file ${file} is malformed: "${stack}" should hold an object of outputs, found ${kindOf(outputs)}`);
      }
      return Object.keys(outputs).length > 0 ? outputs : undefined;
    },
  };
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const kindOf = (value: unknown): string => (Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`);

/** What the warehouse scripts need from the `redshift` stack. */
export interface WarehouseOutputs {
  readonly workgroupName: string;
  readonly workgroupArn: string;
  readonly databaseName: string;
  readonly adminSecretArn: string;
  readonly schemaName: string;
  readonly tableName: string;
  readonly modelName: string;
  readonly predictionFunction: string;
  readonly artifactsBucketName: string;
  readonly kmsKeyId: string;
  readonly datasetUri: string;
  readonly modelMaxRuntimeSeconds: number;
}

const WAREHOUSE_OUTPUTS: Record<keyof WarehouseOutputs, [output: string, type: 'string' | 'number']> = {
  workgroupName: ['workgroup_name', 'string'],
  workgroupArn: ['workgroup_arn', 'string'],
  databaseName: ['database_name', 'string'],
  adminSecretArn: ['admin_secret_arn', 'string'],
  schemaName: ['schema_name', 'string'],
  tableName: ['table_name', 'string'],
  modelName: ['model_name', 'string'],
  predictionFunction: ['prediction_function', 'string'],
  artifactsBucketName: ['artifacts_bucket_name', 'string'],
  kmsKeyId: ['kms_key_id', 'string'],
  datasetUri: ['dataset_uri', 'string'],
  modelMaxRuntimeSeconds: ['model_max_runtime_seconds', 'number'],
};

export async function readWarehouseOutputs(source: OutputsSource): Promise<WarehouseOutputs> {
  const outputs = await source.read('redshift');
  if (outputs === undefined) {
    throw new OutputsError(
      `the redshift stack has no outputs (${source.locate('redshift')}): deploy it first (npx cdktf deploy network redshift)`,
    );
  }
  const values: Record<string, unknown> = {};
  const wrong: string[] = [];
  for (const [key, [output, type]] of Object.entries(WAREHOUSE_OUTPUTS)) {
    const value = outputs[output];
    if (typeof value === type) values[key] = value;
    else wrong.push(`${output} (${type})`);
  }
  if (wrong.length > 0) {
    throw new OutputsError(`the redshift stack's outputs lack ${wrong.join(', ')}: re-deploy it (npx cdktf deploy redshift)`);
  }
  return values as unknown as WarehouseOutputs;
}

export const LAMBDA_ROLE_OUTPUT = 'lambda_role_name';

/** The prediction Lambda's role name from the `api` stack, or undefined until that stack is deployed. */
export async function readLambdaRoleName(source: OutputsSource): Promise<string | undefined> {
  const value = (await source.read('api'))?.[LAMBDA_ROLE_OUTPUT];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
