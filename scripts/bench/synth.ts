/**
 * `npm run bench:synth`: wall time of synthesizing every stack, side by side in one run:
 * - `npm run synth` (what the quick start runs),
 * - the same app synthesized in one process with and without the security baseline (cdktf's
 *   `skipValidation` turns off app validations, and the baseline is the only one that costs time),
 * - `npx cdktf synth` (the CLI around the same app).
 * Prints the median, min and max of N runs (default 7, as BENCHMARKS.md records; `-- --runs N`).
 */
import { spawnSync } from 'child_process';
import { performance } from 'perf_hooks';
import { integerFlag, runCli } from '../lib/cli';
import { median } from './stats';

const DEFAULT_RUNS = 7;
const USAGE = `Usage: npm run bench:synth [-- --runs N]

Times npm run synth, the app synthesized in one process with and without the security baseline,
and npx cdktf synth, interleaved, and prints the median, min and max of each.

  --runs N  runs of each command, 1 to 50 (default ${DEFAULT_RUNS})
  --help    show this text`;

function time(command: string, args: string[]): number {
  const start = performance.now();
  const result = spawnSync(command, args, { stdio: 'pipe', env: { ...process.env, CHECKPOINT_DISABLE: '1' } });
  if (result.status !== 0) {
    console.error(`${command} ${args.join(' ')} failed:\n${result.stderr}`);
    process.exit(1);
  }
  return (performance.now() - start) / 1000;
}

const synthInProcess = (skipValidation: boolean) =>
  `const { App } = require('cdktf'); const { buildStacks } = require('./stacks/app');` +
  `const { loadSettings } = require('./stacks/settings');` +
  `const app = new App({ outdir: 'cdktf.out', skipValidation: ${skipValidation} });` +
  `buildStacks(app, loadSettings().config); app.synth();`;
const commands: [string, string, string[]][] = [
  ['npm run synth', 'npm', ['run', 'synth', '--silent']],
  ['synth with baseline', 'node', ['--import', 'tsx', '-e', synthInProcess(false)]],
  ['synth without', 'node', ['--import', 'tsx', '-e', synthInProcess(true)]],
  ['npx cdktf synth', 'npx', ['cdktf', 'synth']],
];

void runCli(USAGE, { runs: { type: 'string' } }, (flags) => {
  const runs = integerFlag('runs', flags.runs, DEFAULT_RUNS, 1, 50);
  const times = new Map(commands.map(([label]) => [label, [] as number[]]));
  // Interleave the commands so both see the same machine load.
  for (let i = 0; i < runs; i++) {
    for (const [label, command, args] of commands) times.get(label)!.push(time(command, args));
    // One line per run: a log or CI output shows every run, not one overwritten line.
    process.stderr.write(`run ${i + 1}/${runs} done\n`);
  }
  console.log(`${'command'.padEnd(21)}median   min      max      (${runs} runs)`);
  for (const [label, xs] of times) {
    const cells = [median(xs), Math.min(...xs), Math.max(...xs)].map((x) => `${x.toFixed(2)} s`.padEnd(9));
    console.log(`${label.padEnd(21)}${cells.join('')}`);
  }
  const baselineCost = median(times.get('synth with baseline')!) / median(times.get('synth without')!) - 1;
  console.log(`\nsecurity baseline: ${(baselineCost * 100).toFixed(1)} % of synth time (target: within 10 %)`);
  console.log('target: npm run synth under 4 s (the original CDK app: cdk synth --all about 6.6 s)');
  return 0;
});
