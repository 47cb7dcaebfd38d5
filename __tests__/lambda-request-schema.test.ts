import { MAX_BODY_BYTES } from '../lambda-src/api-contract';
import { FEATURES, LoanApplication } from '../lambda-src/features';
import { MAX_BATCH_SIZE, validateRequestBody } from '../lambda-src/request-schema';
import { SAMPLE_APPLICATION } from './helpers/sample-application';

const sample = SAMPLE_APPLICATION;

const omit = (application: LoanApplication, field: keyof LoanApplication) =>
  Object.fromEntries(Object.entries(application).filter(([name]) => name !== field));

/**
 * Every field at its longest JSON form, derived from FEATURES: an upper bound on the size of a valid
 * application (it breaks the interest-rate rule, which only shortens loan_interest_rate).
 */
function longestApplication(): Record<string, unknown> {
  return Object.fromEntries(
    FEATURES.map((feature) => {
      switch (feature.kind) {
        case 'category':
          return [feature.name, [...feature.categories].sort((a, b) => b.length - a.length)[0]];
        case 'integer':
          return [feature.name, Math.max(Math.abs(feature.min), Math.abs(feature.max))];
        case 'decimal':
          return [feature.name, Number((feature.max - 10 ** -feature.scale).toFixed(feature.scale))];
      }
    }),
  );
}

describe('request body schema', () => {
  it('accepts the original sample request unchanged, as one application', () => {
    expect(validateRequestBody(sample)).toEqual({ success: true, applications: [sample], batch: false });
  });

  it(`accepts a batch of 1 to ${MAX_BATCH_SIZE} applications, in order`, () => {
    const applications = Array.from({ length: MAX_BATCH_SIZE }, (_, i) => ({ ...sample, age: 20 + i }));
    expect(validateRequestBody({ applications })).toEqual({ success: true, applications, batch: true });
    expect(validateRequestBody({ applications: [sample] })).toMatchObject({ success: true, batch: true });
  });

  it('names every bad field of a single application', () => {
    const result = validateRequestBody({ ...sample, age: 17.5, gender: 'male', income: '41820', extra: 1 });
    expect(result).toEqual({
      success: false,
      details: expect.arrayContaining([
        { path: '$.age', message: 'must be an integer from 18 to 65' },
        { path: '$.gender', message: 'must be one of: Male, Female' },
        { path: '$.income', message: 'must be an integer from 20000 to 200000' },
        { path: '$.extra', message: 'unknown field' },
      ]),
    });
    expect(result.success === false && result.details).toHaveLength(4);
  });

  it('names every bad field inside a batch with its index', () => {
    const result = validateRequestBody({ applications: [sample, omit(sample, 'loan_term'), { ...sample, interest_rate: 0.071 }] });
    expect(result).toEqual({
      success: false,
      details: [
        { path: '$.applications[1].loan_term', message: 'is required' },
        {
          path: '$.applications[2].interest_rate',
          message: 'must be a number from 0.05 to 0.2 with at most 2 decimal places',
        },
      ],
    });
  });

  it('applies the cross-field rules of the feature module once the fields themselves are valid', () => {
    expect(validateRequestBody({ ...sample, missed_payments: 0, missed_payments_duration: 3 })).toEqual({
      success: false,
      details: [{ path: '$.missed_payments_duration', message: 'must be 0 when missed_payments is 0' }],
    });
    expect(validateRequestBody({ ...sample, loan_interest_rate: 11 })).toEqual({
      success: false,
      details: [{ path: '$.loan_interest_rate', message: 'must equal interest_rate x 100' }],
    });
    expect(validateRequestBody({ ...sample, interest_rate: 0.5, loan_interest_rate: 11 })).toEqual({
      success: false,
      details: [{ path: '$.interest_rate', message: 'must be a number from 0.05 to 0.2 with at most 2 decimal places' }],
    });
  });

  it('reports against the batch shape when the body has an applications key', () => {
    expect(validateRequestBody({ applications: [] })).toEqual({
      success: false,
      details: [{ path: '$.applications', message: `must be an array of 1 to ${MAX_BATCH_SIZE} applications` }],
    });
    expect(validateRequestBody({ applications: [sample], age: 38 })).toEqual({
      success: false,
      details: [{ path: '$.age', message: 'unknown field' }],
    });
  });

  it('rejects prototype-pollution keys as unknown fields', () => {
    const body = JSON.parse(`{"__proto__": {"isAdmin": true}, "constructor": {"prototype": {}}, ${JSON.stringify(sample).slice(1)}`);
    expect(validateRequestBody(body)).toEqual({
      success: false,
      details: [
        { path: '$.__proto__', message: 'unknown field' },
        { path: '$.constructor', message: 'unknown field' },
      ],
    });
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });

  it.each<[string, unknown]>([
    ['null', null],
    ['a number', 42],
    ['a string', 'age=38'],
    ['a list', [sample]],
  ])('says a body that is %s must be a JSON object', (_name, body) => {
    expect(validateRequestBody(body)).toEqual({ success: false, details: [{ path: '$', message: 'must be a JSON object' }] });
  });

  it('shortens an unknown key to 64 characters in the path it reports', () => {
    const key = `x${'y'.repeat(99)}`;
    expect(validateRequestBody({ ...sample, [key]: 1 })).toEqual({
      success: false,
      details: [{ path: `$.${key.slice(0, 64)}`, message: 'unknown field' }],
    });
  });

  it('reports at most 100 problems, however many the body has', () => {
    const junk = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`extra_${i}`, i]));
    const result = validateRequestBody({ ...sample, ...junk });
    expect(result.success).toBe(false);
    const { details } = result as Extract<typeof result, { success: false }>;
    expect(details).toHaveLength(100);
    expect(details[99]).toEqual({ path: '$.extra_99', message: 'unknown field' });
  });
});

describe('batch size and the WAF inspection limit', () => {
  it(`keeps a full batch of the longest applications under ${MAX_BODY_BYTES} bytes in any common formatting`, () => {
    const applications = Array.from({ length: MAX_BATCH_SIZE }, longestApplication);
    const compact = JSON.stringify({ applications });
    const fourSpacesCrlf = JSON.stringify({ applications }, null, 4).replace(/\n/g, '\r\n');
    expect(JSON.stringify(longestApplication())).toHaveLength(329);
    expect(compact.length).toBeLessThan(3400);
    expect(fourSpacesCrlf.length).toBeLessThan(MAX_BODY_BYTES);
  });
});

describe('accepted and refused bodies', () => {
  const good: [string, unknown][] = [
    ['the sample', sample],
    ['a batch', { applications: [sample, { ...sample, interest_rate: 0.07, loan_interest_rate: 7 }] }],
    ['bounds', { ...sample, age: 18, income: 200_000, interest_rate: 0.2, loan_interest_rate: 20 }],
    ['no missed payments', { ...sample, missed_payments: 0, missed_payments_duration: 0 }],
  ];
  it.each(good)('accepts %s', (_name, body) => {
    expect(validateRequestBody(body).success).toBe(true);
  });

  const bad: [string, unknown][] = [
    ['an array body', [sample]],
    ['a string body', 'hello'],
    ['null', null],
    ['a missing field', omit(sample, 'credit_score')],
    ['an unknown field', { ...sample, ssn: '123' }],
    ['an out-of-range integer', { ...sample, age: 66 }],
    ['a fractional integer', { ...sample, loan_term: 12.5 }],
    ['a number as string', { ...sample, income: '41820' }],
    ['an unknown category', { ...sample, loan_type: 'Boat' }],
    ['an injection string', { ...sample, gender: "Male'; DROP TABLE loans; --" }],
    ['a boolean', { ...sample, credit_score: true }],
    ['an empty batch', { applications: [] }],
    ['a batch too long', { applications: Array.from({ length: MAX_BATCH_SIZE + 1 }, () => sample) }],
    ['a batch with a bad item', { applications: [sample, { ...sample, age: 5 }] }],
    ['a batch with an extra key', { applications: [sample], extra: true }],
    ['three decimals', { ...sample, interest_rate: 0.105, loan_interest_rate: 10.5 }],
    ['missed_payments_duration without missed payments', { ...sample, missed_payments: 0, missed_payments_duration: 3 }],
    ['inconsistent interest rates', { ...sample, loan_interest_rate: 12 }],
  ];
  it.each(bad)('refuses %s', (_name, body) => {
    expect(validateRequestBody(body).success).toBe(false);
  });
});
