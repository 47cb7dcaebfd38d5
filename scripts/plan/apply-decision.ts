/**
 * Apply exactly what was reviewed. On merge, each stack's saved plan (the one the pull-request
 * comment showed) is applied only while it still describes the change; otherwise the stack is planned
 * again, and the new plan is applied only when it is the reviewed one with "(known after apply)" and
 * "(re-planned on deploy)" values filled in. A stack planned against an upstream's planned outputs is
 * always planned again. These are the decisions, as pure functions; apply-command.ts runs Terraform
 * around them.
 */
import { Change, PlanJson, ResourceEvent, changeKind, displayAddress, resourceEvents } from './plan-json';
import { PLACEHOLDER } from './planned-outputs';

export type BeforeApply =
  | { readonly action: 'apply-saved'; readonly reason: string }
  | { readonly action: 'replan'; readonly reason: string };

export interface BeforeApplyEvidence {
  /** `git rev-parse <commit>^{tree}` of the reviewed pull-request head and of the merged commit. */
  readonly reviewedTree: string;
  readonly mergedTree: string;
  /** Upstream outputs (`stack.output`) whose value now differs from the value this stack's plan read. */
  readonly changedUpstreamOutputs: readonly string[];
  /** The upstream stacks whose planned outputs (not their state) this stack's plan read. */
  readonly plannedAgainst?: readonly string[];
}

/**
 * The saved plan may be applied when the merged tree is the reviewed tree (so the configuration is
 * the one planned), no upstream output it read through remote state has changed since, and it read
 * real state (a plan made against an upstream's planned outputs read placeholders and a generated
 * state file: it is never applied).
 */
export function decideBeforeApply(evidence: BeforeApplyEvidence): BeforeApply {
  if ((evidence.plannedAgainst ?? []).length > 0) {
    return {
      action: 'replan',
      reason: `it was planned against the planned outputs of ${evidence.plannedAgainst!.join(
        ', ',
      )} (re-planned on deploy, now that they are applied)`,
    };
  }
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

const isRecord = (value: unknown): value is Record<string, unknown> =>
  !!value && typeof value === 'object' && !Array.isArray(value);

const member = (value: unknown, key: string | number): unknown =>
  Array.isArray(value) ? value[key as number] : isRecord(value) ? value[key] : undefined;

const hasPlaceholder = (value: unknown): boolean =>
  typeof value === 'string'
    ? new RegExp(PLACEHOLDER.source).test(value)
    : !!value && typeof value === 'object' && Object.values(value).some(hasPlaceholder);

/** A reviewed string with placeholders in it, as a pattern: each placeholder stands for any text. */
const placeholderPattern = (reviewed: string): RegExp =>
  new RegExp(
    `^${reviewed
      .split(new RegExp(PLACEHOLDER.source))
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('[\\s\\S]+')}$`,
  );

/**
 * Whether a newly planned value is what the reviewer saw. Parts shown as "(known after apply)" may be
 * anything now; a placeholder ("(re-planned on deploy)") may be any text, also inside a longer string,
 * and a list holding placeholders (whose length came from a placeholder) only has to keep its known
 * elements; everything else must be equal, and a part known at review must not become unknown.
 */
export function matchesReviewed(then: unknown, thenUnknown: unknown, now: unknown, nowUnknown: unknown): boolean {
  if (thenUnknown === true) return true;
  if (typeof then === 'string' && hasPlaceholder(then)) {
    return nowUnknown === true || (typeof now === 'string' && placeholderPattern(then).test(now));
  }
  if (nowUnknown === true) return false;
  if (Array.isArray(then) && Array.isArray(now)) {
    const sameShape =
      then.length === now.length &&
      then.every((item, i) => matchesReviewed(item, member(thenUnknown, i), now[i], member(nowUnknown, i)));
    if (sameShape || !hasPlaceholder(then)) return sameShape;
    const left = now.map((item) => JSON.stringify(item ?? null));
    return then
      .filter((item, i) => !hasPlaceholder(item) && member(thenUnknown, i) !== true)
      .every((item) => {
        const found = left.indexOf(JSON.stringify(item ?? null));
        return found >= 0 && left.splice(found, 1).length === 1;
      });
  }
  const shapeChanged = (a: unknown, b: unknown) => isRecord(a) && b !== null && b !== undefined && !isRecord(b);
  if (shapeChanged(then, now) || shapeChanged(now, then)) return false;
  if (isRecord(then) || isRecord(thenUnknown) || isRecord(now) || isRecord(nowUnknown)) {
    const keys = new Set([then, thenUnknown, now, nowUnknown].flatMap((v) => (isRecord(v) ? Object.keys(v) : [])));
    return [...keys].every((key) =>
      matchesReviewed(member(then, key), member(thenUnknown, key), member(now, key), member(nowUnknown, key)),
    );
  }
  return JSON.stringify(then ?? null) === JSON.stringify(now ?? null);
}

/** Top-level attributes of `replanned` that contradict what the reviewed plan showed. */
function contradictedAttributes(reviewed: Change, replanned: Change): string[] {
  const names = new Set(
    [reviewed.after, reviewed.after_unknown, replanned.after, replanned.after_unknown].flatMap((v) =>
      isRecord(v) ? Object.keys(v) : [],
    ),
  );
  return [...names].filter(
    (name) =>
      !matchesReviewed(
        member(reviewed.after, name),
        reviewed.after_unknown === true ? true : member(reviewed.after_unknown, name),
        member(replanned.after, name),
        replanned.after_unknown === true ? true : member(replanned.after_unknown, name),
      ),
  );
}

/** What happens to an object, in words that compare: "add", "change; imported", "no-op; moved from x". */
const eventText = (event: ResourceEvent) =>
  [
    event.kind ?? 'no-op',
    ...(event.imported ? ['imported'] : []),
    ...(event.movedFrom ? [`moved from ${event.movedFrom}`] : []),
  ].join('; ');

/**
 * Differences between the reviewed plan and a new plan of the same stack, as lines naming addresses
 * and attributes (never values). Empty means the new plan is what was reviewed: same resources, same
 * actions (imports, moves and forgets included), and every value the reviewer saw is the same; values
 * the reviewed plan showed as "(known after apply)" or "(re-planned on deploy)" may now be known.
 */
export function planDifferences(reviewed: PlanJson, replanned: PlanJson): string[] {
  const index = (plan: PlanJson) => new Map(resourceEvents(plan).map((e) => [displayAddress(e.resource), e]));
  const before = index(reviewed);
  const after = index(replanned);
  const differences: string[] = [];
  for (const [address, now] of after) {
    const then = before.get(address);
    if (!then) {
      differences.push(`${address}: ${eventText(now)} was not in the reviewed plan`);
    } else if (eventText(then) !== eventText(now)) {
      differences.push(`${address}: now ${eventText(now)}, reviewed as ${eventText(then)}`);
    } else {
      differences.push(
        ...contradictedAttributes(then.resource.change, now.resource.change).map(
          (name) => `${address}.${name}: differs from the reviewed value`,
        ),
      );
    }
  }
  for (const [address, then] of before) {
    if (!after.has(address)) differences.push(`${address}: reviewed ${eventText(then)} is no longer planned`);
  }
  const outputs = (plan: PlanJson) =>
    new Map(Object.entries(plan.output_changes ?? {}).filter(([, c]) => changeKind(c.actions) !== undefined));
  const outputsThen = outputs(reviewed);
  const outputsNow = outputs(replanned);
  for (const name of new Set([...outputsThen.keys(), ...outputsNow.keys()])) {
    const then = outputsThen.get(name);
    const now = outputsNow.get(name);
    const kind = (c: Change | undefined) => (c ? changeKind(c.actions) : undefined) ?? 'unchanged';
    if (kind(then) !== kind(now)) {
      differences.push(`output.${name}: now ${kind(now)}, reviewed as ${kind(then)}`);
    } else if (then && now && !matchesReviewed(then.after, then.after_unknown, now.after, now.after_unknown)) {
      differences.push(`output.${name}: differs from the reviewed value`);
    }
  }
  return differences.sort();
}

export type AfterReplan =
  | { readonly action: 'apply-replanned'; readonly reason: string }
  | { readonly action: 'stop-for-approval'; readonly reason: string; readonly differences: readonly string[] };

/** A new plan is applied without a second review only when it shows nothing the reviewer did not see. */
export function decideAfterReplan(reviewed: PlanJson, replanned: PlanJson): AfterReplan {
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
