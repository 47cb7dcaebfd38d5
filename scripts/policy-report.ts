/**
 * `npm run policy`: synthesizes every stack (into a temporary directory) and prints the security
 * baseline's full report: errors, warnings, every suppression with its reason, and a summary table.
 * Exits 1 when there are errors. `npm run policy -- --rules` prints the rule list instead.
 */
import { App } from 'cdktf';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { buildStacks } from '../stacks/app';
import { loadConfig } from '../stacks/config';
import { synthesizeForReport } from '../stacks/policy/enforce';
import { failures } from '../stacks/policy/engine';
import { RULES, UNKNOWN_SUPPRESSION, UNUSED_SUPPRESSION } from '../stacks/policy/registry';
import { fullReport, ruleCatalogue } from '../stacks/policy/report';
import { runCli } from './lib/cli';

const USAGE = `Usage: npm run policy [-- --rules]

Synthesizes every stack and prints the security baseline's report: errors, warnings, every
suppression with its reason, and a summary per stack. Exits 1 when a rule fails.

  --rules  list every rule with the scanner checks it mirrors, instead of the report
  --help   show this text`;

void runCli(USAGE, { rules: { type: 'boolean' } }, (flags) => {
  if (flags.rules) {
    console.log(ruleCatalogue([...RULES, UNKNOWN_SUPPRESSION, UNUSED_SUPPRESSION]));
    return 0;
  }
  const outdir = mkdtempSync(path.join(tmpdir(), 'policy-report-'));
  try {
    const app = new App({ outdir });
    buildStacks(app, loadConfig());
    const results = synthesizeForReport(app);
    console.log(fullReport(results));
    return failures(results, 'error').length > 0 ? 1 : 0;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
});
