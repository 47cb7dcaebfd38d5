import { Testing } from 'cdktf';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
// Brings the type declarations of cdktf's jest matchers (toHaveResourceWithProperties, ...).
import 'cdktf/lib/testing/adapters/jest';

Testing.setupJest();

// Testing.synthScope, Testing.fullSynth and Testing.app() each create a cdktf.outdir.* folder in the
// temporary directory and never remove it; remove this test file's once its tests are done.
const before = new Set(fs.readdirSync(os.tmpdir()));
afterAll(() => {
  for (const entry of fs.readdirSync(os.tmpdir())) {
    if (entry.startsWith('cdktf.outdir.') && !before.has(entry)) {
      fs.rmSync(path.join(os.tmpdir(), entry), { recursive: true, force: true });
    }
  }
});
