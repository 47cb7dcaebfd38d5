import { App } from 'cdktf';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildStacks } from '../../stacks/app';
import { loadConfig } from '../../stacks/config';

/** The remote-state values the `waf` stack reads from the `api` stack, as `${data.terraform_remote_state...}` expressions. */
export const API_REMOTE_STATE = {
  stageArn: '${data.terraform_remote_state.cross-stack-reference-input-api.outputs.cross-stack-output-aws_api_gateway_stagestagearn}',
  alarmTopicArn: '${data.terraform_remote_state.cross-stack-reference-input-api.outputs.cross-stack-output-aws_sns_topicalarm-topicarn}',
};

/**
 * Synthesizes the whole app with `env` into `outdir` (a new temporary folder by default), as `cdktf
 * synth` would, and returns the `waf` stack's folder and Terraform JSON.
 */
export function synthWaf(env: Record<string, string> = {}, outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'waf-stack-'))) {
  const app = new App({ outdir });
  const { waf: stack } = buildStacks(app, loadConfig(env));
  app.synth();
  const stackDir = path.join(outdir, 'stacks', 'waf');
  const json = fs.readFileSync(path.join(stackDir, 'cdk.tf.json'), 'utf8');
  return { outdir, stackDir, stack, json };
}
