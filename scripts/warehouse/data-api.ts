/**
 * Runs one SQL statement through the Redshift Data API and waits for it with long polling
 * (`WaitTimeSeconds`): each call returns as soon as the statement finishes, or after 30 s, so a fast
 * statement costs one round trip and a slow one costs no busy polling.
 */
import {
  DescribeStatementCommand,
  DescribeStatementResponse,
  ExecuteStatementCommand,
  Field,
  GetStatementResultCommand,
  RedshiftDataClient,
  StatusString,
} from '@aws-sdk/client-redshift-data';

/** The longest wait the Data API allows per call. */
export const LONG_POLL_SECONDS = 30;

export interface WarehouseTarget {
  readonly workgroupName: string;
  readonly database: string;
  /** The admin credentials secret: setup creates users, roles and models, which needs a superuser. */
  readonly secretArn: string;
}

export type Row = Readonly<Record<string, string | number | boolean | null>>;

/** A statement the database rejected (FAILED) or that was cancelled (ABORTED). */
export class StatementFailedError extends Error {
  constructor(
    readonly status: string,
    readonly databaseMessage: string,
  ) {
    super(`${status}: ${databaseMessage}`);
    this.name = 'StatementFailedError';
  }
}

const DONE: readonly string[] = [StatusString.FINISHED, StatusString.FAILED, StatusString.ABORTED];
const isDone = (status: string | undefined): boolean => status !== undefined && DONE.includes(status);

function fieldValue(field: Field): string | number | boolean | null {
  if (field.isNull) return null;
  return field.stringValue ?? field.longValue ?? field.doubleValue ?? field.booleanValue ?? null;
}

export class DataApi {
  constructor(
    private readonly client: RedshiftDataClient,
    private readonly target: WarehouseTarget,
  ) {}

  /** Runs the statement to completion and returns its rows (none for statements without a result set). */
  async query(sql: string): Promise<Row[]> {
    const started = await this.client.send(
      new ExecuteStatementCommand({
        WorkgroupName: this.target.workgroupName,
        Database: this.target.database,
        SecretArn: this.target.secretArn,
        Sql: sql,
        WaitTimeSeconds: LONG_POLL_SECONDS,
      }),
    );
    const id = started.Id;
    if (id === undefined) throw new Error('the Data API returned no statement id');
    let status: string | undefined = started.Status;
    let hasResultSet = started.HasResultSet;
    let described: DescribeStatementResponse | undefined;
    while (!isDone(status)) {
      described = await this.describe(id, LONG_POLL_SECONDS);
      status = described.Status;
      hasResultSet = described.HasResultSet;
    }
    if (status !== StatusString.FINISHED) {
      const { Error: message } = described ?? (await this.describe(id));
      throw new StatementFailedError(status ?? 'UNKNOWN', message ?? 'the Data API gave no error message');
    }
    hasResultSet ??= (await this.describe(id)).HasResultSet;
    return hasResultSet ? this.rows(id) : [];
  }

  private describe(id: string, waitTimeSeconds?: number): Promise<DescribeStatementResponse> {
    return this.client.send(new DescribeStatementCommand({ Id: id, WaitTimeSeconds: waitTimeSeconds }));
  }

  private async rows(id: string): Promise<Row[]> {
    const rows: Row[] = [];
    let nextToken: string | undefined;
    let names: (string | undefined)[] = [];
    do {
      const page = await this.client.send(new GetStatementResultCommand({ Id: id, NextToken: nextToken }));
      // The API reference does not say whether every page repeats ColumnMetadata: a page without it
      // keeps the names of the page before, and a column nothing names is named by its position.
      if (page.ColumnMetadata) names = page.ColumnMetadata.map((column) => column.label ?? column.name);
      for (const record of page.Records ?? []) {
        rows.push(Object.fromEntries(record.map((field, i) => [names[i] ?? `column${i + 1}`, fieldValue(field)])));
      }
      nextToken = page.NextToken;
    } while (nextToken);
    return rows;
  }
}
