/**
 * Plans one stack into a folder of plan files, the same way for `npm run plan` and for deploy's new
 * plans: `terraform plan -out=<stack>.tfplan`, then `terraform show -json` (<stack>.json) and
 * `terraform show` (<stack>.txt, Terraform's own rendering for the report), or Terraform's diagnostics
 * (<stack>.diagnostics.txt) when planning failed. When an upstream stack's plan changes its outputs,
 * the stack reads the upstream's planned outputs instead of its state (planned-outputs.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import { terraform } from '../lib/terraform';
import { PlanJson, parsePlanJson } from './plan-json';
import {
  CtyType,
  Placeholder,
  attributeType,
  changesOutputs,
  outputsState,
  placeholderValue,
  referencedAttribute,
  remoteStateName,
  remoteStateOverride,
} from './planned-outputs';

/** The override file that points a stack's remote-state reads at planned outputs while it is planned. */
export const PLANNED_OUTPUTS_OVERRIDE = 'planned_outputs_override.tf.json';

/** An upstream stack planned in the same run. */
export interface UpstreamPlan {
  readonly stack: string;
  readonly plan: PlanJson;
  /** Its synthesized, initialised folder (for `terraform providers schema`). */
  readonly dir: string;
}

export interface StackPlanResult {
  /** Absent when Terraform wrote no plan file. */
  readonly plan?: PlanJson;
  readonly failed: boolean;
  /** `-detailed-exitcode` said the plan has changes. */
  readonly changed: boolean;
  readonly plannedAgainst?: { readonly upstream: readonly string[]; readonly placeholders: readonly Placeholder[] };
}

/** Terraform's diagnostics in its output: from the first "Error:" or "Warning:" line on. */
export function diagnosticsOf(output: string): string {
  const lines = output.split('\n');
  const first = lines.findIndex((line) => /^(Error|Warning): /.test(line));
  return (first >= 0 ? lines.slice(first) : lines.slice(-40)).join('\n').trim();
}

type ProviderSchemas = Parameters<typeof attributeType>[0];

/**
 * `terraform providers schema -json` (13 MB for the AWS provider, seconds to produce) by the provider
 * lock file it depends on: the stacks of one app share their providers, so one call serves them all.
 */
const schemaCache = new Map<string, ProviderSchemas>();

function providerSchemas(dir: string): ProviderSchemas {
  const lockFile = path.join(dir, '.terraform.lock.hcl');
  const key = fs.existsSync(lockFile) ? fs.readFileSync(lockFile, 'utf8') : dir;
  if (!schemaCache.has(key)) {
    schemaCache.set(key, JSON.parse(terraform(dir, ['providers', 'schema', '-json']).output) as ProviderSchemas);
  }
  return schemaCache.get(key)!;
}

/**
 * Writes the planned outputs of each upstream the stack reads through `terraform_remote_state` as a
 * state file in `stateDir`, and an override in `dir` that points the reads at them; returns what was
 * redirected (undefined when nothing was).
 */
function readPlannedOutputs(
  dir: string,
  stateDir: string,
  upstream: readonly UpstreamPlan[],
): StackPlanResult['plannedAgainst'] {
  const synthesized = JSON.parse(fs.readFileSync(path.join(dir, 'cdk.tf.json'), 'utf8')) as {
    data?: { terraform_remote_state?: Record<string, unknown> };
  };
  const reads: Record<string, string> = {};
  const redirected: string[] = [];
  const placeholders: Placeholder[] = [];
  for (const { stack, plan, dir: upstreamDir } of upstream) {
    const name = remoteStateName(stack);
    if (!synthesized.data?.terraform_remote_state?.[name]) continue;
    const schemaType = (output: string): CtyType | undefined => {
      const reference = referencedAttribute(plan, output);
      return reference ? attributeType(providerSchemas(upstreamDir), reference) : undefined;
    };
    const outputs = outputsState(stack, plan, placeholderValue, schemaType);
    const file = path.join(stateDir, `${stack}.planned-outputs.tfstate`);
    fs.writeFileSync(file, JSON.stringify(outputs.state));
    reads[name] = file;
    redirected.push(stack);
    placeholders.push(...outputs.placeholders);
  }
  if (redirected.length === 0) return undefined;
  fs.writeFileSync(path.join(dir, PLANNED_OUTPUTS_OVERRIDE), JSON.stringify(remoteStateOverride(reads)));
  return { upstream: redirected, placeholders };
}

export interface PlanStackOptions {
  readonly stack: string;
  /** The stack's synthesized, initialised folder. */
  readonly dir: string;
  /** Where the plan files go. */
  readonly outDir: string;
  /** Upstream stacks planned in the same run; those whose outputs change are read as planned. */
  readonly upstream: readonly UpstreamPlan[];
  /** A folder for the generated state files (holds planned output values: delete it afterwards). */
  readonly stateDir: string;
  readonly planArgs: readonly string[];
}

export function planStack(options: PlanStackOptions): StackPlanResult {
  const { stack, dir, outDir } = options;
  const planFile = path.join(outDir, `${stack}.tfplan`);
  const override = path.join(dir, PLANNED_OUTPUTS_OVERRIDE);
  fs.rmSync(override, { force: true });
  const changing = options.upstream.filter((u) => changesOutputs(u.plan));
  const plannedAgainst = changing.length > 0 ? readPlannedOutputs(dir, options.stateDir, changing) : undefined;
  let result;
  try {
    result = terraform(dir, ['plan', '-input=false', ...options.planArgs, `-out=${planFile}`], {}, [0, 1, 2]);
  } finally {
    // Never left behind: `cdktf deploy` in this folder would read the placeholders.
    fs.rmSync(override, { force: true });
  }
  // Terraform 1.11 writes the plan file even when planning fails ("errored": true).
  const plan = fs.existsSync(planFile)
    ? parsePlanJson(terraform(dir, ['show', '-json', planFile]).output, `${stack}.json`)
    : undefined;
  if (plan) fs.writeFileSync(path.join(outDir, `${stack}.json`), JSON.stringify(plan));
  const failed = result.status === 1 || !plan || plan.errored === true;
  if (failed) {
    fs.writeFileSync(path.join(outDir, `${stack}.diagnostics.txt`), `${diagnosticsOf(result.output)}\n`);
  } else {
    fs.writeFileSync(path.join(outDir, `${stack}.txt`), terraform(dir, ['show', planFile]).output);
  }
  return { plan, failed, changed: result.status === 2, plannedAgainst };
}
