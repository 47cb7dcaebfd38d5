/** @type {import('jest').Config} */
module.exports = {
  // jest's node environment, with a temporary folder per worker (see the file).
  testEnvironment: '<rootDir>/__tests__/helpers/test-environment.js',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  // Type-checking is `npm run typecheck`; ts-jest only transpiles so the suite stays fast.
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  setupFilesAfterEnv: ['<rootDir>/__tests__/setup.ts'],
  // One temporary folder per run, removed at the end; the run fails if a test leaves anything in it.
  globalSetup: '<rootDir>/__tests__/global-setup.ts',
  globalTeardown: '<rootDir>/__tests__/global-teardown.ts',
  testTimeout: 30_000,
  verbose: true,
};
