/**
 * Type tests: `npm run typecheck` (tsc --noEmit, part of `npm test`) checks this file; jest never runs
 * it. A type that drifts makes an `expectTypeOf` call a compile error, so these cannot pass by accident.
 */
import { expectTypeOf } from 'expect-type';
import type { z } from 'zod';
import {
  EMPLOYMENT_STATUSES,
  FeatureName,
  GENDERS,
  LOAN_TYPES,
  LoanApplication,
  MARITAL_STATUSES,
  REMEDIATION_STRATEGIES,
} from '../../lambda-src/features';
import { applicationSchema, ValidationResult } from '../../lambda-src/request-schema';

// LoanApplication (derived from FEATURES) has exactly one property per feature name, and the names
// are literals, not `string`.
expectTypeOf<keyof LoanApplication>().toEqualTypeOf<FeatureName>();
expectTypeOf<FeatureName>().not.toEqualTypeOf<string>();

// It is the type that was written out by hand before FEATURES became the single source.
expectTypeOf<LoanApplication>().toEqualTypeOf<{
  age: number;
  gender: (typeof GENDERS)[number];
  income: number;
  loan_type: (typeof LOAN_TYPES)[number];
  loan_amount: number;
  interest_rate: number;
  loan_term: number;
  loan_interest_rate: number;
  credit_score: number;
  employment_status: (typeof EMPLOYMENT_STATUSES)[number];
  marital_status: (typeof MARITAL_STATUSES)[number];
  remediation_strategy: (typeof REMEDIATION_STRATEGIES)[number];
  missed_payments: number;
  missed_payments_duration: number;
}>();

// The request schema checks exactly that type: what zod lets through is a LoanApplication.
expectTypeOf<z.output<typeof applicationSchema>>().toEqualTypeOf<LoanApplication>();

// A successful validation hands the handler applications; a failed one only details.
expectTypeOf<Extract<ValidationResult, { success: true }>['applications']>().toEqualTypeOf<LoanApplication[]>();
expectTypeOf<Extract<ValidationResult, { success: false }>>().not.toHaveProperty('applications');

