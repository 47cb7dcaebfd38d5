/**
 * Which test file holds which tests, for `npm run test:mutation` only.
 *
 * For each mutant, Stryker runs jest on every test file that imports the mutated file, with a name
 * pattern that selects the tests covering the mutant. jest still loads each of those files, and all
 * they import, only to skip their tests: on average 3.0 files per mutant where 1.7 hold a covering
 * test. Stryker's first run (the "dry run") runs every test; mutation-setup.js records each file's
 * test names then, and mutation-sequencer.js uses them to run only the files that hold a covering test.
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

/** Records a test file's test names, once: the first, complete run has them all. */
function recordTestNames(testPath, names) {
  if (!underStryker()) return;
  fs.mkdirSync(folder(), { recursive: true });
  const file = path.join(folder(), `${crypto.createHash('sha1').update(testPath).digest('hex')}.json`);
  try {
    fs.writeFileSync(file, JSON.stringify({ testPath, names }), { flag: 'wx' });
  } catch (error) {
    if (error.code !== 'EEXIST') throw error;
  }
}

/** The recorded names by test file path (empty outside Stryker or before the first run). */
function readTestNames() {
  const byPath = new Map();
  if (!underStryker() || !fs.existsSync(folder())) return byPath;
  for (const entry of fs.readdirSync(folder())) {
    const { testPath, names } = JSON.parse(fs.readFileSync(path.join(folder(), entry), 'utf8'));
    byPath.set(testPath, names);
  }
  return byPath;
}

/**
 * The test files to run for a name pattern: those with a test whose full name matches it (as jest
 * matches it: case-insensitive) and those with no recorded names. Everything when there is no
 * pattern, or when no recorded name matches (a name that changed must not turn into "no test ran").
 */
function filterByTestNames(tests, testNamePattern, namesByPath) {
  if (!testNamePattern || namesByPath.size === 0) return tests;
  const pattern = new RegExp(testNamePattern, 'i');
  const kept = tests.filter((test) => {
    const names = namesByPath.get(test.path);
    return names === undefined || names.some((name) => pattern.test(name));
  });
  return kept.some((test) => namesByPath.has(test.path)) ? kept : tests;
}

module.exports = { recordTestNames, readTestNames, filterByTestNames };
