/**
 * Writes the synthetic loan-remediation dataset. Run `npm run dataset -- --help` for the flags; the
 * latent model behind the `successful` label is documented in scripts/dataset/latent-model.ts.
 */
import * as path from 'path';
import { parseGeneratorArgs, UsageError, USAGE, type GeneratorOptions } from './dataset/args';
import { seededFakerRandom } from './dataset/faker-random';
import { progressBar } from './dataset/progress';
import { writeDataset, type DatasetSummary } from './dataset/write-dataset';

/** The file the network stack uploads (stacks/network-stack.ts, DATASET_FILE). */
const UPLOADED_DATASET = path.join(__dirname, '..', 'dataset', 'loan_remediation_data.csv');

const EXIT_USAGE = 2;
const EXIT_FAILURE = 1;
const EXIT_INTERRUPTED = 130;

function report(options: GeneratorOptions, summary: DatasetSummary): string {
  const seconds = summary.elapsedMs / 1000;
  const megabytes = summary.bytes / 1024 / 1024;
  const rowsPerSecond = Math.round(summary.rows / seconds).toLocaleString('en-US');
  const uploaded = path.resolve(options.out) === UPLOADED_DATASET;
  return [
    `Wrote ${summary.rows.toLocaleString('en-US')} rows to ${options.out} ` +
      `(${megabytes.toFixed(1)} MB) in ${seconds.toFixed(2)} s, ${rowsPerSecond} rows/s.`,
    `successful = true in ${(summary.successRate * 100).toFixed(1)} % of rows. Bayes-optimal AUC ` +
      `${summary.bayesOptimalAuc.toFixed(3)} (the true probabilities, noise ${options.noise}): no model can ` +
      `expect to do better on this file.`,
    uploaded
      ? 'Next: `npx cdktf diff network` shows the upload of the new file; `npx cdktf deploy network` uploads it.\n' +
        'A warehouse that is already loaded keeps its rows and model: TRUNCATE the table and DROP MODEL, then\n' +
        're-run `npm run warehouse:setup` to load and train on this file.'
      : `Next: copy it to ${path.relative(process.cwd(), UPLOADED_DATASET)} for the network stack to upload it.`,
  ].join('\n');
}

async function main(argv: readonly string[]): Promise<number> {
  const options = parseGeneratorArgs(argv);
  if (options === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const interrupted = new AbortController();
  const interrupt = () => interrupted.abort();
  process.once('SIGINT', interrupt).once('SIGTERM', interrupt);

  const progress = progressBar(options.rows, process.stderr);
  const summary = await writeDataset(options, seededFakerRandom(options.seed), {
    onProgress: progress.update,
    signal: interrupted.signal,
  }).finally(() => progress.finish());
  console.log(report(options, summary));
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof UsageError) {
      console.error(`error: ${message}\n\n${USAGE}`);
      process.exitCode = EXIT_USAGE;
    } else if (error instanceof Error && error.name === 'AbortError') {
      console.error('interrupted: nothing written');
      process.exitCode = EXIT_INTERRUPTED;
    } else {
      console.error(`error: ${message}`);
      process.exitCode = EXIT_FAILURE;
    }
  },
);
