import { readFileSync } from 'fs';
import * as path from 'path';
import { TIMESTAMP, TRAINING_CUTOFF } from '../lambda-src/features';
import { datasetProblems, parseCsv } from './helpers/dataset-csv';
import { fitLogisticRegression, isSuccessful, rocAuc } from './helpers/dataset-model';

/** The file the network stack uploads, regenerated with the command in the README. */
const COMMITTED_DATASET = path.join(__dirname, '..', 'dataset', 'loan_remediation_data.csv');
const text = readFileSync(COMMITTED_DATASET, 'utf8');
const { records } = parseCsv(text);

test('the committed dataset has 10,000 valid rows from 2018-01-01 to 2024-02-28', () => {
  expect(records).toHaveLength(10_000);
  expect(datasetProblems(text, { start: '2018-01-01', end: '2024-02-28' })).toEqual([]);
});

test('a plain logistic regression trained before 2023-01-31 reaches a holdout AUC of at least 0.75', () => {
  const training = records.filter((r) => r[TIMESTAMP.name] < TRAINING_CUTOFF);
  const holdout = records.filter((r) => r[TIMESTAMP.name] >= TRAINING_CUTOFF);
  expect(holdout.length).toBeGreaterThan(1_000);

  const predict = fitLogisticRegression(training);
  const auc = rocAuc(holdout.map(predict), holdout.map(isSuccessful));

  expect(auc).toBeGreaterThanOrEqual(0.75);
});
