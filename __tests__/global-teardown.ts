/**
 * Removes the run's temporary folder (global-setup.ts) and fails the run when a test left anything
 * in it: each test cleans up what it creates, and __tests__/setup.ts removes the output folders
 * cdktf's Testing.synthScope and Testing.fullSynth create (cdktf never removes them). It gives the
 * process its own temporary directory back first: Stryker runs jest again and again in one process,
 * and a next run's global-setup would otherwise create its folder inside the one removed here.
 */
import * as fs from 'fs';
import * as path from 'path';

export default function globalTeardown(): void {
  const runDirectory = process.env.TEST_RUN_TMPDIR;
  if (process.env.TEST_SYSTEM_TMPDIR !== undefined) process.env.TMPDIR = process.env.TEST_SYSTEM_TMPDIR;
  delete process.env.TEST_RUN_TMPDIR;
  if (runDirectory === undefined || !fs.existsSync(runDirectory)) return;
  // Each worker's folder (helpers/test-environment.js) is looked into. tsx keeps its compile cache in
  // <tmp>/tsx-<uid> for the commands tests spawn: a tool's cache, not a test's leftover (it goes with the
  // run's folder all the same).
  const leftIn = (folder: string, prefix = ''): string[] =>
    fs.readdirSync(folder).flatMap((entry) => {
      if (/^tsx-\d+$/.test(entry)) return [];
      if (prefix === '' && /^worker-\d+$/.test(entry)) return leftIn(path.join(folder, entry), `${entry}/`);
      return [`${prefix}${entry}`];
    });
  const leftBehind = leftIn(runDirectory);
  fs.rmSync(runDirectory, { recursive: true, force: true });
  if (leftBehind.length > 0) {
    throw new Error(`tests left ${leftBehind.length} temporary folders behind (removed now): ${leftBehind.sort().join(', ')}`);
  }
}
