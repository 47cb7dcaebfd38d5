/**
 * The parts of Terraform's machine-readable plan (`terraform show -json <planfile>`) that the plan
 * report and the apply decision read. Field names and action lists follow Terraform's "JSON Output
 * Format" page (developer.hashicorp.com/terraform/internals/json-format): `resource_changes[].change`
 * holds `actions`, `before`, `after`, `after_unknown`, `before_sensitive`, `after_sensitive`,
 * `replace_paths` and `importing`; a resource change may carry `previous_address` (a `moved` block),
 * `deposed` (an object left over from a failed create_before_destroy replacement) and `action_reason`;
 * `output_changes` maps each root output to the same change object; `errored` is true when planning
 * failed (Terraform 1.11 still writes the plan file then).
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
  /** Present when the plan imports the object (an `import` block): `{ "id": "..." }`. */
  readonly importing?: { readonly id?: string };
}

export interface ResourceChange {
  readonly address: string;
  readonly previous_address?: string;
  readonly mode: 'managed' | 'data';
  readonly type: string;
  readonly deposed?: string;
  readonly action_reason?: string;
  readonly change: Change;
}

/** A root output as `planned_values` and `prior_state` describe it; `type` is cty's JSON type. */
export interface OutputValue {
  readonly sensitive?: boolean;
  readonly type?: unknown;
  readonly value?: unknown;
}

export interface PlanJson {
  readonly format_version: string;
  readonly terraform_version?: string;
  readonly resource_changes?: readonly ResourceChange[];
  readonly output_changes?: Readonly<Record<string, Change>>;
  readonly planned_values?: { readonly outputs?: Readonly<Record<string, OutputValue>> };
  readonly prior_state?: { readonly values?: { readonly outputs?: Readonly<Record<string, OutputValue>> } };
  readonly configuration?: {
    readonly root_module?: {
      readonly outputs?: Readonly<
        Record<string, { readonly expression?: { readonly references?: readonly string[] } }>
      >;
    };
  };
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
  if (!('resource_changes' in plan) && !('planned_values' in plan) && !plan.errored) {
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
export type ChangeKind = 'add' | 'change' | 'replace' | 'destroy' | 'forget';

/**
 * `["delete","create"]` and `["create","delete"]` are both replacements (the order is
 * create_before_destroy); `["forget"]` is `removed { lifecycle { destroy = false } }`.
 */
export function changeKind(actions: readonly Action[]): ChangeKind | undefined {
  const has = (action: Action) => actions.includes(action);
  if (has('create') && has('delete')) return 'replace';
  if (has('create')) return 'add';
  if (has('update')) return 'change';
  if (has('delete')) return 'destroy';
  if (has('forget')) return 'forget';
  return undefined; // no-op, read
}

/** One managed resource instance (or deposed object) the plan does something to. */
export interface ResourceEvent {
  readonly resource: ResourceChange;
  /** What happens to the object, if anything beyond importing or moving it. */
  readonly kind: ChangeKind | undefined;
  readonly imported: boolean;
  /** The address it moves from (a `moved` block), when it moves. */
  readonly movedFrom: string | undefined;
}

/**
 * Managed resources the plan changes, imports, moves or forgets: a move-only or import-only plan is
 * not "no changes". Data-source reads and untouched resources are left out.
 */
export function resourceEvents(plan: PlanJson): ResourceEvent[] {
  return (plan.resource_changes ?? []).flatMap((resource) => {
    if (resource.mode !== 'managed') return [];
    const kind = changeKind(resource.change.actions);
    const imported = resource.change.importing !== undefined;
    const movedFrom =
      resource.previous_address && resource.previous_address !== resource.address
        ? resource.previous_address
        : undefined;
    return kind || imported || movedFrom ? [{ resource, kind, imported, movedFrom }] : [];
  });
}

/** Root outputs whose value changes (created, updated or removed). */
export function changedOutputs(plan: PlanJson): [string, Change][] {
  return Object.entries(plan.output_changes ?? {}).filter(([, change]) => changeKind(change.actions) !== undefined);
}

/** The address Terraform prints for an object: a deposed object carries its key. */
export const displayAddress = (resource: ResourceChange): string =>
  resource.deposed ? `${resource.address} (deposed object ${resource.deposed})` : resource.address;
