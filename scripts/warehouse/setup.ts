/**
 * `npm run warehouse:setup`: runs `sql/001_*.sql`, `sql/002_*.sql`, ... against the deployed workgroup,
 * statement by statement, showing each one and its result. Safe to re-run: guarded statements whose
 * work is done are skipped, the rest are idempotent. Stops at the first failure, naming the file and
 * the database's message.
 */
import { SETUP_SQL_DIRECTORY } from '../../sql';
import { parseFlags } from '../lib/cli';
import { runCommand } from '../lib/cli';
import { WarehouseEnvironment, warehouseDataApi } from './cli';
import { Row, StatementFailedError } from './data-api';
import { placeholderValues } from './placeholders';
import { Placeholders, SqlFile, loadSetupFiles, pendingReason, render } from './sql-template';
import { OutputsError, readLambdaRoleName, readWarehouseOutputs } from './stack-outputs';

export const SETUP_USAGE = `Usage: npm run warehouse:setup [-- [--outputs-file <file>] [--dry-run]]

Creates the table, loads the dataset, starts training the model and grants the prediction Lambda
access, by running sql/001_*.sql, sql/002_*.sql, ... against the deployed redshift stack.

  --outputs-file <file>  read stack outputs from \`cdktf deploy --outputs-file <file>\` instead of
                         \`terraform output\` in cdktf.out/stacks/<stack>
  --dry-run              print the SQL that would run, without running it (with --outputs-file,
                         nothing touches AWS)
  --help                 show this text`;

const FLAGS = {
  'outputs-file': { type: 'string' },
  'dry-run': { type: 'boolean' },
  help: { type: 'boolean' },
} as const;

export function setupMain(argv: readonly string[], environment: WarehouseEnvironment): Promise<number> {
  return runCommand(environment, SETUP_USAGE, async () => {
    const flags = parseFlags(argv, FLAGS);
    if (flags.help) {
      environment.print(SETUP_USAGE);
      return 0;
    }
    return runSetup(environment, { outputsFile: flags['outputs-file'], dryRun: flags['dry-run'] ?? false });
  });
}

/** First line of a statement, short enough for one line of the report. */
function label(sql: string): string {
  const firstLine = sql.split('\n')[0].trim();
  return firstLine.length > 72 ? `${firstLine.slice(0, 69)}...` : firstLine;
}

const describeRow = (row: Row): string =>
  Object.entries(row)
    .map(([column, value]) => `${column}=${String(value)}`)
    .join(', ');

const indent = (sql: string): string =>
  sql
    .split('\n')
    .map((line) => `      ${line}`)
    .join('\n');

export async function runSetup(
  environment: WarehouseEnvironment,
  options: { outputsFile: string | undefined; dryRun: boolean },
): Promise<number> {
  const { print } = environment;
  const outputs = environment.outputs(options.outputsFile);
  const warehouse = await readWarehouseOutputs(outputs);
  let lambdaRoleName: string | undefined;
  try {
    lambdaRoleName = await readLambdaRoleName(outputs);
  } catch (error) {
    if (!(error instanceof OutputsError)) throw error;
    print(`note: ${error.message}`);
  }
  const values = placeholderValues(warehouse, lambdaRoleName);
  const files = loadSetupFiles(SETUP_SQL_DIRECTORY);

  print(
    `Warehouse setup: workgroup ${warehouse.workgroupName}, database ${warehouse.databaseName}` +
      ` (stack outputs from ${outputs.description})${options.dryRun ? ', dry run: nothing is sent' : ''}`,
  );
  if (options.dryRun) {
    for (const file of files) printDryRun(environment, file, values);
    return 0;
  }

  const dataApi = warehouseDataApi(environment, warehouse);
  const counts = { ran: 0, skipped: 0, waiting: 0 };
  for (const file of files) {
    print(`\n${file.name}: ${file.title}`);
    const waitingFor = pendingReason(file, values);
    if (waitingFor !== undefined) {
      print(`  wait  ${waitingFor}`);
      counts.waiting += 1;
      continue;
    }
    for (const statement of file.statements) {
      const sql = render(statement.template, values);
      try {
        const [found] = statement.unless === undefined ? [] : await dataApi.query(render(statement.unless, values));
        if (found !== undefined) {
          print(`  skip  ${label(sql)}  (already done: ${describeRow(found)})`);
          counts.skipped += 1;
          continue;
        }
        const started = environment.now();
        await dataApi.query(sql);
        print(`  ok    ${label(sql)}  (${((environment.now() - started) / 1000).toFixed(1)} s)`);
        counts.ran += 1;
      } catch (error) {
        const reason =
          error instanceof StatementFailedError
            ? `the database says: ${error.databaseMessage}`
            : `${(error as Error).name}: ${(error as Error).message}`;
        print(`  FAIL  ${label(sql)}`);
        environment.printError(`\nStopped at ${file.name}: ${reason}`);
        environment.printError('Fix the cause and run npm run warehouse:setup again; what is done is skipped.');
        return 1;
      }
    }
  }

  print(`\nDone: ${counts.ran} statements ran, ${counts.skipped} skipped as already done, ${counts.waiting} files waiting.`);
  print('Training runs in SageMaker for up to the model\'s MAX_RUNTIME; follow it with: npm run model:status -- --wait');
  if (counts.waiting > 0) print('Run npm run warehouse:setup again once the waiting files can run.');
  return 0;
}

function printDryRun(environment: WarehouseEnvironment, file: SqlFile, values: Placeholders): void {
  environment.print(`\n${file.name}: ${file.title}`);
  const waitingFor = pendingReason(file, values);
  if (waitingFor !== undefined) {
    environment.print(`  wait  ${waitingFor}`);
    return;
  }
  for (const statement of file.statements) {
    if (statement.unless !== undefined) environment.print(`  unless a row comes back from:\n${indent(render(statement.unless, values))}`);
    environment.print(`  run:\n${indent(render(statement.template, values))}`);
  }
}
