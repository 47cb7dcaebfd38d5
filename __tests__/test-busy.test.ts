/**
 * `npm run test:busy` (scripts/test-busy.ts) with tiny stand-in commands instead of the suite: copies
 * run at once, a failing copy fails the run, and whatever a copy leaves running is stopped with its
 * process group.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runTsx } from './helpers/child-process';

const ROOT = path.join(__dirname, '..');
const TEST_BUSY = path.join(ROOT, 'scripts', 'test-busy.ts');
let logs: string;
beforeEach(() => (logs = fs.mkdtempSync(path.join(os.tmpdir(), 'test-busy-'))));
afterEach(() => fs.rmSync(logs, { recursive: true, force: true }));

/** A shell command running a node one-liner. */
const node = (script: string) => `node -e ${JSON.stringify(script)}`;

test('runs the copies at once; one failing copy fails the run, and each verdict is reported with its log', async () => {
  // Both copies try to create the same file: exactly one can, so exactly one fails, if they both run.
  const marker = path.join(logs, 'first');
  const command = node(`require('fs').writeFileSync(${JSON.stringify(marker)}, '', { flag: 'wx' }); console.log('Tests:       1 passed, 1 total')`);
  const run = await runTsx(TEST_BUSY, ['--copies', '2', '--load', '1', '--logs', logs, '--command', command], { cwd: ROOT });
  expect(run.code).toBe(1);
  const lines = run.stdout.split('\n');
  expect(lines[0]).toMatch(/^test:busy: 2 copies of `node -e .*` at once, beside 1 CPU-bound processes, on \d+ cores/);
  const verdicts = lines.filter((line) => /^copy \d:/.test(line)).sort();
  expect(verdicts).toHaveLength(2);
  expect(verdicts.filter((line) => /^copy \d: passed in \d+ s \(Tests: 1 passed, 1 total\); log .*copy-\d\.log$/.test(line))).toHaveLength(1);
  expect(verdicts.filter((line) => /^copy \d: FAILED \(exit 1\) in \d+ s; log .*copy-\d\.log$/.test(line))).toHaveLength(1);
  expect(run.stdout).toContain('1 of 2 copies failed');
  expect(fs.readdirSync(logs).sort()).toEqual(['copy-1.log', 'copy-2.log', 'first']);
});

test('stops what a copy left running, by its process group, and passes when every copy passes', async () => {
  const pidFile = path.join(logs, 'left-running');
  // The copy's shell starts a process that would run for ten minutes, and exits.
  const command = `${node(`require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); setTimeout(() => {}, 600000)`)} & while [ ! -s ${pidFile} ]; do sleep 0.05; done`;
  const run = await runTsx(TEST_BUSY, ['--copies', '1', '--load', '0', '--logs', logs, '--command', command], { cwd: ROOT });
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(/^copy 1: passed in \d+ s; processes it left running were stopped; log /m);
  expect(run.stdout).toContain('every process group stopped');
  // Gone, or dead and waiting for the system to reap it.
  const state = spawnSync('ps', ['-o', 'stat=', '-p', fs.readFileSync(pidFile, 'utf8')], { encoding: 'utf8' }).stdout.trim();
  expect(state === '' || state.startsWith('Z')).toBe(true);
});

test('--logs names a folder to create, never a file', async () => {
  const folder = path.join(logs, 'new', 'logs');
  const created = await runTsx(TEST_BUSY, ['--copies', '1', '--load', '0', '--logs', folder, '--command', 'true'], { cwd: ROOT });
  expect(created.code).toBe(0);
  expect(fs.readdirSync(folder)).toEqual(['copy-1.log']);
  const file = path.join(logs, 'a-file');
  fs.writeFileSync(file, '');
  const refused = await runTsx(TEST_BUSY, ['--logs', file], { cwd: ROOT });
  expect(refused.code).toBe(2);
  expect(refused.stderr.split('\n')[0]).toBe(`error: --logs ${file} is a file, not a folder`);
});
