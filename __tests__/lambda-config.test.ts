import { DATA_API_THROTTLED_METRIC, METRICS_NAMESPACE } from '../lambda-src/metrics';
import * as configModule from '../lambda-src/config';
import { HandlerConfigError, loadHandlerConfig } from '../lambda-src/config';
import * as postgresModule from '../lambda-src/postgres-warehouse';
import { PostgresWarehouseOptions } from '../lambda-src/postgres-warehouse';
import * as predictionHandlerModule from '../lambda-src/prediction-handler';
import * as warehouseModule from '../lambda-src/warehouse';
import { RedshiftDataWarehouseOptions } from '../lambda-src/warehouse';

const required = {
  WORKGROUP_NAME: 'loan-remediation-dev',
  DATABASE_NAME: 'dev',
  TABLE_NAME: 'public.loan_remediation',
  PREDICTION_FUNCTION: 'ml_fn_prediction',
};

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadHandlerConfig(env);
  } catch (error) {
    if (error instanceof HandlerConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('loadHandlerConfig', () => {
  it('reads the required variables and applies the defaults', () => {
    expect(loadHandlerConfig(required)).toEqual({
      transport: 'data-api',
      workgroupName: 'loan-remediation-dev',
      database: 'dev',
      target: {
        table: 'public.loan_remediation',
        predictionFunction: 'ml_fn_prediction',
        probabilityFunction: 'ml_fn_prediction_probabilities',
      },
      deadlineMs: 25_000,
      sessionKeepAliveSeconds: 300,
    });
  });

  it('reads the optional variables', () => {
    const config = loadHandlerConfig({
      ...required,
      INCLUDE_PROBABILITY: 'false',
      DEADLINE_MS: '10000',
      SESSION_KEEP_ALIVE_SECONDS: '0',
    });
    expect(config).toMatchObject({ deadlineMs: 10_000, sessionKeepAliveSeconds: 0 });
    expect(config.target.probabilityFunction).toBeUndefined();
  });

  it('names every bad variable at once', () => {
    expect(problemsOf({})).toEqual([
      'WORKGROUP_NAME="" must be 3-64 lowercase letters, digits or hyphens',
      'DATABASE_NAME="" must be a SQL identifier',
      'TABLE_NAME="" must be a SQL identifier, optionally schema-qualified (schema.name)',
      'PREDICTION_FUNCTION="" must be a SQL identifier, optionally schema-qualified (schema.name)',
    ]);
  });

  it.each([
    ['TABLE_NAME', 'loan_data; DROP TABLE loan_data'],
    ['TABLE_NAME', 'public."loan"'],
    ['PREDICTION_FUNCTION', 'ml_fn_prediction(1) --'],
    // The same identifier rule as synth (lambda-src/sql.ts SQL_IDENTIFIER): lowercase, at most 127 bytes.
    ['TABLE_NAME', 'public.Loan_Remediation'],
    ['TABLE_NAME', 'a'.repeat(128)],
    ['DATABASE_NAME', 'dev.public'],
    ['WORKGROUP_NAME', 'Loan_WG'],
    ['INCLUDE_PROBABILITY', 'yes'],
    ['DEADLINE_MS', '29000'],
    // API Gateway gives up at 29 s: the deadline plus the handler's reserve must stay under it.
    ['DEADLINE_MS', '26001'],
    ['DEADLINE_MS', '5s'],
    ['SESSION_KEEP_ALIVE_SECONDS', '-1'],
    ['SESSION_KEEP_ALIVE_SECONDS', '86400'],
    // A session must outlive the margin the adapter keeps before its expiry, or none is ever reused.
    ['SESSION_KEEP_ALIVE_SECONDS', '1'],
    ['SESSION_KEEP_ALIVE_SECONDS', '29'],
  ])('rejects %s=%j', (name, value) => {
    const problems = problemsOf({ ...required, [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${name}=`));
  });

  it('accepts DEADLINE_MS=26000', () => {
    expect(loadHandlerConfig({ ...required, DEADLINE_MS: '26000' }).deadlineMs).toBe(26_000);
  });

  it('explains SESSION_KEEP_ALIVE_SECONDS in one line', () => {
    expect(problemsOf({ ...required, SESSION_KEEP_ALIVE_SECONDS: '10' })).toEqual([
      'SESSION_KEEP_ALIVE_SECONDS="10" must be 0 (no sessions) or an integer from 30 to 3600',
    ]);
  });

  it.each(['0', '30', '3600'])('accepts SESSION_KEEP_ALIVE_SECONDS=%j', (value) => {
    expect(loadHandlerConfig({ ...required, SESSION_KEEP_ALIVE_SECONDS: value }).sessionKeepAliveSeconds).toBe(Number(value));
  });
});

describe('WAREHOUSE_TRANSPORT=postgres', () => {
  const postgres = { ...required, WAREHOUSE_TRANSPORT: 'postgres' };

  it('reads the workgroup endpoint', () => {
    // fixed-port-ok: the workgroup's port (a remote endpoint the Lambda connects to), not a test server
    expect(loadHandlerConfig({ ...postgres, WAREHOUSE_HOST: 'wg.123456789012.eu-west-1.redshift-serverless.amazonaws.com', WAREHOUSE_PORT: '5439' })).toMatchObject({
      transport: 'postgres',
      // fixed-port-ok: the endpoint read back
      endpoint: { host: 'wg.123456789012.eu-west-1.redshift-serverless.amazonaws.com', port: 5439 },
    });
  });

  it('names a missing or bad endpoint, and an unknown transport', () => {
    expect(problemsOf(postgres)).toEqual([
      'WAREHOUSE_HOST="" must be the workgroup endpoint\'s host name',
      'WAREHOUSE_PORT="" must be a port from 1 to 65535',
    ]);
    expect(problemsOf({ ...postgres, WAREHOUSE_HOST: 'wg.example.com/x', WAREHOUSE_PORT: '65536' })).toEqual([
      'WAREHOUSE_HOST="wg.example.com/x" must be the workgroup endpoint\'s host name',
      'WAREHOUSE_PORT="65536" must be a port from 1 to 65535',
    ]);
    expect(problemsOf({ ...required, WAREHOUSE_TRANSPORT: 'jdbc' })).toEqual(['WAREHOUSE_TRANSPORT="jdbc" must be one of data-api, postgres']);
  });

  it('has no endpoint with the Data API, whatever WAREHOUSE_HOST says', () => {
    expect(loadHandlerConfig({ ...required, WAREHOUSE_HOST: 'ignored.example.com' })).not.toHaveProperty('endpoint');
  });
});

describe('handler module initialisation (cold start)', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  /**
   * Loads lambda-src/handler.ts in a fresh module registry, as a cold start would. Its own modules are
   * the ones this file loaded (only the handler's module scope runs again), with the warehouse's and
   * the prediction handler's factories wrapped to record what the handler builds them with, and
   * `loadConfig` standing in for the real loader when given. Returns what the handler's logger wrote.
   */
  async function coldStart(env: Record<string, string>, loadConfig = configModule.loadHandlerConfig) {
    process.env = { ...saved, POWERTOOLS_LOG_LEVEL: 'INFO', ...env };
    const newWarehouse = jest.fn((options: RedshiftDataWarehouseOptions) => new warehouseModule.RedshiftDataWarehouse(options));
    const newHandler = jest.fn(predictionHandlerModule.createPredictionHandler);
    jest.doMock('../lambda-src/config', () => ({ ...configModule, loadHandlerConfig: loadConfig }));
    jest.doMock('../lambda-src/warehouse', () => ({ ...warehouseModule, RedshiftDataWarehouse: newWarehouse }));
    jest.doMock('../lambda-src/prediction-handler', () => ({ ...predictionHandlerModule, createPredictionHandler: newHandler }));
    // Powertools writes errors and critical lines to stderr, the others to stdout.
    const written: string[] = [];
    const writes = [process.stdout, process.stderr].map((stream) =>
      jest.spyOn(stream, 'write').mockImplementation((chunk) => written.push(String(chunk)) > 0),
    );
    let outcome: { error?: unknown; handler?: unknown } = {};
    try {
      await jest.isolateModulesAsync(async () => {
        try {
          outcome = { handler: (await import('../lambda-src/handler')).handler };
        } catch (error) {
          outcome = { error };
        }
      });
    } finally {
      writes.forEach((write) => write.mockRestore());
      jest.dontMock('../lambda-src/config');
      jest.dontMock('../lambda-src/warehouse');
      jest.dontMock('../lambda-src/prediction-handler');
    }
    const logged = written.join('').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
    return { ...outcome, logged, newWarehouse, newHandler };
  }

  it('fails to start with one critical log line naming every problem', async () => {
    const { error, logged, newWarehouse } = await coldStart({ ...required, TABLE_NAME: 'x; DROP TABLE y', DEADLINE_MS: '0' });
    expect(error).toBeInstanceOf(HandlerConfigError);
    expect(error).toMatchObject({
      name: 'HandlerConfigError',
      message:
        'invalid Lambda configuration: TABLE_NAME="x; DROP TABLE y" must be a SQL identifier, optionally schema-qualified (schema.name); DEADLINE_MS="0" must be an integer from 1000 to 26000',
    });
    expect(logged).toEqual([
      expect.objectContaining({
        level: 'CRITICAL',
        service: 'loan-prediction',
        message: 'Invalid configuration: the function cannot start',
        problems: [
          'TABLE_NAME="x; DROP TABLE y" must be a SQL identifier, optionally schema-qualified (schema.name)',
          'DEADLINE_MS="0" must be an integer from 1000 to 26000',
        ],
      }),
    ]);
    expect(newWarehouse).not.toHaveBeenCalled();
  });

  it('lets any other error at start through without a configuration log line', async () => {
    const { error, logged } = await coldStart(required, () => {
      throw new TypeError('not a configuration problem');
    });
    expect(error).toEqual(new TypeError('not a configuration problem'));
    expect(logged).toEqual([]);
  });

  it('builds the handler from the configuration when it is valid', async () => {
    const { error, handler, logged, newWarehouse, newHandler } = await coldStart({
      ...required,
      AWS_REGION: 'eu-west-1',
      DEADLINE_MS: '12000',
      SESSION_KEEP_ALIVE_SECONDS: '60',
      INCLUDE_PROBABILITY: 'true',
      AWS_LAMBDA_FUNCTION_NAME: 'loan-remediation-dev-predict',
    });
    expect(error).toBeUndefined();
    expect(logged).toEqual([]);
    const target = loadHandlerConfig({ ...required, INCLUDE_PROBABILITY: 'true' }).target;
    expect(newWarehouse).toHaveBeenCalledTimes(1);
    const [options] = newWarehouse.mock.calls[0];
    expect(options).toEqual({
      client: expect.anything(),
      workgroupName: 'loan-remediation-dev',
      database: 'dev',
      target,
      sessionKeepAliveSeconds: 60,
      logger: expect.any(Object),
      metrics: expect.any(Object),
    });
    expect(options.client.constructor.name).toBe('RedshiftDataClient');
    // The adapter retries within the request's deadline; the SDK's own retries would run past it.
    expect(await options.client.config.maxAttempts()).toBe(1);
    expect(await options.client.config.region()).toBe('eu-west-1');
    expect(newHandler).toHaveBeenCalledWith({
      warehouse: newWarehouse.mock.results[0].value,
      logger: options.logger,
      modelName: 'ml_fn_prediction',
      deadlineMs: 12_000,
    });
    expect(handler).toBe(newHandler.mock.results[0].value);

    // A throttled Data API call is one embedded-metric-format line, at once, which the api stack's alarm matches.
    const written: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => written.push(String(chunk)) > 0);
    try {
      options.metrics?.dataApiThrottled('GetStatementResult');
    } finally {
      write.mockRestore();
    }
    expect(written).toHaveLength(1);
    const emf = JSON.parse(written[0]) as Record<string, unknown> & { _aws: { CloudWatchMetrics: unknown[] } };
    expect(emf._aws.CloudWatchMetrics).toEqual([
      { Namespace: METRICS_NAMESPACE, Dimensions: [['service', 'FunctionName']], Metrics: [{ Name: DATA_API_THROTTLED_METRIC, Unit: 'Count' }] },
    ]);
    expect(emf).toMatchObject({ service: 'loan-prediction', FunctionName: 'loan-remediation-dev-predict', operation: 'GetStatementResult', [DATA_API_THROTTLED_METRIC]: 1 });
  });
});

describe('the direct transport at cold start', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });
  // fixed-port-ok: an endpoint the mocked warehouse is only told about, never connects to
  const endpoint = { WAREHOUSE_TRANSPORT: 'postgres', WAREHOUSE_HOST: 'wg.example.com', WAREHOUSE_PORT: '5440' };

  async function load(entry: 'handler' | 'postgres-handler', env: Record<string, string>) {
    process.env = { ...saved, POWERTOOLS_LOG_LEVEL: 'SILENT', ...env };
    const newWarehouse = jest.fn((options: PostgresWarehouseOptions) => new postgresModule.PostgresWarehouse(options));
    jest.doMock('../lambda-src/postgres-warehouse', () => ({ ...postgresModule, PostgresWarehouse: newWarehouse }));
    let error: unknown;
    try {
      await jest.isolateModulesAsync(async () => {
        await (entry === 'handler' ? import('../lambda-src/handler') : import('../lambda-src/postgres-handler')).catch((caught: unknown) => {
          error = caught;
        });
      });
    } finally {
      jest.dontMock('../lambda-src/postgres-warehouse');
    }
    return { error, newWarehouse };
  }

  it('the postgres bundle connects to the configured endpoint over verified TLS, with statement_timeout at the deadline', async () => {
    const { error, newWarehouse } = await load('postgres-handler', { ...required, ...endpoint, DEADLINE_MS: '12000', AWS_REGION: 'eu-west-1' });
    expect(error).toBeUndefined();
    expect(newWarehouse.mock.calls[0][0]).toEqual({
      host: 'wg.example.com',
      port: 5440, // fixed-port-ok: the endpoint above, read back
      database: 'dev',
      target: loadHandlerConfig(required).target,
      credentials: expect.any(Function),
      tls: true,
      statementTimeoutMs: 12_000,
      logger: expect.any(Object),
    });
  });

  it.each<[entry: 'handler' | 'postgres-handler', env: Record<string, string>, problem: string]>([
    ['handler', endpoint, 'WAREHOUSE_TRANSPORT="postgres" is not what this bundle serves (data-api)'],
    ['postgres-handler', {}, 'WAREHOUSE_TRANSPORT="data-api" is not what this bundle serves (postgres)'],
  ])('the %s bundle refuses the other transport', async (entry, env, problem) => {
    const { error, newWarehouse } = await load(entry, { ...required, ...env });
    expect(error).toMatchObject({ name: 'HandlerConfigError', problems: [problem] });
    expect(newWarehouse).not.toHaveBeenCalled();
  });
});

describe('the edges of each variable', () => {
  it('trims whitespace around a value', () => {
    expect(loadHandlerConfig({ ...required, WORKGROUP_NAME: '  loan-remediation-dev\n', DEADLINE_MS: ' 10000 ' })).toMatchObject({
      workgroupName: 'loan-remediation-dev',
      deadlineMs: 10_000,
    });
  });

  it.each(['wg-ok!', 'UPPER-wg', 'wg'])('rejects the workgroup name %j as a whole, not by a part that looks right', (name) => {
    expect(problemsOf({ ...required, WORKGROUP_NAME: name })).toEqual([
      `WORKGROUP_NAME=${JSON.stringify(name)} must be 3-64 lowercase letters, digits or hyphens`,
    ]);
  });

  it.each([
    ['DEADLINE_MS', '10000ms', 'must be an integer from 1000 to 26000'],
    ['DEADLINE_MS', 'x10000', 'must be an integer from 1000 to 26000'],
    ['DEADLINE_MS', '1e4', 'must be an integer from 1000 to 26000'],
    ['DEADLINE_MS', '1000.5', 'must be an integer from 1000 to 26000'],
    ['SESSION_KEEP_ALIVE_SECONDS', '6e1', 'must be 0 (no sessions) or an integer from 30 to 3600'],
    ['SESSION_KEEP_ALIVE_SECONDS', '60.5', 'must be 0 (no sessions) or an integer from 30 to 3600'],
    ['SESSION_KEEP_ALIVE_SECONDS', '60s', 'must be 0 (no sessions) or an integer from 30 to 3600'],
    ['SESSION_KEEP_ALIVE_SECONDS', 's60', 'must be 0 (no sessions) or an integer from 30 to 3600'],
  ])('rejects %s=%j: digits only, the whole value (Number() would read it)', (name, value, rule) => {
    expect(problemsOf({ ...required, [name]: value })).toEqual([`${name}=${JSON.stringify(value)} ${rule}`]);
  });

  it('accepts each range exactly at its ends', () => {
    expect(loadHandlerConfig({ ...required, DEADLINE_MS: '1000', SESSION_KEEP_ALIVE_SECONDS: '30' })).toMatchObject({
      deadlineMs: 1000,
      sessionKeepAliveSeconds: 30,
    });
    expect(loadHandlerConfig({ ...required, DEADLINE_MS: '26000', SESSION_KEEP_ALIVE_SECONDS: '3600' })).toMatchObject({
      deadlineMs: 26_000,
      sessionKeepAliveSeconds: 3600,
    });
  });

  it('says every problem at once in the error message', () => {
    expect(() => loadHandlerConfig({ ...required, WORKGROUP_NAME: 'x', DEADLINE_MS: '1' })).toThrow(
      'invalid Lambda configuration: WORKGROUP_NAME="x" must be 3-64 lowercase letters, digits or hyphens; DEADLINE_MS="1" must be an integer from 1000 to 26000',
    );
  });

  it('refuses a prediction function too long to name its _probabilities function, unless probabilities are off', () => {
    const longest = `f${'x'.repeat(119)}`; // 120 characters: itself valid, 134 with _probabilities
    expect(problemsOf({ ...required, PREDICTION_FUNCTION: longest })).toEqual([
      'PREDICTION_FUNCTION is too long to derive <function>_probabilities (127 characters at most)',
    ]);
    expect(problemsOf({ ...required, PREDICTION_FUNCTION: longest, INCLUDE_PROBABILITY: 'false' })).toEqual([]);
  });

  it('derives the probabilities function of a schema-qualified prediction function in the same schema', () => {
    expect(loadHandlerConfig({ ...required, PREDICTION_FUNCTION: 'ml.fn_prediction' }).target).toEqual({
      table: 'public.loan_remediation',
      predictionFunction: 'ml.fn_prediction',
      probabilityFunction: 'ml.fn_prediction_probabilities',
    });
  });
});
