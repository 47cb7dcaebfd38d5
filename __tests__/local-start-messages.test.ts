/**
 * `npm start`'s first lines: a data file that cannot be loaded is the only line, never after a
 * "listening on" that would tell the user the server is up.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadConfig } from '../stacks/config';
import { LocalSetupError } from '../scripts/local/errors';
import { startLocalApi } from '../scripts/local/local-api';

test('a missing --data file fails before anything says the server is listening', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-start-'));
  const progress: string[] = [];
  try {
    const started = startLocalApi({
      port: 0,
      dataFile: path.join(dir, 'missing.csv'),
      cacheDir: undefined,
      issuerDir: dir,
      config: loadConfig({}),
      onProgress: (message) => progress.push(message),
    });
    await expect(started).rejects.toBeInstanceOf(LocalSetupError);
    expect(progress.filter((line) => /listening/i.test(line))).toEqual([]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
