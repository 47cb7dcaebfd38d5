/**
 * The lock between processes that every `terraform init` of the project holds (scripts/lib/file-lock.ts):
 * another process waits while it is held, a lock whose holder died is broken, and processes that take
 * it at the same time are never inside together.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { tryFileLock, withFileLock } from '../scripts/lib/file-lock';
import { CHILD_PROCESS_LIMIT, runChild } from './helpers/child-process';

const ROOT = path.join(__dirname, '..');
let scratch: string;
let lock: string;
beforeEach(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'file-lock-'));
  lock = path.join(scratch, 'locks', 'init.lock');
});
afterEach(() => fs.rmSync(scratch, { recursive: true, force: true }));

/**
 * Runs TypeScript in a child process (its own process id, as another test or `npm run plan` would be),
 * killed before jest's 30 s timeout if it waits for ever.
 */
const inChild = (code: string) => runChild(process.execPath, ['--import', 'tsx', '-e', code], { cwd: ROOT, timeoutMs: 20_000 });

test('a held lock is not taken by another process; once released it is', async () => {
  const attempt = `const { tryFileLock } = require('./scripts/lib/file-lock.ts');
    const release = tryFileLock(${JSON.stringify(lock)});
    console.log(release ? 'taken' : 'busy');
    release?.();`;
  const release = tryFileLock(lock)!;
  expect(fs.readFileSync(lock, 'utf8')).toBe(String(process.pid));
  expect((await inChild(attempt)).stdout).toBe('busy\n');
  release();
  expect(fs.existsSync(lock)).toBe(false);
  expect((await inChild(attempt)).stdout).toBe('taken\n');
  expect(fs.readdirSync(path.dirname(lock))).toEqual([]);
});

// withFileLock waits synchronously, where jest's timeout cannot stop it: the cases that would wait for
// ever if the lock were wrong run in a child process, which a timeout can kill.

test('a lock left by a process that died holding it is broken, and nothing is left behind', async () => {
  const gone = spawnSync(process.execPath, ['-e', '']).pid!;
  fs.mkdirSync(path.dirname(lock));
  fs.writeFileSync(lock, String(gone));
  const run = await inChild(`const fs = require('fs');
    const { withFileLock } = require('./scripts/lib/file-lock.ts');
    console.log(withFileLock(${JSON.stringify(lock)}, () => fs.readFileSync(${JSON.stringify(lock)}, 'utf8') === String(process.pid)));`);
  expect(run).toMatchObject({ code: 0, stdout: 'true\n', stderr: '' });
  expect(fs.readdirSync(path.dirname(lock))).toEqual([]);
});

test('asking again for a lock this process holds is an error, not a wait for ever', async () => {
  const run = await inChild(`const { withFileLock } = require('./scripts/lib/file-lock.ts');
    try {
      withFileLock(${JSON.stringify(lock)}, () => withFileLock(${JSON.stringify(lock)}, () => 'inside'));
    } catch (error) {
      console.log(error.constructor.name, error.message);
    }`);
  expect(run).toMatchObject({ code: 0, stdout: `FileLockError ${lock} is already held by this process\n`, stderr: '' });
  expect(fs.existsSync(lock)).toBe(false);
});

test('the lock is released when the section throws', () => {
  expect(() =>
    withFileLock(lock, () => {
      throw new Error('init failed');
    }),
  ).toThrow('init failed');
  expect(fs.existsSync(lock)).toBe(false);
});

test('processes taking the lock at the same time are never inside together', async () => {
  const runners = CHILD_PROCESS_LIMIT;
  const rounds = 20;
  const inside = path.join(scratch, 'inside');
  const log = path.join(scratch, 'log');
  // Each round: enter (creating `inside` fails if another process is in), stay a few milliseconds, leave.
  const child = `const fs = require('fs');
    const { sleepSync, withFileLock } = require('./scripts/lib/file-lock.ts');
    const { waitAtStartLine } = require('./__tests__/helpers/start-line.ts');
    waitAtStartLine(${JSON.stringify(path.join(scratch, 'start'))}, ${runners});
    for (let round = 0; round < ${rounds}; round++) {
      withFileLock(${JSON.stringify(lock)}, () => {
        fs.writeFileSync(${JSON.stringify(inside)}, '', { flag: 'wx' });
        sleepSync(5);
        fs.appendFileSync(${JSON.stringify(log)}, process.pid + '\\n');
        fs.rmSync(${JSON.stringify(inside)});
      });
    }`;
  const runs = await Promise.all(Array.from({ length: runners }, () => inChild(child)));
  expect(runs.map((run) => run.stderr)).toEqual(Array(runners).fill(''));
  expect(runs.map((run) => run.code)).toEqual(Array(runners).fill(0));
  const entries = fs.readFileSync(log, 'utf8').trimEnd().split('\n');
  expect(entries).toHaveLength(runners * rounds);
  expect(new Set(entries).size).toBe(runners);
});
