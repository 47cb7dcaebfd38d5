/**
 * The test order for `npm run test:mutation` (jest.mutation.config.js). Stryker runs, for each mutant,
 * the tests that cover it and stops at the first failing file (bail), so the order decides how much of
 * the suite a killed mutant costs. jest's own order puts the slowest file first; this order keeps
 * jest's "failed last time first" (the file that killed the previous mutant, usually in the same
 * function, is likely to kill this one) and then runs the fastest files first, so a mutant that a
 * small unit test kills never waits for a slower file.
 */
const Sequencer = require('@jest/test-sequencer').default;

class FastestFirstSequencer extends Sequencer {
  sort(tests) {
    const key = (test) => [this.hasFailed(test) ? 0 : 1, this.time(test) ?? Number.MAX_VALUE];
    return [...tests].sort((a, b) => {
      const [failedA, timeA] = key(a);
      const [failedB, timeB] = key(b);
      return failedA - failedB || timeA - timeB || a.path.localeCompare(b.path);
    });
  }
}

module.exports = FastestFirstSequencer;
