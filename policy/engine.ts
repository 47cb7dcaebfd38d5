import { StackIndex, TerraformJson } from './graph';
import { RULES, UNKNOWN_SUPPRESSION, UNUSED_SUPPRESSION, ruleById } from './registry';
import { suppressionsOf } from './suppress';
import { Rule, RuleInfo, TfElement } from './types';

export type Outcome = 'pass' | 'fail' | 'suppressed';

/** One rule checked against one resource. */
export interface Evaluation {
  readonly rule: RuleInfo;
  readonly stack: string;
  readonly element: TfElement;
  readonly outcome: Outcome;
  /** What is wrong (fail and suppressed). */
  readonly detail?: string;
  /** Why it is accepted (suppressed). */
  readonly reason?: string;
}

export interface StackResult {
  readonly stack: string;
  readonly evaluations: readonly Evaluation[];
}

const rulesByType = new Map<string, Rule[]>();
for (const rule of RULES) {
  for (const type of rule.appliesTo) rulesByType.set(type, [...(rulesByType.get(type) ?? []), rule]);
}

/** Checks every resource and data source of one synthesized stack against the baseline. */
export function evaluateStack(stack: string, json: TerraformJson): StackResult {
  const index = new StackIndex(stack, json);
  const evaluations: Evaluation[] = [];
  for (const element of index.elements()) {
    const suppressions = suppressionsOf(element.body);
    const silenced = new Set<string>();
    const key = element.kind === 'data' ? `data.${element.type}` : element.type;
    for (const rule of rulesByType.get(key) ?? []) {
      const detail = rule.check(element, index);
      const reason = detail === undefined ? undefined : suppressions[rule.id];
      if (reason !== undefined) silenced.add(rule.id);
      const outcome = detail === undefined ? 'pass' : reason === undefined ? 'fail' : 'suppressed';
      evaluations.push({ rule, stack, element, outcome, detail, reason });
    }
    for (const id of Object.keys(suppressions)) {
      if (!ruleById.has(id)) {
        evaluations.push({ rule: UNKNOWN_SUPPRESSION, stack, element, outcome: 'fail', detail: `suppresses unknown rule ${id}` });
      } else if (!silenced.has(id)) {
        evaluations.push({ rule: UNUSED_SUPPRESSION, stack, element, outcome: 'fail', detail: `${id} is suppressed here but does not fail` });
      }
    }
  }
  return { stack, evaluations };
}

export const failures = (results: readonly StackResult[], severity: RuleInfo['severity']): Evaluation[] =>
  results.flatMap((r) => r.evaluations).filter((e) => e.outcome === 'fail' && e.rule.severity === severity);
