import { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { Clock } from '../../lambda-src/clock';
import { parseSqlIdentifier, SqlIdentifier } from '../../lambda-src/sql';
import { RedshiftDataWarehouse, WarehouseLogger, WarehouseMetrics } from '../../lambda-src/warehouse';

/**
 * Time passes only when the code sleeps or a fake Data API call moves it on.
 *
 * A fake clock stops jest's own timeout from ever firing: code that waits in a loop the test did not
 * expect to end (a removed deadline check, say) would spin until the worker runs out of memory. So the
 * clock fails the test instead, after `maxSleeps` sleeps or once more than `maxElapsedMs` of simulated
 * time has passed since it was created. The defaults are far above anything a test here needs.
 */
export class FakeClock implements Clock {
  readonly sleeps: number[] = [];
  private readonly start: number;
  private readonly maxSleeps: number;
  private readonly maxElapsedMs: number;

  constructor(
    public time = 0,
    limits: { maxSleeps?: number; maxElapsedMs?: number } = {},
  ) {
    this.start = time;
    this.maxSleeps = limits.maxSleeps ?? 1000;
    this.maxElapsedMs = limits.maxElapsedMs ?? 24 * 3_600_000;
  }

  now = () => this.time;

  sleep = async (ms: number) => {
    this.sleeps.push(ms);
    this.time += ms;
    if (this.sleeps.length > this.maxSleeps) {
      throw new FakeClockLimitError(`${this.sleeps.length} sleeps (limit ${this.maxSleeps}): the code under test does not stop waiting`);
    }
    if (this.time - this.start > this.maxElapsedMs) {
      throw new FakeClockLimitError(`${this.time - this.start} ms of simulated time (limit ${this.maxElapsedMs}): the code under test does not stop waiting`);
    }
  };
}

export class FakeClockLimitError extends Error {
  override name = 'FakeClockLimitError';
}

const identifier = (name: string) => parseSqlIdentifier(name, { qualified: true }) as SqlIdentifier;

/** A client with static test credentials, for aws-sdk-client-mock to intercept. */
export const testDataApiClient = () =>
  new RedshiftDataClient({ region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });

/** The warehouse every Lambda test predicts against: the default table and model functions. */
export function testWarehouse(options: {
  client: RedshiftDataClient;
  clock: Clock;
  logger: WarehouseLogger;
  metrics?: WarehouseMetrics;
  sessionKeepAliveSeconds?: number;
}): RedshiftDataWarehouse {
  return new RedshiftDataWarehouse({
    client: options.client,
    workgroupName: 'loan-dev',
    database: 'dev',
    target: {
      table: identifier('public.loan_remediation'),
      predictionFunction: identifier('ml_fn_prediction'),
      probabilityFunction: identifier('ml_fn_prediction_probabilities'),
    },
    sessionKeepAliveSeconds: options.sessionKeepAliveSeconds ?? 300,
    logger: options.logger,
    metrics: options.metrics,
    clock: options.clock,
    random: () => 0.5,
  });
}
