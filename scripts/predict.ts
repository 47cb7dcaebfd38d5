/** `npm run predict`: see scripts/api/predict.ts. */
import './lib/quiet-sdk-node-warning';
import { realApiEnvironment } from './api/cli';
import { predictMain } from './api/predict';

void predictMain(process.argv.slice(2), realApiEnvironment()).then((code) => {
  process.exitCode = code;
});
