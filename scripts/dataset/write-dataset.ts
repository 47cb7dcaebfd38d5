import { closeSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'fs';
import * as path from 'path';
import { UsageError, type GeneratorOptions } from './args';
import { StreamingAuc } from './auc';
import { CSV_HEADER, CsvChunk } from './csv';
import { customerIds } from './customer-ids';
import type { Random } from './random';
import { drawRow, type RowContext } from './rows';

/** Bytes per write: large enough that write calls cost nothing, small enough to keep memory flat. */
const CHUNK_BYTES = 1 << 20;

export interface DatasetSummary {
  readonly rows: number;
  readonly bytes: number;
  readonly elapsedMs: number;
  /** Share of rows with successful = true. */
  readonly successRate: number;
  /** AUC of the true probabilities against the drawn labels: the best any model can expect here. */
  readonly bayesOptimalAuc: number;
}

export interface WriteOptions {
  /** Called after each chunk with the rows written so far. */
  readonly onProgress?: (rowsWritten: number) => void;
  /** Stops the run between chunks; the temporary file is removed and nothing appears at --out. */
  readonly signal?: AbortSignal;
}

const OPEN_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: 'its directory does not exist',
  ENOTDIR: 'a parent path is not a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
};

function openTemporaryFile(out: string): { temporaryPath: string; fd: number } {
  // Next to the target, so the final rename stays on one file system and is atomic.
  const temporaryPath = path.join(path.dirname(out), `.${path.basename(out)}.${process.pid}.tmp`);
  try {
    if (statSync(out, { throwIfNoEntry: false })?.isDirectory()) {
      throw new UsageError(`cannot write --out ${out}: it is a directory`);
    }
    return { temporaryPath, fd: openSync(temporaryPath, 'wx') };
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new UsageError(`cannot write --out ${out}: ${OPEN_ERRORS[code] ?? code}`);
  }
}

const nextTick = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Streams `options.rows` rows to a temporary file in chunks, then renames it to `options.out`; on
 * any failure or abort the temporary file is removed, so --out is either complete or untouched.
 */
export async function writeDataset(
  options: GeneratorOptions,
  random: Random,
  { onProgress, signal }: WriteOptions = {},
): Promise<DatasetSummary> {
  const started = performance.now();
  const { temporaryPath, fd } = openTemporaryFile(options.out);
  const context: RowContext = { random, firstDay: options.firstDay, lastDay: options.lastDay, noise: options.noise };
  const nextCustomerId = customerIds(random, options.rows);
  const auc = new StreamingAuc();
  let successes = 0;
  let fileOpen = true;
  try {
    writeSync(fd, CSV_HEADER);
    const chunk = new CsvChunk(CHUNK_BYTES);
    for (let written = 0; written < options.rows; ) {
      while (written < options.rows && !chunk.isFull) {
        const row = drawRow(context, nextCustomerId());
        chunk.appendRow(row);
        auc.add(row.probability, row.successful);
        if (row.successful) successes++;
        written++;
      }
      writeSync(fd, chunk.bytes());
      chunk.clear();
      onProgress?.(written);
      await nextTick(); // lets a Ctrl-C handler run between chunks
      signal?.throwIfAborted();
    }
    closeSync(fd);
    fileOpen = false;
    renameSync(temporaryPath, options.out);
  } catch (error) {
    if (fileOpen) closeSync(fd);
    unlinkSync(temporaryPath);
    throw error;
  }
  return {
    rows: options.rows,
    bytes: statSync(options.out).size,
    elapsedMs: performance.now() - started,
    successRate: successes / options.rows,
    bayesOptimalAuc: auc.value(),
  };
}
