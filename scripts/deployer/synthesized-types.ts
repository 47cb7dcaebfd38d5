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

interface StackJson {
  resource?: Record<string, unknown>;
  data?: Record<string, unknown>;
}

/**
 * The Terraform types (data sources as `data.<type>`) each pipeline stack synthesizes from `env` with
 * every optional feature on: a full synth into a temporary folder, so cross-stack references
 * (terraform_remote_state) and the security baseline are included.
 */
export function synthesizedTypes(env: Readonly<Record<string, string | undefined>> = {}): { config: Config; types: Record<string, string[]> } {
  const config = loadConfig({ ...env, ...EVERY_FEATURE_ON });
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'deployer-policy-'));
  try {
    const app = new App({ outdir });
    buildStacks(app, config);
    app.synth();
    const types = Object.fromEntries(
      PIPELINE_STACKS.map((stack: StackName) => {
        const json = JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8')) as StackJson;
        return [stack, [...Object.keys(json.resource ?? {}), ...Object.keys(json.data ?? {}).map((type) => `data.${type}`)].sort()];
      }),
    );
    return { config, types };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}
