/**
 * The test environment of jest.mutation.config.js: the suite's own (test-environment.js), which also
 * stops testing a mutant once one test has failed for it. Stryker needs only one failure to call a mutant killed, but its jest
 * runner turns jest's bail off, so every covering test of every file it runs would still run (a rule
 * test synthesizes a cdktf fixture each; a mutant in policy/graph.ts is covered by 8 files on average).
 * Here, every later test of the same mutant run is skipped: it reports as skipped, the failure that
 * killed the mutant stands.
 *
 * Stryker names the mutant under test in the worker's environment (`__STRYKER_ACTIVE_MUTANT__`,
 * @stryker-mutator/api's INSTRUMENTER_CONSTANTS); outside a mutant run (plain jest, Stryker's first
 * run) it is unset and nothing is skipped. This module stays loaded for the worker's life, so the
 * failed mutant it remembers carries over from one test file to the next.
 *
 * Plain JavaScript: jest loads test environments without transforming them.
 */
const TestEnvironment = require('./test-environment');

const ACTIVE_MUTANT = '__STRYKER_ACTIVE_MUTANT__';

/** The mutant whose run has had a failing test. */
let failedMutant;

class StopAtFirstFailureEnvironment extends TestEnvironment {
  handleTestEvent(event) {
    const mutant = process.env[ACTIVE_MUTANT];
    if (mutant === undefined) return;
    if (event.name === 'test_start' && failedMutant === mutant) {
      event.test.mode = 'skip';
    } else if (event.name === 'test_done' && event.test.errors.length > 0) {
      failedMutant = mutant;
    }
  }
}

module.exports = StopAtFirstFailureEnvironment;
