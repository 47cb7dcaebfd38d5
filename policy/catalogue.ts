import { StackResult } from './engine';
import { RuleInfo } from './types';

/** Where the generated catalogue lives, relative to the repository root. */
export const SECURITY_BASELINE_DOC = 'docs/security-baseline.md';
/** The command that writes it. */
export const REGENERATE_COMMAND = 'npm run policy -- --docs';

/** Text for a markdown table cell: `|` would end the cell, `*` and `<` would turn into emphasis or HTML. */
const cell = (text: string): string => text.replace(/[\\|*<]/g, (c) => `\\${c}`);
const code = (text: string): string => `\`${text}\``;

/**
 * docs/security-baseline.md: what the rule pack is, every rule with why it matters, and every
 * exception the code makes (the suppressions of `results`, a synth of the default configuration).
 * Generated, so it cannot drift from the rules and the stacks; a test compares it with the file.
 */
export function securityBaselineMarkdown(rules: readonly RuleInfo[], results: readonly StackResult[]): string {
  const exceptions = results.flatMap((r) => r.evaluations).filter((e) => e.outcome === 'suppressed');
  const count = (severity: RuleInfo['severity']): number => rules.filter((r) => r.severity === severity).length;
  return [
    '# Security baseline',
    '',
    `<!-- Generated from policy/ by \`${REGENERATE_COMMAND}\`; do not edit. A test fails when it is out of date. -->`,
    '',
    'Every synth checks every stack against this rule pack (`policy/`, one file per service under',
    '`policy/rules/`). The rules read the synthesized Terraform JSON, exactly what Terraform will get,',
    'and follow references such as `${aws_s3_bucket.x.id}` between resources. Where checkov or cdk-nag',
    'has the same check, the rule lists its ids ("ours": neither has it).',
    '',
    `- **Errors** (${count('error')} rules) stop \`cdktf synth\` / \`npm run synth\` with every finding: rule id and`,
    '  name, stack, Terraform address, what was found and what to change. No manifest is written, so',
    '  `cdktf deploy` cannot run.',
    `- **Warnings** (${count('warning')} rules) are printed to stderr; synth continues.`,
    '- `npm run policy` prints the full report (errors, warnings, every suppression with its reason,',
    '  a summary per stack); `npm run policy -- --rules` lists the rules.',
    '',
    '## Suppressing a rule',
    '',
    'Only when the rule truly does not apply, and only in code next to the resource:',
    '',
    '```ts',
    "import { RULE, suppressRule } from '../policy/suppress';",
    "suppressRule(resource, RULE.S3BucketAccessLogging, 'Why this rule does not apply here (20+ characters)');",
    '```',
    '',
    'The reason is required and travels in the resource\'s `//` comment block of the synthesized JSON',
    '(Terraform ignores it), so it is visible in review. `RULE` (policy/rule-ids.ts) maps each rule name',
    'to its id; the id is what the JSON records. An unknown id fails synth (LR-SUP-001); a suppression',
    'that silences nothing is reported as stale (LR-SUP-002).',
    '',
    '## Rules',
    '',
    `${rules.length} rules: ${count('error')} errors, ${count('warning')} warnings.`,
    '',
    '| id | name | severity | checks | why | mirrors |',
    '|---|---|---|---|---|---|',
    ...rules.map(
      (r) =>
        `| ${r.id} | ${r.name} | ${r.severity} | ${cell(r.description)} | ${cell(r.rationale)} | ${r.mirrors.map(code).join(', ') || 'ours'} |`,
    ),
    '',
    '## Every exception in the code today',
    '',
    `${exceptions.length} suppressions, from a synth of the default configuration.`,
    '',
    '| rule | stack | resource | reason |',
    '|---|---|---|---|',
    ...exceptions.map(
      (e) => `| ${e.rule.id} (${e.rule.name}) | ${e.stack} | ${code(e.element.address)} | ${cell(e.reason ?? '')} |`,
    ),
    '',
  ].join('\n');
}
