/**
 * The test files `npm run test:mutation` runs for a mutant (jest.mutation.config.js): of the files
 * that import the mutated file, only those that hold a test covering the mutant (see
 * mutation-test-names.js). Stryker turns jest's bail off, so every file given runs in full; a file
 * whose tests all miss the name pattern would be loaded only to skip them.
 */
const Sequencer = require('@jest/test-sequencer').default;
const { filterByTestNames, readTestNames } = require('./mutation-test-names');

class CoveringFilesSequencer extends Sequencer {
  constructor(options) {
    super(options);
    this.testNamePattern = options.globalConfig.testNamePattern;
  }

  sort(tests) {
    return super.sort(filterByTestNames(tests, this.testNamePattern, readTestNames()));
  }
}

module.exports = CoveringFilesSequencer;
