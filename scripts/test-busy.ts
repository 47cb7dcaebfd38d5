/**
 * `npm run test:busy`: the test suite as it runs on a shared machine. Starts several copies of the
 * suite at once (by default two `npm test` in this checkout, or with --clones each in a fresh clone
 * running `.ci/run`, as two CI jobs on one runner would), beside CPU-bound load processes, and reports
 * each copy's verdict and time. Every copy and load process runs in a process group of its own, and
 * every group is stopped at the end, so nothing a copy started outlives the run. Exits 1 when any copy
 * fails: a suite that passes alone but fails here depends on what else runs on the machine.
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { EXIT_FAILURE, EXIT_OK, integerFlag, runCli, UsageError } from './lib/cli';

const USAGE = `Usage: npm run test:busy [-- --copies N] [--load N] [--clones] [--command CMD] [--logs DIR]

Runs the test suite several times at once beside CPU-bound load, as on a busy CI runner, and exits 1
if any copy fails. Every process a copy starts is stopped at the end (by its process group).

  --copies N     copies of the suite at once, 1 to 8 (default 2)
  --load N       CPU-bound processes beside them, 0 to 64 (default: one per core)
  --clones       run each copy in a fresh clone of HEAD (uncommitted changes are not in it), with the
                 CI entry point \`CI=true bash .ci/run\` (npm ci, then npm test); the clones are removed
  --command CMD  the shell command each copy runs (default: CHECKPOINT_DISABLE=1 npm test, or
                 bash .ci/run with --clones)
  --logs DIR     where each copy's output goes, created when missing (default: a new temporary
                 folder); the summary names the files
  --help         show this help`;

const ROOT = path.join(__dirname, '..');
const seconds = (ms: number) => `${(ms / 1000).toFixed(0)} s`;

interface Copy {
  readonly name: string;
  readonly log: string;
  readonly child: ChildProcess;
  readonly exited: Promise<number>;
  readonly startedAt: number;
}

/** Starts `command` in a process group of its own, with its output in `log`. */
function startGroup(command: string, cwd: string, env: NodeJS.ProcessEnv, log: string): { child: ChildProcess; exited: Promise<number> } {
  const out = fs.openSync(log, 'w');
  const child = spawn(command, { cwd, env, shell: true, detached: true, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  const exited = new Promise<number>((resolve) => {
    child.once('error', () => resolve(EXIT_FAILURE));
    child.once('exit', (code) => resolve(code ?? EXIT_FAILURE));
  });
  return { child, exited };
}

/** How many processes of a group still run (a killed process the system has not yet reaped does not). */
function runningInGroup(pgid: number): number {
  const table = spawnSync('ps', ['-A', '-o', 'pgid=,stat='], { encoding: 'utf8' }).stdout ?? '';
  return table.split('\n').filter((line) => {
    const [group, state] = line.trim().split(/\s+/);
    return Number(group) === pgid && state !== undefined && !state.startsWith('Z');
  }).length;
}

/** Kills a process group and waits (a few seconds at most) until none of it runs; true when some of it still ran. */
async function stopGroup(child: ChildProcess): Promise<boolean> {
  if (child.pid === undefined || runningInGroup(child.pid) === 0) return false;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    return false;
  }
  for (let wait = 0; wait < 100 && runningInGroup(child.pid) > 0; wait++) await new Promise((resolve) => setTimeout(resolve, 50));
  return true;
}

/** The last `Tests: ...` line jest printed, if any. */
function jestSummary(log: string): string | undefined {
  return fs.readFileSync(log, 'utf8').match(/^Tests: .*$/gm)?.at(-1)?.replace(/\s+/g, ' ');
}

async function main(flags: { copies?: string; load?: string; clones?: boolean; command?: string; logs?: string }): Promise<number> {
  const copies = integerFlag('copies', flags.copies, 2, 1, 8);
  const load = integerFlag('load', flags.load, os.availableParallelism(), 0, 64);
  if (flags.command !== undefined && flags.command.trim() === '') throw new UsageError('--command needs a command');
  const command = flags.command ?? (flags.clones ? 'bash .ci/run' : 'CHECKPOINT_DISABLE=1 npm test');
  if (flags.logs !== undefined && fs.existsSync(flags.logs) && !fs.statSync(flags.logs).isDirectory()) {
    throw new UsageError(`--logs ${flags.logs} is a file, not a folder`);
  }
  if (flags.logs !== undefined) fs.mkdirSync(flags.logs, { recursive: true });
  const work = flags.logs ?? fs.mkdtempSync(path.join(os.tmpdir(), 'test-busy-'));
  const env = { ...process.env, ...(flags.clones ? { CI: 'true' } : {}) };

  const folders: string[] = [];
  for (let index = 0; index < copies; index++) {
    if (!flags.clones) {
      folders.push(ROOT);
      continue;
    }
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), `test-busy-clone-${index + 1}-`));
    folders.push(folder);
    const cloned = spawnSync('git', ['clone', '--quiet', ROOT, folder], { encoding: 'utf8' });
    if (cloned.status !== 0) {
      for (const made of folders) fs.rmSync(made, { recursive: true, force: true });
      console.error(`error: git clone into ${folder} failed: ${cloned.stderr.trim()}`);
      return EXIT_FAILURE;
    }
  }

  console.log(
    `test:busy: ${copies} ${copies === 1 ? 'copy' : 'copies'} of \`${command}\` at once${flags.clones ? ', each in a fresh clone of HEAD' : ''}, ` +
      `beside ${load} CPU-bound processes, on ${os.availableParallelism()} cores (logs in ${work})`,
  );
  const loadProcesses = Array.from({ length: load }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { detached: true, stdio: 'ignore' }));
  const running: Copy[] = folders.map((folder, index) => {
    const name = `copy ${index + 1}`;
    const log = path.join(work, `copy-${index + 1}.log`);
    return { name, log, startedAt: performance.now(), ...startGroup(command, folder, env, log) };
  });
  const stopAll = async () => {
    await Promise.all([...running.map((copy) => copy.child), ...loadProcesses].map(stopGroup));
    for (const folder of folders) if (folder !== ROOT) fs.rmSync(folder, { recursive: true, force: true });
  };
  const interrupted = () => void stopAll().then(() => process.exit(130));
  process.once('SIGINT', interrupted).once('SIGTERM', interrupted);

  let failed = 0;
  try {
    await Promise.all(
      running.map(async (copy) => {
        const code = await copy.exited;
        const elapsed = performance.now() - copy.startedAt;
        // Whatever the copy's command left running (an orphaned test process) goes with its group.
        const leftovers = (await stopGroup(copy.child)) ? '; processes it left running were stopped' : '';
        if (code !== 0) failed++;
        const verdict = code === 0 ? 'passed' : `FAILED (exit ${code})`;
        const summary = jestSummary(copy.log);
        console.log(`${copy.name}: ${verdict} in ${seconds(elapsed)}${summary ? ` (${summary})` : ''}${leftovers}; log ${copy.log}`);
      }),
    );
  } finally {
    await stopAll();
    process.off('SIGINT', interrupted).off('SIGTERM', interrupted);
  }
  console.log(`load average at the end: ${os.loadavg().map((l) => l.toFixed(1)).join(', ')}; every process group stopped`);
  if (failed > 0) {
    console.log(`${failed} of ${copies} copies failed: a suite that passes alone but not here depends on what else runs on the machine`);
    return EXIT_FAILURE;
  }
  return EXIT_OK;
}

void runCli(
  USAGE,
  { copies: { type: 'string' }, load: { type: 'string' }, clones: { type: 'boolean' }, command: { type: 'string' }, logs: { type: 'string' } },
  main,
);
