import { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { Clock } from '../../lambda-src/clock';
import { parseSqlIdentifier, SqlIdentifier } from '../../lambda-src/sql';
import { RedshiftDataWarehouse, WarehouseLogger } from '../../lambda-src/warehouse';

/** Time passes only when the code sleeps or a fake Data API call moves it on. */
export class FakeClock implements Clock {
  readonly sleeps: number[] = [];
  constructor(public time = 0) {}
  now = () => this.time;
  sleep = async (ms: number) => {
    this.sleeps.push(ms);
    this.time += ms;
  };
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
    clock: options.clock,
    random: () => 0.5,
  });
}
