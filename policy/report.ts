import { Evaluation, StackResult, failures } from './engine';
import { RuleInfo } from './types';

const where = (e: Evaluation): string => `${e.stack}  ${e.element.address}${e.element.path ? `  (${e.element.path})` : ''}`;
const mirrors = (e: Evaluation): string => (e.rule.mirrors.length > 0 ? `  [${e.rule.mirrors.join(', ')}]` : '');

/** A finding as the developer needs it: rule, stack, address, what is wrong, what to change. */
export function formatFinding(e: Evaluation): string {
  return [
    `${e.rule.severity.toUpperCase()} ${e.rule.id}  ${where(e)}`,
    `  rule:  ${e.rule.name}: ${e.rule.description}${mirrors(e)}`,
    `  found: ${e.detail}`,
    `  fix:   ${e.rule.fix}`,
  ].join('\n');
}

export function formatSuppression(e: Evaluation): string {
  return [`SUPPRESSED ${e.rule.id}  ${where(e)}`, `  found:  ${e.detail}`, `  reason: ${e.reason}`].join('\n');
}

/** The message that stops synth: every error, then how to proceed. */
export function formatErrors(results: readonly StackResult[]): string {
  const errors = failures(results, 'error');
  return [
    `Security baseline: ${errors.length} error(s); synth stopped.`,
    '',
    ...errors.map(formatFinding),
    '',
    'Fix the resource, or if the rule truly does not apply, call suppressRule(resource, RULE.<name>, reason) next to it',
    '(policy/suppress.ts). `npm run policy` prints the full report.',
  ].join('\n');
}

/** Counts per stack and severity: checks run, passed, failed, suppressed. */
export function summaryTable(results: readonly StackResult[]): string {
  const header = ['stack', 'severity', 'checks', 'pass', 'fail', 'suppressed'];
  const rows: string[][] = [];
  const count = (evaluations: readonly Evaluation[]): string[] =>
    [evaluations.length, ...(['pass', 'fail', 'suppressed'] as const).map((o) => evaluations.filter((e) => e.outcome === o).length)].map(String);
  for (const result of results) {
    for (const severity of ['error', 'warning'] as const) {
      rows.push([result.stack, severity, ...count(result.evaluations.filter((e) => e.rule.severity === severity))]);
    }
  }
  rows.push(['all', 'all', ...count(results.flatMap((r) => r.evaluations))]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** Everything: errors, warnings, suppressions with reasons, and the summary table. */
export function fullReport(results: readonly StackResult[]): string {
  const all = results.flatMap((r) => r.evaluations);
  const section = (title: string, items: string[]): string[] => [`== ${title} (${items.length})`, ...items, ''];
  return [
    ...section('Errors', failures(results, 'error').map(formatFinding)),
    ...section('Warnings', failures(results, 'warning').map(formatFinding)),
    ...section('Suppressions', all.filter((e) => e.outcome === 'suppressed').map(formatSuppression)),
    summaryTable(results),
  ].join('\n');
}

/** The rule list as a markdown table (`npm run policy -- --rules`). */
export function ruleCatalogue(rules: readonly RuleInfo[]): string {
  return [
    '| id | name | mirrors | severity | rule |',
    '|---|---|---|---|---|',
    ...rules.map((r) => `| ${r.id} | ${r.name} | ${r.mirrors.join(', ') || 'ours'} | ${r.severity} | ${r.description} |`),
  ].join('\n');
}
