/**
 * The jest config `npm run test:mutation` runs: the main config, limited to the suites that exercise the
 * mutated code (lambda-src/, the policy rule pack, stacks/config.ts and settings.ts, scripts/warehouse/). Suites that
 * synthesize whole stacks or run terraform cover none of it and would only slow every mutant down.
 */
const path = require('path');
const base = require('./jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  // Stryker asks jest for the tests related to a mutated file. jest only follows imports through files
  // it has crawled, so the sources must be roots too: with __tests__ alone, a rule file that a test
  // reaches through the registry has no related tests and its mutants would run none.
  roots: ['<rootDir>/__tests__', '<rootDir>/lambda-src', '<rootDir>/policy', '<rootDir>/stacks', '<rootDir>/scripts'],
  testMatch: [
    '**/config.test.ts',
    '**/settings.test.ts',
    '**/lambda-*.test.ts',
    '**/policy/*.test.ts',
    '**/fake-clock.test.ts',
    '**/policy.test.ts',
    '**/policy-graph.test.ts',
    '**/policy-hcl-literal.test.ts',
    '**/policy-iam-actions.test.ts',
    '**/policy-iam-policy.test.ts',
    '**/policy-report.test.ts',
    '**/redshift-config.test.ts',
    '**/warehouse-scripts.test.ts',
    '**/warehouse-sql.test.ts',
  ],
  // Under Stryker: record each file's test names in the first run, then run only the files that hold a
  // test covering the mutant (__tests__/helpers/mutation-test-names.js).
  setupFilesAfterEnv: [...base.setupFilesAfterEnv, '<rootDir>/__tests__/helpers/mutation-setup.js'],
  // Under Stryker: once a test has failed for a mutant, skip the rest of its tests. A full path: Stryker
  // loads the environment itself, without jest's <rootDir> substitution.
  testEnvironment: path.join(__dirname, '__tests__/helpers/mutation-environment.js'),
  testSequencer: '<rootDir>/__tests__/helpers/mutation-sequencer.js',
  verbose: false,
};
