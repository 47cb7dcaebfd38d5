import { ApiGatewayDeployment } from '@cdktf/provider-aws/lib/api-gateway-deployment';
import { ApiGatewayRestApi } from '@cdktf/provider-aws/lib/api-gateway-rest-api';
import { ApiGatewayStage } from '@cdktf/provider-aws/lib/api-gateway-stage';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { App } from 'cdktf';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Config, loadConfig } from '../../stacks/config';
import { ProjectStack } from '../../stacks/project-stack';
import { WafStack } from '../../stacks/waf-stack';

/**
 * The least of an `api` stack that gives the WAF stack real cross-stack tokens: a stage ARN and an
 * alarm topic ARN, which cdktf turns into outputs here and terraform_remote_state in `waf`. Only
 * the `waf` stack's output is checked; this one is never verified or deployed.
 */
class ApiStandIn extends ProjectStack {
  readonly stage: ApiGatewayStage;
  readonly alarmTopic: SnsTopic;

  constructor(scope: App, config: Config) {
    super(scope, 'api', config);
    const api = new ApiGatewayRestApi(this, 'rest-api', { name: 'stand-in' });
    const deployment = new ApiGatewayDeployment(this, 'deployment', { restApiId: api.id });
    this.stage = new ApiGatewayStage(this, 'stage', { restApiId: api.id, deploymentId: deployment.id, stageName: 'v1' });
    this.alarmTopic = new SnsTopic(this, 'alarm-topic', { name: 'stand-in-alarms' });
  }
}

/** The remote-state values the `waf` stack reads, as `${data.terraform_remote_state...}` expressions. */
export const API_REMOTE_STATE = {
  stageArn: '${data.terraform_remote_state.cross-stack-reference-input-api.outputs.cross-stack-output-aws_api_gateway_stagestagearn}',
  alarmTopicArn: '${data.terraform_remote_state.cross-stack-reference-input-api.outputs.cross-stack-output-aws_sns_topicalarm-topicarn}',
};

/**
 * Synthesizes the `waf` stack against the stand-in `api` stack into `outdir` (a new temporary folder
 * by default), as `cdktf synth` would; returns the folder and the stack's Terraform JSON.
 */
export function synthWaf(env: Record<string, string> = {}, outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'waf-stack-'))) {
  const config = loadConfig(env);
  const app = new App({ outdir });
  const api = new ApiStandIn(app, config);
  const stack = new WafStack(app, { stageArn: api.stage.arn, alarmTopicArn: api.alarmTopic.arn }, config);
  app.synth();
  const stackDir = path.join(outdir, 'stacks', 'waf');
  const json = fs.readFileSync(path.join(stackDir, 'cdk.tf.json'), 'utf8');
  return { outdir, stackDir, stack, json };
}
