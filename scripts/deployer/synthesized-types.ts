import { App } from 'cdktf';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildStacks } from '../../stacks/app';
import { Config, loadConfig } from '../../stacks/config';
import { PIPELINE_STACKS, StackName } from '../../stacks/project-stack';

/**
 * Every optional feature on, so opt-in resource types are synthesized too: the deployer must be able
 * to deploy whatever a setting turns on later, without the account stack being applied again.
 * `__tests__/deployer-policy.test.ts` checks each of these settings still changes what is synthesized.
 */
export const EVERY_FEATURE_ON: Readonly<Record<string, string>> = {
  ENABLE_NAT_GATEWAY: 'true',
  LAMBDA_IN_VPC: 'true',
  ALARM_EMAIL: 'alarms@example.com',
  REDSHIFT_MAX_CAPACITY: '512',
  WAF_ALLOWED_COUNTRIES: 'DE',
  WAF_BOT_CONTROL: 'true',
  WAF_LOG_SCOPE: 'all',
  WAF_HOSTING_PROVIDER_ALLOW_LIST: '203.0.113.0/24,2001:db8::/32',
};

/**
 * The synths whose types the deployer covers: every feature on, and the same with the direct
 * connection to the workgroup, an alternative to the Data API rather than a feature (it forces
 * LAMBDA_IN_VPC, so in EVERY_FEATURE_ON it would hide whether LAMBDA_IN_VPC still changes anything).
 */
export const FEATURE_SYNTHS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'every feature on': EVERY_FEATURE_ON,
  'every feature on, WAREHOUSE_TRANSPORT=postgres': { ...EVERY_FEATURE_ON, WAREHOUSE_TRANSPORT: 'postgres' },
};

/** A stack's synthesized Terraform JSON, as far as the deployer's tools read it. */
export interface StackJson {
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
  readonly data?: Record<string, Record<string, Record<string, unknown>>>;
  readonly output?: Record<string, { value: unknown }>;
  readonly provider: { aws: { default_tags: { tags: Record<string, string> }[] }[] };
}

export interface FeatureSynth {
  readonly name: string;
  readonly config: Config;
  /** Every stack's JSON, the pipeline's and the administrator's. */
  readonly stacks: Readonly<Record<string, StackJson>>;
}

/**
 * Each of FEATURE_SYNTHS on top of `env`: a full synth into a temporary folder, so cross-stack
 * references (terraform_remote_state) and the security baseline are included.
 */
export function synthesizeFeatures(env: Readonly<Record<string, string | undefined>> = {}): FeatureSynth[] {
  return Object.entries(FEATURE_SYNTHS).map(([name, features]) => {
    const config = loadConfig({ ...env, ...features });
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'deployer-policy-'));
    try {
      const app = new App({ outdir });
      const stacks = buildStacks(app, config);
      app.synth();
      const json = (stack: string) => JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8')) as StackJson;
      return { name, config, stacks: Object.fromEntries(Object.values(stacks).map((stack) => [stack.stackName, json(stack.stackName)])) };
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
}

/** The Terraform types (data sources as `data.<type>`) each pipeline stack has in any of the synths. */
export function typesOf(synths: readonly FeatureSynth[]): Record<string, string[]> {
  return Object.fromEntries(
    PIPELINE_STACKS.map((stack: StackName) => {
      const types = synths.flatMap(({ stacks }) => [
        ...Object.keys(stacks[stack].resource ?? {}),
        ...Object.keys(stacks[stack].data ?? {}).map((type) => `data.${type}`),
      ]);
      return [stack, [...new Set(types)].sort()];
    }),
  );
}

/** The types of every pipeline stack across FEATURE_SYNTHS, and the configuration of the first. */
export function synthesizedTypes(env: Readonly<Record<string, string | undefined>> = {}): { config: Config; types: Record<string, string[]> } {
  const synths = synthesizeFeatures(env);
  return { config: synths[0].config, types: typesOf(synths) };
}
