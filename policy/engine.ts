import { StackIndex, TerraformJson } from './graph';
import { RULE } from './rule-ids';
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

/** Checks of the suppressions themselves, which the engine applies. */
export const UNKNOWN_SUPPRESSION: RuleInfo = {
  id: 'LR-SUP-001',
  name: 'SuppressionNamesKnownRule',
  mirrors: [],
  severity: 'error',
  description: 'Suppressions name an existing rule id',
  rationale: 'A suppression of a misspelt or removed rule documents an exception that does not exist',
  fix: 'name the rule with RULE.<name> from policy/rule-ids.ts in suppressRule(...); `npm run policy -- --rules` lists them',
};
export const UNUSED_SUPPRESSION: RuleInfo = {
  id: 'LR-SUP-002',
  name: 'SuppressionSilencesFinding',
  mirrors: [],
  severity: 'warning',
  description: 'Suppressions silence a finding (stale ones are removed)',
  rationale: 'A stale exception tells reviewers a resource needs one when it no longer does',
  fix: 'remove the suppressRule(...) call: the resource now complies or the rule does not apply to it',
};

const KNOWN_IDS = new Set<string>(Object.values(RULE));

/**
 * Checks every resource and data source of one synthesized stack against `rules` (the baseline is
 * the registry's RULES; a rule file's tests pass only that file's rules). The rules come in as an
 * argument so the engine does not import every rule file: a test of one rule file then depends on
 * that file alone, which keeps `npm run test:mutation` from loading every rule test for every mutant.
 */
export function evaluateStack(stack: string, json: TerraformJson, rules: readonly Rule[]): StackResult {
  const rulesByType = new Map<string, Rule[]>();
  for (const rule of rules) {
    for (const type of rule.appliesTo) rulesByType.set(type, [...(rulesByType.get(type) ?? []), rule]);
  }
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
      if (!KNOWN_IDS.has(id)) {
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
