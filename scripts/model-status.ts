/** `npm run model:status [-- --wait]`: see scripts/warehouse/model-status.ts. */
import './lib/quiet-sdk-node-warning';
import { realEnvironment } from './warehouse/cli';
import { modelStatusMain } from './warehouse/model-status';

void modelStatusMain(process.argv.slice(2), realEnvironment()).then((code) => {
  process.exitCode = code;
});
