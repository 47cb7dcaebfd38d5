/**
 * `npm run policy`: synthesizes every stack (into a temporary directory) and prints the security
 * baseline's full report: errors, warnings, every suppression with its reason, and a summary table.
 * Exits 1 when there are errors. `npm run policy -- --rules` prints the rule list instead;
 * `npm run policy -- --docs` writes docs/security-baseline.md (rules, reasons, every exception).
 */
import { App } from 'cdktf';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { SECURITY_BASELINE_DOC } from '../policy/catalogue';
import { synthesizeForReport } from '../policy/enforce';
import { failures } from '../policy/engine';
import { ALL_RULES } from '../policy/registry';
import { fullReport, ruleCatalogue } from '../policy/report';
import { buildStacks } from '../stacks/app';
import { loadSettings } from '../stacks/settings';
import { runCli, UsageError } from './lib/cli';
import { renderSecurityBaselineDoc } from './lib/security-baseline-doc';

const USAGE = `Usage: npm run policy [-- --rules | --docs]

Synthesizes every stack and prints the security baseline's report: errors, warnings, every
suppression with its reason, and a summary per stack. Exits 1 when a rule fails.

  --rules  list every rule with the scanner checks it mirrors, instead of the report
  --docs   write ${SECURITY_BASELINE_DOC} (every rule, why, and every exception) from the rule pack
  --help   show this text`;

void runCli(USAGE, { rules: { type: 'boolean' }, docs: { type: 'boolean' } }, (flags) => {
  if (flags.rules && flags.docs) throw new UsageError('--rules and --docs cannot be combined');
  if (flags.rules) {
    console.log(ruleCatalogue(ALL_RULES));
    return 0;
  }
  if (flags.docs) {
    const file = path.join(__dirname, '..', SECURITY_BASELINE_DOC);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, renderSecurityBaselineDoc());
    console.log(`Wrote ${SECURITY_BASELINE_DOC} (${ALL_RULES.length} rules and every exception of the default configuration).`);
    console.log(`Next: git add ${SECURITY_BASELINE_DOC}; npm test checks it stays up to date.`);
    return 0;
  }
  const outdir = mkdtempSync(path.join(tmpdir(), 'policy-report-'));
  try {
    const app = new App({ outdir });
    buildStacks(app, loadSettings().config);
    const results = synthesizeForReport(app);
    console.log(fullReport(results));
    return failures(results, 'error').length > 0 ? 1 : 0;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
});
