import { FEATURES, type LoanApplication, type REMEDIATION_STRATEGIES } from '../../lambda-src/features';

/**
 * The hidden truth behind the `successful` label. A remediation works with probability
 *
 *   p = sigmoid(score / noise)
 *   score = intercept
 *         + creditScore    * (credit_score - 575) / 100
 *         + missedPayment  * missed_payments
 *         + incomeToLoan   * ln(income / loan_amount)
 *         + unemployed     * [employment_status = Unemployed]
 *         + strategyFits   * [the strategy suits the customer's situation, see STRATEGY_FITS]
 *         + strategyMisses * [it does not]
 *
 * `noise` is the scale of logistic noise on the score (the label is `score + noise * e > 0` with e
 * standard logistic): 1 is the documented default, smaller is more separable (0 makes the label a
 * deterministic function of the inputs), larger pushes every probability towards 0.5.
 */
export const COEFFICIENTS = {
  intercept: 1.5,
  creditScore: 0.8,
  missedPayment: -0.22,
  incomeToLoan: 0.6,
  unemployed: -0.6,
  strategyFits: 2.2,
  strategyMisses: -0.6,
} as const;

/** The credit term is centred on the middle of the credit_score range (575 for 300..850). */
const CREDIT_SCORE_CENTRE = (() => {
  const creditScore = FEATURES.find((f) => f.name === 'credit_score');
  if (creditScore?.kind !== 'integer') throw new Error('features.ts has no integer column credit_score');
  return (creditScore.min + creditScore.max) / 2;
})();

type RemediationStrategy = (typeof REMEDIATION_STRATEGIES)[number];

/** Each strategy works in a different situation; elsewhere it mostly fails. */
export const STRATEGY_FITS: Readonly<
  Record<RemediationStrategy, { situation: string; fits: (a: LoanApplication) => boolean }>
> = {
  'Payment Reminder': {
    situation: 'at most one missed payment: a nudge is enough',
    fits: (a) => a.missed_payments <= 1,
  },
  'Loan Restructuring': {
    situation: 'a customer in work whose loan is at least twice their yearly income',
    fits: (a) => a.employment_status !== 'Unemployed' && a.loan_amount >= 2 * a.income,
  },
  'Debt Consolidation': {
    situation: 'a personal or business loan and a credit score of at least 600',
    fits: (a) => (a.loan_type === 'Personal' || a.loan_type === 'Business') && a.credit_score >= 600,
  },
  Forbearance: {
    situation: 'the temporarily unemployed: out of work, first payment missed at most 4 months ago',
    fits: (a) => a.employment_status === 'Unemployed' && a.missed_payments_duration <= 4,
  },
  Deferment: {
    situation: 'student loans',
    fits: (a) => a.loan_type === 'Student',
  },
  Refinancing: {
    situation: 'good credit: a credit score of at least 700',
    fits: (a) => a.credit_score >= 700,
  },
};

export function successScore(a: LoanApplication): number {
  const c = COEFFICIENTS;
  return (
    c.intercept +
    (c.creditScore * (a.credit_score - CREDIT_SCORE_CENTRE)) / 100 +
    c.missedPayment * a.missed_payments +
    c.incomeToLoan * Math.log(a.income / a.loan_amount) +
    (a.employment_status === 'Unemployed' ? c.unemployed : 0) +
    (STRATEGY_FITS[a.remediation_strategy].fits(a) ? c.strategyFits : c.strategyMisses)
  );
}

/** Probability that the remediation works, for a noise scale >= 0. */
export function successProbability(a: LoanApplication, noise: number): number {
  const score = successScore(a);
  if (noise === 0) return score > 0 ? 1 : score < 0 ? 0 : 0.5;
  return 1 / (1 + Math.exp(-score / noise));
}
