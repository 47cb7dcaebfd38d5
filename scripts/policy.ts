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
import { buildStacks } from '../stacks/app';
import { ConfigError, loadConfig } from '../stacks/config';
import { synthesizeForReport } from '../policy/enforce';
import { failures } from '../policy/engine';
import { SECURITY_BASELINE_DOC } from '../policy/catalogue';
import { ALL_RULES } from '../policy/registry';
import { fullReport, ruleCatalogue } from '../policy/report';
import { renderSecurityBaselineDoc } from './lib/security-baseline-doc';

function main(): number {
  if (process.argv.includes('--rules')) {
    console.log(ruleCatalogue(ALL_RULES));
    return 0;
  }
  if (process.argv.includes('--docs')) {
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
    buildStacks(app, loadConfig());
    const results = synthesizeForReport(app);
    console.log(fullReport(results));
    return failures(results, 'error').length > 0 ? 1 : 0;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

try {
  process.exitCode = main();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`error: ${error.message}`);
  process.exitCode = 1;
}
