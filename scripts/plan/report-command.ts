/**
 * `npm run plan:report -- --plans <dir> [--synth-dir <dir>] [--out <file.md>] [--summary <file.json>]`:
 * the plan report as Markdown (a pull-request comment) and as summary JSON, from the files `npm run
 * plan` writes per stack: `<stack>.json` (`terraform show -json <planfile>`), `<stack>.txt`
 * (`terraform show -no-color <planfile>`, optional) and `<stack>.diagnostics.txt` (when planning failed).
 */
import * as fs from 'fs';
import * as path from 'path';
import { deployOrder, readManifest } from '../lib/synth-summary';
import { Console, UsageError, parseFlags, runCommand } from './cli';
import { GITHUB_COMMENT_LIMIT, RenderOptions, renderMarkdown } from './markdown';
import { META_FILE, PlanMeta, readMeta } from './meta';
import { PlanInputError, readPlanFile } from './plan-json';
import { PlanReport, StackPlan, buildReport, hasFailures, summaryJson } from './report';

export const REPORT_USAGE = `Usage: npm run plan:report -- --plans <dir> [options]

Reads, for every stack of the synthesized app, <dir>/<stack>.json (terraform show -json <planfile>),
<dir>/<stack>.txt (terraform show -no-color <planfile>: the details, in Terraform's own rendering) and
<dir>/<stack>.diagnostics.txt (Terraform's errors when planning failed), as npm run plan writes them,
and writes the plan report: a summary table in dependency order, every destroy and replace by name,
failed plans with Terraform's diagnostics, per-stack details; sensitive values are never shown.

  --plans <dir>          folder with the plan files (required)
  --synth-dir <dir>      cdktf output with manifest.json, for the stacks (default: cdktf.out)
  --out <file.md>        write the Markdown there (default: stdout); cut to GitHub's ${GITHUB_COMMENT_LIMIT}-character limit
  --full-out <file.md>   also write the uncut report there
  --full-report <text>   where the full report is, said in the comment when it is cut
  --summary <file.json>  write {"stacks": [{stack, status, add, change, replace, destroy, import, move,
                         forget, outputs, replannedOnDeploy}]}
  --title <text>         heading of the report (default: "Terraform plan")
  --help                 show this help

Exit status: 0 when the report describes reviewable plans (destroys are reported, not refused), 1
when a plan failed (the report is still written, with Terraform's diagnostics) or the input is missing,
unreadable or names a stack the app does not have, 2 for bad flags.`;

const FLAGS = {
  plans: { type: 'string' },
  'synth-dir': { type: 'string' },
  out: { type: 'string' },
  'full-out': { type: 'string' },
  'full-report': { type: 'string' },
  summary: { type: 'string' },
  title: { type: 'string' },
  help: { type: 'boolean' },
} as const;

/** Files npm run plan writes next to the plans that are not per-stack files. */
const SHARED_FILES = new Set([META_FILE, 'summary.json']);
/** Per-stack files: `<stack>.<suffix>`. */
const STACK_FILE = /^(.+?)(\.diagnostics\.txt|\.json|\.txt|\.tfplan)$/;

/**
 * The plans of every manifest stack that has files in `plansDir`, in dependency order. A file for a
 * stack the app does not have is refused: a plan nobody can apply must not pass for a reviewed one.
 */
export function loadPlans(plansDir: string, synthDir: string): StackPlan[] {
  if (!fs.existsSync(plansDir) || !fs.statSync(plansDir).isDirectory()) {
    throw new PlanInputError(`--plans ${plansDir} is not a folder`);
  }
  let manifest;
  try {
    manifest = readManifest(synthDir);
  } catch {
    throw new PlanInputError(
      `cannot read ${path.join(synthDir, 'manifest.json')}: synthesize first (npm run synth) or pass --synth-dir`,
    );
  }
  const order = deployOrder(manifest);
  for (const file of fs.readdirSync(plansDir).sort()) {
    const stack = STACK_FILE.exec(file)?.[1];
    if (stack !== undefined && !SHARED_FILES.has(file) && !order.includes(stack)) {
      throw new PlanInputError(
        `${path.join(
          plansDir,
          file,
        )} is for a stack named "${stack}", which the synthesized app does not have (${order.join(
          ', ',
        )}): remove it or synthesize the app it belongs to`,
      );
    }
  }
  const meta: Partial<PlanMeta> = fs.existsSync(path.join(plansDir, META_FILE)) ? readMeta(plansDir) : {};
  const file = (stack: string, suffix: string) => path.join(plansDir, `${stack}${suffix}`);
  const read = (stack: string, suffix: string) =>
    fs.existsSync(file(stack, suffix)) ? fs.readFileSync(file(stack, suffix), 'utf8') : undefined;
  const plans = order.flatMap((stack): StackPlan[] => {
    const skipped = meta.skipped?.[stack];
    const diagnostics = read(stack, '.diagnostics.txt');
    if (!fs.existsSync(file(stack, '.json')) && diagnostics === undefined && skipped === undefined) return [];
    return [
      {
        stack,
        plan: fs.existsSync(file(stack, '.json')) ? readPlanFile(file(stack, '.json')) : undefined,
        text: read(stack, '.txt'),
        diagnostics,
        skipped,
        plannedAgainst: meta.plannedAgainst?.[stack],
      },
    ];
  });
  if (plans.length === 0) {
    throw new PlanInputError(`no plan files in ${plansDir}: expected <stack>.json for one of ${order.join(', ')}`);
  }
  return plans;
}

export const loadReport = (plansDir: string, synthDir: string): PlanReport =>
  buildReport(loadPlans(plansDir, synthDir));

export interface ReportFiles {
  readonly out?: string;
  readonly fullOut?: string;
  readonly summary?: string;
}

/** Writes the comment, the uncut report and the summary JSON; returns the comment. */
export function writeReport(report: PlanReport, files: ReportFiles, options: RenderOptions = {}): string {
  const comment = renderMarkdown(report, { ...options, limit: GITHUB_COMMENT_LIMIT });
  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    fs.writeFileSync(file, text);
  };
  if (files.out) write(files.out, comment);
  if (files.fullOut) write(files.fullOut, renderMarkdown(report, options));
  if (files.summary) write(files.summary, `${JSON.stringify(summaryJson(report), null, 2)}\n`);
  return comment;
}

/** One line naming the stacks whose plans cannot be reviewed, for stderr. */
export const failureLine = (report: PlanReport): string =>
  `error: no reviewable plan for ${report.stacks
    .filter((s) => s.status !== 'planned')
    .map((s) => `${s.stack} (${s.status === 'failed' ? 'plan failed' : 'not planned'})`)
    .join(', ')}: the report shows Terraform's diagnostics`;

export function reportMain(argv: readonly string[], io: Console): Promise<number> {
  return runCommand(io, REPORT_USAGE, () => {
    const flags = parseFlags(argv, FLAGS);
    if (flags.help) {
      io.print(REPORT_USAGE);
      return 0;
    }
    if (!flags.plans) throw new UsageError('--plans <dir> is required');
    const report = loadReport(flags.plans, flags['synth-dir'] ?? 'cdktf.out');
    const comment = writeReport(
      report,
      { out: flags.out, fullOut: flags['full-out'], summary: flags.summary },
      { title: flags.title, fullReport: flags['full-report'] },
    );
    if (!flags.out) io.print(comment);
    const written = [flags.out, flags['full-out'], flags.summary].filter(Boolean);
    if (written.length > 0) io.printError(`Wrote ${written.join(', ')} (${report.stacks.length} stack(s))`);
    if (hasFailures(report)) {
      io.printError(failureLine(report));
      return 1;
    }
    return 0;
  });
}
