/**
 * A setup file of jest.mutation.config.js only: records this test file's test names during Stryker's
 * first run, so later runs load only the files that hold a covering test (mutation-test-names.js).
 */
const { recordTestNames } = require('./mutation-test-names');

const names = [];
beforeEach(() => {
  names.push(expect.getState().currentTestName);
});
afterAll(() => {
  recordTestNames(expect.getState().testPath, names);
});
