import { FEATURES, LoanApplication } from '../lambda-src/features';
import { buildPredictionStatement, parseSqlIdentifier, PredictionQueryTarget, SqlIdentifier } from '../lambda-src/sql';
import { SAMPLE_APPLICATION } from './helpers/sample-application';

const id = (name: string) => parseSqlIdentifier(name, { qualified: true }) as SqlIdentifier;

const target: PredictionQueryTarget = {
  table: id('public.loan_remediation'),
  predictionFunction: id('ml_fn_prediction'),
  probabilityFunction: id('ml_fn_prediction_probabilities'),
};

const sample = SAMPLE_APPLICATION;

describe('parseSqlIdentifier', () => {
  it.each(['loan_data', '_x1', 'ml_fn_prediction'])('accepts %s', (name) => {
    expect(parseSqlIdentifier(name, { qualified: false })).toBe(name);
  });

  it.each(['public.loan_data', 'analytics.ml_fn_prediction'])('accepts the qualified name %s when allowed', (name) => {
    expect(parseSqlIdentifier(name, { qualified: true })).toBe(name);
    expect(parseSqlIdentifier(name, { qualified: false })).toBeUndefined();
  });

  it.each([
    '',
    '1table',
    'loan data',
    'loan;DROP TABLE x',
    'loan"',
    "loan'",
    'a.b.c',
    'public.',
    '.loan',
    'loan--',
    'loan$1',
    'x'.repeat(128),
  ])('rejects %j', (name) => {
    expect(parseSqlIdentifier(name, { qualified: true })).toBeUndefined();
  });
});

describe('buildPredictionStatement', () => {
  it('sends every value as a named parameter with the feature SQL type as cast', () => {
    const { sql, parameters } = buildPredictionStatement([sample], target);
    expect(parameters).toHaveLength(FEATURES.length);
    for (const feature of FEATURES) {
      expect(sql).toContain(`:a0_${feature.name}::${feature.sqlType} AS ${feature.name}`);
    }
    expect(parameters).toContainEqual({ name: 'a0_age', value: '38' });
    expect(parameters).toContainEqual({ name: 'a0_interest_rate', value: '0.10' });
    expect(parameters).toContainEqual({ name: 'a0_loan_interest_rate', value: '10.00' });
    expect(parameters).toContainEqual({ name: 'a0_remediation_strategy', value: 'Forbearance' });
  });

  it('writes decimals in fixed notation with the feature scale, never as exponents', () => {
    const { parameters } = buildPredictionStatement([{ ...sample, interest_rate: 0.07, loan_interest_rate: 7 }], target);
    expect(parameters).toContainEqual({ name: 'a0_interest_rate', value: '0.07' });
    expect(parameters).toContainEqual({ name: 'a0_loan_interest_rate', value: '7.00' });
  });

  it('never puts a value into the SQL text, and every parameter value is a non-empty string', () => {
    const { sql, parameters } = buildPredictionStatement([sample, { ...sample, remediation_strategy: 'Deferment' }], target);
    expect(parameters.every((p) => typeof p.value === 'string' && p.value.length > 0)).toBe(true);
    for (const value of ['41820', '221750', '424', 'Male', 'Home', 'Unemployed', 'Single', 'Forbearance', 'Deferment']) {
      expect(sql).not.toContain(value);
    }
    // Each parameter is referenced exactly once.
    for (const { name } of parameters) {
      expect(sql.split(`:${name}::`)).toHaveLength(2);
    }
  });

  it('builds one statement for a batch: one row per application from the user table, in order', () => {
    const { sql, parameters } = buildPredictionStatement([sample, sample, sample], target);
    expect(parameters).toHaveLength(3 * FEATURES.length);
    expect(sql.match(/FROM public\.loan_remediation LIMIT 1/g)).toHaveLength(3);
    expect(sql.match(/UNION ALL/g)).toHaveLength(2);
    expect(sql).toMatch(/SELECT 2 AS application_index/);
    expect(sql).toMatch(/ORDER BY a\.application_index$/);
    const featureList = FEATURES.map((f) => `a.${f.name}`).join(', ');
    expect(sql).toContain(`ml_fn_prediction(${featureList}) AS effective`);
    expect(sql).toContain(`ml_fn_prediction_probabilities(${featureList}) AS probabilities`);
  });

  it('asks for no probabilities when the model has no probability function', () => {
    const { sql } = buildPredictionStatement([sample], { ...target, probabilityFunction: undefined });
    expect(sql).toContain('NULL AS probabilities');
    expect(sql).not.toContain('_probabilities(');
  });

  it('depends only on the batch size, so Redshift can reuse the compiled plan', () => {
    const other: LoanApplication = { ...sample, age: 60, gender: 'Female', remediation_strategy: 'Refinancing' };
    expect(buildPredictionStatement([other], target).sql).toBe(buildPredictionStatement([sample], target).sql);
  });

  it('separates the columns of a row with commas and returns the rows in request order', () => {
    const { sql } = buildPredictionStatement([sample, sample], target);
    FEATURES.slice(1).forEach((feature, index) => {
      expect(sql).toContain(`AS ${FEATURES[index].name}, :a1_${feature.name}::`);
    });
    expect(sql).toMatch(/\) AS a ORDER BY a\.application_index$/);
  });

  it('refuses an empty batch', () => {
    expect(() => buildPredictionStatement([], target)).toThrow('at least one application');
  });
});
