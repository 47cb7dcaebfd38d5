/**
 * The parts of Terraform's machine-readable plan (`terraform show -json <planfile>`) that the plan
 * report and the apply decision read. Field names and action lists follow Terraform's "JSON Output
 * Format" page (developer.hashicorp.com/terraform/internals/json-format): `resource_changes[].change`
 * holds `actions`, `before`, `after`, `after_unknown`, `before_sensitive`, `after_sensitive` and
 * `replace_paths`; `action_reason` says why an instance is replaced or deleted; `output_changes` maps
 * each root output to the same change object, with booleans for the sensitivity markers.
 */
import * as fs from 'fs';

export type Action = 'no-op' | 'create' | 'read' | 'update' | 'delete' | 'forget';

export interface Change {
  readonly actions: readonly Action[];
  readonly before?: unknown;
  readonly after?: unknown;
  readonly after_unknown?: unknown;
  readonly before_sensitive?: unknown;
  readonly after_sensitive?: unknown;
  readonly replace_paths?: readonly (readonly (string | number)[])[];
}

export interface ResourceChange {
  readonly address: string;
  readonly mode: 'managed' | 'data';
  readonly type: string;
  readonly action_reason?: string;
  readonly change: Change;
}

export interface PlanJson {
  readonly format_version: string;
  readonly terraform_version?: string;
  readonly resource_changes?: readonly ResourceChange[];
  readonly output_changes?: Readonly<Record<string, Change>>;
  readonly prior_state?: { readonly values?: { readonly outputs?: Readonly<Record<string, { value: unknown }>> } };
  readonly errored?: boolean;
}

export class PlanInputError extends Error {}

/** Parses `terraform show -json` output; rejects other JSON (a state file, a binary plan) in one line. */
export function parsePlanJson(text: string, source: string): PlanJson {
  let plan: PlanJson;
  try {
    plan = JSON.parse(text) as PlanJson;
  } catch {
    throw new PlanInputError(`${source} is not JSON: write it with \`terraform show -json <planfile> > ${source}\``);
  }
  if (typeof plan !== 'object' || plan === null || typeof plan.format_version !== 'string') {
    throw new PlanInputError(
      `${source} has no format_version: it is not the output of \`terraform show -json <planfile>\``,
    );
  }
  // "Reject any input which reports an unsupported major version" (the JSON Output Format page).
  if (!plan.format_version.startsWith('1.')) {
    throw new PlanInputError(`${source} has plan format ${plan.format_version}; this report reads format 1.x`);
  }
  if (!('resource_changes' in plan) && !('planned_values' in plan)) {
    throw new PlanInputError(`${source} is a state, not a plan: run \`terraform show -json <planfile>\``);
  }
  return plan;
}

export function readPlanFile(file: string): PlanJson {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new PlanInputError(
      `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  return parsePlanJson(text, file);
}

/** How a resource instance changes, in the words of the report's columns. */
export type ChangeKind = 'add' | 'change' | 'replace' | 'destroy';

/** `["delete","create"]` and `["create","delete"]` are both replacements (the order is create_before_destroy). */
export function changeKind(actions: readonly Action[]): ChangeKind | undefined {
  const has = (action: Action) => actions.includes(action);
  if (has('create') && has('delete')) return 'replace';
  if (has('create')) return 'add';
  if (has('update')) return 'change';
  if (has('delete')) return 'destroy';
  return undefined; // no-op, read, forget
}

/** Managed resources that change, with their kind; data-source reads and no-ops are left out. */
export function changedResources(plan: PlanJson): { resource: ResourceChange; kind: ChangeKind }[] {
  return (plan.resource_changes ?? []).flatMap((resource) => {
    const kind = resource.mode === 'managed' ? changeKind(resource.change.actions) : undefined;
    return kind ? [{ resource, kind }] : [];
  });
}

/** Root outputs whose value changes (created, updated or removed). */
export function changedOutputs(plan: PlanJson): [string, Change][] {
  return Object.entries(plan.output_changes ?? {}).filter(([, change]) => changeKind(change.actions) !== undefined);
}
