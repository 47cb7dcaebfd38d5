/**
 * The plan report's model: per stack, what changes (counted the way the summary table and
 * `--summary` JSON show it), which stacks are provisional, and every destroy or replace with its reason.
 * A pure function of plan JSON and the stack dependencies; rendering is in markdown.ts.
 */
import { ChangeKind, PlanJson, ResourceChange, changedOutputs, changedResources } from './plan-json';
import { SENSITIVE, UNKNOWN, isMarkedSensitive, renderValue } from './mask';

export interface StackPlan {
  readonly stack: string;
  readonly plan: PlanJson;
}

export interface AttributeChange {
  readonly name: string;
  readonly before?: string;
  readonly after: string;
  readonly forcesReplacement: boolean;
}

export interface ResourceLine {
  readonly address: string;
  readonly kind: ChangeKind;
  readonly attributes: readonly AttributeChange[];
}

export interface DestructiveChange {
  readonly stack: string;
  readonly address: string;
  readonly kind: 'destroy' | 'replace';
  readonly reason: string;
}

export interface StackReport {
  readonly stack: string;
  readonly add: number;
  readonly change: number;
  readonly replace: number;
  readonly destroy: number;
  /** Root outputs that change: downstream stacks read them through remote state. */
  readonly outputs: readonly ResourceLine[];
  readonly resources: readonly ResourceLine[];
  readonly provisional: boolean;
  /** The stacks this one depends on (directly or not) that change in the same set of plans. */
  readonly changingUpstream: readonly string[];
}

export interface PlanReport {
  readonly stacks: readonly StackReport[];
  readonly destructive: readonly DestructiveChange[];
}

/** The `--summary` JSON contract. */
export interface PlanSummaryJson {
  stacks: { stack: string; add: number; change: number; replace: number; destroy: number; provisional: boolean }[];
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
  const words = resource.action_reason ? REASONS[resource.action_reason] ?? resource.action_reason : undefined;
  const paths = (resource.change.replace_paths ?? []).map(pathText);
  const forcing = paths.length > 0 ? `forced by ${paths.map((p) => `\`${p}\``).join(', ')}` : undefined;
  const code = resource.action_reason ? `(\`${resource.action_reason}\`)` : undefined;
  const text = [words, code, forcing].filter(Boolean).join(' ');
  return text || 'Terraform gave no reason (a destroy requested by the plan, e.g. `terraform plan -destroy`)';
}

const member = (value: unknown, key: string): unknown =>
  value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;

const isUnknown = (marker: unknown): boolean =>
  marker === true || (!!marker && typeof marker === 'object' && Object.values(marker).some(isUnknown));

/** Top-level attributes whose value changes, each rendered with sensitivity and secret masking applied. */
function attributeChanges(resource: ResourceChange, kind: ChangeKind): AttributeChange[] {
  if (kind === 'destroy') return [];
  const { before, after, after_unknown, before_sensitive, after_sensitive, replace_paths } = resource.change;
  const names = new Set([
    ...Object.keys((before as object | null) ?? {}),
    ...Object.keys((after as object | null) ?? {}),
    ...Object.keys((after_unknown as object | null) ?? {}),
  ]);
  const forcing = new Set((replace_paths ?? []).map((path) => String(path[0])));
  const changes: AttributeChange[] = [];
  for (const name of [...names].sort()) {
    const oldValue = member(before, name);
    const newValue = member(after, name);
    const unknown = isUnknown(member(after_unknown, name));
    const unchanged = !unknown && JSON.stringify(oldValue ?? null) === JSON.stringify(newValue ?? null);
    if (unchanged || (kind === 'add' && newValue == null && !unknown)) continue;
    const beforeSensitive = before_sensitive === true || isMarkedSensitive(member(before_sensitive, name));
    const afterSensitive = after_sensitive === true || isMarkedSensitive(member(after_sensitive, name));
    changes.push({
      name,
      before: kind === 'add' ? undefined : renderValue(oldValue, { sensitive: beforeSensitive }),
      after: renderValue(newValue, { sensitive: afterSensitive, unknown: unknown && !afterSensitive }),
      forcesReplacement: forcing.has(name),
    });
  }
  return changes;
}

function outputLines(plan: PlanJson): ResourceLine[] {
  return changedOutputs(plan).map(([name, change]) => {
    const kind = change.actions.includes('create') ? 'add' : change.actions.includes('delete') ? 'destroy' : 'change';
    const sensitive = (marker: unknown) => marker === true;
    const render = (value: unknown, marker: unknown, unknown = false) =>
      sensitive(marker) ? SENSITIVE : unknown ? UNKNOWN : renderValue(value);
    const attributes: AttributeChange[] =
      kind === 'destroy'
        ? []
        : [
            {
              name: 'value',
              before: kind === 'add' ? undefined : render(change.before, change.before_sensitive),
              after: render(change.after, change.after_sensitive, change.after_unknown === true),
              forcesReplacement: false,
            },
          ];
    return { address: `output.${name}`, kind, attributes };
  });
}

/** True when a stack changes resources or root outputs. */
export const hasChanges = (stack: Pick<StackReport, 'resources' | 'outputs'>): boolean =>
  stack.resources.length + stack.outputs.length > 0;

/** Every stack each stack depends on, directly or through others. */
export function upstreamStacks(dependencies: Readonly<Record<string, readonly string[]>>, stack: string): string[] {
  const found = new Set<string>();
  const visit = (name: string) =>
    (dependencies[name] ?? []).forEach((dependency) => {
      if (found.has(dependency)) return;
      found.add(dependency);
      visit(dependency);
    });
  visit(stack);
  return [...found];
}

/**
 * Builds the report for plans given in dependency order. A stack is provisional when a stack it
 * depends on, directly or not, changes resources or outputs in the same set of plans: its plan read
 * that stack's current outputs through remote state, which the upstream apply may change.
 */
export function buildReport(
  plans: readonly StackPlan[],
  dependencies: Readonly<Record<string, readonly string[]>>,
): PlanReport {
  const perStack = plans.map(({ stack, plan }) => {
    const changed = changedResources(plan);
    const count = (kind: ChangeKind) => changed.filter((c) => c.kind === kind).length;
    return {
      stack,
      add: count('add'),
      change: count('change'),
      replace: count('replace'),
      destroy: count('destroy'),
      resources: changed.map(({ resource, kind }) => ({
        address: resource.address,
        kind,
        attributes: attributeChanges(resource, kind),
      })),
      outputs: outputLines(plan),
      destructive: changed
        .filter((c): c is typeof c & { kind: 'destroy' | 'replace' } => c.kind === 'destroy' || c.kind === 'replace')
        .map(({ resource, kind }) => ({ stack, address: resource.address, kind, reason: reasonFor(resource) })),
    };
  });
  const changing = new Set(perStack.filter(hasChanges).map((s) => s.stack));
  const stacks = perStack.map(({ stack, add, change, replace, destroy, resources, outputs }) => {
    const changingUpstream = upstreamStacks(dependencies, stack).filter((name) => changing.has(name));
    return {
      stack,
      add,
      change,
      replace,
      destroy,
      resources,
      outputs,
      provisional: changingUpstream.length > 0,
      changingUpstream,
    };
  });
  return { stacks, destructive: perStack.flatMap((s) => s.destructive) };
}

export function summaryJson(report: PlanReport): PlanSummaryJson {
  return {
    stacks: report.stacks.map(({ stack, add, change, replace, destroy, provisional }) => ({
      stack,
      add,
      change,
      replace,
      destroy,
      provisional,
    })),
  };
}
