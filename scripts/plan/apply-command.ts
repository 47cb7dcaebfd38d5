/**
 * `npm run plan:apply -- --reviewed <dir>`: on merge, applies each stack's reviewed saved plan in
 * dependency order, or plans it again and applies the new plan only when it matches what was
 * reviewed (decisions in apply-decision.ts). When a new plan differs, it stops before that stack and
 * leaves the new plans and their report for a second approval.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { deployOrder, readManifest } from '../lib/synth-summary';
import { terraform } from '../lib/terraform';
import {
  changedOutputNames,
  decideAfterReplan,
  decideAfterSavedApply,
  decideBeforeApply,
  priorOutputs,
} from './apply-decision';
import { Console, UsageError, parseFlags, runCommand } from './cli';
import { readMeta, writeMeta } from './meta';
import { PlanJson, readPlanFile } from './plan-json';
import { StackPlanResult, diagnosticsOf, planStack } from './stack-plan';

export const APPLY_USAGE = `Usage: npm run plan:apply -- --reviewed <dir> [options]

Applies the reviewed plans in <dir> (written by npm run plan: <stack>.tfplan, <stack>.json, meta.json)
to the synthesized stacks of the current checkout, in dependency order. A saved plan is applied when
the checkout's tree is the reviewed tree and no upstream output changed since it was made; otherwise,
or when Terraform calls it stale, the stack is planned again, and the new plan is applied only when it
matches the reviewed one. Otherwise it stops and writes the new plans for a second review.

  --reviewed <dir>     the reviewed plans (required)
  --synth-dir <dir>    synthesized app of the current checkout (default: cdktf.out)
  --replan-dir <dir>   where new plans go when a second review is needed (default: <synth dir>/replans)
  --result <file.md>   write the outcome as Markdown (posted to the pull request)
  --last-approval      this run already had its second approval: a plan that still differs fails
                       (exit 1) instead of asking again
  --help               show this help

Exit status: 0 when every stack was applied or a second review is needed (outcome=applied or
outcome=needs-approval in $GITHUB_OUTPUT), 1 when Terraform failed, 2 for bad flags.`;

const FLAGS = {
  reviewed: { type: 'string' },
  'synth-dir': { type: 'string' },
  'replan-dir': { type: 'string' },
  result: { type: 'string' },
  'last-approval': { type: 'boolean' },
  help: { type: 'boolean' },
} as const;

/** Everything that touches Terraform or git, so the flow is tested with fakes. */
export interface ApplyPorts {
  readonly mergedTree: () => string;
  readonly init: (stack: string) => void;
  /** `terraform apply <planFile>`; returns the exit status and output instead of throwing. */
  readonly apply: (stack: string, planFile: string) => { status: number; output: string };
  /**
   * Plans the stack into `outDir` (stack-plan.ts: <stack>.tfplan, .json, .txt or .diagnostics.txt),
   * reading the planned outputs of the given upstream plans when they change.
   */
  readonly plan: (
    stack: string,
    outDir: string,
    upstream: readonly { stack: string; plan: PlanJson }[],
  ) => StackPlanResult;
  /** Current root output values of a stack (`terraform output -json`). */
  readonly outputs: (stack: string) => Record<string, unknown>;
  readonly print: (line: string) => void;
}

export interface StackOutcome {
  readonly stack: string;
  readonly result: 'applied saved plan' | 'applied new plan' | 'needs approval' | 'not applied' | 'failed';
  readonly reason: string;
  readonly differences?: readonly string[];
}

export interface ApplyOutcome {
  readonly outcome: 'applied' | 'needs-approval' | 'failed';
  readonly stacks: readonly StackOutcome[];
}

export interface ApplyInput {
  readonly reviewedDir: string;
  readonly replanDir: string;
  readonly order: readonly string[];
  readonly dependencies: Readonly<Record<string, readonly string[]>>;
}

/** The apply loop. Stops at the first stack that fails or needs a second approval. */
export function applyReviewed(input: ApplyInput, ports: ApplyPorts): ApplyOutcome {
  const meta = readMeta(input.reviewedDir);
  const stacks = input.order.filter((stack) => meta.stacks.includes(stack));
  const reviewed = new Map(
    stacks
      .filter((s) => fs.existsSync(path.join(input.reviewedDir, `${s}.json`)))
      .map((s) => [s, readPlanFile(path.join(input.reviewedDir, `${s}.json`))]),
  );
  const reviewedTree = meta.dirty ? `${meta.tree} (with uncommitted changes)` : meta.tree;
  const mergedTree = ports.mergedTree();
  const outcomes: StackOutcome[] = [];
  const finish = (outcome: ApplyOutcome['outcome']): ApplyOutcome => {
    const done = new Set(outcomes.map((o) => o.stack));
    const rest = stacks
      .filter((s) => !done.has(s))
      .map((stack) => ({ stack, result: 'not applied' as const, reason: 'an earlier stack stopped the deploy' }));
    return { outcome, stacks: [...outcomes, ...rest] };
  };

  for (const [position, stack] of stacks.entries()) {
    const plan = reviewed.get(stack);
    if (!plan || plan.errored) {
      outcomes.push({
        stack,
        result: 'failed',
        reason: 'its reviewed plan failed or is missing: nothing reviewable to apply',
      });
      return finish('failed');
    }
    ports.init(stack);
    const plannedAgainst = meta.plannedAgainst?.[stack]?.upstream ?? [];
    const upstream = (input.dependencies[stack] ?? []).filter((u) => reviewed.has(u) && !plannedAgainst.includes(u));
    const changedUpstreamOutputs = upstream.flatMap((u) =>
      changedOutputNames(u, priorOutputs(reviewed.get(u)!), ports.outputs(u)),
    );
    const before = decideBeforeApply({ reviewedTree, mergedTree, changedUpstreamOutputs, plannedAgainst });
    let replanReason = before.reason;
    if (before.action === 'apply-saved') {
      ports.print(`${stack}: applying the reviewed plan (${before.reason})`);
      const { status, output } = ports.apply(stack, path.join(input.reviewedDir, `${stack}.tfplan`));
      const after = decideAfterSavedApply(status, output);
      if (after === 'applied') {
        outcomes.push({ stack, result: 'applied saved plan', reason: before.reason });
        continue;
      }
      if (after === 'failed') {
        outcomes.push({ stack, result: 'failed', reason: lastLines(output) });
        return finish('failed');
      }
      replanReason = 'Terraform called the saved plan stale (the state changed after it was made)';
    }
    ports.print(`${stack}: planning again: ${replanReason}`);
    fs.mkdirSync(input.replanDir, { recursive: true });
    const replanned = ports.plan(stack, input.replanDir, []);
    if (replanned.failed || !replanned.plan) {
      const diagnostics = path.join(input.replanDir, `${stack}.diagnostics.txt`);
      const said = fs.existsSync(diagnostics) ? lastLines(fs.readFileSync(diagnostics, 'utf8')) : 'no plan file';
      outcomes.push({ stack, result: 'failed', reason: `${replanReason}; the new plan failed: ${said}` });
      return finish('failed');
    }
    const decision = decideAfterReplan(plan, replanned.plan);
    if (decision.action === 'stop-for-approval') {
      outcomes.push({
        stack,
        result: 'needs approval',
        reason: `${replanReason}; ${decision.reason}`,
        differences: decision.differences,
      });
      // Downstream stacks are planned too, so the second review sees the whole remaining change; they
      // read this stack's new planned outputs when those change.
      const remaining = stacks.slice(position);
      const newPlans = new Map<string, PlanJson>([[stack, replanned.plan]]);
      const newPlannedAgainst: Record<string, NonNullable<StackPlanResult['plannedAgainst']>> = {};
      for (const later of remaining.slice(1)) {
        const laterUpstream = (input.dependencies[later] ?? [])
          .filter((u) => newPlans.has(u))
          .map((u) => ({ stack: u, plan: newPlans.get(u)! }));
        const result = ports.plan(later, input.replanDir, laterUpstream);
        if (result.plan) newPlans.set(later, result.plan);
        if (result.plannedAgainst) newPlannedAgainst[later] = result.plannedAgainst;
      }
      writeMeta(input.replanDir, {
        ...meta,
        tree: mergedTree,
        dirty: false,
        stacks: remaining,
        createdAt: new Date().toISOString(),
        plannedAgainst: newPlannedAgainst,
        skipped: {},
      });
      return finish('needs-approval');
    }
    ports.print(`${stack}: ${decision.reason}; applying the new plan`);
    const { status, output } = ports.apply(stack, path.join(input.replanDir, `${stack}.tfplan`));
    if (status !== 0) {
      outcomes.push({ stack, result: 'failed', reason: lastLines(output) });
      return finish('failed');
    }
    outcomes.push({ stack, result: 'applied new plan', reason: `${replanReason}; ${decision.reason}` });
  }
  return finish('applied');
}

const lastLines = (output: string) => output.trim().split('\n').slice(-5).join(' ').slice(0, 500);

export function outcomeMarkdown(result: ApplyOutcome, commit: string): string {
  const headline = {
    applied: `Deployed ${commit}: every stack was applied as reviewed.`,
    'needs-approval': `Deploy of ${commit} stopped: a new plan differs from the reviewed one and waits for approval.`,
    failed: `Deploy of ${commit} failed.`,
  }[result.outcome];
  const rows = result.stacks.map((s) => `| \`${s.stack}\` | ${s.result} | ${s.reason.replace(/\|/g, '\\|')} |`);
  const differences = result.stacks.flatMap((s) => (s.differences ?? []).map((d) => `- \`${s.stack}\`: ${d}`));
  return [
    `### ${headline}`,
    '',
    '| stack | result | why |',
    '|---|---|---|',
    ...rows,
    ...(differences.length > 0 ? ['', 'Differences from the reviewed plan:', ...differences] : []),
    '',
  ].join('\n');
}

/** The ports as Terraform in the synthesized stack folders (`stackDir`), for deploy. */
export function terraformPorts(stackDir: (stack: string) => string, print: (line: string) => void): ApplyPorts {
  return {
    mergedTree: () => spawnSync('git', ['rev-parse', 'HEAD^{tree}'], { encoding: 'utf8' }).stdout.trim(),
    init: (stack) => void terraform(stackDir(stack), ['init', '-input=false', '-reconfigure']),
    apply: (stack, planFile) => {
      try {
        return terraform(stackDir(stack), ['apply', '-input=false', planFile]);
      } catch (error) {
        return { status: 1, output: diagnosticsOf((error as Error).message) };
      }
    },
    plan: (stack, outDir, upstream) => {
      const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'planned-outputs-'));
      try {
        return planStack({
          stack,
          dir: stackDir(stack),
          outDir,
          upstream: upstream.map((u) => ({ ...u, dir: stackDir(u.stack) })),
          stateDir,
          planArgs: [],
        });
      } finally {
        fs.rmSync(stateDir, { recursive: true, force: true });
      }
    },
    outputs: (stack) => {
      const raw = JSON.parse(terraform(stackDir(stack), ['output', '-json']).output) as Record<
        string,
        { value: unknown }
      >;
      return Object.fromEntries(Object.entries(raw).map(([name, o]) => [name, o.value]));
    },
    print,
  };
}

export function applyMain(argv: readonly string[], io: Console): Promise<number> {
  return runCommand(io, APPLY_USAGE, () => {
    const flags = parseFlags(argv, FLAGS);
    if (flags.help) {
      io.print(APPLY_USAGE);
      return 0;
    }
    if (!flags.reviewed) throw new UsageError('--reviewed <dir> is required');
    const synthDir = path.resolve(flags['synth-dir'] ?? 'cdktf.out');
    const manifest = readManifest(synthDir);
    const order = deployOrder(manifest);
    const reviewedDir = path.resolve(flags.reviewed);
    const result = applyReviewed(
      {
        reviewedDir,
        replanDir: path.resolve(flags['replan-dir'] ?? path.join(synthDir, 'replans')),
        order,
        dependencies: Object.fromEntries(order.map((s) => [s, manifest.stacks[s].dependencies])),
      },
      terraformPorts((s) => path.join(synthDir, manifest.stacks[s].workingDirectory), io.print),
    );
    const markdown = outcomeMarkdown(result, readMeta(reviewedDir).commit.slice(0, 12));
    io.print(markdown);
    if (flags.result) fs.writeFileSync(flags.result, markdown);
    // GitHub Actions step outputs: "Setting an output parameter" (docs.github.com, workflow commands).
    if (process.env.GITHUB_OUTPUT) fs.appendFileSync(process.env.GITHUB_OUTPUT, `outcome=${result.outcome}\n`);
    return result.outcome === 'failed' || (result.outcome === 'needs-approval' && flags['last-approval']) ? 1 : 0;
  });
}
