/**
 * Which test file holds which tests, for `npm run test:mutation` only.
 *
 * For each mutant, Stryker runs jest on every test file that imports the mutated file, with a name
 * pattern that selects the tests covering the mutant. jest still loads each of those files, and all
 * they import, only to skip their tests: on average 3.0 files per mutant where 1.7 hold a covering
 * test. Stryker's first run (the "dry run") runs every test; mutation-setup.js records each file's
 * test names and how long the file took then, and mutation-sequencer.js uses them to run only the
 * files that hold a covering test, fastest first (mutation-environment.js skips the rest of a mutant's
 * tests once one has failed, so the fast files that usually kill it go first).
 *
 * Plain JavaScript: jest loads the sequencer without transforming it.
 */
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

// Stryker's worker processes carry STRYKER_MUTATOR_WORKER and run in Stryker's sandbox folder, which
// Stryker removes at the end; outside Stryker nothing is recorded and nothing is filtered.
const underStryker = () => process.env.STRYKER_MUTATOR_WORKER !== undefined;
const folder = () => path.join(process.cwd(), '.stryker-test-names');

/** Records a test file's test names and duration, once: the first, complete run has them all. */
function recordTestNames(testPath, names, durationMs) {
  if (!underStryker()) return;
  fs.mkdirSync(folder(), { recursive: true });
  const file = path.join(folder(), `${crypto.createHash('sha1').update(testPath).digest('hex')}.json`);
  try {
    fs.writeFileSync(file, JSON.stringify({ testPath, names, durationMs }), { flag: 'wx' });
  } catch (error) {
    if (error.code !== 'EEXIST') throw error;
  }
}

/** The recorded `{ names, durationMs }` by test file path (empty outside Stryker or before the first run). */
function readTestNames() {
  const byPath = new Map();
  if (!underStryker() || !fs.existsSync(folder())) return byPath;
  for (const entry of fs.readdirSync(folder())) {
    const { testPath, names, durationMs } = JSON.parse(fs.readFileSync(path.join(folder(), entry), 'utf8'));
    byPath.set(testPath, { names, durationMs });
  }
  return byPath;
}

/**
 * The test files to run for a name pattern: those with a test whose full name matches it (as jest
 * matches it: case-insensitive) and those with no recorded names. Everything when there is no
 * pattern, or when no recorded name matches (a name that changed must not turn into "no test ran").
 */
function filterByTestNames(tests, testNamePattern, recorded) {
  if (!testNamePattern || recorded.size === 0) return tests;
  const pattern = new RegExp(testNamePattern, 'i');
  const kept = tests.filter((test) => {
    const names = recorded.get(test.path)?.names;
    return names === undefined || names.some((name) => pattern.test(name));
  });
  return kept.some((test) => recorded.has(test.path)) ? kept : tests;
}

/** The test files by their recorded duration, fastest first; files without a record last, in their order. */
function fastestFirst(tests, recorded) {
  const duration = (test) => recorded.get(test.path)?.durationMs ?? Infinity;
  return [...tests].sort((a, b) => duration(a) - duration(b));
}

module.exports = { recordTestNames, readTestNames, filterByTestNames, fastestFirst };
