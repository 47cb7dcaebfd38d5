/**
 * `npm run model:status [-- --wait]`: the model's state (TRAINING, READY or FAILED) from SHOW MODEL;
 * with --wait, checks again every interval until training ends. On READY it prints the model's
 * metrics and the EXPLAIN_MODEL summary; on FAILED, the reason and how to retry.
 */
import { STATUS_QUERIES } from '../../sql';
import { UsageError, parseFlags } from '../lib/cli';
import { runCommand } from '../lib/cli';
import { WarehouseEnvironment, warehouseDataApi } from './cli';
import { DataApi, StatementFailedError } from './data-api';
import { placeholderValues } from './placeholders';
import { Placeholders, loadSqlFile, quoteIdentifier, render } from './sql-template';
import { WarehouseOutputs, readWarehouseOutputs } from './stack-outputs';

/**
 * Every check is a query; when it wakes an idle workgroup it bills at least 60 s of base capacity
 * (8 RPU: about 0.05 USD). Training takes an hour or more, so the default checks every 5 minutes.
 */
export const DEFAULT_INTERVAL_SECONDS = 300;
const MIN_INTERVAL_SECONDS = 30;
const TOP_FEATURES = 5;

export const MODEL_STATUS_USAGE = `Usage: npm run model:status [-- [--wait [--interval <seconds>]] [--outputs-file <file>]]

Shows the state of the Redshift ML model (TRAINING, READY or FAILED) of the deployed redshift stack.

  --wait                 check again until training ends (exit 0 when READY, 1 when FAILED)
  --interval <seconds>   time between checks with --wait (default ${DEFAULT_INTERVAL_SECONDS}, at least ${MIN_INTERVAL_SECONDS})
  --outputs-file <file>  read stack outputs from \`cdktf deploy --outputs-file <file>\`
  --help                 show this text`;

const FLAGS = {
  wait: { type: 'boolean' },
  interval: { type: 'string' },
  'outputs-file': { type: 'string' },
  help: { type: 'boolean' },
} as const;

export type ModelState = 'TRAINING' | 'READY' | 'FAILED';

export function modelStatusMain(argv: readonly string[], environment: WarehouseEnvironment): Promise<number> {
  return runCommand(environment, MODEL_STATUS_USAGE, async () => {
    const flags = parseFlags(argv, FLAGS);
    if (flags.help) {
      environment.print(MODEL_STATUS_USAGE);
      return 0;
    }
    const intervalSeconds = flags.interval === undefined ? DEFAULT_INTERVAL_SECONDS : Number(flags.interval);
    if (!Number.isInteger(intervalSeconds) || intervalSeconds < MIN_INTERVAL_SECONDS) {
      throw new UsageError(`--interval must be a whole number of seconds, at least ${MIN_INTERVAL_SECONDS}`);
    }
    if (flags.interval !== undefined && !flags.wait) throw new UsageError('--interval only applies with --wait');
    return runModelStatus(environment, { outputsFile: flags['outputs-file'], wait: flags.wait ?? false, intervalSeconds });
  });
}

/** SHOW MODEL says READY, TRAINING or FAILED; anything else is still on its way. */
export function classifyModelState(state: string): ModelState {
  if (/ready/i.test(state)) return 'READY';
  if (/fail|error/i.test(state)) return 'FAILED';
  return 'TRAINING';
}

/** SHOW MODEL's Key/Value rows, keys trimmed, empty ones dropped. */
type ModelDetails = ReadonlyArray<readonly [key: string, value: string]>;

function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  const parts = [Math.floor(seconds / 3600), Math.floor((seconds % 3600) / 60), seconds % 60];
  return parts[0] > 0 ? `${parts[0]}h ${parts[1]}m` : `${parts[1]}m ${String(parts[2]).padStart(2, '0')}s`;
}

class ModelQueries {
  constructor(
    private readonly dataApi: DataApi,
    private readonly values: Placeholders,
  ) {}

  private run(file: string) {
    const [statement] = loadSqlFile(file).statements;
    return this.dataApi.query(render(statement.template, this.values));
  }

  async exists(): Promise<boolean> {
    return (await this.run(STATUS_QUERIES.modelState)).length > 0;
  }

  async details(): Promise<ModelDetails> {
    return (await this.run(STATUS_QUERIES.showModel)).flatMap((row) => {
      const [key, value] = Object.values(row).map((field) => String(field ?? '').trim());
      return key === '' || value === '' ? [] : [[key, value] as const];
    });
  }

  async explanation(): Promise<string> {
    return String(Object.values((await this.run(STATUS_QUERIES.explainModel))[0] ?? {})[0] ?? '');
  }
}

export async function runModelStatus(
  environment: WarehouseEnvironment,
  options: { outputsFile: string | undefined; wait: boolean; intervalSeconds: number },
): Promise<number> {
  const { print } = environment;
  const warehouse = await readWarehouseOutputs(environment.outputs(options.outputsFile));
  const model = `${warehouse.schemaName}.${warehouse.modelName}`;
  const queries = new ModelQueries(
    warehouseDataApi(environment, warehouse),
    placeholderValues(warehouse, undefined),
  );

  if (!(await queries.exists())) {
    print(`Model ${model} does not exist yet: run npm run warehouse:setup to train it.`);
    return 1;
  }
  const started = environment.now();
  let details = await queries.details();
  let state = classifyModelState(valueOf(details, 'Model State'));
  while (options.wait && state === 'TRAINING') {
    environment.progress(
      `Model ${model}: TRAINING, waited ${formatDuration(environment.now() - started)}, next check in ${options.intervalSeconds} s`,
    );
    await environment.sleep(options.intervalSeconds * 1000);
    details = await queries.details();
    state = classifyModelState(valueOf(details, 'Model State'));
  }
  if (options.wait) environment.progress(`Model ${model}: ${state}, waited ${formatDuration(environment.now() - started)}\n`);

  print(`Model ${model}: ${state}`);
  for (const [key, value] of details) {
    if (key !== 'Query') print(`  ${key}: ${value.length > 100 ? `${value.slice(0, 97)}...` : value}`);
  }

  switch (state) {
    case 'TRAINING':
      print('\nStill training in SageMaker. Follow it with: npm run model:status -- --wait');
      return 0;
    case 'FAILED':
      printRetry(environment, warehouse);
      return 1;
    case 'READY':
      print(`\nMetrics: ${metricsOf(details) || 'none reported'}`);
      await printExplanation(environment, queries);
      return 0;
  }
}

const valueOf = (details: ModelDetails, key: string): string => details.find(([k]) => k === key)?.[1] ?? '';

/** Validation metrics (`validation:f1_binary`, ...) and the training cost SHOW MODEL reports. */
const metricsOf = (details: ModelDetails): string =>
  details
    .filter(([key]) => key.includes(':') || key === 'Estimated Cost')
    .map(([key, value]) => `${key} = ${value}`)
    .join(', ');

function printRetry(environment: WarehouseEnvironment, warehouse: WarehouseOutputs): void {
  const drop = `DROP MODEL ${quoteIdentifier(warehouse.schemaName)}.${quoteIdentifier(warehouse.modelName)}`;
  environment.print(`
Training failed. To retry:
  1. drop the failed model (a FAILED model keeps its name until dropped):
     aws redshift-data execute-statement --workgroup-name ${warehouse.workgroupName} --database ${warehouse.databaseName} \\
       --secret-arn ${warehouse.adminSecretArn} --sql '${drop}'
  2. run npm run warehouse:setup again: the table stays loaded, CREATE MODEL runs again.
If the reason is the time limit, raise MODEL_MAX_RUNTIME_SECONDS and deploy the redshift stack first.`);
}

/** EXPLAIN_MODEL's SHAP report, e.g. `{"explanations":{"kernel_shap":{"label0":{"global_shap_values":{...}}}}}`. */
export function summarizeExplanation(json: string, top = TOP_FEATURES): string[] {
  let report: { explanations?: unknown };
  try {
    report = JSON.parse(json) as { explanations?: unknown };
  } catch {
    return [`unreadable EXPLAIN_MODEL output: ${json.slice(0, 200)}`];
  }
  if (typeof report.explanations === 'string') return [report.explanations];
  const labels = Object.entries(
    (report.explanations as { kernel_shap?: Record<string, { global_shap_values?: Record<string, number> }> } | undefined)
      ?.kernel_shap ?? {},
  );
  if (labels.length === 0) return ['EXPLAIN_MODEL returned no SHAP values'];
  return labels.flatMap(([label, { global_shap_values: values = {} }]) => [
    `${label}: the ${top} features with the largest mean |SHAP| value`,
    ...Object.entries(values)
      .sort(([, a], [, b]) => Math.abs(b) - Math.abs(a))
      .slice(0, top)
      .map(([feature, value]) => `  ${feature.padEnd(26)} ${value.toFixed(4)}`),
  ]);
}

async function printExplanation(environment: WarehouseEnvironment, queries: ModelQueries): Promise<void> {
  try {
    const lines = summarizeExplanation(await queries.explanation());
    environment.print(['\nEXPLAIN_MODEL', ...lines.map((line) => `  ${line}`)].join('\n'));
  } catch (error) {
    if (!(error instanceof StatementFailedError)) throw error;
    environment.print(`\nEXPLAIN_MODEL unavailable (it covers XGBoost models only): ${error.databaseMessage}`);
  }
}
