/**
 * A plain logistic regression for the dataset tests: one-hot categories, standardized numbers,
 * full-batch gradient descent. Deliberately simple: it shows the signal is there for any model, not
 * that a clever one can dig it out.
 */
import { FEATURES, TARGET } from '../../lambda-src/features';
import type { CsvRecord } from './dataset-csv';

/** Maps a record to model inputs: numbers standardized with the training set's mean and spread. */
function featureEncoder(training: readonly CsvRecord[]): (record: CsvRecord) => number[] {
  const encoders = FEATURES.map((feature): ((record: CsvRecord) => number[]) => {
    if (feature.kind === 'category') {
      return (record) => feature.categories.map((category) => (record[feature.name] === category ? 1 : 0));
    }
    const values = training.map((record) => Number(record[feature.name]));
    const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
    const spread = Math.sqrt(values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / values.length) || 1;
    return (record) => [(Number(record[feature.name]) - mean) / spread];
  });
  return (record) => [1, ...encoders.flatMap((encode) => encode(record))];
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const dot = (a: readonly number[], b: readonly number[]) => a.reduce((sum, v, i) => sum + v * b[i], 0);

export const isSuccessful = (record: CsvRecord) => record[TARGET.name] === 'true';

/** Fits on `training` and returns a scorer (the predicted probability of success). */
export function fitLogisticRegression(
  training: readonly CsvRecord[],
  { steps = 300, learningRate = 0.5 } = {},
): (record: CsvRecord) => number {
  const encode = featureEncoder(training);
  const inputs = training.map(encode);
  const labels = training.map((record) => (isSuccessful(record) ? 1 : 0));
  const weights = new Array<number>(inputs[0].length).fill(0);
  for (let step = 0; step < steps; step++) {
    const gradient = new Array<number>(weights.length).fill(0);
    inputs.forEach((x, row) => {
      const error = sigmoid(dot(weights, x)) - labels[row];
      for (let i = 0; i < x.length; i++) gradient[i] += error * x[i];
    });
    for (let i = 0; i < weights.length; i++) weights[i] -= (learningRate * gradient[i]) / inputs.length;
  }
  return (record) => sigmoid(dot(weights, encode(record)));
}

export { rocAuc } from '../../scripts/dataset/auc';
