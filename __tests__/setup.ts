import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// Testing.synthScope, Testing.fullSynth and Testing.app() each create a cdktf.outdir.* folder in the
// temporary directory and never remove it; remove this test file's once its tests are done.
// (cdktf's jest matchers are set up by __tests__/helpers/cdktf-matchers.ts, in the files that use them.)
const before = new Set(fs.readdirSync(os.tmpdir()));
afterAll(() => {
  for (const entry of fs.readdirSync(os.tmpdir())) {
    if (entry.startsWith('cdktf.outdir.') && !before.has(entry)) {
      fs.rmSync(path.join(os.tmpdir(), entry), { recursive: true, force: true });
    }
  }
});
