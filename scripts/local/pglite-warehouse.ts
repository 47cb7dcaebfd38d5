/**
 * The handler's `Warehouse` over the embedded database, in this process: the Lambda's own prediction
 * statement (`buildPredictionStatement`), with its Data API `:name` parameters turned into Postgres's
 * `$n` and nothing else changed, casts included; the result rows are read by the direct transport's
 * code. It stands in for the Data API locally; WAREHOUSE_TRANSPORT=postgres runs the direct transport
 * itself over PGlite's wire-protocol server instead (local-api.ts).
 */
import type { PGlite } from '@electric-sql/pglite';
import { randomUUID } from 'crypto';
import { LoanApplication } from '../../lambda-src/features';
import { predictionsFromRows } from '../../lambda-src/postgres-warehouse';
import { buildPredictionStatement, PredictionQueryTarget, toPositionalParameters } from '../../lambda-src/sql';
import { PredictionResult, Warehouse, WarehouseError } from '../../lambda-src/warehouse';

/** Postgres's code for "function does not exist": the model's functions are not installed. */
const UNDEFINED_FUNCTION = '42883';

export class PgliteWarehouse implements Warehouse {
  constructor(
    private readonly db: PGlite,
    private readonly target: PredictionQueryTarget,
    private readonly now: () => number = () => performance.now(),
  ) {}

  async predict(applications: readonly LoanApplication[], deadlineAt: number): Promise<PredictionResult> {
    const statementId = randomUUID();
    const { sql, values } = toPositionalParameters(buildPredictionStatement(applications, this.target));
    let rows: Record<string, unknown>[];
    try {
      ({ rows } = await this.db.query<Record<string, unknown>>(sql, values));
    } catch (error) {
      const { code, message } = error as { code?: string; message?: string };
      throw new WarehouseError(code === UNDEFINED_FUNCTION ? 'model-not-ready' : 'failed', String(message), statementId);
    }
    // The embedded database cannot be interrupted mid-statement: a late answer is still a deadline miss.
    if (this.now() > deadlineAt) throw new WarehouseError('deadline', 'deadline passed', statementId);
    return { predictions: predictionsFromRows(rows, applications.length, statementId), statementId, roundTrips: 1, sessionReused: false };
  }
}
