/**
 * The text the rule pack prints and writes, exactly, from hand-made evaluations (no synth): the
 * findings that stop synth, `npm run policy`'s report and rule list, and docs/security-baseline.md.
 * policy-docs.test.ts checks the committed document against a synth of the real app.
 */
import * as fs from 'fs';
import * as path from 'path';
import { SECURITY_BASELINE_DOC, securityBaselineMarkdown } from '../policy/catalogue';
import { Evaluation, StackResult } from '../policy/engine';
import { ALL_RULES } from '../policy/registry';
import { formatErrors, formatFinding, formatSuppression, fullReport, ruleCatalogue, summaryTable } from '../policy/report';
import { RuleInfo, TfElement } from '../policy/types';
import { tableRows } from './helpers/markdown-table';

const errorRule: RuleInfo = {
  id: 'LR-T-001',
  name: 'BucketPrivate',
  mirrors: ['CKV_AWS_1', 'AwsSolutions-S1'],
  severity: 'error',
  description: 'buckets are private',
  rationale: 'a public bucket leaks data',
  fix: 'block public access',
};
const warningRule: RuleInfo = {
  id: 'LR-T-002',
  name: 'LogsKept',
  mirrors: [],
  severity: 'warning',
  description: 'logs are kept 90 days',
  rationale: 'investigations need them',
  fix: 'set retention_in_days',
};
const bucket = (name: string, constructPath: string): TfElement => ({
  kind: 'resource',
  type: 'aws_s3_bucket',
  name,
  address: `aws_s3_bucket.${name}`,
  path: constructPath,
  body: {},
});
const failedError: Evaluation = { rule: errorRule, stack: 'network', element: bucket('a', 'network/a'), outcome: 'fail', detail: 'acl is public-read' };
const failedWarning: Evaluation = { rule: warningRule, stack: 'network', element: bucket('c', 'network/c'), outcome: 'fail', detail: 'no retention_in_days' };
const suppressed: Evaluation = {
  rule: errorRule,
  stack: 'network',
  element: bucket('d', ''),
  outcome: 'suppressed',
  detail: 'acl is public-read',
  reason: 'the public website bucket, by design',
};
const results: StackResult[] = [
  { stack: 'network', evaluations: [failedError, { rule: errorRule, stack: 'network', element: bucket('b', 'network/b'), outcome: 'pass' }, failedWarning, suppressed] },
  { stack: 'api', evaluations: [{ rule: warningRule, stack: 'api', element: bucket('e', 'api/e'), outcome: 'pass' }] },
];

const FINDING = [
  'ERROR LR-T-001  network  aws_s3_bucket.a  (network/a)',
  '  rule:  BucketPrivate: buckets are private  [CKV_AWS_1, AwsSolutions-S1]',
  '  found: acl is public-read',
  '  fix:   block public access',
].join('\n');
const WARNING = [
  'WARNING LR-T-002  network  aws_s3_bucket.c  (network/c)',
  '  rule:  LogsKept: logs are kept 90 days',
  '  found: no retention_in_days',
  '  fix:   set retention_in_days',
].join('\n');
const SUPPRESSION = ['SUPPRESSED LR-T-001  network  aws_s3_bucket.d', '  found:  acl is public-read', '  reason: the public website bucket, by design'].join('\n');
const SUMMARY = [
  'stack    severity  checks  pass  fail  suppressed',
  '-------  --------  ------  ----  ----  ----------',
  'network  error          3     1     1           1',
  'network  warning        1     0     1           0',
  'api      error          0     0     0           0',
  'api      warning        1     1     0           0',
  'all      all            5     2     2           1',
].join('\n');

describe('the policy report', () => {
  it('shows a finding with its stack, address, construct path, rule, mirrored ids, what was found and the fix', () => {
    expect(formatFinding(failedError)).toBe(FINDING);
    expect(formatFinding(failedWarning)).toBe(WARNING);
  });

  it('shows a suppression with its reason (and no construct path when there is none)', () => {
    expect(formatSuppression(suppressed)).toBe(SUPPRESSION);
  });

  it('stops synth with every error and how to proceed, not the warnings', () => {
    expect(formatErrors(results)).toBe(
      [
        'Security baseline: 1 error(s); synth stopped.',
        '',
        FINDING,
        '',
        'Fix the resource, or if the rule truly does not apply, call suppressRule(resource, RULE.<name>, reason) next to it',
        '(policy/suppress.ts). `npm run policy` prints the full report.',
      ].join('\n'),
    );
  });

  it('counts checks per stack and severity, and in all, in aligned columns', () => {
    expect(summaryTable(results)).toBe(SUMMARY);
  });

  it('prints errors, warnings, suppressions and the summary', () => {
    expect(fullReport(results)).toBe(
      ['== Errors (1)', FINDING, '', '== Warnings (1)', WARNING, '', '== Suppressions (1)', SUPPRESSION, '', SUMMARY].join('\n'),
    );
  });

  it('lists the rules as a markdown table, "ours" where no other tool has the check', () => {
    expect(ruleCatalogue([errorRule, warningRule])).toBe(
      [
        '| id | name | mirrors | severity | rule |',
        '|---|---|---|---|---|',
        '| LR-T-001 | BucketPrivate | CKV_AWS_1, AwsSolutions-S1 | error | buckets are private |',
        '| LR-T-002 | LogsKept | ours | warning | logs are kept 90 days |',
      ].join('\n'),
    );
  });
});

describe(SECURITY_BASELINE_DOC, () => {
  const EXCEPTIONS = '## Every exception in the code today';
  const committed = fs.readFileSync(path.join(__dirname, '..', SECURITY_BASELINE_DOC), 'utf8');

  it('is generated, word for word, up to the exceptions (which need a synth: policy-docs.test.ts)', () => {
    const generated = securityBaselineMarkdown(ALL_RULES, []);
    expect(generated.split(EXCEPTIONS)[0]).toBe(committed.split(EXCEPTIONS)[0]);
  });

  it('counts the rules by severity', () => {
    expect(securityBaselineMarkdown([errorRule, warningRule], [])).toContain(
      '- **Errors** (1 rules) stop `cdktf synth`',
    );
    expect(securityBaselineMarkdown([errorRule, warningRule, warningRule], [])).toContain('3 rules: 1 errors, 2 warnings.');
  });

  it('lists each suppression with its rule, stack, resource and reason', () => {
    expect(securityBaselineMarkdown([errorRule], results).split(EXCEPTIONS)[1]).toBe(
      [
        '',
        '',
        '1 suppressions, from a synth of the default configuration.',
        '',
        '| rule | stack | resource | reason |',
        '|---|---|---|---|',
        '| LR-T-001 (BucketPrivate) | network | `aws_s3_bucket.d` | the public website bucket, by design |',
        '',
      ].join('\n'),
    );
  });

  it('escapes in table cells what markdown would read as a cell end, emphasis or HTML', () => {
    const tricky = { ...errorRule, description: 'allows "*" | s3:* on <bucket>', rationale: 'a \\ b' };
    const markdown = securityBaselineMarkdown([tricky], [{ stack: 'fixture', evaluations: [] }]);
    expect(markdown).toContain('| allows "\\*" \\| s3:\\* on \\<bucket> | a \\\\ b |');
    expect(tableRows(markdown, 'Rules')[0].slice(3, 5)).toEqual([tricky.description, tricky.rationale]);
    expect(markdown).toContain(`${EXCEPTIONS}\n\n0 suppressions`);
  });
});
