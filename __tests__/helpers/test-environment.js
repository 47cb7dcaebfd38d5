/**
 * jest's node environment with a temporary folder of its own for each worker process: TMPDIR is
 * `<run folder>/worker-<n>` (global-setup.ts makes the run folder). Parallel workers then never see
 * each other's temporary files, so what __tests__/setup.ts removes after a test file (the cdktf.outdir.*
 * folders cdktf's Testing helpers leave) is that file's own, never a folder another worker's test is
 * still writing. A worker runs one test file at a time.
 *
 * Plain JavaScript: jest loads test environments without transforming them.
 */
const fs = require('fs');
const path = require('path');
const { TestEnvironment } = require('jest-environment-node');

class WorkerTmpdirEnvironment extends TestEnvironment {
  constructor(config, context) {
    const runFolder = process.env.TEST_RUN_TMPDIR;
    if (runFolder !== undefined) {
      const folder = path.join(runFolder, `worker-${process.env.JEST_WORKER_ID ?? '1'}`);
      fs.mkdirSync(folder, { recursive: true });
      // Before super(): the test's own copy of process.env is taken there.
      process.env.TMPDIR = folder;
    }
    super(config, context);
  }
}

module.exports = WorkerTmpdirEnvironment;
