/**
 * The handler's `Warehouse` over the embedded database: the Lambda's own prediction statement
 * (`buildPredictionStatement`), with its Data API `:name` parameters turned into Postgres's `$n` and
 * nothing else changed, casts included.
 */
import type { PGlite } from '@electric-sql/pglite';
import { randomUUID } from 'crypto';
import { LoanApplication } from '../../lambda-src/features';
import { buildPredictionStatement, PredictionQueryTarget, SqlStatement } from '../../lambda-src/sql';
import { PredictionResult, readProbabilityOfEffective, Warehouse, WarehouseError } from '../../lambda-src/warehouse';

/** Postgres's code for "function does not exist": the model's functions are not installed. */
const UNDEFINED_FUNCTION = '42883';

/** `:a0_age::INTEGER` -> `$1::INTEGER`: numbered in the order of the statement's parameters. */
export function toPositionalParameters(statement: SqlStatement): { sql: string; values: string[] } {
  const position = new Map(statement.parameters.map((parameter, index) => [parameter.name, index + 1]));
  // A named parameter is `:` + name, never the second colon of a `::` cast.
  const sql = statement.sql.replace(/(?<!:):([A-Za-z_][A-Za-z0-9_]*)/g, (match, name: string) => {
    const index = position.get(name);
    if (index === undefined) throw new Error(`statement uses ${match}, which has no value`);
    return `$${index}`;
  });
  return { sql, values: statement.parameters.map((parameter) => parameter.value) };
}

interface ResultRow {
  application_index: number;
  effective: boolean;
  probabilities: unknown;
}

export class PgliteWarehouse implements Warehouse {
  constructor(
    private readonly db: PGlite,
    private readonly target: PredictionQueryTarget,
    private readonly now: () => number = () => performance.now(),
  ) {}

  async predict(applications: readonly LoanApplication[], deadlineAt: number): Promise<PredictionResult> {
    const statementId = randomUUID();
    const { sql, values } = toPositionalParameters(buildPredictionStatement(applications, this.target));
    let rows: ResultRow[];
    try {
      ({ rows } = await this.db.query<ResultRow>(sql, values));
    } catch (error) {
      const { code, message } = error as { code?: string; message?: string };
      throw new WarehouseError(code === UNDEFINED_FUNCTION ? 'model-not-ready' : 'failed', String(message), statementId);
    }
    // The embedded database cannot be interrupted mid-statement: a late answer is still a deadline miss.
    if (this.now() > deadlineAt) throw new WarehouseError('deadline', 'deadline passed', statementId);
    if (rows.length !== applications.length) {
      throw new WarehouseError('failed', `expected ${applications.length} result rows, got ${rows.length}`, statementId);
    }
    const predictions = rows.map((row, position) => {
      if (row.application_index !== position || typeof row.effective !== 'boolean') {
        throw new WarehouseError('failed', `result row ${position} has an unexpected shape`, statementId);
      }
      const probability =
        row.probabilities === null ? undefined : readProbabilityOfEffective(JSON.stringify(row.probabilities));
      return { effective: row.effective, probability: probability ?? null };
    });
    return { predictions, statementId, roundTrips: 1, sessionReused: false };
  }
}
