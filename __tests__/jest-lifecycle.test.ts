/**
 * The run-wide temporary folder (global-setup.ts, global-teardown.ts) survives being set up and torn
 * down more than once in one process, which is how Stryker runs jest for every mutant. When the
 * teardown left TMPDIR pointing at the folder it removed, every later setup failed with ENOENT and
 * Stryker restarted its test process for each mutant. The hooks run in a child process: inside a
 * test, `os.tmpdir()` does not see the test's own changes to `process.env`.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const TWICE = `
const os = require('os');
const globalSetup = require('./__tests__/global-setup.ts').default;
const globalTeardown = require('./__tests__/global-teardown.ts').default;
const before = os.tmpdir();
const runs = [];
for (let run = 0; run < 2; run++) {
  globalSetup();
  runs.push({ folder: process.env.TEST_RUN_TMPDIR, tmpdir: os.tmpdir() });
  globalTeardown();
}
console.log(JSON.stringify({ before, after: os.tmpdir(), runs }));
`;

test('global setup and teardown run twice in one process, each time in a fresh folder of the same parent', () => {
  const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', TWICE], {
    cwd: path.join(__dirname, '..'),
    encoding: 'utf8',
  });
  const { before, after, runs } = JSON.parse(out) as { before: string; after: string; runs: { folder: string; tmpdir: string }[] };
  expect(runs).toHaveLength(2);
  for (const { folder, tmpdir } of runs) {
    expect(tmpdir).toBe(folder);
    expect(path.dirname(folder)).toBe(before);
    expect(fs.existsSync(folder)).toBe(false);
  }
  expect(runs[0].folder).not.toBe(runs[1].folder);
  expect(after).toBe(before);
});
