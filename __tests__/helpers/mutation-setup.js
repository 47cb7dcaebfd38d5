/**
 * A setup file of jest.mutation.config.js only: records this test file's test names and duration (from
 * here, before the file and what it imports load, to its last test) during Stryker's first run, so later
 * runs load only the files that hold a covering test, fastest first (mutation-test-names.js).
 */
const { recordTestNames } = require('./mutation-test-names');

const started = performance.now();
const names = [];
beforeEach(() => {
  names.push(expect.getState().currentTestName);
});
afterAll(() => {
  recordTestNames(expect.getState().testPath, names, Math.round(performance.now() - started));
});
