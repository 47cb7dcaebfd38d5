import { App, TerraformStack } from 'cdktf';
import { StackResult, evaluateStack, failures } from './engine';
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

/**
 * Checks every stack of the app against the security baseline on every `app.synth()`. cdktf runs a
 * stack's validations after its aspects and before it writes the stack's JSON, so a stack with
 * errors is never written: synth throws SecurityBaselineError. Warnings go to stderr. Call it after
 * the stacks are created; calling it again does nothing.
 */
export function enforceSecurityBaseline(app: App): void {
  if (enforced.has(app)) return;
  enforced.add(app);
  for (const stack of app.node.findAll().filter(TerraformStack.isStack)) {
    stack.node.addValidation({
      validate: () => {
        const result = evaluateStack(stack.node.id, stack.toTerraform());
        const collector = collecting.get(app);
        if (collector) {
          collector.push(result);
          return [];
        }
        const warnings = failures([result], 'warning');
        if (warnings.length > 0) process.stderr.write(`${warnings.map(formatFinding).join('\n')}\n`);
        if (failures([result], 'error').length > 0) throw new SecurityBaselineError([result]);
        return [];
      },
    });
  }
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
