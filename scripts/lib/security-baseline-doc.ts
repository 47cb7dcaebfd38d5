import { App } from 'cdktf';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { securityBaselineMarkdown } from '../../policy/catalogue';
import { synthesizeForReport } from '../../policy/enforce';
import { ALL_RULES } from '../../policy/registry';
import { buildStacks } from '../../stacks/app';
import { loadConfig } from '../../stacks/config';

/**
 * docs/security-baseline.md as the code makes it today: the rule pack's catalogue plus the exceptions
 * of a synth with the default configuration (no environment variables read, so every machine writes
 * the same file).
 */
export function renderSecurityBaselineDoc(): string {
  const outdir = mkdtempSync(path.join(tmpdir(), 'security-baseline-'));
  try {
    const app = new App({ outdir });
    buildStacks(app, loadConfig({}));
    return securityBaselineMarkdown(ALL_RULES, synthesizeForReport(app));
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
