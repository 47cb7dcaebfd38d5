import { App } from 'cdktf';
import { buildStacks } from './stacks/app';
import { ConfigError } from './stacks/config';
import { loadSettings } from './stacks/settings';
import { SecurityBaselineError } from './policy/enforce';

try {
  const app = new App();
  buildStacks(app, loadSettings().config);
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
