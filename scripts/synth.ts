/**
 * `npm run synth`: synthesizes every stack (exactly what `cdktf synth` runs) and prints what was
 * produced and what to run next.
 */
import { performance } from 'perf_hooks';
import { loadSettings } from '../stacks/settings';
import { runCli } from './lib/cli';
import { formatSummary, nextSteps, summarizeSynth } from './lib/synth-summary';

const USAGE = `Usage: npm run synth

Synthesizes every stack into cdktf.out/stacks/<stack>/cdk.tf.json (what \`npx cdktf synth\` writes),
checks each against the security baseline, and prints a table of stacks and resource counts.
Settings come from settings/<ENVIRONMENT>.env (dev when ENVIRONMENT is unset); an environment
variable of the same name overrides the file, with a note on stderr (docs/configuration.md).

  --help  show this text`;

void runCli(USAGE, {}, async () => {
  // Imported here, not at the top: importing main.ts synthesizes the app, and --help must not.
  await import('../main');
  const outdir = process.env.CDKTF_OUTDIR ?? 'cdktf.out';
  // performance.now() counts from process start, so this includes loading the app.
  console.log(`Synthesized Terraform JSON into ${outdir}/ in ${(performance.now() / 1000).toFixed(1)} s\n`);
  console.log(formatSummary(summarizeSynth(outdir)));
  // main.ts has already read (and reported on) the same settings.
  const { file, lines, overrides, config } = loadSettings(process.env, { warn: () => undefined });
  const set = lines.filter((l) => l.value !== '').length;
  const overridden = overrides.length > 0 ? `; overridden from the environment: ${overrides.map((o) => o.name).join(', ')}` : '';
  console.log(`\nSettings: ${file} (${set === 0 ? 'every setting at its default' : `${set} set, the rest at their defaults`}${overridden})`);
  console.log(`\n${nextSteps(config.stateBucket, file)}`);
  return 0;
});
