/**
 * `npm run synth`: synthesizes every stack (exactly what `cdktf synth` runs) and prints what was
 * produced and what to run next.
 */
import { performance } from 'perf_hooks';
import '../main';
import { formatSummary, summarizeSynth } from './lib/synth-summary';

const outdir = process.env.CDKTF_OUTDIR ?? 'cdktf.out';
// performance.now() counts from process start, so this includes loading the app.
console.log(`Synthesized Terraform JSON into ${outdir}/ in ${(performance.now() / 1000).toFixed(1)} s\n`);
console.log(formatSummary(summarizeSynth(outdir)));
console.log(`
Next:
  npm test                        lint, type-check, unit tests, terraform validate + mocked apply
  npx cdktf diff network          plan one stack against your AWS account
  npx cdktf deploy state          bootstrap the remote-state bucket and key (then set STATE_BUCKET and
                                  STATE_KMS_KEY_ARN from its outputs, see README "Deploying")`);
