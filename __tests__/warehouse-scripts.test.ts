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
import { WarehouseEnvironment } from '../scripts/warehouse/cli';
import { FakeClock } from './helpers/data-api';
import { classifyModelState, modelStatusMain, summarizeExplanation } from '../scripts/warehouse/model-status';
import { setupMain } from '../scripts/warehouse/setup';
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

/** An environment with fixed stack outputs, a fake clock, and everything printed kept for assertions. */
function testEnvironment(outputs: Partial<Record<StackName, StackOutputs>> = { redshift: REDSHIFT_OUTPUTS, api: API_OUTPUTS }) {
  const clock = new FakeClock();
  const printed: string[] = [];
  const errors: string[] = [];
  const environment: WarehouseEnvironment = {
    createClient: (region) =>
      new RedshiftDataClient({ region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }),
    outputs: () => ({ description: 'test outputs', locate: (stack) => `test outputs of ${stack}`, read: async (stack) => outputs[stack] }),
    print: (line) => printed.push(line),
    printError: (line) => errors.push(line),
    progress: (line) => printed.push(line),
    now: clock.now,
    sleep: clock.sleep,
  };
  return { environment, printed, errors, sleeps: clock.sleeps, output: () => printed.join('\n'), errorOutput: () => errors.join('\n') };
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
    ])('a failing terraform output gives %s', async (_name, stderr, reason) => {
      terraform('', stderr, 1);
      await expect(source().read('redshift')).rejects.toThrow(
        new OutputsError(`cannot read the redshift stack's outputs in ${stackDir()}: ${reason}`),
      );
    });

    test("a failing terraform output that says nothing gives the command's own failure", async () => {
      terraform('', '', 3);
      await expect(source().read('redshift')).rejects.toThrow(
        `cannot read the redshift stack's outputs in ${stackDir()}: Command failed: ${path.join(project, 'bin', 'terraform')} output -json -no-color`,
      );
    });
  });
});
