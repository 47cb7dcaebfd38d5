/**
 * The run-wide temporary folder (global-setup.ts, global-teardown.ts) survives being set up and torn
 * down more than once in one process, which is how Stryker runs jest for every mutant. When the
 * teardown left TMPDIR pointing at the folder it removed, every later setup failed with ENOENT and
 * Stryker restarted its test process for each mutant. The hooks run in a child process: inside a
 * test, `os.tmpdir()` does not see the test's own changes to `process.env`.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
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

test("each worker's temporary directory is a folder of its own in the run's folder", () => {
  const runFolder = process.env.TEST_RUN_TMPDIR!;
  expect(os.tmpdir()).toBe(path.join(runFolder, `worker-${process.env.JEST_WORKER_ID}`));
  expect(process.env.TMPDIR).toBe(os.tmpdir());
});

test("the teardown reports what a test left in a worker's folder, and removes it", () => {
  const script = `
const fs = require('fs');
const path = require('path');
require('./__tests__/global-setup.ts').default();
const run = process.env.TEST_RUN_TMPDIR;
fs.mkdirSync(path.join(run, 'worker-3', 'cdktf.outdir.x'), { recursive: true });
fs.mkdirSync(path.join(run, 'worker-3', 'tsx-0'));
try {
  require('./__tests__/global-teardown.ts').default();
} catch (error) {
  console.log(JSON.stringify({ message: error.message, removed: !fs.existsSync(run) }));
}
`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: path.join(__dirname, '..'), encoding: 'utf8' });
  expect(JSON.parse(out)).toEqual({
    message: 'tests left 1 temporary folders behind (removed now): worker-3/cdktf.outdir.x',
    removed: true,
  });
});
