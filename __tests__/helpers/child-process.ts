/**
 * Child processes for tests, at most one per core at a time (per test file; jest runs one file at a
 * time in each worker). A test that starts more processes than the machine has cores makes them all
 * wait for the CPU, and then its verdict depends on whatever else runs on the machine: two copies of
 * the suite, or a busy CI runner, turned 40 commands started at once into 40 killed-by-timeout runs
 * with empty output. Here, runs beyond the limit wait in line (first come, first served) before they
 * start, so a test that waits for one run waits for about one run's time, however many are queued.
 *
 * Every run has a timeout, as a safety net only: a run past it is killed and reported, never passed.
 */
import { spawn } from 'child_process';
import * as os from 'os';
import * as path from 'path';

/**
 * How many child processes run at once: one per core the process may use, and at least two, so that a
 * test of concurrent processes can run on any machine.
 */
export const CHILD_PROCESS_LIMIT = Math.max(2, os.availableParallelism());

export interface ChildRun {
  /** The exit code; null when a signal ended the process. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ChildOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Kills the run after this long (a safety net for a hung process, not a speed check). */
  readonly timeoutMs?: number;
  /** Called once the process has started, e.g. to signal it. */
  readonly whileRunning?: (child: ReturnType<typeof spawn>) => void;
}

const DEFAULT_TIMEOUT_MS = 60_000;

let running = 0;
const waiting: (() => void)[] = [];

/** Runs `task` once fewer than CHILD_PROCESS_LIMIT tasks are running; the next in line starts when it ends. */
async function inTurn<T>(task: () => Promise<T>): Promise<T> {
  if (running >= CHILD_PROCESS_LIMIT) await new Promise<void>((resolve) => waiting.push(resolve));
  else running++;
  try {
    return await task();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

/** Runs a command in its turn and collects its output; never rejects (a failure to start is a failed run). */
export function runChild(command: string, args: readonly string[], options: ChildOptions = {}): Promise<ChildRun> {
  return inTurn(
    () =>
      new Promise<ChildRun>((resolve) => {
        const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
        const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env });
        let stdout = '';
        let stderr = '';
        let note = '';
        const timer = setTimeout(() => {
          note = `\n[${path.basename(command)} ${args.join(' ')} killed: still running after ${timeoutMs} ms]`;
          child.kill('SIGKILL');
        }, timeoutMs);
        child.stdout.on('data', (data) => (stdout += data));
        child.stderr.on('data', (data) => (stderr += data));
        child.once('error', (error) => (note = `\n[${command} did not start: ${error.message}]`));
        child.once('close', (code, signal) => {
          clearTimeout(timer);
          resolve({ code, signal, stdout, stderr: stderr + note });
        });
        options.whileRunning?.(child);
      }),
  );
}

/**
 * Runs a TypeScript entry the way `npm run` does (tsx), without npm's own start-up. tsx keeps its
 * compile cache in the system temporary directory, not in the run's (global-setup.ts), so runs reuse
 * it: tsx writes each entry whole and ignores one it cannot read, so concurrent suites may share it.
 */
export function runTsx(entry: string, args: readonly string[], options: ChildOptions = {}): Promise<ChildRun> {
  const env = options.env ?? process.env;
  return runChild(process.execPath, ['--import', 'tsx', entry, ...args], {
    ...options,
    env: { ...env, TMPDIR: process.env.TEST_SYSTEM_TMPDIR ?? env.TMPDIR },
  });
}
