/**
 * `npm run plan`: synthesizes once, then for every stack in dependency order runs `terraform init`
 * against its configured backend, `terraform plan -out`, and `terraform show` (JSON and text), all into
 * one folder (default cdktf.out/plans/), and prints the plan report. The same command runs in CI.
 *
 * A stack whose upstream stack changes its outputs in the same run is planned against the upstream's
 * planned outputs (planned-outputs.ts), so a new cross-stack output or a first deploy never blocks the
 * plan. A stack whose plan fails is reported with Terraform's diagnostics, and the command exits 1.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { deployOrder, readManifest, summarizeSynth } from '../lib/synth-summary';
import { requireAwsCredentials } from '../lib/aws-credentials';
import { terraform, writeCliConfig } from '../lib/terraform';
import { ADMIN_STACKS } from '../../stacks/project-stack';
import { loadSettings } from '../../stacks/settings';
import { Console, UsageError, parseFlags, parseStackList, runCommand } from './cli';
import { renderMarkdown } from './markdown';
import { PlanMeta, writeMeta } from './meta';
import { Placeholder } from './planned-outputs';
import { hasChanges, hasFailures } from './report';
import { failureLine, loadReport, writeReport } from './report-command';
import { settingsSection } from './settings-diff';
import { StackPlanResult, planStack } from './stack-plan';

export const PLAN_USAGE = `Usage: npm run plan [-- options]

Synthesizes every stack, then plans each one in dependency order against its configured backend
(needs AWS credentials that can read the state and the resources) and prints the plan report. A stack
whose upstream stack changes its outputs is planned against the upstream's planned outputs and
re-planned on deploy (docs/plan-review.md).

  --stacks <a,b>        plan only these stacks (default: every stack but state and account, see docs/plan-review.md)
  --out-dir <dir>       where plans and reports go (default: <synth dir>/plans)
  --detailed-exitcode   plan with terraform's -detailed-exitcode; exit 2 when any stack has changes
                        (drift detection), 0 when none
  --title <text>        heading of the report
  --full-report <text>  where the full report is, said in the comment when it is cut
  --base <git ref>      show the settings file's diff against this ref (a pull request's base branch)
  --help                show this help

Writes, per stack, <stack>.tfplan (the saved plan, which deploy applies), <stack>.json and <stack>.txt
(terraform show), <stack>.diagnostics.txt when its plan failed, and then report.md (the pull-request
comment, at most 65,536 characters), report-full.md, summary.json and meta.json (the commit and tree
that were planned). Exit status 1 when any stack failed to plan (the report says why).`;

const FLAGS = {
  stacks: { type: 'string' },
  'out-dir': { type: 'string' },
  'detailed-exitcode': { type: 'boolean' },
  title: { type: 'string' },
  'full-report': { type: 'string' },
  base: { type: 'string' },
  help: { type: 'boolean' },
} as const;

/**
 * Stacks to plan, in dependency order. The administrator's stacks (ADMIN_STACKS) are never planned
 * unless named: `state` keeps its state locally on purpose (it creates the remote-state bucket) and
 * that file lives with the operator, not in CI; the `account` stack creates the CI roles themselves,
 * which may not read or change it.
 */
export function stacksToPlan(order: readonly string[], requested: readonly string[] | undefined): string[] {
  const admin: readonly string[] = ADMIN_STACKS;
  return requested ? order.filter((stack) => requested.includes(stack)) : order.filter((s) => !admin.includes(s));
}

function git(args: string[]): string {
  const result = spawnSync('git', args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${result.stderr.trim()}`);
  return result.stdout.trim();
}

export function currentMeta(stacks: readonly string[], now = new Date()): PlanMeta {
  return {
    commit: git(['rev-parse', 'HEAD']),
    tree: git(['rev-parse', 'HEAD^{tree}']),
    dirty: git(['status', '--porcelain']) !== '',
    stacks,
    createdAt: now.toISOString(),
  };
}

/** Runs the app exactly like `cdktf synth` (cdktf.json "app"), so config errors print as one line. */
export function synthesize(outdir: string): void {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'main.ts'], {
    stdio: 'inherit',
    env: { ...process.env, CDKTF_OUTDIR: outdir },
  });
  if (result.status !== 0) throw new Error('synth failed (see above)');
}

/**
 * `synthesize` is replaceable so the end-to-end tests can add their offline overrides to the
 * synthesized stacks in a temporary folder, and so is the credentials check (the offline plans need
 * none); everything else is what runs in CI.
 */
export function planMain(
  argv: readonly string[],
  io: Console,
  synth = synthesize,
  credentials: () => Promise<void> = () => requireAwsCredentials(loadSettings(process.env, { warn: () => undefined }).config.region),
): Promise<number> {
  return runCommand(io, PLAN_USAGE, async () => {
    const flags = parseFlags(argv, FLAGS);
    if (flags.help) {
      io.print(PLAN_USAGE);
      return 0;
    }
    // Terraform would take seconds to say the same in a dozen lines.
    await credentials();
    // The project's Terraform CLI configuration (the provider mirror, when there is one), also what
    // `TF_CLI_CONFIG_FILE=.terraform-cli/terraformrc npx cdktf diff` uses (docs/operations.md).
    writeCliConfig();
    const synthDir = path.resolve(process.env.CDKTF_OUTDIR ?? 'cdktf.out');
    const outDir = path.resolve(flags['out-dir'] ?? path.join(synthDir, 'plans'));
    // A bad or refused setting stops here, in one line; the synth reports any override itself.
    const settings = loadSettings(process.env, { warn: () => undefined });
    io.print(`Synthesizing into ${path.relative(process.cwd(), synthDir) || '.'}/ ...`);
    synth(synthDir);
    const manifest = readManifest(synthDir);
    const order = deployOrder(manifest);
    const stacks = stacksToPlan(order, parseStackList(flags.stacks, order));
    if (stacks.length === 0) throw new UsageError('no stack to plan');
    const backends = new Map(summarizeSynth(synthDir).map((s) => [s.name, s.backend]));
    const local = stacks.filter((stack) => backends.get(stack) === 'local');
    if (process.env.CI && local.length > 0) {
      throw new Error(
        `${local.join(
          ', ',
        )} keep local state, which a CI runner does not have: set STATE_BUCKET and STATE_KMS_KEY_ARN in ${settings.file} (docs/plan-review.md)`,
      );
    }
    fs.rmSync(outDir, { recursive: true, force: true });
    fs.mkdirSync(outDir, { recursive: true });
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'planned-outputs-'));
    const stackDir = (stack: string) => path.join(synthDir, manifest.stacks[stack].workingDirectory);

    const planned = new Map<string, StackPlanResult>();
    const plannedAgainst: Record<string, { upstream: readonly string[]; placeholders: readonly Placeholder[] }> = {};
    const skipped: Record<string, string> = {};
    try {
      for (const stack of stacks) {
        const upstream = manifest.stacks[stack].dependencies.filter((u) => planned.has(u) || skipped[u]);
        const notPlanned = upstream.filter((u) => skipped[u] || planned.get(u)!.failed);
        if (notPlanned.length > 0) {
          skipped[stack] = `${notPlanned.map((u) => `\`${u}\``).join(', ')} did not plan`;
          io.print(`${stack}: not planned, because ${notPlanned.join(', ')} did not plan`);
          continue;
        }
        const started = Date.now();
        io.print(`${stack}: terraform init (${backends.get(stack)} backend), plan, show ...`);
        terraform(stackDir(stack), ['init', '-input=false', '-reconfigure']);
        const result = planStack({
          stack,
          dir: stackDir(stack),
          outDir,
          upstream: upstream.map((u) => ({ stack: u, plan: planned.get(u)!.plan!, dir: stackDir(u) })),
          stateDir: tmp,
          // -lock=false: the plan role cannot write the S3 lock file; a saved plan is still checked
          // against the state serial when applied ("Saved plan is stale").
          planArgs: ['-lock=false', ...(flags['detailed-exitcode'] ? ['-detailed-exitcode'] : [])],
        });
        if (result.plannedAgainst) {
          plannedAgainst[stack] = result.plannedAgainst;
          io.print(`${stack}: read the planned outputs of ${result.plannedAgainst.upstream.join(', ')} (they change)`);
        }
        const verdict = result.failed
          ? 'PLAN FAILED'
          : result.changed
          ? 'changes'
          : flags['detailed-exitcode']
          ? 'no changes'
          : 'planned';
        io.print(`${stack}: ${verdict} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        planned.set(stack, result);
      }
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }

    writeMeta(outDir, { ...currentMeta(stacks), plannedAgainst, skipped });
    const report = loadReport(outDir, synthDir);
    const rel = (file: string) => path.relative(process.cwd(), path.join(outDir, file));
    const section = settingsSection(settings, flags.base);
    writeReport(
      report,
      { out: rel('report.md'), fullOut: rel('report-full.md'), summary: rel('summary.json') },
      { title: flags.title, fullReport: flags['full-report'] ?? `\`${rel('report-full.md')}\``, settings: section },
    );
    io.print(`\n${renderMarkdown(report, { title: flags.title, settings: section })}`);
    io.print(`Wrote ${rel(
      '',
    )}: <stack>.tfplan, <stack>.json, <stack>.txt, report.md, report-full.md, summary.json, meta.json

Next:
  npm run plan:report -- --plans ${rel('')} --out comment.md   render the report again
  npx cdktf deploy <stack>                                       apply from your machine (CI applies the saved plans on merge)`);
    if (hasFailures(report)) {
      io.printError(failureLine(report));
      return 1;
    }
    // -detailed-exitcode: Terraform exits 2 when the plan has changes (`terraform plan` command docs).
    const changed = [...planned.values()].some((p) => p.changed) || report.stacks.some(hasChanges);
    return flags['detailed-exitcode'] && changed ? 2 : 0;
  });
}
