import {
  ActiveWaitingRequestsExceededException,
  CancelStatementCommand,
  DescribeStatementCommand,
  ExecuteStatementCommand,
  ExecuteStatementCommandInput,
  Field,
  GetStatementResultCommand,
  QueryTimeoutException,
  RedshiftDataServiceException,
  ResourceNotFoundException,
  ValidationException,
} from '@aws-sdk/client-redshift-data';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { isThrottlingError, isTransientError } from '@smithy/core/retry';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { RETRYABLE_ERRORS, WarehouseError } from '../lambda-src/warehouse';
import { FakeClock, testDataApiClient, testWarehouse } from './helpers/data-api';
import { SAMPLE_APPLICATION } from './helpers/sample-application';

const sample = SAMPLE_APPLICATION;

/** The fake clock starts at a fraction of a millisecond, as performance.now() does. */
const START = 0.25;

const client = testDataApiClient();
const dataApi = mockClient(client);
let clock: FakeClock;
let warnings: { message: string; attributes: Record<string, unknown> }[];

function warehouse(sessionKeepAliveSeconds = 300) {
  return testWarehouse({
    client,
    clock,
    sessionKeepAliveSeconds,
    logger: { warn: (message, attributes) => warnings.push({ message, attributes }) },
  });
}

const row = (index: number, effective: boolean, probabilityOfTrue: number): Field[] => [
  { longValue: index },
  { booleanValue: effective },
  { stringValue: JSON.stringify({ probabilities: [1 - probabilityOfTrue, probabilityOfTrue], labels: ['f', 't'] }) },
];

const DEADLINE_MS = 25_000;
const deadline = () => clock.now() + DEADLINE_MS;

function serviceError(name: string, message = name): RedshiftDataServiceException {
  return new RedshiftDataServiceException({ name, message, $fault: 'server', $metadata: {} });
}

/** A statement that finishes after `runMs`, seen through a Data API that honours WaitTimeSeconds. */
function statementRunning(runMs: number, finalStatus: 'FINISHED' | 'FAILED' = 'FINISHED', error?: string) {
  let startedAt = 0;
  const waitFor = (waitSeconds: number | undefined) => {
    const finishAt = startedAt + runMs;
    const until = Math.min(finishAt, clock.time + (waitSeconds ?? 0) * 1000);
    clock.time = Math.max(clock.time, until);
    return clock.time >= finishAt ? finalStatus : 'STARTED';
  };
  dataApi.on(ExecuteStatementCommand).callsFake((input: ExecuteStatementCommandInput) => {
    startedAt = clock.time;
    return { Id: 'st-1', Status: waitFor(input.WaitTimeSeconds), SessionId: 'session-1' };
  });
  dataApi.on(DescribeStatementCommand).callsFake((input: { WaitTimeSeconds?: number }) => {
    const status = waitFor(input.WaitTimeSeconds);
    return { Id: 'st-1', Status: status, Error: status === 'FAILED' ? error : undefined };
  });
}

beforeEach(() => {
  dataApi.reset();
  clock = new FakeClock(START);
  warnings = [];
});

describe('RedshiftDataWarehouse', () => {
  it('predicts one application with two round trips: ExecuteStatement (long poll) + GetStatementResult', async () => {
    statementRunning(50);
    dataApi.on(GetStatementResultCommand).resolves({ Records: [row(0, true, 0.8)] });

    const result = await warehouse().predict([sample], deadline());

    expect(result).toEqual({
      predictions: [{ effective: true, probability: 0.8 }],
      statementId: 'st-1',
      roundTrips: 2,
      sessionReused: false,
    });
    expect(dataApi).toHaveReceivedCommandWith(ExecuteStatementCommand, {
      WorkgroupName: 'loan-dev',
      Database: 'dev',
      WaitTimeSeconds: 24,
      SessionKeepAliveSeconds: 300,
    });
    expect(dataApi).toHaveReceivedCommandWith(GetStatementResultCommand, { Id: 'st-1' });
    expect(dataApi).not.toHaveReceivedCommand(DescribeStatementCommand);
    expect(clock.sleeps).toEqual([]);
  });

  it('predicts a batch with one statement and keeps the request order', async () => {
    statementRunning(500);
    dataApi
      .on(GetStatementResultCommand)
      .resolves({ Records: [row(0, true, 0.9), row(1, false, 0.3), row(2, true, 0.55)] });

    const result = await warehouse().predict([sample, { ...sample, age: 50 }, { ...sample, age: 60 }], deadline());

    expect(result.predictions).toEqual([
      { effective: true, probability: 0.9 },
      { effective: false, probability: 0.3 },
      { effective: true, probability: 0.55 },
    ]);
    expect(dataApi).toHaveReceivedCommandTimes(ExecuteStatementCommand, 1);
  });

  it('puts request values only into Parameters, never into the SQL text', async () => {
    statementRunning(50);
    dataApi.on(GetStatementResultCommand).resolves({ Records: [row(0, true, 0.8)] });
    await warehouse().predict([sample], deadline());

    const input = dataApi.commandCalls(ExecuteStatementCommand)[0].args[0].input;
    for (const value of ['41820', '221750', '424', 'Male', 'Home', 'Unemployed', 'Single', 'Forbearance']) {
      expect(input.Sql).not.toContain(value);
      expect(input.Parameters).toContainEqual({ name: expect.stringMatching(/^a0_/), value });
    }
  });

  it('waits with DescribeStatement long polling while the statement still runs, then fetches the result', async () => {
    // Fractional, like real time: every timeout handed to Node must still be a whole number of ms.
    statementRunning(35_000.5);
    dataApi.on(GetStatementResultCommand).resolves({ Records: [row(0, false, 0.1)] });

    const result = await warehouse().predict([sample], clock.now() + 60_000);

    expect(result.predictions).toEqual([{ effective: false, probability: 0.1 }]);
    expect(result.roundTrips).toBe(3);
    expect(dataApi).toHaveReceivedCommandWith(ExecuteStatementCommand, { WaitTimeSeconds: 30 });
    expect(dataApi).toHaveReceivedCommandWith(DescribeStatementCommand, { Id: 'st-1', WaitTimeSeconds: 29 });
    expect(clock.time).toBe(START + 35_000.5);
  });

  it('falls back to short adaptive polling when the endpoint does not hold long polls', async () => {
    let describes = 0;
    dataApi.on(ExecuteStatementCommand).resolves({ Id: 'st-1', Status: 'SUBMITTED' });
    dataApi.on(DescribeStatementCommand).callsFake(() => ({ Status: ++describes < 4 ? 'STARTED' : 'FINISHED' }));
    dataApi.on(GetStatementResultCommand).resolves({ Records: [row(0, true, 0.7)] });

    await warehouse().predict([sample], deadline());

    const waits = dataApi.commandCalls(DescribeStatementCommand).map((call) => call.args[0].input.WaitTimeSeconds);
    expect(waits).toEqual([24, undefined, undefined, undefined]);
    expect(clock.sleeps).toEqual([50, 100, 200]);
  });

  it('short-polls when too many requests already wait on the statement', async () => {
    dataApi.on(ExecuteStatementCommand).resolves({ Id: 'st-1', Status: 'STARTED' });
    dataApi
      .on(DescribeStatementCommand)
      .rejectsOnce(new ActiveWaitingRequestsExceededException({ message: 'too many waiting', $metadata: {} }))
      .resolves({ Status: 'FINISHED' });
    dataApi.on(GetStatementResultCommand).resolves({ Records: [row(0, true, 0.7)] });

    await expect(warehouse().predict([sample], deadline())).resolves.toMatchObject({ roundTrips: 4 });
    expect(clock.sleeps).toEqual([50]);
  });

  it('reports a FAILED statement with its error and never runs it again', async () => {
    statementRunning(100, 'FAILED', 'ERROR: permission denied for function ml_fn_prediction');

    const failure = await warehouse().predict([sample], deadline()).catch((e: unknown) => e);

    expect(failure).toBeInstanceOf(WarehouseError);
    expect(failure).toMatchObject({ kind: 'failed', statementId: 'st-1' });
    expect((failure as WarehouseError).reason).toContain('permission denied');
    expect(dataApi).toHaveReceivedCommandTimes(ExecuteStatementCommand, 1);
    expect(dataApi).toHaveReceivedCommandWith(DescribeStatementCommand, { Id: 'st-1' });
    expect(dataApi).not.toHaveReceivedCommand(GetStatementResultCommand);
  });

  it('reports an ABORTED statement as failed', async () => {
    dataApi.on(ExecuteStatementCommand).resolves({ Id: 'st-1', Status: 'STARTED' });
    dataApi.on(DescribeStatementCommand).resolves({ Status: 'ABORTED', Error: 'Query was cancelled by the user' });

    await expect(warehouse().predict([sample], deadline())).rejects.toMatchObject({
      kind: 'failed',
      reason: 'statement ABORTED: Query was cancelled by the user',
    });
    expect(dataApi).toHaveReceivedCommandTimes(ExecuteStatementCommand, 1);
  });

  it.each([
    'ERROR: function ml_fn_prediction(integer, character varying, integer) does not exist',
    'ERROR: Model public.predict_model is not ready',
    'ERROR: model "predict_model" is in TRAINING state',
  ])('maps "%s" to model-not-ready', async (error) => {
    statementRunning(100, 'FAILED', error);
    await expect(warehouse().predict([sample], deadline())).rejects.toMatchObject({ kind: 'model-not-ready' });
  });

  it('does not mistake a missing table for a model that is not ready', async () => {
    statementRunning(100, 'FAILED', 'ERROR: relation "public.loan_remediation" does not exist');
    await expect(warehouse().predict([sample], deadline())).rejects.toMatchObject({ kind: 'failed' });
  });

  it('masks SQL string literals in the logged reason', async () => {
    statementRunning(100, 'FAILED', "ERROR: invalid input syntax for integer: 'abc'");
    await expect(warehouse().predict([sample], deadline())).rejects.toMatchObject({
      reason: "statement FAILED: ERROR: invalid input syntax for integer: '?'",
    });
  });

  it('cancels the statement when the deadline passes', async () => {
    statementRunning(60_000);

    const failure = await warehouse().predict([sample], deadline()).catch((e: unknown) => e);

    expect(failure).toMatchObject({ kind: 'deadline', statementId: 'st-1' });
    expect(dataApi).toHaveReceivedCommandWith(CancelStatementCommand, { Id: 'st-1' });
    expect(clock.time).toBe(START + DEADLINE_MS);
    expect(dataApi).not.toHaveReceivedCommand(GetStatementResultCommand);
  });

  describe('what it logs for operators', () => {
    it('each retry: the attempt, the delay and the error', async () => {
      dataApi
        .on(ExecuteStatementCommand)
        .rejectsOnce(serviceError('ThrottlingException', 'Rate exceeded'))
        .resolves({ Id: 'st-1', Status: 'FINISHED' });
      dataApi.on(GetStatementResultCommand).resolves({ Records: [row(0, true, 0.6)] });
      await warehouse().predict([sample], deadline());
      expect(warnings).toEqual([
        { message: 'Retrying Data API call', attributes: { attempt: 1, delayMs: 50, error: 'ThrottlingException: Rate exceeded' } },
      ]);
    });

    it('a statement cancelled after the deadline, and one that could not be', async () => {
      statementRunning(60_000);
      await expect(warehouse().predict([sample], deadline())).rejects.toMatchObject({ kind: 'deadline' });
      expect(warnings).toEqual([{ message: 'Cancelled statement after the deadline', attributes: { statementId: 'st-1' } }]);

      warnings = [];
      clock = new FakeClock(START);
      const finished = 'Could not cancel a query that is already in FINISHED state';
      dataApi.on(CancelStatementCommand).rejects(serviceError('ValidationException', finished));
      await expect(warehouse().predict([sample], deadline())).rejects.toMatchObject({ kind: 'deadline', statementId: 'st-1' });
      expect(warnings).toEqual([
        { message: 'Could not cancel statement', attributes: { statementId: 'st-1', error: `ValidationException: ${finished}` } },
      ]);
    });

    it('an unreadable probability', async () => {
      statementRunning(50);
      dataApi.on(GetStatementResultCommand).resolves({ Records: [[{ longValue: 0 }, { booleanValue: true }, { stringValue: 'not json' }]] });
      await warehouse().predict([sample], deadline());
      expect(warnings).toEqual([{ message: 'Unreadable probability result; answering null', attributes: { statementId: 'st-1' } }]);
    });
  });

  it('retries throttling with jittered backoff, resubmitting with the same ClientToken', async () => {
    dataApi
      .on(ExecuteStatementCommand)
      .rejectsOnce(serviceError('ThrottlingException', 'Rate exceeded'))
      .rejectsOnce(serviceError('ThrottlingException', 'Rate exceeded'))
      .resolves({ Id: 'st-1', Status: 'FINISHED' });
    dataApi.on(GetStatementResultCommand).resolves({ Records: [row(0, true, 0.6)] });

    const result = await warehouse().predict([sample], deadline());

    expect(result.roundTrips).toBe(4);
    expect(clock.sleeps).toEqual([50, 100]);
    const tokens = dataApi.commandCalls(ExecuteStatementCommand).map((call) => call.args[0].input.ClientToken);
    expect(new Set(tokens).size).toBe(1);
    expect(warnings.map((w) => w.message)).toEqual(['Retrying Data API call', 'Retrying Data API call']);
  });

  it('counts every throttled call by operation, and nothing else', async () => {
    const throttled: string[] = [];
    const metrics = { dataApiThrottled: (operation: string) => throttled.push(operation) };
    dataApi
      .on(ExecuteStatementCommand)
      .rejectsOnce(serviceError('ThrottlingException', 'Rate exceeded'))
      .rejectsOnce(serviceError('InternalServerException'))
      .resolves({ Id: 'st-1', Status: 'STARTED' });
    dataApi.on(DescribeStatementCommand).rejectsOnce(serviceError('TooManyRequestsException')).resolves({ Status: 'FINISHED' });
    dataApi
      .on(GetStatementResultCommand)
      .rejectsOnce(serviceError('ThrottlingException', 'Rate exceeded'))
      .resolves({ Records: [row(0, true, 0.6)] });

    await testWarehouse({ client, clock, logger: { warn: () => undefined }, metrics }).predict([sample], deadline());

    expect(throttled).toEqual(['ExecuteStatement', 'DescribeStatement', 'GetStatementResult']);
  });

  it('gives up after four attempts', async () => {
    dataApi.on(ExecuteStatementCommand).rejects(serviceError('ThrottlingException'));
    await expect(warehouse(0).predict([sample], deadline())).rejects.toMatchObject({ kind: 'failed' });
    expect(dataApi).toHaveReceivedCommandTimes(ExecuteStatementCommand, 4);
  });

  it('reports a QueryTimeoutException from DescribeStatement as a failure, not as the deadline', async () => {
    // The SDK models QueryTimeoutException for CancelStatement and the metadata calls only; the
    // adapter's deadline is its own clock, not an error name.
    dataApi.on(ExecuteStatementCommand).resolves({ Id: 'st-1', Status: 'STARTED' });
    dataApi.on(DescribeStatementCommand).rejects(new QueryTimeoutException({ message: 'timed out', $metadata: {} }));
    await expect(warehouse(0).predict([sample], deadline())).rejects.toMatchObject({
      kind: 'failed',
      reason: 'Data API call failed: QueryTimeoutException: timed out',
    });
    expect(dataApi).not.toHaveReceivedCommand(CancelStatementCommand);
  });

  it('does not retry a refused request', async () => {
    dataApi.on(ExecuteStatementCommand).rejects(new ValidationException({ message: 'bad request', $metadata: {} }));
    await expect(warehouse(0).predict([sample], deadline())).rejects.toMatchObject({
      kind: 'failed',
      reason: 'Data API call failed: ValidationException: bad request',
    });
    expect(dataApi).toHaveReceivedCommandTimes(ExecuteStatementCommand, 1);
  });

  /** An error name the adapter does not know, so only its HTTP status can make it retryable. */
  const unknownErrorWithStatus = (httpStatusCode: number) =>
    new RedshiftDataServiceException({
      name: 'UnlistedException',
      message: `HTTP ${httpStatusCode}`,
      $fault: httpStatusCode >= 500 ? 'server' : 'client',
      $metadata: { httpStatusCode },
    });

  it.each([400, 403, 404, 409, 499])('does not retry an unknown error with HTTP status %i (the request itself is wrong)', async (status) => {
    dataApi.on(ExecuteStatementCommand).rejects(unknownErrorWithStatus(status));
    await expect(warehouse(0).predict([sample], deadline())).rejects.toMatchObject({
      kind: 'failed',
      reason: `Data API call failed: UnlistedException: HTTP ${status}`,
    });
    expect(dataApi).toHaveReceivedCommandTimes(ExecuteStatementCommand, 1);
    expect(clock.sleeps).toEqual([]);
  });

  it.each([500, 502, 503])('retries an unknown error with HTTP status %i (the service failed)', async (status) => {
    dataApi
      .on(ExecuteStatementCommand)
      .rejectsOnce(unknownErrorWithStatus(status))
      .resolves({ Id: 'st-1', Status: 'FINISHED' });
    dataApi.on(GetStatementResultCommand).resolves({ Records: [row(0, true, 0.6)] });

    const result = await warehouse(0).predict([sample], deadline());

    expect(result.predictions).toEqual([{ effective: true, probability: 0.6 }]);
    expect(dataApi).toHaveReceivedCommandTimes(ExecuteStatementCommand, 2);
    expect(clock.sleeps).toEqual([50]);
  });

  it.each<[string, Error]>([
    ['ThrottlingException', serviceError('ThrottlingException')],
    ['TooManyRequestsException', serviceError('TooManyRequestsException')],
    ['InternalServerException', serviceError('InternalServerException')],
    ['ActiveStatementsExceededException', serviceError('ActiveStatementsExceededException')],
    ['RequestTimeout', serviceError('RequestTimeout')],
    ['RequestTimeoutException', serviceError('RequestTimeoutException')],
    ['TimeoutError', Object.assign(new Error('socket timed out'), { name: 'TimeoutError' })],
    ...['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE'].map((code): [string, Error] => [
      `a connection error ${code}`,
      Object.assign(new Error(`connect ${code}`), { code }),
    ]),
  ])('retries %s once it has passed', async (_name, error) => {
    dataApi.on(ExecuteStatementCommand).rejectsOnce(error).resolves({ Id: 'st-1', Status: 'FINISHED' });
    dataApi.on(GetStatementResultCommand).resolves({ Records: [row(0, true, 0.6)] });
    await expect(warehouse(0).predict([sample], deadline())).resolves.toMatchObject({ roundTrips: 3 });
    expect(dataApi).toHaveReceivedCommandTimes(ExecuteStatementCommand, 2);
  });

  it('raises WarehouseError with the kind and reason in its message', async () => {
    dataApi.on(ExecuteStatementCommand).rejects(new ValidationException({ message: 'bad request', $metadata: {} }));
    const failure = await warehouse(0).predict([sample], deadline()).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(WarehouseError);
    expect(failure).toMatchObject({ name: 'WarehouseError', message: 'failed: Data API call failed: ValidationException: bad request' });
  });

  it('does not back off past the deadline: it reports the last error while there is still time', async () => {
    // random() is 0.5: the backoffs would be 50 ms, then 100 ms. With 120 ms left, the second backoff
    // would end after the deadline, so the adapter gives up at 50 ms with the throttling error.
    dataApi.on(ExecuteStatementCommand).rejects(serviceError('ThrottlingException', 'Rate exceeded'));
    const deadlineAt = clock.now() + 120;

    const failure = await warehouse(0).predict([sample], deadlineAt).catch((e: unknown) => e);

    expect(failure).toMatchObject({ kind: 'failed', reason: 'Data API call failed: ThrottlingException: Rate exceeded' });
    expect(clock.sleeps).toEqual([50]);
    expect(clock.now()).toBeLessThan(deadlineAt);
    expect(dataApi).toHaveReceivedCommandTimes(ExecuteStatementCommand, 2);
  });

  it('treats an empty result as a failure', async () => {
    statementRunning(50);
    dataApi.on(GetStatementResultCommand).resolves({ Records: [] });
    await expect(warehouse().predict([sample], deadline())).rejects.toMatchObject({
      kind: 'failed',
      reason: 'expected 1 result rows, got 0',
    });
  });

  it('answers a null probability when the model gives none or it cannot be read', async () => {
    statementRunning(50);
    dataApi.on(GetStatementResultCommand).resolves({
      Records: [
        [{ longValue: 0 }, { booleanValue: true }, { isNull: true }],
        [{ longValue: 1 }, { booleanValue: false }, { stringValue: 'not json' }],
      ],
    });
    const result = await warehouse().predict([sample, sample], deadline());
    expect(result.predictions).toEqual([
      { effective: true, probability: null },
      { effective: false, probability: null },
    ]);
    expect(warnings).toHaveLength(1);
  });

  describe('probability of the positive label', () => {
    const withLabels = async (labels: unknown[], probabilities: unknown[]) => {
      statementRunning(50);
      dataApi.on(GetStatementResultCommand).resolves({
        Records: [[{ longValue: 0 }, { booleanValue: true }, { stringValue: JSON.stringify({ probabilities, labels }) }]],
      });
      return (await warehouse().predict([sample], deadline())).predictions[0].probability;
    };

    it.each<[string, unknown[], number[], number]>([
      ["AWS's documented example output", ['False.', 'True.'], [0.25, 0.75], 0.75],
      ['short labels', ['f', 't'], [0.25, 0.75], 0.75],
      ['upper case, positive first', ['TRUE', 'FALSE'], [0.75, 0.25], 0.75],
      ['yes/no with dots', ['no.', 'Yes.'], [0.25, 0.75], 0.75],
      ['1/0', ['1', '0'], [0.75, 0.25], 0.75],
      ['JSON booleans', [false, true], [0.25, 0.75], 0.75],
      ['only a negative label recognised: 1 - p(negative)', ['False.', 'remediated'], [0.25, 0.75], 0.75],
      ['certainty that it works', ['f', 't'], [0, 1], 1],
      ['certainty that it does not', ['f', 't'], [1, 0], 0],
    ])('reads %s', async (_name, labels, probabilities, expected) => {
      expect(await withLabels(labels, probabilities)).toBe(expected);
      expect(warnings).toEqual([]);
    });

    it.each<[string, unknown[], unknown[]]>([
      ['no label recognised', ['low', 'high'], [0.25, 0.75]],
      ['two negative labels', ['f', 'no'], [0.25, 0.75]],
      ['a negative label among three', ['f', 'maybe', 'other'], [0.2, 0.3, 0.5]],
      ['a probability out of range', ['f', 't'], [-0.5, 1.5]],
      ['a probability just above 1', ['f', 't'], [0, 1.0001]],
      ['a probability just below 0', ['t', 'f'], [-0.0001, 1]],
      ['a probability given as text', ['f', 't'], ['0.25', '0.75']],
      ['labels that only end like true and false', ['untrue', 'nof'], [0.25, 0.75]],
      ['labels that only start like true and false', ['trueish', 'false positive'], [0.25, 0.75]],
    ])('answers null for %s', async (_name, labels, probabilities) => {
      expect(await withLabels(labels, probabilities)).toBeNull();
      expect(warnings).toHaveLength(1);
    });
  });

  describe('Data API session reuse', () => {
    beforeEach(() => {
      statementRunning(50);
      dataApi.on(GetStatementResultCommand).resolves({ Records: [row(0, true, 0.8)] });
    });

    it('reuses the session of the previous invocation', async () => {
      const shared = warehouse();
      await shared.predict([sample], deadline());
      const second = await shared.predict([sample], deadline());

      expect(second.sessionReused).toBe(true);
      const inputs = dataApi.commandCalls(ExecuteStatementCommand).map((call) => call.args[0].input);
      expect(inputs[1]).toMatchObject({ SessionId: 'session-1' });
      expect(inputs[1]).not.toHaveProperty('WorkgroupName');
      expect(inputs[1].SessionKeepAliveSeconds).toBeUndefined();
    });

    it('opens a new session before the old one expires', async () => {
      const shared = warehouse(60);
      await shared.predict([sample], deadline());
      clock.time += 50_000;
      await expect(shared.predict([sample], deadline())).resolves.toMatchObject({ sessionReused: false });
    });

    it('submits without the session when the Data API refuses it', async () => {
      const shared = warehouse();
      await shared.predict([sample], deadline());
      dataApi
        .on(ExecuteStatementCommand, { SessionId: 'session-1' })
        .rejects(new ValidationException({ message: 'Session is not available', $metadata: {} }));

      await expect(shared.predict([sample], deadline())).resolves.toMatchObject({ sessionReused: false, roundTrips: 3 });
      expect(warnings).toEqual([
        {
          message: 'Data API session refused; submitting without a session',
          attributes: { error: 'ValidationException: Session is not available' },
        },
      ]);
      const retried = dataApi.commandCalls(ExecuteStatementCommand)[2].args[0].input;
      expect(retried).toMatchObject({ WorkgroupName: 'loan-dev', Database: 'dev' });
      expect(retried.SessionKeepAliveSeconds).toBeUndefined();
    });

    /** Runs a statement that goes wrong as `goWrong` arranges, then a good one; returns the good one's input. */
    async function afterFailure(goWrong: () => void) {
      const shared = warehouse();
      await shared.predict([sample], deadline());
      goWrong();
      await expect(shared.predict([sample], deadline())).rejects.toBeInstanceOf(WarehouseError);
      statementRunning(50);
      dataApi.on(GetStatementResultCommand).resolves({ Records: [row(0, true, 0.8)] });
      await shared.predict([sample], deadline());
      return dataApi.commandCalls(ExecuteStatementCommand)[2].args[0].input;
    }

    it.each<[string, () => void]>([
      ['FAILED with a database error', () => statementRunning(100, 'FAILED', 'ERROR: permission denied for function ml_fn_prediction')],
      ['FAILED because the model is not ready', () => statementRunning(100, 'FAILED', 'ERROR: Model public.predict_model is not ready')],
      ['finished with a result it cannot use', () => void dataApi.on(GetStatementResultCommand).resolves({ Records: [] })],
    ])('keeps the session after a statement that %s (the session is healthy)', async (_name, goWrong) => {
      expect(await afterFailure(goWrong)).toMatchObject({ SessionId: 'session-1' });
    });

    it.each<[string, () => void]>([
      ['passed the deadline (and was cancelled)', () => statementRunning(60_000)],
      [
        'was ABORTED',
        () => {
          dataApi.on(ExecuteStatementCommand).resolves({ Id: 'st-1', Status: 'STARTED' });
          dataApi.on(DescribeStatementCommand).resolves({ Status: 'ABORTED', Error: 'Query was cancelled' });
        },
      ],
      ['met a transport error', () => void dataApi.on(GetStatementResultCommand).rejects(new Error('socket hang up'))],
      [
        'met a Data API error',
        () => {
          dataApi.on(ExecuteStatementCommand).resolves({ Id: 'st-1', Status: 'STARTED' });
          dataApi.on(DescribeStatementCommand).rejects(new ResourceNotFoundException({ message: 'gone', Message: 'gone', ResourceId: 'st-1', $metadata: {} }));
        },
      ],
    ])('drops the session after a statement that %s', async (_name, goWrong) => {
      const input = await afterFailure(goWrong);
      expect(input).toMatchObject({ WorkgroupName: 'loan-dev', SessionKeepAliveSeconds: 300 });
      expect(input).not.toHaveProperty('SessionId');
    });

    it('runs without sessions when SESSION_KEEP_ALIVE_SECONDS is 0', async () => {
      await warehouse(0).predict([sample], deadline());
      expect(dataApi.commandCalls(ExecuteStatementCommand)[0].args[0].input.SessionKeepAliveSeconds).toBeUndefined();
    });
  });

  describe('error names it handles', () => {
    /** The errors the installed SDK models for a command: the `@throws` list of its type declaration. */
    function modelledErrors(command: string): string[] {
      const sdk = path.dirname(path.dirname(require.resolve('@aws-sdk/client-redshift-data')));
      const declaration = readFileSync(path.join(sdk, 'dist-types', 'commands', `${command}Command.d.ts`), 'utf8');
      return [...declaration.matchAll(/@throws \{@link (\w+)\}/g)].map((match) => match[1]);
    }
    const RETRIED_COMMANDS = ['ExecuteStatement', 'DescribeStatement', 'GetStatementResult'];

    it('retries only errors the SDK models for the calls it retries, or that the SDK retry strategy classifies', () => {
      const modelled = new Set(RETRIED_COMMANDS.flatMap(modelledErrors));
      expect(modelled).toContain('ActiveStatementsExceededException');
      const unsupported = [...RETRYABLE_ERRORS].filter(
        (name) =>
          !modelled.has(name) &&
          !isThrottlingError({ name, $metadata: {} } as never) &&
          !isTransientError({ name, code: name, $metadata: {} } as never),
      );
      expect(unsupported).toEqual([]);
    });
  });

  describe('the edges', () => {
    /** DescribeStatement answers after `answerAfterMs(wait)` with STARTED, `polls` times, then FINISHED. */
    function describeAnswering(answerAfterMs: (waitSeconds: number) => number, polls: number) {
      let described = 0;
      dataApi.on(ExecuteStatementCommand).resolves({ Id: 'st-1', Status: 'STARTED' });
      dataApi.on(DescribeStatementCommand).callsFake((input: { WaitTimeSeconds?: number }) => {
        clock.time += answerAfterMs(input.WaitTimeSeconds ?? 0);
        return { Status: ++described > polls ? 'FINISHED' : 'STARTED' };
      });
      dataApi.on(GetStatementResultCommand).resolves({ Records: [row(0, true, 0.7)] });
    }
    const describeWaits = () => dataApi.commandCalls(DescribeStatementCommand).map((call) => call.args[0].input.WaitTimeSeconds);

    it('keeps long-polling while each long poll holds at least half its wait', async () => {
      describeAnswering((wait) => (wait * 1000) / 2, 2);
      await warehouse(0).predict([sample], clock.now() + 120_000);
      expect(describeWaits()).toEqual([30, 30, 30]);
      expect(clock.sleeps).toEqual([]);
    });

    it('falls back to short polls after a long poll answered a second into a 30-second wait', async () => {
      clock = new FakeClock(1_000_000);
      describeAnswering(() => 1000, 2);
      await warehouse(0).predict([sample], clock.now() + 120_000);
      expect(describeWaits()).toEqual([30, undefined, undefined]);
      expect(clock.sleeps).toEqual([50, 100]);
    });

    it('asks DescribeStatement for the error only when the status came without one', async () => {
      dataApi.on(ExecuteStatementCommand).resolves({ Id: 'st-1', Status: 'STARTED' });
      dataApi.on(DescribeStatementCommand).resolves({ Status: 'FAILED', Error: 'ERROR: division by zero' });
      await expect(warehouse(0).predict([sample], deadline())).rejects.toMatchObject({ reason: 'statement FAILED: ERROR: division by zero' });
      expect(dataApi).toHaveReceivedCommandTimes(DescribeStatementCommand, 1);
    });

    it('reports a FAILED statement the Data API gives no error text for', async () => {
      dataApi.on(ExecuteStatementCommand).resolves({ Id: 'st-1', Status: 'FAILED' });
      dataApi.on(DescribeStatementCommand).resolves({ Status: 'FAILED' });
      await expect(warehouse(0).predict([sample], deadline())).rejects.toMatchObject({ kind: 'failed', reason: 'statement FAILED: ' });
    });

    it('reads a model-not-ready message as such only for a FAILED statement', async () => {
      dataApi.on(ExecuteStatementCommand).resolves({ Id: 'st-1', Status: 'STARTED' });
      dataApi.on(DescribeStatementCommand).resolves({ Status: 'ABORTED', Error: 'ERROR: Model public.predict_model is not ready' });
      await expect(warehouse(0).predict([sample], deadline())).rejects.toMatchObject({ kind: 'failed' });
    });

    it('reports a deadline that passed before the first call, and cancels nothing', async () => {
      const failure = await warehouse(0).predict([sample], clock.now()).catch((e: unknown) => e);
      expect(failure).toMatchObject({ kind: 'deadline', reason: 'deadline passed', statementId: undefined });
      expect(dataApi).not.toHaveReceivedCommand(ExecuteStatementCommand);
      expect(dataApi).not.toHaveReceivedCommand(CancelStatementCommand);
    });

    it('does not back off when the backoff would end exactly at the deadline', async () => {
      dataApi.on(ExecuteStatementCommand).rejectsOnce(serviceError('ThrottlingException')).resolves({ Id: 'st-1', Status: 'FINISHED' });
      // random() is 0.5: the first backoff is 50 ms, all the time there is.
      await expect(warehouse(0).predict([sample], clock.now() + 50)).rejects.toMatchObject({ kind: 'failed' });
      expect(clock.sleeps).toEqual([]);
    });

    it('abandons a call still open after the deadline and its grace period, and cancels the statement', async () => {
      // A client that never answers until the call's abort signal fires (real time: deadline + 1 s).
      const hanging = {
        send: (command: object, options: { abortSignal: AbortSignal }) =>
          command instanceof GetStatementResultCommand
            ? new Promise((_resolve, reject) => options.abortSignal.addEventListener('abort', () => reject(options.abortSignal.reason)))
            : client.send(command as ExecuteStatementCommand, options),
      } as unknown as typeof client;
      statementRunning(50);
      const failure = await testWarehouse({ client: hanging, clock, logger: { warn: () => undefined } })
        .predict([sample], clock.now() + 100)
        .catch((e: unknown) => e);
      expect(failure).toMatchObject({ kind: 'deadline', statementId: 'st-1', reason: expect.stringContaining('TimeoutError') });
      expect(dataApi).toHaveReceivedCommandWith(CancelStatementCommand, { Id: 'st-1' });
    });

    it('passes every call an abort signal', async () => {
      const signals: unknown[] = [];
      const recording = {
        send: (command: ExecuteStatementCommand, options: { abortSignal?: unknown }) => {
          signals.push(options?.abortSignal);
          return client.send(command, options as never);
        },
      } as unknown as typeof client;
      const recorded = testWarehouse({ client: recording, clock, logger: { warn: () => undefined } });
      statementRunning(60_000);
      await recorded.predict([sample], deadline()).catch(() => undefined);
      // A FAILED statement: its error comes from one more DescribeStatement.
      dataApi.reset();
      dataApi.on(ExecuteStatementCommand).resolves({ Id: 'st-2', Status: 'FAILED' });
      dataApi.on(DescribeStatementCommand).resolves({ Status: 'FAILED', Error: 'ERROR: x' });
      await recorded.predict([sample], deadline()).catch(() => undefined);
      expect(signals.length).toBeGreaterThanOrEqual(5);
      expect(signals.every((signal) => signal instanceof AbortSignal)).toBe(true);
    });

    it('fails when ExecuteStatement returns no statement id', async () => {
      dataApi.on(ExecuteStatementCommand).resolves({ Status: 'FINISHED' });
      await expect(warehouse(0).predict([sample], deadline())).rejects.toMatchObject({
        kind: 'failed',
        reason: 'ExecuteStatement returned no statement id',
      });
    });

    it.each<[string, Field[]]>([
      ['a row out of order', [{ longValue: 1 }, { booleanValue: true }]],
      ['a null verdict', [{ longValue: 0 }, { isNull: true }]],
      ['a row with no fields', []],
      ['a row with only its index', [{ longValue: 0 }]],
    ])('fails on a result with %s', async (_name, record) => {
      statementRunning(50);
      dataApi.on(GetStatementResultCommand).resolves({ Records: [record] });
      await expect(warehouse().predict([sample], deadline())).rejects.toMatchObject({
        kind: 'failed',
        reason: 'result row 0 has an unexpected shape',
      });
    });

    it('answers a null probability for a row without the probability field, and fails for a result without records', async () => {
      statementRunning(50);
      dataApi.on(GetStatementResultCommand).resolvesOnce({ Records: [[{ longValue: 0 }, { booleanValue: false }]] }).resolves({});
      expect((await warehouse().predict([sample], deadline())).predictions).toEqual([{ effective: false, probability: null }]);
      await expect(warehouse().predict([sample], deadline())).rejects.toMatchObject({ reason: 'expected 1 result rows, got 0' });
    });

    it.each<[string, unknown]>([
      ['probabilities that are not a list', { probabilities: 0.75, labels: ['f', 't'] }],
      ['labels that are not a list', { probabilities: [0.25, 0.75], labels: 't' }],
      ['more labels than probabilities', { probabilities: [0.75], labels: ['t', 'f'] }],
      ['probabilities given as an object with a length', { probabilities: { 0: 0.25, 1: 0.75, length: 2 }, labels: ['f', 't'] }],
    ])('answers null for %s', async (_name, output) => {
      statementRunning(50);
      dataApi.on(GetStatementResultCommand).resolves({
        Records: [[{ longValue: 0 }, { booleanValue: true }, { stringValue: JSON.stringify(output) }]],
      });
      expect((await warehouse().predict([sample], deadline())).predictions[0].probability).toBeNull();
    });

    it.each<[string, unknown, string]>([
      ['an Error without a Data API status', new Error('socket hang up'), 'Data API call failed: Error: socket hang up'],
      ['something that is not an Error', null, 'Data API call failed: Error: null'],
      ['nothing at all', undefined, 'Data API call failed: Error: undefined'],
      ['a string', 'boom', 'Data API call failed: Error: boom'],
    ])('reports %s without retrying it', async (_name, thrown, reason) => {
      dataApi.on(ExecuteStatementCommand).callsFake(() => Promise.reject(thrown));
      await expect(warehouse(0).predict([sample], deadline())).rejects.toMatchObject({ kind: 'failed', reason });
      expect(dataApi).toHaveReceivedCommandTimes(ExecuteStatementCommand, 1);
    });

    it('keeps at most 500 characters of an error', async () => {
      dataApi.on(ExecuteStatementCommand).rejects(new ValidationException({ message: 'x'.repeat(600), $metadata: {} }));
      const failure = (await warehouse(0).predict([sample], deadline()).catch((e: unknown) => e)) as WarehouseError;
      expect(failure.reason).toBe(`Data API call failed: ${`ValidationException: ${'x'.repeat(600)}`.slice(0, 500)}`);
    });

    describe('sessions', () => {
      beforeEach(() => {
        statementRunning(0);
        dataApi.on(GetStatementResultCommand).resolves({ Records: [row(0, true, 0.8)] });
      });

      it('uses a session until 10 s before the Data API would close it', async () => {
        const shared = warehouse(60);
        await shared.predict([sample], deadline());
        clock.time = START + 49_999;
        await expect(shared.predict([sample], deadline())).resolves.toMatchObject({ sessionReused: true });
        // Counted from when the session was opened, not from its last use: AWS documents the keep-alive
        // as time after a query finishes, but not whether a query on an open session restarts it.
        clock.time = START + 50_000;
        await expect(shared.predict([sample], deadline())).resolves.toMatchObject({ sessionReused: false });
      });

      it('keeps no session it did not ask for, and none the Data API did not open', async () => {
        const sessionless = warehouse(0);
        await sessionless.predict([sample], deadline());
        await expect(sessionless.predict([sample], deadline())).resolves.toMatchObject({ sessionReused: false });
        dataApi.on(ExecuteStatementCommand).resolves({ Id: 'st-1', Status: 'FINISHED' });
        const unopened = warehouse(300);
        await unopened.predict([sample], deadline());
        await unopened.predict([sample], deadline());
        const inputs = dataApi.commandCalls(ExecuteStatementCommand).map((call) => call.args[0].input);
        expect(inputs.map((input) => input.SessionId)).toEqual([undefined, undefined, undefined, undefined]);
        expect(inputs[3]).toMatchObject({ WorkgroupName: 'loan-dev', SessionKeepAliveSeconds: 300 });
      });

      it('submits once without a session when the session is refused, and reports a second refusal', async () => {
        const shared = warehouse();
        await shared.predict([sample], deadline());
        dataApi.on(ExecuteStatementCommand).rejects(new ValidationException({ message: 'Session is not available', $metadata: {} }));
        await expect(shared.predict([sample], deadline())).rejects.toMatchObject({
          reason: 'Data API call failed: ValidationException: Session is not available',
        });
        expect(dataApi).toHaveReceivedCommandTimes(ExecuteStatementCommand, 3);
      });
    });
  });
});
