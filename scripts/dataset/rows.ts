import {
  FEATURES,
  type CategoryColumn,
  type DecimalColumn,
  type IntegerColumn,
  type LoanApplication,
} from '../../lambda-src/features';
import { successProbability } from './latent-model';
import type { Random } from './random';

/** One line of the dataset before formatting. */
export interface DatasetRow {
  readonly customerId: number;
  readonly application: LoanApplication;
  readonly successful: boolean;
  /** The timestamp as a day number (see calendar.ts). */
  readonly day: number;
  /** The true probability `successful` was drawn from. */
  readonly probability: number;
}

type FeatureOfKind = {
  integer: IntegerColumn;
  decimal: DecimalColumn;
  category: CategoryColumn;
};

/** The spec of one input in features.ts, looked up once so each row reads plain properties. */
function feature<K extends keyof FeatureOfKind>(name: keyof LoanApplication, kind: K): FeatureOfKind[K] {
  const column = FEATURES.find((f) => f.name === name);
  if (column?.kind !== kind) throw new Error(`features.ts has no ${kind} column ${name}`);
  return column as FeatureOfKind[K];
}

/** A category input, typed with the application's own union of categories. */
function categories<N extends keyof LoanApplication>(name: N): readonly LoanApplication[N][] {
  return feature(name, 'category').categories as readonly LoanApplication[N][];
}

const AGE = feature('age', 'integer');
const GENDERS = categories('gender');
const INCOME = feature('income', 'integer');
const LOAN_TYPES = categories('loan_type');
const LOAN_AMOUNT = feature('loan_amount', 'integer');
const INTEREST_RATE = feature('interest_rate', 'decimal');
const LOAN_TERM = feature('loan_term', 'integer');
const CREDIT_SCORE = feature('credit_score', 'integer');
const EMPLOYMENT_STATUSES = categories('employment_status');
const MARITAL_STATUSES = categories('marital_status');
const REMEDIATION_STRATEGIES = categories('remediation_strategy');
const MISSED_PAYMENTS = feature('missed_payments', 'integer');
const MISSED_PAYMENTS_DURATION = feature('missed_payments_duration', 'integer');

/** loan_interest_rate is interest_rate in percent. */
const PERCENT = 100;
/** interest_rate is drawn in steps of its last decimal digit, so both rates are exact. */
const INTEREST_RATE_STEPS_PER_UNIT = 10 ** INTEREST_RATE.scale;

export interface RowContext {
  readonly random: Random;
  readonly firstDay: number;
  readonly lastDay: number;
  readonly noise: number;
}

/** One customer's application, every input drawn uniformly from its range or categories. */
export function drawApplication(random: Random): LoanApplication {
  const interestRateSteps = random.int(
    Math.round(INTEREST_RATE.min * INTEREST_RATE_STEPS_PER_UNIT),
    Math.round(INTEREST_RATE.max * INTEREST_RATE_STEPS_PER_UNIT),
  );
  const missedPayments = random.int(MISSED_PAYMENTS.min, MISSED_PAYMENTS.max);
  return {
    age: random.int(AGE.min, AGE.max),
    gender: random.pick(GENDERS),
    income: random.int(INCOME.min, INCOME.max),
    loan_type: random.pick(LOAN_TYPES),
    loan_amount: random.int(LOAN_AMOUNT.min, LOAN_AMOUNT.max),
    interest_rate: interestRateSteps / INTEREST_RATE_STEPS_PER_UNIT,
    loan_term: random.int(LOAN_TERM.min, LOAN_TERM.max),
    // From the whole steps, never as interest_rate * 100, which gives 7.000000000000001.
    loan_interest_rate: (interestRateSteps * PERCENT) / INTEREST_RATE_STEPS_PER_UNIT,
    credit_score: random.int(CREDIT_SCORE.min, CREDIT_SCORE.max),
    employment_status: random.pick(EMPLOYMENT_STATUSES),
    marital_status: random.pick(MARITAL_STATUSES),
    remediation_strategy: random.pick(REMEDIATION_STRATEGIES),
    missed_payments: missedPayments,
    // Months since the first missed payment: none missed means 0, k missed means at least k months.
    missed_payments_duration: missedPayments === 0 ? 0 : random.int(missedPayments, MISSED_PAYMENTS_DURATION.max),
  };
}

/** An application, its outcome drawn from the latent model, and a date within the range. */
export function drawRow(context: RowContext, customerId: number): DatasetRow {
  const { random } = context;
  const application = drawApplication(random);
  const probability = successProbability(application, context.noise);
  return {
    customerId,
    application,
    successful: random.unit() < probability,
    day: random.int(context.firstDay, context.lastDay),
    probability,
  };
}
