/**
 * A lock shared by the processes of one machine around a critical section that runs synchronously (a
 * `spawnSync`): the holder creates the lock file with its process id in it and removes it when done;
 * the others wait until it is gone. The file is written whole and then linked into place, which fails
 * when it exists, so a lock is never seen half-written. A lock left by a process that died holding it
 * (killed in the middle of a `terraform init`) is taken away by the first process that finds its holder
 * gone.
 */
import * as fs from 'fs';
import * as path from 'path';

const POLL_MS = 50;
/** After this long waiting, say once who holds the lock (a normal hold is seconds). */
const SAY_AFTER_MS = 60_000;

export class FileLockError extends Error {}

/** Blocks the thread without spinning (the section the lock guards is synchronous anyway). */
export const sleepSync = (ms: number): void => void Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** The process id in a lock file; undefined when there is no lock file. */
function holderOf(file: string): number | undefined {
  try {
    return Number(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Creates `file` holding `content` if it does not exist yet; false when it does. */
function createWhole(file: string, content: string): boolean {
  const own = `${file}.${process.pid}`;
  fs.writeFileSync(own, content);
  try {
    fs.linkSync(own, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    fs.rmSync(own, { force: true });
  }
}

/**
 * Removes the lock of `deadPid`. It is renamed first, which only one process can do, and checked: if
 * the file renamed is a newer lock (another process broke the stale one and locked in between), it is
 * linked back.
 */
function breakStaleLock(file: string, deadPid: number): void {
  const aside = `${file}.stale.${process.pid}`;
  try {
    fs.renameSync(file, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if (holderOf(aside) !== deadPid) {
    try {
      fs.linkSync(aside, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  fs.rmSync(aside, { force: true });
}

/** Takes the lock if it is free, without waiting; returns the function that releases it, or undefined. */
export function tryFileLock(file: string): (() => void) | undefined {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  if (!createWhole(file, String(process.pid))) return undefined;
  return () => fs.rmSync(file, { force: true });
}

/** Runs `critical` holding the lock `file`, after waiting for any other process that holds it. */
export function withFileLock<T>(file: string, critical: () => T): T {
  const waitingSince = performance.now();
  let said = false;
  let release = tryFileLock(file);
  while (release === undefined) {
    const holder = holderOf(file);
    if (holder === process.pid) throw new FileLockError(`${file} is already held by this process`);
    if (holder === undefined) {
      // Released since: try again at once.
    } else if (!isRunning(holder)) {
      breakStaleLock(file, holder);
    } else {
      if (!said && performance.now() - waitingSince > SAY_AFTER_MS) {
        said = true;
        process.stderr.write(`waiting for ${file}, held by process ${holder}; if that process is gone, delete the file\n`);
      }
      sleepSync(POLL_MS);
    }
    release = tryFileLock(file);
  }
  try {
    return critical();
  } finally {
    release();
  }
}
