import { App } from 'cdktf';
import { AccountStack } from './account-stack';
import { ApiStack } from './api-stack';
import { Config } from './config';
import { NetworkStack } from './network-stack';
import { enforceSecurityBaseline } from '../policy/enforce';
import { RedshiftStack } from './redshift-stack';
import { StateStack } from './state-stack';
import { WafStack } from './waf-stack';

/** Every stack of the platform, in dependency order. */
export function buildStacks(app: App, config: Config) {
  const state = new StateStack(app, config);
  const account = new AccountStack(app, config);
  const network = new NetworkStack(app, config);
  const redshift = new RedshiftStack(app, network, config);
  const api = new ApiStack(app, redshift, config);
  const waf = new WafStack(app, { stageArn: api.restApi.stage.arn, alarmTopicArn: api.alarmTopic.arn }, config);
  enforceSecurityBaseline(app);
  return { state, account, network, redshift, api, waf };
}
