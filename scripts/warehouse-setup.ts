/** `npm run warehouse:setup`: see scripts/warehouse/setup.ts. */
import './lib/quiet-sdk-node-warning';
import { realEnvironment } from './warehouse/cli';
import { setupMain } from './warehouse/setup';

void setupMain(process.argv.slice(2), realEnvironment()).then((code) => {
  process.exitCode = code;
});
