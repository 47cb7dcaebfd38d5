import { Logger } from '@aws-lambda-powertools/logger';
import {
  CancelStatementCommand,
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
} from '@aws-sdk/client-redshift-data';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { fullScopeName, MAX_BODY_BYTES } from '../lambda-src/api-contract';
import { createPredictionHandler, isJsonMediaType } from '../lambda-src/prediction-handler';
import { ABORT_GRACE_MS, CANCEL_TIMEOUT_MS, Warehouse, WarehouseError } from '../lambda-src/warehouse';
import { FakeClock, testDataApiClient, testWarehouse } from './helpers/data-api';
import { event } from './helpers/api-event';
import { BAD_INPUT_CASES, expectBadInputAnswer } from './helpers/bad-input-cases';
import { SAMPLE_APPLICATION } from './helpers/sample-application';

const sample = SAMPLE_APPLICATION;
const sampleBody = JSON.stringify(sample, null, 2);

const client = testDataApiClient();
const dataApi = mockClient(client);
const logger = new Logger({ serviceName: 'loan-prediction-test', logLevel: 'SILENT' });
let clock: FakeClock;

function handlerWith(warehouse?: Warehouse) {
  return createPredictionHandler({
    warehouse:
      warehouse ??
      testWarehouse({ client, clock, logger }),
    logger,
    modelName: 'ml_fn_prediction',
    deadlineMs: 25_000,
    clock,
  });
}

const context = (remainingMs = 28_000) =>
  ({
    awsRequestId: 'lambda-request-1',
    functionName: 'loan-predict',
    getRemainingTimeInMillis: () => remainingMs,
  }) as unknown as Context;

const bodyOf = (response: APIGatewayProxyResult) => JSON.parse(response.body) as Record<string, unknown>;

const probabilities = (p: number) => JSON.stringify({ probabilities: [1 - p, p], labels: ['f', 't'] });

function warehouseAnswers(...rows: [boolean, number][]) {
  dataApi.on(ExecuteStatementCommand).resolves({ Id: 'st-1', Status: 'FINISHED', SessionId: 'session-1' });
  dataApi.on(GetStatementResultCommand).resolves({
    Records: rows.map(([effective, p], index) => [
      { longValue: index },
      { booleanValue: effective },
      { stringValue: probabilities(p) },
    ]),
  });
}

function statementFails(error: string) {
  dataApi.on(ExecuteStatementCommand).resolves({ Id: 'st-1', Status: 'FAILED' });
  dataApi.on(DescribeStatementCommand).resolves({ Id: 'st-1', Status: 'FAILED', Error: error });
}

beforeEach(() => {
  dataApi.reset();
  clock = new FakeClock();
  jest.restoreAllMocks();
});

describe('POST /loan', () => {
  it('answers the original sample request with one prediction, the model name and the request id', async () => {
    warehouseAnswers([true, 0.82]);

    const response = await handlerWith()(event(sampleBody), context());

    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)).toEqual({
      effective: true,
      probability: 0.82,
      model: 'ml_fn_prediction',
      requestId: 'api-request-1',
    });
    expect(response.headers).toMatchObject({
      'Content-Type': 'application/json',
      'X-Request-Id': 'api-request-1',
      'Cache-Control': 'no-store',
    });
  });

  it('answers a batch with predictions in request order, each naming its application by index', async () => {
    warehouseAnswers([true, 0.9], [false, 0.2]);

    const response = await handlerWith()(
      event(JSON.stringify({ applications: [sample, { ...sample, remediation_strategy: 'Deferment' }] })),
      context(),
    );

    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)).toEqual({
      predictions: [
        { index: 0, effective: true, probability: 0.9 },
        { index: 1, effective: false, probability: 0.2 },
      ],
      model: 'ml_fn_prediction',
      requestId: 'api-request-1',
    });
    expect(dataApi).toHaveReceivedCommandTimes(ExecuteStatementCommand, 1);
  });

  it('decodes a base64-encoded body', async () => {
    warehouseAnswers([false, 0.1]);
    const response = await handlerWith()(
      event(Buffer.from(sampleBody).toString('base64'), { isBase64Encoded: true }),
      context(),
    );
    expect(response.statusCode).toBe(200);
  });

  it("falls back to the Lambda's request id outside API Gateway", async () => {
    warehouseAnswers([true, 0.5]);
    const response = await handlerWith()(
      event(sampleBody, { requestContext: undefined as unknown as APIGatewayProxyEvent['requestContext'] }),
      context(),
    );
    expect(response.headers?.['X-Request-Id']).toBe('lambda-request-1');
    expect(bodyOf(response).requestId).toBe('lambda-request-1');
  });

  it('keeps the deadline inside the Lambda time that remains', async () => {
    warehouseAnswers([true, 0.5]);
    await handlerWith()(event(sampleBody), context(10_000));
    // 10 s remaining - 2.5 s reserve = 7.5 s deadline; the long poll ends 1 s before it.
    expect(dataApi).toHaveReceivedCommandWith(ExecuteStatementCommand, { WaitTimeSeconds: 6 });
  });

  it.each([3_000, 10_000, 28_000])(
    'leaves time after the deadline to abandon a hung call, cancel the statement and answer 504 (%i ms left)',
    async (remainingMs) => {
      let deadlineAt = NaN;
      const late: Warehouse = {
        predict: (_applications, at) => {
          deadlineAt = at;
          return Promise.reject(new WarehouseError('deadline', 'deadline passed'));
        },
      };
      const response = await handlerWith(late)(event(sampleBody), context(remainingMs));
      expect(response.statusCode).toBe(504);
      // The clock starts at 0, so deadlineAt is the budget the warehouse got.
      expect(deadlineAt + ABORT_GRACE_MS + CANCEL_TIMEOUT_MS + 500).toBeLessThanOrEqual(remainingMs);
    },
  );

  it('answers 503 with Retry-After while the model is training or missing', async () => {
    statementFails('ERROR: function ml_fn_prediction(integer, character varying) does not exist');

    const response = await handlerWith()(event(sampleBody), context());

    expect(response.statusCode).toBe(503);
    expect(response.headers).toMatchObject({ 'Retry-After': '60', 'X-Request-Id': 'api-request-1' });
    expect(bodyOf(response)).toEqual({
      error: 'The prediction model is not ready yet; retry later',
      requestId: 'api-request-1',
    });
  });

  it('answers 502 on a warehouse error without revealing SQL or the database message', async () => {
    statementFails('ERROR: permission denied for function ml_fn_prediction');

    const response = await handlerWith()(event(sampleBody), context());

    expect(response.statusCode).toBe(502);
    expect(bodyOf(response)).toEqual({
      error: 'The warehouse could not make the prediction',
      requestId: 'api-request-1',
    });
    expect(response.body).not.toMatch(/permission|ERROR|SELECT|ml_fn|:a0_/);
  });

  it('answers 504 when the deadline passes, after cancelling the statement', async () => {
    dataApi.on(ExecuteStatementCommand).callsFake(() => {
      clock.time += 24_000;
      return { Id: 'st-1', Status: 'STARTED' };
    });
    dataApi.on(DescribeStatementCommand).resolves({ Id: 'st-1', Status: 'STARTED' });

    const response = await handlerWith()(event(sampleBody), context());

    expect(response.statusCode).toBe(504);
    expect(bodyOf(response)).toEqual({ error: 'The prediction took too long; retry later', requestId: 'api-request-1' });
    expect(clock.time).toBe(25_000);
    expect(dataApi).toHaveReceivedCommandWith(CancelStatementCommand, { Id: 'st-1' });
  });

  it('answers 500 without details when something unexpected breaks', async () => {
    const broken: Warehouse = { predict: () => Promise.reject(new TypeError('secret internals at line 42')) };
    const response = await handlerWith(broken)(event(sampleBody), context());
    expect(response.statusCode).toBe(500);
    expect(bodyOf(response)).toEqual({ error: 'Internal error', requestId: 'api-request-1' });
  });
});

describe('the media type: only application/json reaches the parser (API Gateway validates nothing else)', () => {
  it.each([
    ['application/json', true],
    ['application/json; charset=utf-8', true],
    ['Application/JSON; Charset="UTF-8"', true],
    ['application/json;charset=utf-8', true],
    [undefined, false],
    ['', false],
    ['text/plain', false],
    ['application/x-www-form-urlencoded', false],
    ['application/jsonp', false],
    ['application/json-patch+json', false],
    ['application/json; charset=iso-8859-1', false],
    ['application/json; version=2', false],
  ])('%s: %s', (contentType, accepted) => {
    expect(isJsonMediaType(contentType)).toBe(accepted);
  });

  it.each<[string, Record<string, string>]>([
    ['no Content-Type', {}],
    ['text/plain', { 'Content-Type': 'text/plain' }],
    ["curl's default for --data", { 'content-type': 'application/x-www-form-urlencoded' }],
  ])('%s: 415 with the request id, before the body is read', async (_name, headers) => {
    const response = await handlerWith()(event(sampleBody, { headers }), context());
    expect(response.statusCode).toBe(415);
    expect(bodyOf(response)).toEqual({ error: 'Content-Type must be application/json', requestId: 'api-request-1' });
    expect(response.headers?.['X-Request-Id']).toBe('api-request-1');
    expect(dataApi.calls()).toHaveLength(0);
  });

  it('reads the header whatever its case', async () => {
    warehouseAnswers([true, 0.5]);
    const response = await handlerWith()(event(sampleBody, { headers: { 'CONTENT-TYPE': 'application/json' } }), context());
    expect(response.statusCode).toBe(200);
  });
});

describe('bad input: 400/413 and nothing reaches the warehouse', () => {
  /** A JSON body of exactly `bytes` bytes: the sample with a padding field (which validation rejects). */
  const bodyOfSize = (bytes: number) => {
    const shell = JSON.stringify({ ...sample, padding: '' });
    return JSON.stringify({ ...sample, padding: 'x'.repeat(bytes - shell.length) });
  };

  const invalid = (message: string) => ({ error: 'Request body is invalid', details: [{ path: '$', message }] });
  it.each<[string, string | null, Partial<APIGatewayProxyEvent>, number, Record<string, unknown>]>([
    ['no body', null, {}, 400, invalid('is empty')],
    ['a blank body', ' \n\t ', {}, 400, invalid('is empty')],
    ['no body, flagged base64', null, { isBase64Encoded: true }, 400, invalid('is empty')],
    ['a blank base64 body', Buffer.from('  ').toString('base64'), { isBase64Encoded: true }, 400, invalid('is empty')],
    ['truncated JSON', sampleBody.slice(0, 40), {}, 400, invalid('is not valid JSON')],
    ['a body one byte over the limit', bodyOfSize(MAX_BODY_BYTES + 1), {}, 413, { error: `Request body is larger than ${MAX_BODY_BYTES} bytes` }],
    ['a body exactly at the limit', bodyOfSize(MAX_BODY_BYTES), {}, 400, { error: 'Request body is invalid', details: [{ path: '$.padding', message: 'unknown field' }] }],
  ])('says what is wrong with %s', async (_name, body, overrides, status, answer) => {
    const response = await handlerWith()(event(body, overrides), context());
    expect(response.statusCode).toBe(status);
    expect(bodyOf(response)).toEqual({ ...answer, requestId: 'api-request-1' });
  });

  it.each(BAD_INPUT_CASES.map((c) => [c.name, c] as const))('%s', async (_name, testCase) => {
    const response = await handlerWith()(event(testCase.body), context());
    expectBadInputAnswer(response, testCase);
    expect(dataApi.calls()).toHaveLength(0);
  });
});

describe('logs', () => {
  function capture() {
    const lines: unknown[][] = [];
    for (const level of ['info', 'warn', 'error', 'debug'] as const) {
      jest.spyOn(logger, level).mockImplementation((...args: unknown[]) => void lines.push(args));
    }
    const keys = jest.spyOn(logger, 'appendKeys');
    return { lines, keys };
  }

  it("carry the request id for that request only: a warm container's next line does not", async () => {
    const written: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => written.push(String(chunk)) > 0);
    try {
      const printing = new Logger({ serviceName: 'loan-prediction-test', logLevel: 'INFO' });
      warehouseAnswers([true, 0.82]);
      const handler = createPredictionHandler({ warehouse: testWarehouse({ client, clock, logger: printing }), logger: printing, modelName: 'm', deadlineMs: 25_000, clock });
      await handler(event(sampleBody), context());
      printing.info('between invocations');
    } finally {
      write.mockRestore();
    }
    const lines = written.join('').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => [line.message, line.requestId])).toEqual([
      ['Request handled', 'api-request-1'],
      ['between invocations', undefined],
    ]);
  });

  it('carry the request id, the extended request id a client cannot set, batch size, statement id and durations', async () => {
    const { lines, keys } = capture();
    warehouseAnswers([true, 0.82]);
    await handlerWith()(event(sampleBody), context());

    expect(keys).toHaveBeenCalledWith({ requestId: 'api-request-1', extendedRequestId: 'Kd7Y-FpbIAMFQ4Q=' });
    expect(lines).toEqual([
      [
        'Request handled',
        {
          statusCode: 200,
          durationMs: expect.any(Number),
          batchSize: 1,
          statementId: 'st-1',
          roundTrips: 2,
          sessionReused: false,
          warehouseMs: expect.any(Number),
        },
      ],
    ]);
  });

  it('measure durations from the start of the request, on a clock that does not start at 0', async () => {
    const { lines } = capture();
    clock = new FakeClock(5_000);
    const slow: Warehouse = {
      predict: async () => {
        clock.time += 300;
        return { predictions: [{ effective: true, probability: 0.82 }], statementId: 'st-9', roundTrips: 2, sessionReused: true };
      },
    };
    await handlerWith(slow)(event(sampleBody), context());
    expect(lines).toEqual([['Request handled', expect.objectContaining({ durationMs: 300, warehouseMs: 300, sessionReused: true })]]);
  });

  const failing = (error: Error): Warehouse => ({
    predict: async () => {
      clock.time += 40;
      throw error;
    },
  });

  it.each<[string, Error, string, Record<string, unknown>]>([
    ['502 as an error', new WarehouseError('failed', 'statement FAILED: boom', 'st-2'), 'Request failed', { statusCode: 502, failure: 'failed', reason: 'statement FAILED: boom', statementId: 'st-2' }],
    ['503 as a warning', new WarehouseError('model-not-ready', 'training', 'st-3'), 'Request not served', { statusCode: 503, failure: 'model-not-ready', reason: 'training', statementId: 'st-3' }],
    ['504 as a warning', new WarehouseError('deadline', 'deadline passed', 'st-4'), 'Request not served', { statusCode: 504, failure: 'deadline', reason: 'deadline passed', statementId: 'st-4' }],
  ])('report a %s with the failure, its reason and the time spent', async (_name, error, message, attributes) => {
    const { lines } = capture();
    clock = new FakeClock(5_000);
    await handlerWith(failing(error))(event(sampleBody), context());
    expect(lines).toEqual([[message, { ...attributes, batchSize: 1, durationMs: 40, warehouseMs: 40 }]]);
  });

  it('report an unexpected error with its stack, then the 500 as an error', async () => {
    const { lines } = capture();
    const bug = new TypeError('secret internals at line 42');
    await handlerWith(failing(bug))(event(sampleBody), context());
    expect(lines).toEqual([
      ['Unexpected error', bug],
      ['Request failed', { statusCode: 500, durationMs: 40 }],
    ]);
  });

  it("never contain the applicants' feature values", async () => {
    const { lines } = capture();
    warehouseAnswers([true, 0.82]);
    const handler = handlerWith();
    await handler(event(sampleBody), context());
    await handler(event(JSON.stringify({ ...sample, age: 17, income: 'x' })), context());
    statementFails('ERROR: permission denied for function ml_fn_prediction');
    await handler(event(sampleBody), context());

    const logged = JSON.stringify(lines);
    expect(lines).toHaveLength(3);
    for (const value of ['41820', '221750', '424', 'Forbearance', 'Unemployed', 'Single', 'Home']) {
      expect(logged).not.toContain(value);
    }
    expect(logged).toContain('$.age');
  });
});

describe('the API contract', () => {
  it('names the OAuth scope a client needs as Cognito does: <resource server identifier>/predict', () => {
    expect(fullScopeName('https://loan-api.example')).toBe('https://loan-api.example/predict');
  });
});
