/**
 * The test files `npm run test:mutation` runs for a mutant (jest.mutation.config.js): of the files
 * that import the mutated file, only those that hold a test covering the mutant, fastest first (see
 * mutation-test-names.js). A file whose tests all miss the name pattern would be loaded only to skip
 * them; once one test has failed, mutation-environment.js skips the rest, so the cheap files go first.
 */
const Sequencer = require('@jest/test-sequencer').default;
const { fastestFirst, filterByTestNames, readTestNames } = require('./mutation-test-names');

class CoveringFilesSequencer extends Sequencer {
  constructor(options) {
    super(options);
    this.testNamePattern = options.globalConfig.testNamePattern;
  }

  sort(tests) {
    const recorded = readTestNames();
    return fastestFirst(filterByTestNames(tests, this.testNamePattern, recorded), recorded);
  }
}

module.exports = CoveringFilesSequencer;
