/**
 * `npm run plan:report -- --plans <dir> [--synth-dir <dir>] [--out <file.md>] [--summary <file.json>]`:
 * the plan report as Markdown (a pull-request comment) and as summary JSON, from `<stack>.json` files
 * written by `terraform show -json <planfile>`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { deployOrder, readManifest } from '../lib/synth-summary';
import { Console, UsageError, parseFlags, runCommand } from './cli';
import { GITHUB_COMMENT_LIMIT, renderMarkdown } from './markdown';
import { PlanInputError, readPlanFile } from './plan-json';
import { PlanReport, buildReport, summaryJson } from './report';

export const REPORT_USAGE = `Usage: npm run plan:report -- --plans <dir> [options]

Reads <dir>/<stack>.json (terraform show -json <planfile>) for every stack of the synthesized app and
writes the plan report: a summary table in dependency order, a warning for every destroy or replace,
per-stack details; sensitive values are never shown.

  --plans <dir>          folder with <stack>.json plan files (required)
  --synth-dir <dir>      cdktf output with manifest.json, for stack dependencies (default: cdktf.out)
  --out <file.md>        write the Markdown there (default: stdout); cut to GitHub's ${GITHUB_COMMENT_LIMIT}-character limit
  --full-out <file.md>   also write the uncut report there
  --full-report <text>   where the full report is, said in the comment when details are cut
  --summary <file.json>  write {"stacks": [{stack, add, change, replace, destroy, provisional}]}
  --title <text>         heading of the report (default: "Terraform plan")
  --help                 show this help

Exit status: 0 when a report was written (destroys are reported, not refused), 1 for missing or
unreadable input, 2 for bad flags.`;

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

/** Reads the plans of every manifest stack that has a `<stack>.json` in `plansDir`, in dependency order. */
export function loadReport(plansDir: string, synthDir: string): PlanReport {
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
  const present = order.filter((stack) => fs.existsSync(path.join(plansDir, `${stack}.json`)));
  if (present.length === 0) {
    throw new PlanInputError(`no plan files in ${plansDir}: expected <stack>.json for one of ${order.join(', ')}`);
  }
  const plans = present.map((stack) => ({ stack, plan: readPlanFile(path.join(plansDir, `${stack}.json`)) }));
  const dependencies = Object.fromEntries(order.map((stack) => [stack, manifest.stacks[stack].dependencies]));
  return buildReport(plans, dependencies);
}

export interface ReportFiles {
  readonly out?: string;
  readonly fullOut?: string;
  readonly summary?: string;
}

/** Writes the comment, the uncut report and the summary JSON; returns the comment. */
export function writeReport(
  report: PlanReport,
  files: ReportFiles,
  options: { title?: string; fullReport?: string; settings?: string } = {},
): string {
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
    return 0;
  });
}
