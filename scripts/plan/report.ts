/**
 * The plan report's model: per stack, what changes (counted the way the summary table and `--summary`
 * JSON show it, in Terraform's own terms: add, change, replace, destroy, import, move, forget), every
 * destroy or replace with its reason, failed plans with Terraform's diagnostics, stacks planned against
 * an upstream's planned outputs, and the details lines (Terraform's own rendering when available).
 * A pure function of plan JSON and Terraform's rendered text; markdown.ts renders it.
 */
import { maskSecrets } from './mask';
import {
  ChangeKind,
  PlanJson,
  changeKind,
  ResourceChange,
  ResourceEvent,
  changedOutputs,
  displayAddress,
  resourceEvents,
} from './plan-json';
import { Placeholder, markPlaceholders } from './planned-outputs';

/** One stack's input: its plan (absent when Terraform failed before writing one) and what came with it. */
export interface StackPlan {
  readonly stack: string;
  readonly plan?: PlanJson;
  /** `terraform show -no-color <planfile>`: Terraform's own rendering of the plan. */
  readonly text?: string;
  /** Terraform's diagnostics when planning failed. */
  readonly diagnostics?: string;
  /** Set when the stack was not planned (an upstream stack failed). */
  readonly skipped?: string;
  /** The upstream stacks whose planned outputs this plan read, and the placeholders among them. */
  readonly plannedAgainst?: { readonly upstream: readonly string[]; readonly placeholders: readonly Placeholder[] };
}

export const COUNTED = ['add', 'change', 'replace', 'destroy', 'import', 'move', 'forget'] as const;
export type Counted = (typeof COUNTED)[number];

export interface StackReport {
  readonly stack: string;
  readonly status: 'planned' | 'failed' | 'skipped';
  readonly counts: Readonly<Record<Counted, number>>;
  /** Root outputs that change: downstream stacks read them through remote state. */
  readonly outputs: number;
  /** What Terraform shows for this stack, masked, one string per line. */
  readonly details: readonly string[];
  readonly diagnostics?: string;
  readonly skipped?: string;
  readonly plannedAgainst?: StackPlan['plannedAgainst'];
}

export interface DestructiveChange {
  readonly stack: string;
  readonly address: string;
  readonly kind: 'destroy' | 'replace';
  readonly reason: string;
}

export interface PlanReport {
  readonly stacks: readonly StackReport[];
  readonly destructive: readonly DestructiveChange[];
}

/** The `--summary` JSON contract. */
export interface PlanSummaryJson {
  stacks: ({ stack: string; status: StackReport['status']; outputs: number; replannedOnDeploy: boolean } & Record<
    Counted,
    number
  >)[];
}

/** Terraform's `action_reason` values (internal/command/jsonplan) in words. */
const REASONS: Record<string, string> = {
  replace_because_cannot_update: 'an argument that cannot be updated in place changed',
  replace_because_tainted: 'the object is tainted (a previous create or provisioner failed)',
  replace_by_request: 'replacement was requested with -replace',
  replace_by_triggers: 'a replace_triggered_by reference changed',
  delete_because_no_resource_config: 'the resource was removed from the configuration',
  delete_because_wrong_repetition: 'count or for_each was added to or removed from the resource',
  delete_because_count_index: 'its count index is beyond the new count',
  delete_because_each_key: 'its for_each key is no longer in the map or set',
  delete_because_no_module: 'its module call was removed',
  delete_because_no_move_target: 'the target of its moved block does not exist',
};

const pathText = (path: readonly (string | number)[]) =>
  path.map((step, i) => (typeof step === 'number' ? `[${step}]` : i === 0 ? step : `.${step}`)).join('');

function reasonFor(resource: ResourceChange): string {
  if (resource.deposed) {
    return 'a deposed object: left over from a partially-failed create_before_destroy replacement (the current object stays)';
  }
  const words = resource.action_reason ? REASONS[resource.action_reason] ?? resource.action_reason : undefined;
  const paths = (resource.change.replace_paths ?? []).map(pathText);
  const forcing = paths.length > 0 ? `forced by ${paths.map((p) => `\`${p}\``).join(', ')}` : undefined;
  const code = resource.action_reason ? `(\`${resource.action_reason}\`)` : undefined;
  const text = [words, code, forcing].filter(Boolean).join(' ');
  return text || 'Terraform gave no reason (a destroy requested by the plan, e.g. `terraform plan -destroy`)';
}

/** The comment Terraform's renderer puts above a resource (internal/command/jsonformat), for plans without rendered text. */
function terraformComment({ resource, kind, imported, movedFrom }: ResourceEvent): string[] {
  const address = displayAddress(resource);
  const headline: Record<ChangeKind, string> = {
    add: `# ${address} will be created`,
    change: `# ${address} will be updated in-place`,
    replace:
      resource.action_reason === 'replace_because_tainted'
        ? `# ${address} is tainted, so must be replaced`
        : resource.action_reason === 'replace_by_request'
        ? `# ${address} will be replaced, as requested`
        : `# ${address} must be replaced`,
    destroy: `# ${address} will be destroyed`,
    forget: `# ${address} will no longer be managed by Terraform, but will not be destroyed`,
  };
  const lines = [
    kind ? headline[kind] : imported ? `# ${address} will be imported` : `# ${movedFrom} has moved to ${address}`,
  ];
  if (resource.deposed) lines.push('# (left over from a partially-failed replacement of this instance)');
  if (kind && movedFrom) lines.push(`# (moved from ${movedFrom})`);
  if (kind && imported) lines.push(`# (imported from "${resource.change.importing?.id ?? ''}")`);
  return lines.map((line) => `  ${line}`);
}

/**
 * Terraform's rendering without its legend (the symbols are Terraform's own), secret shapes masked
 * and placeholders shown as "(re-planned on deploy)". Whole text first: a PEM key spans lines.
 */
export function renderedLines(text: string): string[] {
  const lines = markPlaceholders(maskSecrets(text)).split('\n');
  const legend = lines.findIndex((line) => line.startsWith('Terraform used the selected providers'));
  if (legend >= 0) {
    // The paragraph and its list of symbols ("  + create", "-/+ destroy and then create replacement").
    let end = legend;
    while (end < lines.length && lines[end].trim() !== '') end++;
    lines.splice(legend, end - legend);
  }
  while (lines.length > 0 && lines[0].trim() === '') lines.shift();
  while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
  return lines;
}

function stackReport(input: StackPlan): { report: StackReport; destructive: DestructiveChange[] } {
  const { stack, plan } = input;
  const zero = Object.fromEntries(COUNTED.map((c) => [c, 0])) as Record<Counted, number>;
  const status = input.skipped ? 'skipped' : !plan || plan.errored || input.diagnostics ? 'failed' : 'planned';
  if (status !== 'planned' || !plan) {
    const diagnostics = input.diagnostics
      ? maskSecrets(input.diagnostics).trim()
      : status === 'failed'
      ? 'Terraform wrote an errored plan (`"errored": true`) and its diagnostics were not saved: run `terraform plan` in the stack folder to see them.'
      : undefined;
    return {
      report: { stack, status, counts: zero, outputs: 0, details: [], diagnostics, skipped: input.skipped },
      destructive: [],
    };
  }
  const events = resourceEvents(plan);
  const counts = { ...zero };
  for (const event of events) {
    if (event.kind) counts[event.kind] += 1;
    if (event.imported) counts.import += 1;
    if (event.movedFrom) counts.move += 1;
  }
  const outputs = changedOutputs(plan);
  const details =
    input.text !== undefined
      ? renderedLines(input.text)
      : [
          ...events.flatMap(terraformComment),
          ...outputs.map(([name, change]) => {
            const kind = changeKind(change.actions);
            return `  # output.${name} will be ${
              kind === 'add' ? 'created' : kind === 'destroy' ? 'removed' : 'updated'
            }`;
          }),
        ];
  const destructive = events.flatMap(({ resource, kind }) =>
    kind === 'destroy' || kind === 'replace'
      ? [{ stack, address: displayAddress(resource), kind, reason: reasonFor(resource) }]
      : [],
  );
  return {
    report: { stack, status, counts, outputs: outputs.length, details, plannedAgainst: input.plannedAgainst },
    destructive,
  };
}

/** True when a stack changes, imports, moves or forgets anything, or changes root outputs. */
export const hasChanges = (stack: StackReport): boolean =>
  stack.outputs > 0 || COUNTED.some((counted) => stack.counts[counted] > 0);

/** Builds the report for plans given in dependency order. */
export function buildReport(plans: readonly StackPlan[]): PlanReport {
  const built = plans.map(stackReport);
  return { stacks: built.map((b) => b.report), destructive: built.flatMap((b) => b.destructive) };
}

/** True when any stack failed or was not planned: the report must not pass for a reviewable plan. */
export const hasFailures = (report: PlanReport): boolean => report.stacks.some((s) => s.status !== 'planned');

export function summaryJson(report: PlanReport): PlanSummaryJson {
  return {
    stacks: report.stacks.map((s) => ({
      stack: s.stack,
      status: s.status,
      ...s.counts,
      outputs: s.outputs,
      replannedOnDeploy: s.plannedAgainst !== undefined,
    })),
  };
}
