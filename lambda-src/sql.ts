/**
 * The prediction statement: one SQL text per batch size, every request value a Data API named parameter
 * with an explicit cast. Identifiers come only from validated configuration (the `SqlIdentifier` brand
 * can only be obtained through `parseSqlIdentifier`).
 */
import { FeatureColumn, FEATURES, LoanApplication } from './features';

export type SqlIdentifier = string & { readonly __brand: 'SqlIdentifier' };

/**
 * The one definition of a SQL identifier in this project, used by the synth-time configuration
 * (stacks/config.ts), the warehouse scripts and the Lambda: a name Redshift never needs quoted.
 * Lowercase only, because Redshift folds unquoted names to lowercase (with
 * enable_case_sensitive_identifier off) and the warehouse SQL compares names with the system views'
 * lowercase entries; at most 127 bytes, Redshift's limit ("Names and identifiers", Amazon Redshift
 * Database Developer Guide). `$` is allowed by Redshift but left out: nothing here needs it.
 */
export const SQL_IDENTIFIER = /^[a-z_][a-z0-9_]{0,126}$/;
/** SQL_IDENTIFIER in words, for error messages. */
export const SQL_IDENTIFIER_RULE = '1-127 characters: lowercase letters, digits and underscores, not starting with a digit';

/** Returns the name as a SQL identifier, or undefined when it is not a plain (optionally schema-qualified) one. */
export function parseSqlIdentifier(name: string, options: { qualified: boolean }): SqlIdentifier | undefined {
  const parts = name.split('.');
  const valid = parts.length <= (options.qualified ? 2 : 1) && parts.every((part) => SQL_IDENTIFIER.test(part));
  return valid ? (name as SqlIdentifier) : undefined;
}

export interface SqlParameter {
  readonly name: string;
  /** Always a non-empty string: the Data API converts it, guided by the cast in the SQL text. */
  readonly value: string;
}

export interface SqlStatement {
  readonly sql: string;
  readonly parameters: readonly SqlParameter[];
}

export interface PredictionQueryTarget {
  /** A user table with at least one row: Redshift ML functions must be applied on a user table. */
  readonly table: SqlIdentifier;
  readonly predictionFunction: SqlIdentifier;
  /** Redshift ML's `<function>_probabilities` (SUPER result); undefined for models without it. */
  readonly probabilityFunction: SqlIdentifier | undefined;
}

const parameterName = (index: number, feature: FeatureColumn): string => `a${index}_${feature.name}`;

function parameterValue(feature: FeatureColumn, application: LoanApplication): string {
  const value = application[feature.name as keyof LoanApplication];
  // Fixed notation: the schema limits decimals to `scale` places, and String() could write 1e-7.
  return feature.kind === 'decimal' && typeof value === 'number' ? value.toFixed(feature.scale) : String(value);
}

/**
 * Builds the statement for a batch (a single application is a batch of one):
 *
 *   SELECT a.application_index, fn(a.age, ...) AS effective, fn_probabilities(a.age, ...) AS probabilities
 *   FROM (
 *     SELECT * FROM (SELECT 0 AS application_index, :a0_age::INTEGER AS age, ... FROM <table> LIMIT 1) AS a0
 *     UNION ALL
 *     SELECT * FROM (SELECT 1 AS application_index, :a1_age::INTEGER AS age, ... FROM <table> LIMIT 1) AS a1
 *   ) AS a
 *   ORDER BY a.application_index
 *
 * Each application row is read from the user table with `LIMIT 1`, as the original did (an ML function
 * over literals alone fails with "must be applied on at least one user created table"). The inner
 * SELECT is wrapped because Redshift does not allow LIMIT directly inside a UNION. Each parameter is
 * referenced exactly once. The SQL text depends only on the batch size, so Redshift can reuse its
 * compiled plan.
 */
export function buildPredictionStatement(
  applications: readonly LoanApplication[],
  target: PredictionQueryTarget,
): SqlStatement {
  if (applications.length === 0) throw new Error('buildPredictionStatement needs at least one application');
  const parameters: SqlParameter[] = [];
  const rows = applications.map((application, index) => {
    const columns = FEATURES.map((feature) => {
      const name = parameterName(index, feature);
      parameters.push({ name, value: parameterValue(feature, application) });
      return `:${name}::${feature.sqlType} AS ${feature.name}`;
    });
    return (
      `SELECT * FROM (SELECT ${index} AS application_index, ${columns.join(', ')} ` +
      `FROM ${target.table} LIMIT 1) AS a${index}`
    );
  });
  const featureList = FEATURES.map((feature) => `a.${feature.name}`).join(', ');
  const probability = target.probabilityFunction ? `${target.probabilityFunction}(${featureList})` : 'NULL';
  const sql = [
    `SELECT a.application_index, ${target.predictionFunction}(${featureList}) AS effective, ${probability} AS probabilities`,
    `FROM (${rows.join(' UNION ALL ')}) AS a`,
    'ORDER BY a.application_index',
  ].join(' ');
  return { sql, parameters };
}

/**
 * The same statement for a PostgreSQL-protocol connection (the direct transport, and the local mode's
 * embedded database): `:a0_age::INTEGER` becomes `$1::INTEGER`, numbered in the order of the
 * statement's parameters; nothing else changes, casts included.
 */
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
