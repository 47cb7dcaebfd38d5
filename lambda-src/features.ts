/**
 * The single source of truth for the loan-remediation dataset: every column's name, SQL type, value
 * type and allowed range or categories. The dataset generator, the table DDL and COPY column lists,
 * the CREATE MODEL query and the Lambda's request schema are all derived from this module; nothing
 * else restates these lists.
 *
 * Ranges and categories follow the original AWS sample's dataset.
 */

interface ColumnBase<N extends string> {
  /** Column name in the CSV, the table and the request body. */
  readonly name: N;
  /** Redshift column type. */
  readonly sqlType: string;
  readonly description: string;
}

export interface IntegerColumn<N extends string = string> extends ColumnBase<N> {
  readonly kind: 'integer';
  readonly min: number;
  readonly max: number;
}

export interface DecimalColumn<N extends string = string> extends ColumnBase<N> {
  readonly kind: 'decimal';
  readonly min: number;
  readonly max: number;
  /** Digits after the decimal point that a value may carry. */
  readonly scale: number;
}

export interface CategoryColumn<C extends string = string, N extends string = string> extends ColumnBase<N> {
  readonly kind: 'category';
  readonly categories: readonly C[];
}

export type FeatureColumn = IntegerColumn | DecimalColumn | CategoryColumn;

// Each helper keeps the column name as a literal type, so LoanApplication can be derived from FEATURES.
const integer = <const N extends string>(name: N, min: number, max: number, description: string): IntegerColumn<N> => ({
  name,
  kind: 'integer',
  sqlType: 'INTEGER',
  min,
  max,
  description,
});

const decimal = <const N extends string>(
  name: N,
  min: number,
  max: number,
  scale: number,
  sqlType: string,
  description: string,
): DecimalColumn<N> => ({ name, kind: 'decimal', sqlType, min, max, scale, description });

const category = <const C extends string, const N extends string>(
  name: N,
  categories: readonly C[],
  description: string,
): CategoryColumn<C, N> => ({ name, kind: 'category', sqlType: 'VARCHAR(32)', categories, description });

export const GENDERS = ['Male', 'Female'] as const;
export const LOAN_TYPES = ['Personal', 'Auto', 'Home', 'Student', 'Business'] as const;
export const EMPLOYMENT_STATUSES = ['Employed', 'Self-employed', 'Unemployed'] as const;
export const MARITAL_STATUSES = ['Married', 'Single', 'Divorced'] as const;
export const REMEDIATION_STRATEGIES = [
  'Payment Reminder',
  'Loan Restructuring',
  'Debt Consolidation',
  'Forbearance',
  'Deferment',
  'Refinancing',
] as const;

/** The 14 model inputs, in the order of the original CSV header. */
export const FEATURES = [
  integer('age', 18, 65, 'Age of the customer in years'),
  category('gender', GENDERS, 'Gender of the customer'),
  integer('income', 20_000, 200_000, 'Yearly income'),
  category('loan_type', LOAN_TYPES, 'Kind of loan'),
  integer('loan_amount', 10_000, 500_000, 'Principal of the loan'),
  decimal('interest_rate', 0.05, 0.2, 2, 'DECIMAL(4,2)', 'Interest rate as a fraction (0.07 = 7 %)'),
  integer('loan_term', 12, 60, 'Term of the loan in months'),
  decimal('loan_interest_rate', 5, 20, 2, 'DECIMAL(5,2)', 'Interest rate in percent (= interest_rate x 100)'),
  integer('credit_score', 300, 850, 'Credit score'),
  category('employment_status', EMPLOYMENT_STATUSES, 'Employment status'),
  category('marital_status', MARITAL_STATUSES, 'Marital status'),
  category('remediation_strategy', REMEDIATION_STRATEGIES, 'Remediation strategy offered to the customer'),
  integer('missed_payments', 0, 12, 'Number of missed payments'),
  integer('missed_payments_duration', 0, 12, 'Months since the first missed payment (0 when none was missed)'),
] as const satisfies readonly FeatureColumn[];

export type FeatureName = (typeof FEATURES)[number]['name'];

/** The label the model learns: did the remediation strategy work. */
export const TARGET = { name: 'successful', sqlType: 'BOOLEAN', description: 'Whether the remediation worked' } as const;

/** Columns stored with every row that are not model inputs. */
export const CUSTOMER_ID = { name: 'customer_id', sqlType: 'BIGINT', description: 'Unique customer id' } as const;
export const TIMESTAMP = { name: 'timestamp', sqlType: 'DATE', description: 'Date the outcome was recorded' } as const;

/**
 * The train/holdout split, as in the original sample's CREATE MODEL: rows recorded before this date
 * train the model; later rows stay unseen, to check it.
 */
export const TRAINING_CUTOFF = '2023-01-31';

/** Every column of the CSV and the table, in order (same order as the original header). */
export const TABLE_COLUMNS = [
  { name: CUSTOMER_ID.name, sqlType: CUSTOMER_ID.sqlType },
  ...FEATURES.map(({ name, sqlType }) => ({ name, sqlType })),
  { name: TARGET.name, sqlType: TARGET.sqlType },
  { name: TIMESTAMP.name, sqlType: TIMESTAMP.sqlType },
] as const;

export const FEATURE_NAMES: readonly FeatureName[] = FEATURES.map((f) => f.name);
export const TABLE_COLUMN_NAMES: readonly string[] = TABLE_COLUMNS.map((c) => c.name);

/** The value a column takes in an application: a number, or one of its categories. */
type FeatureValue<F extends FeatureColumn> =
  F extends CategoryColumn<infer C> ? C : F extends IntegerColumn | DecimalColumn ? number : never;

/** One application: the 14 model inputs, derived from FEATURES. */
export type LoanApplication = { [F in (typeof FEATURES)[number] as F['name']]: FeatureValue<F> };

/**
 * Rules that tie columns together. The generator obeys them and the request schema enforces them.
 * Each returns an error message, or undefined when the application satisfies the rule.
 */
export const CROSS_FIELD_RULES: readonly {
  readonly fields: readonly FeatureName[];
  readonly check: (a: LoanApplication) => string | undefined;
}[] = [
  {
    fields: ['missed_payments_duration'],
    check: (a) =>
      a.missed_payments === 0 && a.missed_payments_duration !== 0
        ? 'must be 0 when missed_payments is 0'
        : undefined,
  },
  {
    fields: ['loan_interest_rate'],
    check: (a) =>
      Math.abs(a.loan_interest_rate - a.interest_rate * 100) > 1e-6
        ? 'must equal interest_rate x 100'
        : undefined,
  },
];
