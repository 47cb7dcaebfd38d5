/**
 * The jest config `npm run test:mutation` runs: the main config, limited to the suites that exercise the
 * mutated code (lambda-src/, the policy rule pack, stacks/config.ts, scripts/warehouse/). Suites that
 * synthesize whole stacks or run terraform cover none of it and would only slow every mutant down.
 */
const base = require('./jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testMatch: [
    '**/config.test.ts',
    '**/lambda-*.test.ts',
    '**/policy-rules.test.ts',
    '**/policy.test.ts',
    '**/redshift-config.test.ts',
    '**/warehouse-scripts.test.ts',
    '**/warehouse-sql.test.ts',
  ],
  verbose: false,
};
