/**
 * One temporary folder per test run: every test process (and what it spawns) gets it as TMPDIR, so
 * whatever a test or cdktf's Testing helpers write to the temporary directory lands in it, and
 * global-teardown.ts removes it and fails the run if a test left something behind.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export default function globalSetup(): void {
  const runDirectory = fs.mkdtempSync(path.join(os.tmpdir(), 'loan-remediation-jest-'));
  process.env.TEST_RUN_TMPDIR = runDirectory;
  process.env.TMPDIR = runDirectory;
}
