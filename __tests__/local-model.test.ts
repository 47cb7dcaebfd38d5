import { readFileSync } from 'fs';
import { FEATURES, LoanApplication, TIMESTAMP, TRAINING_CUTOFF } from '../lambda-src/features';
import { rocAuc } from '../scripts/dataset/auc';
import { successScore } from '../scripts/dataset/latent-model';
import { fitModel, modelScore } from '../scripts/local/model';
import { modelFunctionStatements } from '../scripts/local/model-sql';
import { DEFAULT_DATA_FILE } from '../scripts/local/paths';
import { parseCsv } from './helpers/dataset-csv';
import { isSuccessful } from './helpers/dataset-model';

const { records } = parseCsv(readFileSync(DEFAULT_DATA_FILE, 'utf8'));
const labeled = (rows: typeof records) =>
  rows.map((r) => ({
    application: Object.fromEntries(FEATURES.map((f) => [f.name, f.kind === 'category' ? r[f.name] : Number(r[f.name])])) as LoanApplication,
    successful: isSuccessful(r),
  }));
const training = labeled(records.filter((r) => r[TIMESTAMP.name] < TRAINING_CUTOFF));
const holdout = labeled(records.filter((r) => r[TIMESTAMP.name] >= TRAINING_CUTOFF));
const model = fitModel(training);
const auc = (score: (a: LoanApplication) => number) => rocAuc(holdout.map((r) => score(r.application)), holdout.map((r) => r.successful));

test('IRLS with strategy interactions comes within 0.04 of the best possible holdout AUC on the committed file', () => {
  const best = auc(successScore);
  expect(best).toBeCloseTo(0.863, 2);
  expect(auc((a) => modelScore(model, a))).toBeGreaterThanOrEqual(0.82);
  expect(best - auc((a) => modelScore(model, a))).toBeLessThan(0.04);
});

test('training refuses rows with a single outcome', () => {
  expect(() => fitModel(training.map((r) => ({ ...r, successful: true })))).toThrow(/both outcomes/);
});

test('the SQL functions have Redshift ML\'s names and the features as typed parameters', () => {
  const [prediction, probabilities] = modelFunctionStatements(model, 'public.ml_fn_prediction');
  const parameters = FEATURES.map((f) => `${f.name} ${f.sqlType}`).join(', ');
  expect(prediction).toContain(`FUNCTION "public"."ml_fn_prediction"(${parameters}) RETURNS BOOLEAN`);
  expect(probabilities).toContain(`FUNCTION "public"."ml_fn_prediction_probabilities"(${parameters}) RETURNS jsonb`);
  expect(probabilities).toContain(`'labels', jsonb_build_array('t', 'f')`);
});
