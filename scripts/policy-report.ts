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
import { ConfigError, loadConfig } from '../stacks/config';
import { synthesizeForReport } from '../policy/enforce';
import { failures } from '../policy/engine';
import { ALL_RULES } from '../policy/registry';
import { fullReport, ruleCatalogue } from '../policy/report';

function main(): number {
  if (process.argv.includes('--rules')) {
    console.log(ruleCatalogue(ALL_RULES));
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
