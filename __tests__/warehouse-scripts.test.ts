import {
  DescribeStatementCommand,
  ExecuteStatementCommand,
  ExecuteStatementCommandInput,
  Field,
  GetStatementResultCommand,
  RedshiftDataClient,
} from '@aws-sdk/client-redshift-data';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { WarehouseEnvironment, realEnvironment } from '../scripts/warehouse/cli';
import { DataApi } from '../scripts/warehouse/data-api';
import { FakeClock } from './helpers/data-api';
import { MODEL_STATUS_USAGE, classifyModelState, modelStatusMain, summarizeExplanation } from '../scripts/warehouse/model-status';
import { SETUP_USAGE, setupMain } from '../scripts/warehouse/setup';
import * as sqlFolder from '../sql';
import {
  OutputsError,
  OutputsSource,
  StackName,
  StackOutputs,
  outputsFile,
  readLambdaRoleName,
  readWarehouseOutputs,
  terraformOutputs,
} from '../scripts/warehouse/stack-outputs';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const REDSHIFT_OUTPUTS = {
  workgroup_name: 'loan-remediation-dev',
  workgroup_arn: 'arn:aws:redshift-serverless:eu-west-2:123456789012:workgroup/0b1c',
  namespace_name: 'loan-remediation-dev',
  database_name: 'loans',
  admin_secret_arn: 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:redshift!loan-remediation-dev-admin-AbCdEf',
  schema_name: 'public',
  table_name: 'loan_remediation',
  model_name: 'predict_model',
  prediction_function: 'ml_fn_prediction',
  artifacts_bucket_name: 'loan-remediation-dev-model-artifacts-2026',
  kms_key_id: '11111111-2222-3333-4444-555555555555',
  dataset_uri: 's3://loan-remediation-dev-dataset-2026/dataset/loan_remediation_data.csv',
  model_max_runtime_seconds: 5400,
};
const API_OUTPUTS = { lambda_role_name: 'loan-remediation-dev-prediction' };

type Row = Record<string, string | number | boolean | null>;
/** What the fake warehouse answers to one statement: rows, nothing, or a database error. */
type Reply = { rows?: Row[]; error?: string; runningChecks?: number };

const redshiftData = mockClient(RedshiftDataClient);

function toField(value: Row[string]): Field {
  if (value === null) return { isNull: true };
  if (typeof value === 'number') return { longValue: value };
  if (typeof value === 'boolean') return { booleanValue: value };
  return { stringValue: value };
}

/**
 * A Data API backed by `answer`: each statement gets an id; it is FINISHED (or FAILED with the reply's
 * error) right away, or after `runningChecks` DescribeStatement calls.
 */
function fakeWarehouse(answer: (sql: string) => Reply): void {
  const replies = new Map<string, Reply & { checks: number }>();
  const statusOf = (reply: Reply & { checks: number }) =>
    reply.checks < (reply.runningChecks ?? 0) ? 'STARTED' : reply.error ? 'FAILED' : 'FINISHED';
  redshiftData.on(ExecuteStatementCommand).callsFake((input: ExecuteStatementCommandInput) => {
    const id = `statement-${replies.size + 1}`;
    const reply = { ...answer(input.Sql ?? ''), checks: 0 };
    replies.set(id, reply);
    return { Id: id, Status: statusOf(reply), HasResultSet: reply.rows !== undefined };
  });
  redshiftData.on(DescribeStatementCommand).callsFake(({ Id }: { Id: string }) => {
    const reply = replies.get(Id)!;
    reply.checks += 1;
    return { Id, Status: statusOf(reply), Error: reply.error, HasResultSet: reply.rows !== undefined };
  });
  redshiftData.on(GetStatementResultCommand).callsFake(({ Id }: { Id: string }) => {
    const rows = replies.get(Id)!.rows ?? [];
    return {
      ColumnMetadata: Object.keys(rows[0] ?? {}).map((name) => ({ name, label: name })),
      Records: rows.map((row) => Object.values(row).map(toField)),
      TotalNumRows: rows.length,
    };
  });
}

/**
 * An environment with fixed stack outputs (an Error: reading that stack fails with it), a fake clock
 * starting at `start`, and everything printed and every outputs file asked for kept for assertions.
 */
function testEnvironment(
  outputs: Partial<Record<StackName, StackOutputs | Error>> = { redshift: REDSHIFT_OUTPUTS, api: API_OUTPUTS },
  start = 0,
) {
  const clock = new FakeClock(start);
  const printed: string[] = [];
  const errors: string[] = [];
  const outputsFiles: Array<string | undefined> = [];
  const read = async (stack: StackName): Promise<StackOutputs | undefined> => {
    const stackOutputs = outputs[stack];
    if (stackOutputs instanceof Error) throw stackOutputs;
    return stackOutputs;
  };
  const environment: WarehouseEnvironment = {
    createClient: (region) =>
      new RedshiftDataClient({ region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }),
    outputs: (file) => {
      outputsFiles.push(file);
      return { description: 'test outputs', locate: (stack) => `test outputs of ${stack}`, read };
    },
    print: (line) => printed.push(line),
    printError: (line) => errors.push(line),
    progress: (line) => printed.push(line),
    now: clock.now,
    sleep: clock.sleep,
  };
  return {
    environment,
    printed,
    errors,
    clock,
    outputsFiles,
    sleeps: clock.sleeps,
    output: () => printed.join('\n'),
    errorOutput: () => errors.join('\n'),
  };
}

const executed = (): string[] =>
  redshiftData.commandCalls(ExecuteStatementCommand).map((call) => call.args[0].input.Sql ?? '');
const ran = (pattern: RegExp): boolean => executed().some((sql) => pattern.test(sql));

/** Answers for a warehouse where nothing exists yet: guards find nothing, every statement works. */
const freshWarehouse = (sql: string): Reply => (/^SELECT/.test(sql) ? { rows: [] } : {});

/** Answers for a warehouse where a previous run did everything. */
function finishedWarehouse(sql: string): Reply {
  if (/FROM "public"."loan_remediation" HAVING/.test(sql)) return { rows: [{ rows_already_loaded: 1000 }] };
  if (/FROM svv_ml_model_info/.test(sql)) return { rows: [{ model_state: 'Model is Ready' }] };
  if (/FROM svv_roles/.test(sql)) return { rows: [{ role_name: 'prediction_api' }] };
  // Exactly as Redshift stores the quoted name: a guard that folds case would miss it.
  if (/FROM svv_user_info WHERE user_name = 'IAMR:loan-remediation-dev-prediction'$/.test(sql)) {
    return { rows: [{ user_name: 'IAMR:loan-remediation-dev-prediction' }] };
  }
  return {};
}

beforeEach(() => redshiftData.reset());

describe('npm run warehouse:setup', () => {
  test('on a fresh warehouse it creates, loads, trains and grants, through long-polled statements', async () => {
    fakeWarehouse(freshWarehouse);
    const { environment, output } = testEnvironment();

    expect(await setupMain([], environment)).toBe(0);

    expect(ran(/^CREATE TABLE IF NOT EXISTS "public"\."loan_remediation" \(\n {2}"customer_id" BIGINT,/)).toBe(true);
    expect(ran(/^COPY "public"\."loan_remediation" \("customer_id", "age",[^)]*\)\nFROM 's3:\/\/loan-remediation-dev-dataset-2026\/dataset\/loan_remediation_data\.csv'/)).toBe(true);
    expect(ran(/^CREATE MODEL "public"\."predict_model"\nFROM \(/)).toBe(true);
    expect(ran(/S3_BUCKET 'loan-remediation-dev-model-artifacts-2026',\n {2}KMS_KEY_ID '11111111-2222-3333-4444-555555555555',\n {2}MAX_RUNTIME 5400/)).toBe(true);
    expect(ran(/^GRANT EXECUTE ON MODEL "public"\."predict_model" TO ROLE prediction_api$/)).toBe(true);
    expect(ran(/^CREATE USER "IAMR:loan-remediation-dev-prediction" PASSWORD DISABLE$/)).toBe(true);
    expect(ran(/^GRANT ROLE prediction_api TO "IAMR:loan-remediation-dev-prediction"$/)).toBe(true);

    for (const call of redshiftData.commandCalls(ExecuteStatementCommand)) {
      expect(call.args[0].input).toMatchObject({
        WorkgroupName: 'loan-remediation-dev',
        Database: 'loans',
        SecretArn: REDSHIFT_OUTPUTS.admin_secret_arn,
        WaitTimeSeconds: 30,
      });
    }
    expect(await redshiftData.call(0).thisValue.config.region()).toBe('eu-west-2');
    expect(output()).toMatch(/002_load_dataset\.sql: Load the dataset CSV from S3 into the table, once\.\n {2}ok {4}COPY "public"\."loan_remediation"/);
    expect(output()).toContain('Done: 10 statements ran, 0 skipped as already done, 0 files waiting.');
    expect(output()).toContain('npm run model:status -- --wait');
  });

  test('the order is table, load, model, grants, and each guard runs before its statement', async () => {
    fakeWarehouse(freshWarehouse);
    await setupMain([], testEnvironment().environment);
    const kinds = executed().map((sql) => sql.split(/\s/).slice(0, 2).join(' '));
    expect(kinds).toEqual([
      'CREATE SCHEMA',
      'CREATE TABLE',
      'SELECT COUNT(*)',
      'COPY "public"."loan_remediation"',
      'SELECT TRIM(model_state)',
      'CREATE MODEL',
      'SELECT role_name',
      'CREATE ROLE',
      'GRANT USAGE',
      'GRANT SELECT',
      'GRANT EXECUTE',
      'SELECT user_name',
      'CREATE USER',
      'GRANT ROLE',
    ]);
  });

  test('a re-run where everything exists changes nothing and says why each step was skipped', async () => {
    fakeWarehouse(finishedWarehouse);
    const { environment, output } = testEnvironment();

    expect(await setupMain([], environment)).toBe(0);

    expect(ran(/^COPY/)).toBe(false);
    expect(ran(/^CREATE MODEL/)).toBe(false);
    expect(ran(/^CREATE ROLE/)).toBe(false);
    expect(ran(/^CREATE USER/)).toBe(false);
    expect(output()).toContain('skip  COPY "public"."loan_remediation"');
    expect(output()).toContain('(already done: rows_already_loaded=1000)');
    expect(output()).toContain('skip  CREATE MODEL "public"."predict_model"  (already done: model_state=Model is Ready)');
    expect(output()).toContain('(already done: user_name=IAMR:loan-remediation-dev-prediction)');
    expect(output()).toContain('Done: 6 statements ran, 4 skipped as already done, 0 files waiting.');
  });

  test('a FAILED statement stops the run, naming the file and the database message', async () => {
    const loadError = "Load into table 'loan_remediation' failed. Check 'sys_load_error_detail' system table for details.";
    fakeWarehouse((sql) => (/^COPY/.test(sql) ? { error: loadError } : freshWarehouse(sql)));
    const { environment, output, errorOutput } = testEnvironment();

    expect(await setupMain([], environment)).toBe(1);

    expect(output()).toContain('  FAIL  COPY "public"."loan_remediation"');
    expect(errorOutput()).toContain(`Stopped at 002_load_dataset.sql: the database says: ${loadError}`);
    expect(errorOutput()).toContain('run npm run warehouse:setup again');
    expect(ran(/^CREATE MODEL/)).toBe(false);
    expect(redshiftData).toHaveReceivedCommandWith(DescribeStatementCommand, { Id: 'statement-4' });
  });

  test('an AWS error (not the database) also stops the run at its file', async () => {
    redshiftData.on(ExecuteStatementCommand).rejects(Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException' }));
    const { environment, errorOutput } = testEnvironment();

    expect(await setupMain([], environment)).toBe(1);
    expect(errorOutput()).toContain('Stopped at 001_create_table.sql: AccessDeniedException: User is not authorized');
  });

  test('a slow statement is followed with long-polling DescribeStatement calls, not sleeps', async () => {
    fakeWarehouse((sql) => (/^CREATE MODEL/.test(sql) ? { runningChecks: 3 } : freshWarehouse(sql)));
    const { environment, sleeps } = testEnvironment();

    expect(await setupMain([], environment)).toBe(0);
    const waits = redshiftData.commandCalls(DescribeStatementCommand).map((call) => call.args[0].input.WaitTimeSeconds);
    expect(waits).toEqual([30, 30, 30]);
    expect(sleeps).toEqual([]);
  });

  test('without the api stack the grant file waits for it and the rest still runs', async () => {
    fakeWarehouse(freshWarehouse);
    const { environment, output } = testEnvironment({ redshift: REDSHIFT_OUTPUTS });

    expect(await setupMain([], environment)).toBe(0);

    expect(ran(/^CREATE MODEL/)).toBe(true);
    expect(ran(/^CREATE ROLE|^GRANT|^CREATE USER/)).toBe(false);
    expect(output()).toContain(
      "004_grant_lambda_access.sql: Let the prediction Lambda call the model, and nothing else.\n  wait  waiting for the api stack's output lambda_role_name: deploy it (npx cdktf deploy api), then re-run npm run warehouse:setup",
    );
    expect(output()).toContain('1 files waiting');
  });

  test('without the redshift stack it says to deploy it and sends nothing', async () => {
    const { environment, errorOutput } = testEnvironment({});

    expect(await setupMain([], environment)).toBe(1);
    expect(errorOutput()).toBe('error: the redshift stack has no outputs (test outputs of redshift): deploy it first (npx cdktf deploy network redshift)');
    expect(redshiftData.calls()).toHaveLength(0);
  });

  test('outputs that could change the SQL are refused before anything is sent', async () => {
    const { environment, errorOutput } = testEnvironment({
      redshift: { ...REDSHIFT_OUTPUTS, table_name: 'loans"; DROP TABLE users; --' },
    });

    expect(await setupMain([], environment)).toBe(1);
    expect(errorOutput()).toContain('refusing identifier');
    expect(redshiftData.calls()).toHaveLength(0);
  });

  test('--dry-run prints the rendered SQL and sends nothing', async () => {
    const { environment, output } = testEnvironment();

    expect(await setupMain(['--dry-run'], environment)).toBe(0);
    expect(output()).toContain('CREATE USER "IAMR:loan-remediation-dev-prediction" PASSWORD DISABLE');
    expect(output()).toContain('unless a row comes back from:');
    expect(redshiftData.calls()).toHaveLength(0);
  });

  test('the report: where it runs, each step, the totals, and what to do about a waiting file', async () => {
    fakeWarehouse(freshWarehouse);
    const { environment, printed } = testEnvironment({ redshift: REDSHIFT_OUTPUTS });

    expect(await setupMain([], environment)).toBe(0);
    expect(printed[0]).toBe('Warehouse setup: workgroup loan-remediation-dev, database loans (stack outputs from test outputs)');
    expect(printed.slice(-3)).toEqual([
      '\nDone: 4 statements ran, 0 skipped as already done, 1 files waiting.',
      "Training runs in SageMaker for up to the model's MAX_RUNTIME; follow it with: npm run model:status -- --wait",
      'Run npm run warehouse:setup again once the waiting files can run.',
    ]);
  });

  test('with no file waiting the report ends at the totals and how to follow training', async () => {
    fakeWarehouse(freshWarehouse);
    const { environment, printed } = testEnvironment();

    expect(await setupMain([], environment)).toBe(0);
    expect(printed.slice(-2)).toEqual([
      '\nDone: 10 statements ran, 0 skipped as already done, 0 files waiting.',
      "Training runs in SageMaker for up to the model's MAX_RUNTIME; follow it with: npm run model:status -- --wait",
    ]);
  });

  test('each statement that ran shows how long it took', async () => {
    const { environment, output, clock } = testEnvironment(undefined, 1_000_000);
    fakeWarehouse((sql) => {
      if (/^CREATE MODEL/.test(sql)) clock.time += 2_500;
      return freshWarehouse(sql);
    });

    expect(await setupMain([], environment)).toBe(0);
    expect(output()).toContain('  ok    CREATE MODEL "public"."predict_model"  (2.5 s)');
    expect(output()).toContain('  ok    CREATE ROLE prediction_api  (0.0 s)');
  });

  test('a statement is shown by its first line, cut to 72 characters', async () => {
    const table = `loan_remediation_${'x'.repeat(15)}`;
    fakeWarehouse(freshWarehouse);
    const { environment, output } = testEnvironment({ redshift: { ...REDSHIFT_OUTPUTS, table_name: table }, api: API_OUTPUTS });

    expect(await setupMain([], environment)).toBe(0);
    // 72 characters: shown whole.
    expect(output()).toContain(`\n  ok    CREATE TABLE IF NOT EXISTS "public"."${table}" (  (0.0 s)\n`);
    // 88 characters: the first 69 and an ellipsis.
    expect(output()).toContain(`\n  ok    GRANT SELECT ON TABLE "public"."${table}" TO ...  (0.0 s)\n`);
  });

  test('a statement is labelled by its first line without the spaces that end it', async () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'setup-sql-'));
    const replaced = jest.replaceProperty(sqlFolder, 'SETUP_SQL_DIRECTORY', folder);
    try {
      fs.writeFileSync(path.join(folder, '001_select.sql'), '-- Select.\nSELECT 1   \nFROM {{table}};\n');
      fakeWarehouse(freshWarehouse);
      const { environment, output } = testEnvironment();

      expect(await setupMain([], environment)).toBe(0);
      expect(executed()).toEqual(['SELECT 1   \nFROM "loan_remediation"']);
      expect(output()).toContain('\n001_select.sql: Select.\n  ok    SELECT 1  (0.0 s)\n');
    } finally {
      replaced.restore();
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });

  test('a guard that finds a row with several columns shows them all', async () => {
    fakeWarehouse((sql) => (/ HAVING /.test(sql) ? { rows: [{ rows_already_loaded: 1000, loaded_by: 'admin' }] } : freshWarehouse(sql)));
    const { environment, output } = testEnvironment();

    expect(await setupMain([], environment)).toBe(0);
    expect(output()).toContain('(already done: rows_already_loaded=1000, loaded_by=admin)');
  });

  test('an api stack whose outputs cannot be read is noted, and the grant file waits', async () => {
    fakeWarehouse(freshWarehouse);
    const { environment, printed, output } = testEnvironment({
      redshift: REDSHIFT_OUTPUTS,
      api: new OutputsError('cannot read the api stack\'s outputs in cdktf.out/stacks/api: state lock held'),
    });

    expect(await setupMain([], environment)).toBe(0);
    expect(printed[0]).toBe("note: cannot read the api stack's outputs in cdktf.out/stacks/api: state lock held");
    expect(output()).toContain('\n  wait  waiting for the api stack\'s output lambda_role_name');
    expect(ran(/^CREATE MODEL/)).toBe(true);
  });

  test('any other failure reading the api stack stops the run before anything is sent', async () => {
    const { environment, errorOutput } = testEnvironment({ redshift: REDSHIFT_OUTPUTS, api: new TypeError('outputs is not iterable') });

    expect(await setupMain([], environment)).toBe(1);
    expect(errorOutput()).toBe('error: outputs is not iterable');
    expect(redshiftData.calls()).toHaveLength(0);
  });

  test('a Data API answer without a statement id stops the run at its file', async () => {
    redshiftData.on(ExecuteStatementCommand).resolves({});
    const { environment, errorOutput } = testEnvironment();

    expect(await setupMain([], environment)).toBe(1);
    expect(errorOutput()).toContain('Stopped at 001_create_table.sql: Error: the Data API returned no statement id');
  });

  test('--dry-run says so, and shows each file and its statements indented line by line', async () => {
    const { environment, printed, output } = testEnvironment();

    expect(await setupMain(['--dry-run'], environment)).toBe(0);
    expect(printed[0]).toBe(
      'Warehouse setup: workgroup loan-remediation-dev, database loans (stack outputs from test outputs), dry run: nothing is sent',
    );
    expect(output()).toContain(
      '\n001_create_table.sql: Create the table of historical loan-remediation outcomes.\n  run:\n      CREATE SCHEMA IF NOT EXISTS "public"\n',
    );
    expect(output()).toContain('  run:\n      CREATE TABLE IF NOT EXISTS "public"."loan_remediation" (\n        "customer_id" BIGINT,\n        "age" ');
  });

  test('--dry-run without the api stack shows the grant file waiting, not its SQL', async () => {
    const { environment, output } = testEnvironment({ redshift: REDSHIFT_OUTPUTS });

    expect(await setupMain(['--dry-run'], environment)).toBe(0);
    expect(output()).toMatch(/004_grant_lambda_access\.sql: .*\n {2}wait {2}waiting for the api stack's output lambda_role_name: deploy it/);
    expect(output()).not.toContain('CREATE ROLE');
  });

  test('--outputs-file names where the stack outputs are read from', async () => {
    const { environment, outputsFiles } = testEnvironment();

    expect(await setupMain(['--outputs-file', 'deploy-outputs.json', '--dry-run'], environment)).toBe(0);
    expect(outputsFiles).toEqual(['deploy-outputs.json']);
  });

  test('--help prints the usage, exits 0 and sends nothing', async () => {
    const { environment, printed, errors } = testEnvironment();

    expect(await setupMain(['--help'], environment)).toBe(0);
    expect(printed).toEqual([SETUP_USAGE]);
    expect(errors).toEqual([]);
    expect(redshiftData.calls()).toHaveLength(0);
  });

  test.each([[['--force']], [['extra']], [['--outputs-file']]])('bad flags %j exit 2 with the usage and no stack trace', async (argv) => {
    const { environment, errorOutput } = testEnvironment();

    expect(await setupMain(argv, environment)).toBe(2);
    expect(errorOutput()).toMatch(/^error: .+\n\nUsage: npm run warehouse:setup/);
    expect(errorOutput()).not.toMatch(/\n\s+at /);
    expect(redshiftData.calls()).toHaveLength(0);
  });
});

/** SHOW MODEL's Key/Value rows. */
const showModel = (state: string, extra: Row[] = []): Reply => ({
  rows: [
    { Key: 'Model Name', Value: 'predict_model' },
    { Key: 'Schema Name', Value: 'public' },
    { Key: 'Model State', Value: state },
    { Key: 'Query', Value: 'SELECT age, gender, ... FROM public.loan_remediation' },
    { Key: '', Value: '' },
    ...extra,
  ],
});

const EXPLANATION = JSON.stringify({
  explanations: {
    kernel_shap: {
      label0: {
        expected_value: -0.2,
        global_shap_values: {
          age: 0.01,
          credit_score: 0.42,
          missed_payments: -0.31,
          remediation_strategy: 0.2,
          income: 0.05,
          loan_amount: 0.04,
          gender: 0.001,
        },
      },
    },
  },
  version: '1.0',
});

function modelWarehouse(states: string[], explanation: Reply = { rows: [{ explanation: EXPLANATION }] }, extra: Row[] = []) {
  let checks = 0;
  fakeWarehouse((sql) => {
    if (/FROM svv_ml_model_info/.test(sql)) return { rows: [{ model_state: 'whatever' }] };
    if (/^SHOW MODEL "public"\."predict_model"$/.test(sql)) {
      const state = states[Math.min(checks, states.length - 1)];
      checks += 1;
      return showModel(state, extra);
    }
    if (/^SELECT EXPLAIN_MODEL\('public\.predict_model'\)/.test(sql)) return explanation;
    throw new Error(`unexpected SQL ${sql}`);
  });
}

describe('npm run model:status', () => {
  test('READY: prints the state, the metrics and the EXPLAIN_MODEL summary', async () => {
    modelWarehouse(['READY'], undefined, [
      { Key: 'validation:f1_binary', Value: '0.912' },
      { Key: 'Estimated Cost', Value: '5.33' },
    ]);
    const { environment, output } = testEnvironment();

    expect(await modelStatusMain([], environment)).toBe(0);

    expect(output()).toContain('Model public.predict_model: READY');
    expect(output()).toContain('Metrics: validation:f1_binary = 0.912, Estimated Cost = 5.33');
    expect(output()).not.toContain('Query:');
    expect(output()).toMatch(/EXPLAIN_MODEL\n {2}label0: the 5 features with the largest mean \|SHAP\| value\n {4}credit_score +0\.4200\n {4}missed_payments +-0\.3100/);
    expect(output()).not.toContain('gender');
  });

  test('TRAINING without --wait: shows the state and how to follow it', async () => {
    modelWarehouse(['TRAINING']);
    const { environment, output, sleeps } = testEnvironment();

    expect(await modelStatusMain([], environment)).toBe(0);
    expect(output()).toContain('Model public.predict_model: TRAINING');
    expect(output()).toContain('npm run model:status -- --wait');
    expect(sleeps).toEqual([]);
  });

  test('--wait follows training to READY with a progress line and the elapsed time', async () => {
    modelWarehouse(['TRAINING', 'TRAINING', 'READY']);
    const { environment, output, sleeps } = testEnvironment();

    expect(await modelStatusMain(['--wait', '--interval', '60'], environment)).toBe(0);
    expect(sleeps).toEqual([60_000, 60_000]);
    expect(output()).toContain('Model public.predict_model: TRAINING, waited 0m 00s, next check in 60 s');
    expect(output()).toContain('Model public.predict_model: TRAINING, waited 1m 00s, next check in 60 s');
    expect(output()).toContain('Model public.predict_model: READY, waited 2m 00s');
  });

  test('a model that fails training: the reason and how to retry, exit 1', async () => {
    modelWarehouse(['TRAINING', 'FAILED'], undefined, [
      { Key: 'Reason', Value: 'Training data must have at least 500 rows' },
    ]);
    const { environment, output, sleeps } = testEnvironment();

    expect(await modelStatusMain(['--wait'], environment)).toBe(1);
    expect(sleeps).toEqual([300_000]);
    expect(output()).toContain('Model public.predict_model: FAILED');
    expect(output()).toContain('Reason: Training data must have at least 500 rows');
    expect(output()).toContain(`--sql 'DROP MODEL "public"."predict_model"'`);
    expect(output()).toContain('--workgroup-name loan-remediation-dev --database loans');
    expect(output()).toContain('run npm run warehouse:setup again');
    expect(ran(/EXPLAIN_MODEL/)).toBe(false);
  });

  test('a model that does not exist yet points to the setup', async () => {
    fakeWarehouse(() => ({ rows: [] }));
    const { environment, output } = testEnvironment();

    expect(await modelStatusMain([], environment)).toBe(1);
    expect(output()).toBe('Model public.predict_model does not exist yet: run npm run warehouse:setup to train it.');
  });

  test('EXPLAIN_MODEL failing (not an XGBoost model) does not fail the status', async () => {
    modelWarehouse(['READY'], { error: 'explainability is only supported for XGBoost models' });
    const { environment, output } = testEnvironment();

    expect(await modelStatusMain([], environment)).toBe(0);
    expect(output()).toContain('EXPLAIN_MODEL unavailable (it covers XGBoost models only): explainability is only supported');
  });

  test.each([[['--wiat']], [['--interval', '5', '--wait']], [['--interval', 'soon', '--wait']], [['--interval', '60']]])(
    'bad flags %j exit 2 with the usage and no stack trace',
    async (argv) => {
      const { environment, errorOutput } = testEnvironment();

      expect(await modelStatusMain(argv, environment)).toBe(2);
      expect(errorOutput()).toMatch(/^error: .+\n\nUsage: npm run model:status/);
      expect(redshiftData.calls()).toHaveLength(0);
    },
  );

  test('SHOW MODEL states map to TRAINING, READY and FAILED', () => {
    expect(classifyModelState('READY')).toBe('READY');
    expect(classifyModelState('Model is Ready')).toBe('READY');
    expect(classifyModelState('FAILED')).toBe('FAILED');
    expect(classifyModelState('TRAINING')).toBe('TRAINING');
    expect(classifyModelState('Train Model On SageMaker In Progress')).toBe('TRAINING');
  });

  test('an explanation cut short by MAX_RUNTIME is shown as it is', () => {
    const message = 'Processing job failed: Maximum runtime reached and processing job is unfinished.';
    expect(summarizeExplanation(JSON.stringify({ explanations: message }))).toEqual([message]);
  });

  test('the details: keys and values trimmed, empty ones and the query left out, long values cut at 100 characters', async () => {
    modelWarehouse(['TRAINING'], undefined, [
      { Key: '  Reason  ', Value: '  still exporting  ' },
      { Key: 'No value', Value: '' },
      { Key: '', Value: 'no key' },
      { Key: 'Null value', Value: null },
      { Key: 'Exactly 100', Value: 'a'.repeat(100) },
      { Key: 'Over 100', Value: 'b'.repeat(101) },
    ]);
    const { environment, printed } = testEnvironment();

    expect(await modelStatusMain([], environment)).toBe(0);
    expect(printed).toEqual([
      'Model public.predict_model: TRAINING',
      '  Model Name: predict_model',
      '  Schema Name: public',
      '  Model State: TRAINING',
      '  Reason: still exporting',
      `  Exactly 100: ${'a'.repeat(100)}`,
      `  Over 100: ${'b'.repeat(97)}...`,
      '\nStill training in SageMaker. Follow it with: npm run model:status -- --wait',
    ]);
  });

  test('SHOW MODEL without a Model State row counts as still training', async () => {
    fakeWarehouse((sql) => (/FROM svv_ml_model_info/.test(sql) ? { rows: [{ model_state: 'whatever' }] } : { rows: [{ Key: 'Model Name', Value: 'predict_model' }] }));
    const { environment, printed } = testEnvironment();

    expect(await modelStatusMain([], environment)).toBe(0);
    expect(printed[0]).toBe('Model public.predict_model: TRAINING');
  });

  test('--wait counts hours once training has taken one', async () => {
    modelWarehouse(['TRAINING', 'TRAINING', 'READY']);
    const { environment, output } = testEnvironment(undefined, 1_000_000);

    expect(await modelStatusMain(['--wait', '--interval', '1800'], environment)).toBe(0);
    expect(output()).toContain('Model public.predict_model: TRAINING, waited 0m 00s, next check in 1800 s');
    expect(output()).toContain('Model public.predict_model: TRAINING, waited 30m 00s, next check in 1800 s');
    expect(output()).toContain('Model public.predict_model: READY, waited 1h 0m\n');
  });

  test('--interval takes the minimum, 30 seconds', async () => {
    modelWarehouse(['TRAINING', 'READY']);
    const { environment, sleeps } = testEnvironment();

    expect(await modelStatusMain(['--wait', '--interval', '30'], environment)).toBe(0);
    expect(sleeps).toEqual([30_000]);
  });

  test('READY without metrics says none were reported', async () => {
    modelWarehouse(['READY']);
    const { environment, printed } = testEnvironment();

    expect(await modelStatusMain([], environment)).toBe(0);
    expect(printed).toContain('\nMetrics: none reported');
  });

  test('an EXPLAIN_MODEL that returns no row is reported as unreadable', async () => {
    modelWarehouse(['READY'], { rows: [] });
    const { environment, printed } = testEnvironment();

    expect(await modelStatusMain([], environment)).toBe(0);
    expect(printed.at(-1)).toBe('\nEXPLAIN_MODEL\n  unreadable EXPLAIN_MODEL output: ');
  });

  test('EXPLAIN_MODEL failing in AWS (not the database) fails the status', async () => {
    fakeWarehouse((sql) => {
      if (/EXPLAIN_MODEL/.test(sql)) throw Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException' });
      return /FROM svv_ml_model_info/.test(sql) ? { rows: [{ model_state: 'whatever' }] } : showModel('READY');
    });
    const { environment, output, errorOutput } = testEnvironment();

    expect(await modelStatusMain([], environment)).toBe(1);
    expect(errorOutput()).toBe('error: User is not authorized');
    expect(output()).not.toContain('EXPLAIN_MODEL unavailable');
  });

  test('SHOW MODEL failing in the database fails the status with its status and message', async () => {
    fakeWarehouse((sql) => (/FROM svv_ml_model_info/.test(sql) ? { rows: [{ model_state: 'whatever' }] } : { error: 'permission denied for model predict_model' }));
    const { environment, errorOutput } = testEnvironment();

    expect(await modelStatusMain([], environment)).toBe(1);
    expect(errorOutput()).toBe('error: FAILED: permission denied for model predict_model');
  });

  test('--outputs-file names where the stack outputs are read from', async () => {
    modelWarehouse(['READY']);
    const { environment, outputsFiles } = testEnvironment();

    expect(await modelStatusMain(['--outputs-file', 'deploy-outputs.json'], environment)).toBe(0);
    expect(outputsFiles).toEqual(['deploy-outputs.json']);
  });

  test('--help prints the usage, exits 0 and sends nothing', async () => {
    const { environment, printed, errors } = testEnvironment();

    expect(await modelStatusMain(['--help'], environment)).toBe(0);
    expect(printed).toEqual([MODEL_STATUS_USAGE]);
    expect(errors).toEqual([]);
    expect(redshiftData.calls()).toHaveLength(0);
  });

  test('EXPLAIN_MODEL output that is not JSON, or has no SHAP values, is said to be so', () => {
    expect(summarizeExplanation('Processing job failed')).toEqual(['unreadable EXPLAIN_MODEL output: Processing job failed']);
    expect(summarizeExplanation(`<${'x'.repeat(300)}`)).toEqual([`unreadable EXPLAIN_MODEL output: <${'x'.repeat(199)}`]);
    expect(summarizeExplanation('{}')).toEqual(['EXPLAIN_MODEL returned no SHAP values']);
    expect(summarizeExplanation('{"explanations": {"kernel_shap": {}}}')).toEqual(['EXPLAIN_MODEL returned no SHAP values']);
  });
});

describe('the Data API client the commands share', () => {
  const dataApi = () =>
    new DataApi(testEnvironment().environment.createClient('eu-west-2'), { workgroupName: 'wg', database: 'loans', secretArn: 'arn:secret' });

  test('a failed statement without an error message is still a StatementFailedError, with its status', async () => {
    redshiftData.on(ExecuteStatementCommand).resolves({ Id: 'statement-1', Status: 'FAILED' });
    redshiftData.on(DescribeStatementCommand).resolves({ Id: 'statement-1', Status: 'FAILED' });

    await expect(dataApi().query('CREATE MODEL x')).rejects.toMatchObject({
      name: 'StatementFailedError',
      status: 'FAILED',
      databaseMessage: 'the Data API gave no error message',
      message: 'FAILED: the Data API gave no error message',
    });
  });

  test('a statement without a result set returns no rows, without asking for any', async () => {
    redshiftData.on(ExecuteStatementCommand).resolves({ Id: 'statement-1', Status: 'FINISHED', HasResultSet: false });

    expect(await dataApi().query('CREATE SCHEMA x')).toEqual([]);
    expect(redshiftData.commandCalls(GetStatementResultCommand)).toHaveLength(0);
  });

  test('rows come from every page, named by column label, else name, else position', async () => {
    const columns = [{ name: 'count', label: 'rows_loaded' }, { name: 'source' }, {}];
    redshiftData.on(ExecuteStatementCommand).resolves({ Id: 'statement-1', Status: 'FINISHED', HasResultSet: true });
    redshiftData.on(GetStatementResultCommand).callsFake(({ NextToken }: { NextToken?: string }) =>
      NextToken === undefined
        ? { ColumnMetadata: columns, Records: [[{ longValue: 3 }, { stringValue: 's3' }, { booleanValue: true }]], NextToken: 'page-2' }
        : { ColumnMetadata: columns, Records: [[{ longValue: 4 }, { isNull: true }, { doubleValue: 0.5 }]] },
    );

    expect(await dataApi().query('SELECT ...')).toEqual([
      { rows_loaded: 3, source: 's3', column3: true },
      { rows_loaded: 4, source: null, column3: 0.5 },
    ]);
    expect(redshiftData.commandCalls(GetStatementResultCommand).map((call) => call.args[0].input.NextToken)).toEqual([undefined, 'page-2']);
  });

  test('a page without column metadata keeps the names of the page before; with none at all, columns are named by position', async () => {
    redshiftData.on(ExecuteStatementCommand).resolves({ Id: 'statement-1', Status: 'FINISHED', HasResultSet: true });
    redshiftData.on(GetStatementResultCommand).callsFake(({ NextToken }: { NextToken?: string }) =>
      NextToken === undefined
        ? { ColumnMetadata: [{ name: 'user_name' }], Records: [[{ stringValue: 'admin' }]], NextToken: 'page-2' }
        : { Records: [[{ stringValue: 'loader' }]] },
    );
    expect(await dataApi().query('SELECT user_name FROM svv_user_info')).toEqual([{ user_name: 'admin' }, { user_name: 'loader' }]);

    redshiftData.on(GetStatementResultCommand).resolves({ Records: [[{ longValue: 1 }, { stringValue: 'x' }]] });
    expect(await dataApi().query('SELECT 1, 2')).toEqual([{ column1: 1, column2: 'x' }]);
  });

  test('a page without records adds no rows', async () => {
    redshiftData.on(ExecuteStatementCommand).resolves({ Id: 'statement-1', Status: 'FINISHED', HasResultSet: true });
    redshiftData.on(GetStatementResultCommand).resolves({ ColumnMetadata: [{ name: 'user_name', label: 'user_name' }], TotalNumRows: 0 });

    expect(await dataApi().query('SELECT user_name FROM svv_user_info')).toEqual([]);
  });
});

describe('the environment the commands run in outside tests', () => {
  test('a Data API client for the region, and outputs from terraform or from the named file', async () => {
    const environment = realEnvironment();
    expect(await environment.createClient('eu-west-2').config.region()).toBe('eu-west-2');
    expect(environment.outputs(undefined).description).toBe("terraform output in each stack's folder under cdktf.out/stacks");
    expect(environment.outputs(undefined).locate('redshift')).toBe(`terraform output in ${path.join('cdktf.out', 'stacks', 'redshift')}`);
    expect(environment.outputs('deploy-outputs.json').description).toBe(path.resolve('deploy-outputs.json'));
  });

  test('print and printError write to stdout and stderr; progress rewrites the line on a terminal', () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const wasTTY = process.stdout.isTTY;
    try {
      const environment = realEnvironment();
      environment.print('printed');
      environment.printError('failed');
      process.stdout.isTTY = false;
      environment.progress('checked once');
      process.stdout.isTTY = true;
      environment.progress('checked twice');
      expect(log.mock.calls).toEqual([['printed'], ['checked once']]);
      expect(error.mock.calls).toEqual([['failed']]);
      expect(write.mock.calls).toEqual([['\r\x1b[2Kchecked twice']]);
    } finally {
      process.stdout.isTTY = wasTTY;
      log.mockRestore();
      error.mockRestore();
      write.mockRestore();
    }
  });

  test('now is the clock time and sleep waits that long', async () => {
    const environment = realEnvironment();
    const before = Date.now();
    const now = environment.now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());

    const started = Date.now();
    const slept = environment.sleep(50)?.then(() => 'slept');
    const result = await Promise.race([slept, new Promise((resolve) => setTimeout(() => resolve('still asleep'), 2_000))]);
    expect(result).toBe('slept');
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
  });
});

describe('where the stack outputs come from', () => {
  // Made in beforeAll, not while jest collects the tests: when none of them runs (a -t filter, as
  // Stryker uses), jest skips this block's hooks, and a folder made at collection would be left behind.
  let directory: string;
  beforeAll(() => (directory = fs.mkdtempSync(path.join(os.tmpdir(), 'outputs-file-'))));
  afterAll(() => fs.rmSync(directory, { recursive: true, force: true }));
  const file = (name: string, content: string): string => {
    const written = path.join(directory, name);
    fs.writeFileSync(written, content);
    return written;
  };

  test('messages name the stack\'s own folder, never a placeholder', () => {
    const source = terraformOutputs('/project');
    expect(source.locate('redshift')).toBe(`terraform output in ${path.join('cdktf.out', 'stacks', 'redshift')}`);
    expect(source.description).not.toContain('<');
  });

  test('an outputs file without the stack means "not deployed", naming the file', async () => {
    const empty = file('empty.json', '{"network": {"vpc_id": "vpc-1"}}');
    await expect(readWarehouseOutputs(outputsFile(empty))).rejects.toThrow(
      `the redshift stack has no outputs ("redshift" in ${empty}): deploy it first`,
    );
  });

  test.each([
    ['an array', '[]', 'found an array'],
    ['null', 'null', 'found null'],
    ['a stack that is not an object', '{"redshift": ["workgroup"]}', '"redshift" should hold an object of outputs, found an array'],
  ])('an outputs file holding %s is malformed, not "not deployed"', async (_case, content, reason) => {
    const malformed = file(`malformed-${content.length}.json`, content);
    const read = outputsFile(malformed).read('redshift');
    await expect(read).rejects.toThrow(OutputsError);
    await expect(outputsFile(malformed).read('redshift')).rejects.toThrow(`outputs file ${malformed} is malformed`);
    await expect(outputsFile(malformed).read('redshift')).rejects.toThrow(reason);
  });

  test('the format cdktf deploy --outputs-file writes is read as it is', async () => {
    const written = file('outputs.json', JSON.stringify({ redshift: { workgroup_name: 'loan-remediation-dev' } }));
    expect(await outputsFile(written).read('redshift')).toEqual({ workgroup_name: 'loan-remediation-dev' });
    expect(await outputsFile(written).read('api')).toBeUndefined();
  });

  test.each([
    ['a string', '"redshift"', 'expected a JSON object of stacks, {"<stack>": {"<output>": value}}, as `cdktf deploy --outputs-file` writes, found a string'],
    ['a stack that is null', '{"redshift": null}', '"redshift" should hold an object of outputs, found null'],
    ['a stack that is a number', '{"redshift": 5}', '"redshift" should hold an object of outputs, found a number'],
  ])('an outputs file holding %s is malformed too', async (name, content, reason) => {
    const malformed = file(`malformed-${name.length}.json`, content);
    await expect(outputsFile(malformed).read('redshift')).rejects.toThrow(`outputs file ${malformed} is malformed: ${reason}`);
  });

  test('an outputs file that cannot be read says which and why, as an OutputsError', async () => {
    const missing = path.join(directory, 'missing.json');
    await expect(outputsFile(missing).read('redshift')).rejects.toThrow(new RegExp(`^cannot read outputs file ${missing}: ENOENT`));
    await expect(outputsFile(missing).read('redshift')).rejects.toMatchObject({ name: 'OutputsError' });
  });

  test('a stack with no outputs in the file is "not deployed"', async () => {
    const written = file('no-outputs.json', '{"redshift": {}}');
    expect(await outputsFile(written).read('redshift')).toBeUndefined();
    expect(outputsFile(written).description).toBe(written);
    expect(outputsFile(written).locate('api')).toBe(`"api" in ${written}`);
  });

  test('outputs the redshift stack lacks, or of the wrong type, are named with their type', async () => {
    const partial = { ...REDSHIFT_OUTPUTS, workgroup_arn: undefined, model_max_runtime_seconds: '5400' };
    const written = file('partial.json', JSON.stringify({ redshift: partial }));
    await expect(readWarehouseOutputs(outputsFile(written))).rejects.toThrow(
      new OutputsError(
        "the redshift stack's outputs lack workgroup_arn (string), model_max_runtime_seconds (number): re-deploy it (npx cdktf deploy redshift)",
      ),
    );
  });

  test.each([
    ['a name', { lambda_role_name: 'loan-remediation-dev-prediction' }, 'loan-remediation-dev-prediction'],
    ['an empty name', { lambda_role_name: '' }, undefined],
    ['a name that is not a string', { lambda_role_name: 5 }, undefined],
    ['no such output', { other: 'x' }, undefined],
  ])("the prediction Lambda's role from the api stack: %s", async (name, api, expected) => {
    const written = file(`api-${name.length}.json`, JSON.stringify({ api }));
    expect(await readLambdaRoleName(outputsFile(written))).toBe(expected);
  });

  describe('terraform output, run in the stack folder', () => {
    // A stand-in terraform: prints what the test gives it and records how it was called.
    let project: string;
    beforeAll(() => (project = fs.mkdtempSync(path.join(os.tmpdir(), 'terraform-outputs-'))));
    afterAll(() => fs.rmSync(project, { recursive: true, force: true }));
    const source = (): OutputsSource => terraformOutputs(project, path.join(project, 'bin', 'terraform'));
    const stackDir = (): string => path.join(project, 'cdktf.out', 'stacks', 'redshift');
    const terraform = (stdout: string, stderr = '', exitCode = 0): void => {
      fs.mkdirSync(path.join(stackDir(), '.terraform'), { recursive: true });
      fs.mkdirSync(path.join(project, 'bin'), { recursive: true });
      fs.writeFileSync(path.join(project, 'stdout'), stdout);
      fs.writeFileSync(path.join(project, 'stderr'), stderr);
      const script = `#!/bin/sh\necho "$PWD $*" > "${project}/called"\ncat "${project}/stdout"\ncat "${project}/stderr" >&2\nexit ${exitCode}\n`;
      fs.writeFileSync(path.join(project, 'bin', 'terraform'), script, { mode: 0o755 });
    };

    test("reads each output's value, in the stack's folder", async () => {
      terraform(JSON.stringify({ workgroup_name: { sensitive: false, type: 'string', value: 'loan-remediation-dev' } }));
      expect(await source().read('redshift')).toEqual({ workgroup_name: 'loan-remediation-dev' });
      expect(fs.readFileSync(path.join(project, 'called'), 'utf8')).toBe(`${stackDir()} output -json -no-color\n`);
      expect(source().description).toBe("terraform output in each stack's folder under cdktf.out/stacks");
    });

    test('a stack without outputs, or never initialised, is "not deployed"', async () => {
      terraform('{}');
      expect(await source().read('redshift')).toBeUndefined();
      expect(await source().read('api')).toBeUndefined();
    });

    test.each([
      ['the Error line after warnings', 'Warning: CLI config\n\nsome detail\nError: Backend initialization required\n', 'Backend initialization required'],
      ['the first line without one', 'state lock held\nby another run\n', 'state lock held'],
      ['the first line after a blank one', '\nstate lock held\nby another run\n', 'state lock held'],
    ])('a failing terraform output gives %s', async (_name, stderr, reason) => {
      terraform('', stderr, 1);
      await expect(source().read('redshift')).rejects.toThrow(
        new OutputsError(`cannot read the redshift stack's outputs in ${stackDir()}: ${reason}`),
      );
    });

    test('terraform output that is not JSON is an OutputsError saying why', async () => {
      terraform('not json');
      const reason = (() => {
        try {
          return JSON.parse('not json') as never;
        } catch (error) {
          return (error as Error).message;
        }
      })();
      await expect(source().read('redshift')).rejects.toThrow(
        new OutputsError(`cannot read the redshift stack's outputs in ${stackDir()}: ${reason}`),
      );
    });

    // The real terraform (the suite needs it on PATH: terraform.test.ts), in a folder with no state.
    test('by default the terraform on PATH runs: an initialised stack folder without state has no outputs', async () => {
      fs.mkdirSync(path.join(stackDir(), '.terraform'), { recursive: true });
      expect(await terraformOutputs(project).read('redshift')).toBeUndefined();
    });

    test('a stack folder where terraform init never ran is "not deployed", and terraform does not run there', async () => {
      terraform(JSON.stringify({ lambda_role_name: { value: 'loan-remediation-dev-prediction' } }));
      fs.rmSync(path.join(project, 'called'), { force: true });
      fs.mkdirSync(path.join(project, 'cdktf.out', 'stacks', 'api'), { recursive: true });

      expect(await source().read('api')).toBeUndefined();
      expect(fs.existsSync(path.join(project, 'called'))).toBe(false);
    });

    test("a failing terraform output that says nothing gives the command's own failure", async () => {
      terraform('', '', 3);
      await expect(source().read('redshift')).rejects.toThrow(
        `cannot read the redshift stack's outputs in ${stackDir()}: Command failed: ${path.join(project, 'bin', 'terraform')} output -json -no-color`,
      );
    });
  });
});
