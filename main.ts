import { App } from 'cdktf';
import { buildStacks } from './stacks/app';
import { ConfigError, loadConfig } from './stacks/config';
import { SecurityBaselineError } from './policy/enforce';

try {
  const app = new App();
  buildStacks(app, loadConfig());
  app.synth();
} catch (error) {
  if (error instanceof SecurityBaselineError) {
    console.error(error.message);
    process.exit(1);
  }
  if (!(error instanceof ConfigError)) throw error;
  console.error(`error: ${error.message}`);
  process.exit(1);
}
