import { App, TerraformStack } from 'cdktf';
import { readFileSync } from 'fs';
import * as path from 'path';
import { StackResult, evaluateStack, failures } from './engine';
import { TerraformJson } from './graph';
import { RULES } from './registry';
import { formatErrors, formatFinding } from './report';

/** Synth stopped on baseline errors; the message is the readable report. */
export class SecurityBaselineError extends Error {
  constructor(readonly results: readonly StackResult[]) {
    super(formatErrors(results));
    this.name = 'SecurityBaselineError';
  }
}

const enforced = new WeakSet<App>();
/** Apps whose synth collects results (for the report) instead of failing. */
const collecting = new WeakMap<App, StackResult[]>();

/** A stack's Terraform JSON as synth just wrote it (rendered again only for HCL output). */
function synthesized(app: App, stack: TerraformStack): TerraformJson {
  if (app.hclOutput) return stack.toTerraform();
  return JSON.parse(readFileSync(path.join(app.outdir, app.manifest.forStack(stack).synthesizedStackPath), 'utf8'));
}

function check(app: App): string[] {
  const results = app.node
    .findAll()
    .filter(TerraformStack.isStack)
    .map((stack) => evaluateStack(stack.node.id, synthesized(app, stack), RULES));
  const collector = collecting.get(app);
  if (collector) {
    collector.push(...results);
    return [];
  }
  const warnings = failures(results, 'warning');
  if (warnings.length > 0) process.stderr.write(`${warnings.map(formatFinding).join('\n')}\n`);
  if (failures(results, 'error').length > 0) throw new SecurityBaselineError(results);
  return [];
}

/**
 * Checks every stack of the app against the security baseline on every `app.synth()`, as an app
 * validation: cdktf runs it after every stack's JSON is written and before the manifest, so the
 * baseline reads exactly what Terraform will get, reports all stacks at once, and on errors synth
 * throws SecurityBaselineError and no manifest is written (cdktf deploy/diff stop). Warnings go to
 * stderr. Calling it again does nothing.
 */
export function enforceSecurityBaseline(app: App): void {
  if (enforced.has(app)) return;
  enforced.add(app);
  app.node.addValidation({ validate: () => check(app) });
}

/** Synthesizes the app and returns every stack's results, errors included, without failing. */
export function synthesizeForReport(app: App): StackResult[] {
  enforceSecurityBaseline(app);
  const results: StackResult[] = [];
  collecting.set(app, results);
  try {
    app.synth();
  } finally {
    collecting.delete(app);
  }
  return results;
}
