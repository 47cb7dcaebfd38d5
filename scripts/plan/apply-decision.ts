/**
 * Apply exactly what was reviewed. On merge, each stack's saved plan (the one the pull-request
 * comment showed) is applied only while it still describes the change; otherwise the stack is planned
 * again, and the new plan is applied only when it is the reviewed one with provisional values filled in.
 * These are the decisions, as pure functions; scripts/plan/apply-command.ts runs Terraform around them.
 */
import { Change, PlanJson, changeKind, changedOutputs, changedResources } from './plan-json';

export type BeforeApply =
  | { readonly action: 'apply-saved'; readonly reason: string }
  | { readonly action: 'replan'; readonly reason: string };

export interface BeforeApplyEvidence {
  /** `git rev-parse <commit>^{tree}` of the reviewed pull-request head and of the merged commit. */
  readonly reviewedTree: string;
  readonly mergedTree: string;
  /** Upstream outputs (`stack.output`) whose value now differs from the value this stack's plan read. */
  readonly changedUpstreamOutputs: readonly string[];
}

/**
 * The saved plan may be applied when the merged tree is the reviewed tree (so the configuration is
 * the one planned) and no upstream output it read through remote state has changed since.
 */
export function decideBeforeApply(evidence: BeforeApplyEvidence): BeforeApply {
  if (evidence.reviewedTree !== evidence.mergedTree) {
    return {
      action: 'replan',
      reason: `the merged tree ${evidence.mergedTree.slice(
        0,
        12,
      )} is not the reviewed tree ${evidence.reviewedTree.slice(0, 12)} (main moved on while the PR was open)`,
    };
  }
  if (evidence.changedUpstreamOutputs.length > 0) {
    return {
      action: 'replan',
      reason: `upstream outputs changed after this plan was made: ${evidence.changedUpstreamOutputs.join(', ')}`,
    };
  }
  return { action: 'apply-saved', reason: 'the merged tree is the reviewed tree and no upstream output changed' };
}

/**
 * Terraform refuses a saved plan whose state changed after planning with "Saved plan is stale" ("The
 * given plan file can no longer be applied because the state was changed by another operation after
 * the plan was created.", Terraform 1.11 `internal/backend/local/backend_apply.go`).
 */
export const isStalePlanError = (terraformOutput: string): boolean => /Saved plan is stale/i.test(terraformOutput);

export type AfterSavedApply = 'applied' | 'replan' | 'failed';

/** What to do after `terraform apply <saved plan>` exited with `status`. */
export function decideAfterSavedApply(status: number, output: string): AfterSavedApply {
  if (status === 0) return 'applied';
  return isStalePlanError(output) ? 'replan' : 'failed';
}

type Outputs = Readonly<Record<string, unknown>>;

/**
 * Output names (prefixed `stack.`) whose value differs between what a plan read (`prior_state` of the
 * upstream stack's reviewed plan) and what the upstream state holds now (`terraform output -json`).
 * Values are compared, never returned: some are sensitive.
 */
export function changedOutputNames(stack: string, atPlanTime: Outputs, now: Outputs): string[] {
  const names = new Set([...Object.keys(atPlanTime), ...Object.keys(now)]);
  return [...names]
    .filter((name) => JSON.stringify(atPlanTime[name] ?? null) !== JSON.stringify(now[name] ?? null))
    .sort()
    .map((name) => `${stack}.${name}`);
}

/** Output values a plan read from its own state before planning (`prior_state.values.outputs`). */
export const priorOutputs = (plan: PlanJson): Record<string, unknown> =>
  Object.fromEntries(Object.entries(plan.prior_state?.values?.outputs ?? {}).map(([name, o]) => [name, o.value]));

const member = (value: unknown, key: string): unknown =>
  value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;

const containsUnknown = (marker: unknown): boolean =>
  marker === true || (!!marker && typeof marker === 'object' && Object.values(marker).some(containsUnknown));

/** Attributes of `replanned` that contradict a value the reviewed plan showed as known. */
function contradictedAttributes(reviewed: Change, replanned: Change): string[] {
  const names = new Set([
    ...Object.keys((reviewed.after as object | null) ?? {}),
    ...Object.keys((replanned.after as object | null) ?? {}),
  ]);
  const json = (value: unknown) => JSON.stringify(value ?? null);
  return [...names].filter(
    (name) =>
      !containsUnknown(member(reviewed.after_unknown, name)) && // "(known after apply)" when reviewed
      (json(member(reviewed.after, name)) !== json(member(replanned.after, name)) ||
        containsUnknown(member(replanned.after_unknown, name))),
  );
}

/**
 * Differences between the reviewed plan and a new plan of the same stack, as lines naming addresses
 * and attributes (never values). Empty means the new plan is what was reviewed: same resources, same
 * actions, and every value the reviewer saw is the same; values the reviewed plan showed as
 * "(known after apply)" may now be known.
 */
export function planDifferences(reviewed: PlanJson, replanned: PlanJson): string[] {
  const index = (plan: PlanJson) => new Map(changedResources(plan).map((c) => [c.resource.address, c]));
  const before = index(reviewed);
  const after = index(replanned);
  const differences: string[] = [];
  for (const [address, now] of after) {
    const then = before.get(address);
    if (!then) {
      differences.push(`${address}: ${now.kind} was not in the reviewed plan`);
    } else if (then.kind !== now.kind) {
      differences.push(`${address}: now ${now.kind}, reviewed as ${then.kind}`);
    } else {
      differences.push(
        ...contradictedAttributes(then.resource.change, now.resource.change).map(
          (name) => `${address}.${name}: differs from the reviewed value`,
        ),
      );
    }
  }
  for (const [address, then] of before) {
    if (!after.has(address)) differences.push(`${address}: reviewed ${then.kind} is no longer planned`);
  }
  const outputKinds = (plan: PlanJson) =>
    new Map(changedOutputs(plan).map(([name, c]) => [name, changeKind(c.actions)]));
  const outputsThen = outputKinds(reviewed);
  const outputsNow = outputKinds(replanned);
  for (const name of new Set([...outputsThen.keys(), ...outputsNow.keys()])) {
    if (outputsThen.get(name) !== outputsNow.get(name)) {
      differences.push(
        `output.${name}: now ${outputsNow.get(name) ?? 'unchanged'}, reviewed as ${
          outputsThen.get(name) ?? 'unchanged'
        }`,
      );
    }
  }
  return differences.sort();
}

export type AfterReplan =
  | { readonly action: 'apply-replanned'; readonly reason: string }
  | { readonly action: 'stop-for-approval'; readonly reason: string; readonly differences: readonly string[] };

/** A new plan is applied without a second review only when it shows nothing the reviewer did not see. */
export function decideAfterReplan(reviewed: PlanJson | undefined, replanned: PlanJson): AfterReplan {
  if (!reviewed) {
    return { action: 'stop-for-approval', reason: 'this stack had no reviewed plan', differences: [] };
  }
  const differences = planDifferences(reviewed, replanned);
  if (differences.length === 0) {
    return { action: 'apply-replanned', reason: 'the new plan matches the reviewed plan' };
  }
  return {
    action: 'stop-for-approval',
    reason: `the new plan differs from the reviewed plan in ${differences.length} place(s)`,
    differences,
  };
}
