/**
 * One temporary folder per test run: every test process (and what it spawns) gets it, or its worker's
 * folder inside it (helpers/test-environment.js), as TMPDIR, so whatever a test or cdktf's Testing
 * helpers write to the temporary directory lands in it, and global-teardown.ts removes it and fails the
 * run if a test left something behind. Two runs at once each have their own. It also turns
 * off the AWS SDK's Node-version warning for the test processes.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export default function globalSetup(): void {
  const runDirectory = fs.mkdtempSync(path.join(os.tmpdir(), 'loan-remediation-jest-'));
  process.env.TEST_RUN_TMPDIR = runDirectory;
  process.env.TEST_SYSTEM_TMPDIR = os.tmpdir();
  process.env.TMPDIR = runDirectory;
  // The AWS SDK warns once per process that its releases after January 2027 need Node 22. The tests
  // run on the project's Node 20 on purpose, so in test output the warning is noise; the variable is
  // the one the pinned SDK checks (@aws-sdk/core, emitWarningIfUnsupportedVersion).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
}
