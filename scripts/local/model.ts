/**
 * The local stand-in for Redshift ML's model: a logistic regression fitted with IRLS (iteratively
 * reweighted least squares, Newton's method for the log-likelihood) and a small L2 ridge, learning
 * from the data only. Its inputs are generic: numbers standardized, categories one-hot, and the
 * remediation strategy crossed with every other input (a separate slope per strategy), because a
 * strategy's success depends on the customer's situation. Nothing here knows the generator's rules.
 *
 * The fitted model is kept in natural units, one linear score per strategy, so it can be written as
 * SQL (see model-sql.ts) and cached as JSON.
 */
import { FEATURES, LoanApplication } from '../../lambda-src/features';

export interface LabeledApplication {
  readonly application: LoanApplication;
  readonly successful: boolean;
}

/** The feature whose categories are crossed with every other input. */
export const CROSSED_FEATURE = 'remediation_strategy' satisfies (typeof FEATURES)[number]['name'];

const NUMERIC = FEATURES.filter((f) => f.kind !== 'category');
const CATEGORICAL = FEATURES.filter((f) => f.kind === 'category' && f.name !== CROSSED_FEATURE);
const CROSSED = (() => {
  const feature = FEATURES.find((f) => f.name === CROSSED_FEATURE);
  if (feature?.kind !== 'category') throw new Error(`features.ts has no category column ${CROSSED_FEATURE}`);
  return feature;
})();

/** The score of applications with one value of the crossed feature: intercept + slopes + category effects. */
export interface LinearScore {
  readonly intercept: number;
  /** Per numeric feature, the change in score per unit. */
  readonly slopes: Readonly<Record<string, number>>;
  /** Per categorical feature, the score added by each category. */
  readonly effects: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

export interface FittedModel {
  /** One score per category of CROSSED_FEATURE. */
  readonly scores: Readonly<Record<string, LinearScore>>;
  readonly trainingRows: number;
  readonly iterations: number;
}

/** L2 penalty on every coefficient but the intercept: keeps the redundant one-hot columns identifiable. */
const RIDGE = 1;
const MAX_ITERATIONS = 30;
const TOLERANCE = 1e-8;

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/**
 * Design: [1, base(a), onehot(strategy), onehot(strategy) x base(a)], where base(a) is every numeric
 * feature standardized and every other category one-hot. Each row has the same number of non-zero
 * columns (1 + B + 1 + B), so rows are stored sparsely as (column, value) pairs.
 */
class Design {
  readonly baseWidth: number;
  readonly width: number;
  readonly perRow: number;
  private readonly means: number[];
  private readonly spreads: number[];

  constructor(rows: readonly LabeledApplication[]) {
    this.means = NUMERIC.map((f) => rows.reduce((sum, r) => sum + Number(r.application[f.name]), 0) / rows.length);
    this.spreads = NUMERIC.map((f, i) => {
      const variance = rows.reduce((sum, r) => sum + (Number(r.application[f.name]) - this.means[i]) ** 2, 0) / rows.length;
      return Math.sqrt(variance) || 1;
    });
    this.baseWidth = NUMERIC.length + CATEGORICAL.reduce((sum, f) => sum + f.categories.length, 0);
    this.width = 1 + this.baseWidth + CROSSED.categories.length * (1 + this.baseWidth);
    this.perRow = 2 + 2 * this.baseWidth;
  }

  /** Writes row `a`'s non-zero columns and values at `offset`. */
  encode(a: LoanApplication, columns: Int32Array, values: Float64Array, offset: number): void {
    const base: number[] = [];
    const baseColumns: number[] = [];
    NUMERIC.forEach((f, i) => {
      baseColumns.push(i);
      base.push((Number(a[f.name]) - this.means[i]) / this.spreads[i]);
    });
    let start = NUMERIC.length;
    for (const f of CATEGORICAL) {
      baseColumns.push(start + Math.max(0, (f.categories as readonly string[]).indexOf(a[f.name] as string)));
      base.push((f.categories as readonly string[]).includes(a[f.name] as string) ? 1 : 0);
      start += f.categories.length;
    }
    const strategy = (CROSSED.categories as readonly string[]).indexOf(a[CROSSED_FEATURE]);
    if (strategy < 0) throw new Error(`unknown ${CROSSED_FEATURE} ${JSON.stringify(a[CROSSED_FEATURE])}`);
    const block = 1 + this.baseWidth + strategy * (1 + this.baseWidth);
    let k = offset;
    const put = (column: number, value: number) => {
      columns[k] = column;
      values[k++] = value;
    };
    put(0, 1);
    baseColumns.forEach((column, i) => put(1 + column, base[i]));
    put(block, 1);
    baseColumns.forEach((column, i) => put(block + 1 + column, base[i]));
  }

  /** Turns coefficients on the design's columns into one natural-units score per strategy. */
  toScores(beta: Float64Array): Record<string, LinearScore> {
    return Object.fromEntries(
      CROSSED.categories.map((strategy, s) => {
        const block = 1 + this.baseWidth + s * (1 + this.baseWidth);
        const weight = (baseColumn: number) => beta[1 + baseColumn] + beta[block + 1 + baseColumn];
        let intercept = beta[0] + beta[block];
        const slopes: Record<string, number> = {};
        NUMERIC.forEach((f, i) => {
          slopes[f.name] = weight(i) / this.spreads[i];
          intercept -= slopes[f.name] * this.means[i];
        });
        const effects: Record<string, Record<string, number>> = {};
        let start = NUMERIC.length;
        for (const f of CATEGORICAL) {
          effects[f.name] = Object.fromEntries(f.categories.map((category, c) => [category, weight(start + c)]));
          start += f.categories.length;
        }
        return [strategy, { intercept, slopes, effects }];
      }),
    );
  }
}

/** Solves the symmetric positive-definite system A x = b in place (Cholesky); A is n x n row-major. */
function solveSpd(a: Float64Array, b: Float64Array, n: number): Float64Array {
  for (let j = 0; j < n; j++) {
    let diagonal = a[j * n + j];
    for (let k = 0; k < j; k++) diagonal -= a[j * n + k] ** 2;
    if (!(diagonal > 0)) throw new Error('training failed: the system is not positive definite');
    const ljj = Math.sqrt(diagonal);
    a[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let sum = a[i * n + j];
      for (let k = 0; k < j; k++) sum -= a[i * n + k] * a[j * n + k];
      a[i * n + j] = sum / ljj;
    }
  }
  const x = Float64Array.from(b);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < i; k++) x[i] -= a[i * n + k] * x[k];
    x[i] /= a[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    for (let k = i + 1; k < n; k++) x[i] -= a[k * n + i] * x[k];
    x[i] /= a[i * n + i];
  }
  return x;
}

/** Fits the model by IRLS; throws when there is nothing to learn from (no rows, or one outcome only). */
export function fitModel(rows: readonly LabeledApplication[]): FittedModel {
  const positives = rows.filter((r) => r.successful).length;
  if (rows.length === 0 || positives === 0 || positives === rows.length) {
    throw new Error(`training needs rows of both outcomes; got ${rows.length} rows, ${positives} successful`);
  }
  const design = new Design(rows);
  const { width: p, perRow } = design;
  const n = rows.length;
  const columns = new Int32Array(n * perRow);
  const values = new Float64Array(n * perRow);
  rows.forEach((row, i) => design.encode(row.application, columns, values, i * perRow));
  const labels = Float64Array.from(rows, (r) => (r.successful ? 1 : 0));

  const beta = new Float64Array(p);
  let iterations = 0;
  for (; iterations < MAX_ITERATIONS; iterations++) {
    const hessian = new Float64Array(p * p);
    const gradient = new Float64Array(p);
    for (let i = 0; i < n; i++) {
      const offset = i * perRow;
      let eta = 0;
      for (let k = offset; k < offset + perRow; k++) eta += beta[columns[k]] * values[k];
      const mu = sigmoid(eta);
      const w = mu * (1 - mu);
      const residual = labels[i] - mu;
      for (let k = offset; k < offset + perRow; k++) {
        const ck = columns[k];
        const vk = values[k] * w;
        gradient[ck] += values[k] * residual;
        for (let l = offset; l < offset + perRow; l++) {
          // Lower triangle only: the solver reads a[i][k] with k <= i.
          if (columns[l] <= ck) hessian[ck * p + columns[l]] += vk * values[l];
        }
      }
    }
    for (let j = 1; j < p; j++) {
      hessian[j * p + j] += RIDGE;
      gradient[j] -= RIDGE * beta[j];
    }
    const step = solveSpd(hessian, gradient, p);
    let largest = 0;
    for (let j = 0; j < p; j++) {
      beta[j] += step[j];
      largest = Math.max(largest, Math.abs(step[j]));
    }
    if (largest < TOLERANCE) break;
  }
  return { scores: design.toScores(beta), trainingRows: n, iterations: iterations + 1 };
}

/** The model's score (log-odds of success) for one application. */
export function modelScore(model: FittedModel, a: LoanApplication): number {
  const score = model.scores[a[CROSSED_FEATURE]];
  let z = score.intercept;
  for (const f of NUMERIC) z += score.slopes[f.name] * Number(a[f.name]);
  for (const f of CATEGORICAL) z += score.effects[f.name][a[f.name] as string] ?? 0;
  return z;
}

/** P(successful) for one application. */
export const modelProbability = (model: FittedModel, a: LoanApplication): number => sigmoid(modelScore(model, a));

export const NUMERIC_FEATURES = NUMERIC;
export const CATEGORICAL_FEATURES = CATEGORICAL;
