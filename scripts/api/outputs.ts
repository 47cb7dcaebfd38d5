/** What `npm run token` and `npm run predict` need from the deployed `api` stack. */
import { OutputsError, OutputsSource } from '../warehouse/stack-outputs';

export interface ApiOutputs {
  /** `https://<api>.execute-api.<region>.amazonaws.com/v1/loan` */
  readonly invokeUrl: string;
  readonly userPoolId: string;
  readonly machineClientId: string;
  readonly tokenEndpoint: string;
  /** `<resource server>/predict` */
  readonly predictScope: string;
}

const API_OUTPUTS: Record<keyof ApiOutputs, string> = {
  invokeUrl: 'invoke_url',
  userPoolId: 'user_pool_id',
  machineClientId: 'machine_client_id',
  tokenEndpoint: 'token_endpoint',
  predictScope: 'predict_scope',
};

export async function readApiOutputs(source: OutputsSource): Promise<ApiOutputs> {
  const outputs = await source.read('api');
  if (outputs === undefined) {
    throw new OutputsError(`the api stack has no outputs (${source.locate('api')}): deploy it first (npx cdktf deploy api)`);
  }
  const values: Record<string, string> = {};
  const missing: string[] = [];
  for (const [key, output] of Object.entries(API_OUTPUTS)) {
    const value = outputs[output];
    if (typeof value === 'string' && value !== '') values[key] = value;
    else missing.push(output);
  }
  if (missing.length > 0) {
    throw new OutputsError(`the api stack's outputs lack ${missing.join(', ')}: re-deploy it (npx cdktf deploy api)`);
  }
  return values as unknown as ApiOutputs;
}

/** The region of a user pool, from its id (`<region>_<id>`). */
export const userPoolRegion = (userPoolId: string): string => userPoolId.split('_')[0];
