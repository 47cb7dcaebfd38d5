/**
 * docs/security-baseline.md is generated from the rule pack and a synth of the default configuration;
 * these tests keep the committed file equal to what the code generates, reasons included. (How the
 * text is made, without a synth: policy-report.test.ts.)
 */
import { App } from 'cdktf';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { REGENERATE_COMMAND, SECURITY_BASELINE_DOC } from '../policy/catalogue';
import { synthesizeForReport } from '../policy/enforce';
import { ALL_RULES } from '../policy/registry';
import { renderSecurityBaselineDoc } from '../scripts/lib/security-baseline-doc';
import { buildStacks } from '../stacks/app';
import { loadConfig } from '../stacks/config';
import { tableRows } from './helpers/markdown-table';

const committed = (): string => fs.readFileSync(path.join(__dirname, '..', SECURITY_BASELINE_DOC), 'utf8');

test(`${SECURITY_BASELINE_DOC} is what ${REGENERATE_COMMAND} writes today`, () => {
  const expected = renderSecurityBaselineDoc();
  const actual = committed();
  if (actual === expected) return;
  const [a, e] = [actual.split('\n'), expected.split('\n')];
  const line = a.findIndex((text, i) => text !== e[i]);
  throw new Error(
    `${SECURITY_BASELINE_DOC} is out of date: run \`${REGENERATE_COMMAND}\` to regenerate it and commit the result.\n` +
      `First difference at line ${(line === -1 ? a.length : line) + 1}:\n  file:      ${a[line] ?? '(end of file)'}\n  generated: ${e[line] ?? '(end of file)'}`,
  );
});

test(`${SECURITY_BASELINE_DOC} lists exactly the exceptions the code makes, with the reasons written in the code`, () => {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'policy-docs-')) });
  buildStacks(app, loadConfig({}));
  const inCode = synthesizeForReport(app)
    .flatMap((result) => result.evaluations)
    .filter((evaluation) => evaluation.outcome === 'suppressed')
    .map((e) => [`${e.rule.id} (${e.rule.name})`, e.stack, `\`${e.element.address}\``, e.reason]);
  fs.rmSync(app.outdir, { recursive: true, force: true });
  expect(inCode.length).toBeGreaterThan(0);
  expect(tableRows(committed(), 'Every exception in the code today')).toEqual(inCode);
});

test(`${SECURITY_BASELINE_DOC} lists every rule with its name, severity, check and rationale`, () => {
  const rows = tableRows(committed(), 'Rules');
  expect(rows.map(([id, name, severity, checks, why]) => ({ id, name, severity, description: checks, rationale: why }))).toEqual(
    ALL_RULES.map(({ id, name, severity, description, rationale }) => ({ id, name, severity, description, rationale })),
  );
});
