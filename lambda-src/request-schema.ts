/**
 * The request body contract of `POST /loan`, derived from the feature module: one zod schema, which
 * only the Lambda checks. API Gateway has no request model: a model's refusal is a gateway response,
 * whose template cannot list the offending fields, so every 400 comes from here with the same shape
 * (docs/prediction-api.md, "Errors").
 */
import * as z from 'zod';
import { CROSS_FIELD_RULES, FEATURES, FeatureColumn, LoanApplication } from './features';

/**
 * The batch size keeps every batch under MAX_BODY_BYTES (8 KB, lambda-src/api-contract.ts), the body
 * size AWS WAF's Common rule set allows, so every body that passes is inspected whole.
 *
 * Arithmetic for the batch size, with every field at its longest (income 200000, remediation_strategy
 * "Loan Restructuring", loan_interest_rate 19.99, ...): one application is at most 329 bytes of compact
 * JSON; inside the `{"applications": [...]}` envelope it takes about 455 bytes pretty-printed with 2
 * spaces and 563 bytes with 4 spaces and CRLF line ends. 10 applications are therefore at most 3.3 KB
 * compact and 5.6 KB in the widest of these formats: under 8 KB with room for other formatting (14
 * would be the limit). A unit test recomputes these numbers from FEATURES.
 */
export const MAX_BATCH_SIZE = 10;

function requiredOr(message: string) {
  return (issue: { input?: unknown }) => (issue.input === undefined ? 'is required' : message);
}

function featureSchema(feature: FeatureColumn): z.ZodType {
  switch (feature.kind) {
    case 'integer': {
      const message = `must be an integer from ${feature.min} to ${feature.max}`;
      return z.int({ error: requiredOr(message) }).min(feature.min, message).max(feature.max, message);
    }
    case 'decimal': {
      const message = `must be a number from ${feature.min} to ${feature.max} with at most ${feature.scale} decimal places`;
      return z
        .number({ error: requiredOr(message) })
        .min(feature.min, message)
        .max(feature.max, message)
        .multipleOf(10 ** -feature.scale, message);
    }
    case 'category':
      return z.enum(feature.categories, { error: requiredOr(`must be one of: ${feature.categories.join(', ')}`) });
  }
}

const objectError = (issue: { code: string }) =>
  issue.code === 'unrecognized_keys' ? 'unknown field' : 'must be a JSON object';

/** One application: exactly the 14 features, each with its type, range or categories, plus the cross-field rules. */
export const applicationSchema = z
  .strictObject(
    Object.fromEntries(FEATURES.map((feature) => [feature.name, featureSchema(feature).describe(feature.description)])),
    { error: objectError },
  )
  .superRefine(
    (value, ctx) => {
      const application = value as LoanApplication;
      for (const rule of CROSS_FIELD_RULES) {
        const message = rule.check(application);
        if (message !== undefined) ctx.addIssue({ code: 'custom', path: [...rule.fields], message });
      }
    },
    // Only once every field is valid (so the value is a LoanApplication): a rule over a field that is
    // already reported would only add a confusing second message.
    { when: (payload) => payload.issues.length === 0 },
  ) as unknown as z.ZodType<LoanApplication>;

const batchSizeMessage = `must be an array of 1 to ${MAX_BATCH_SIZE} applications`;

export const batchRequestSchema = z.strictObject(
  {
    applications: z
      .array(applicationSchema, { error: requiredOr(batchSizeMessage) })
      .min(1, batchSizeMessage)
      .max(MAX_BATCH_SIZE, batchSizeMessage),
  },
  { error: objectError },
);

/** The body of `POST /loan`: one application, or `{"applications": [...]}` with 1..MAX_BATCH_SIZE items. */
export const requestBodySchema = z.union([applicationSchema, batchRequestSchema]);

export interface ValidationDetail {
  /** Where the problem is, e.g. `$.applications[2].age`; `$` is the body itself. */
  readonly path: string;
  readonly message: string;
}

export type ValidationResult =
  | { readonly success: true; readonly applications: LoanApplication[]; readonly batch: boolean }
  | { readonly success: false; readonly details: ValidationDetail[] };

/** Caps the response size when a body is full of unknown keys. */
const MAX_DETAILS = 100;
const MAX_KEY_LENGTH = 64;

const isBatchShaped = (body: unknown): boolean =>
  typeof body === 'object' && body !== null && !Array.isArray(body) && Object.hasOwn(body, 'applications');

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((formatted, key) => {
    if (typeof key === 'number') return `${formatted}[${key}]`;
    const name = String(key).slice(0, MAX_KEY_LENGTH);
    return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? `${formatted}.${name}` : `${formatted}[${JSON.stringify(name)}]`;
  }, '$');
}

/** One detail per offending field: a field that fails two checks (range and scale) is named once. */
function toDetails(issues: readonly z.core.$ZodIssue[]): ValidationDetail[] {
  const details = issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: formatPath([...issue.path, key]), message: issue.message }))
      : [{ path: formatPath(issue.path), message: issue.message }],
  );
  return details.filter((detail, index) => details.findIndex((other) => other.path === detail.path) === index);
}

/** Validates a parsed JSON body; on failure names every bad field (up to MAX_DETAILS). */
export function validateRequestBody(body: unknown): ValidationResult {
  const result = requestBodySchema.safeParse(body);
  if (result.success) {
    const data = result.data;
    return 'applications' in data
      ? { success: true, applications: data.applications, batch: true }
      : { success: true, applications: [data], batch: false };
  }
  // When both shapes fail, report against the shape the client meant: a body with an `applications`
  // key is a batch, anything else a single application.
  const issues = result.error.issues.flatMap((issue) =>
    issue.code === 'invalid_union' ? (issue.errors[isBatchShaped(body) ? 1 : 0] ?? []) : [issue],
  );
  return { success: false, details: toDetails(issues).slice(0, MAX_DETAILS) };
}
