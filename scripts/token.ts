/** `npm run token`: see scripts/api/token.ts. */
import './lib/quiet-sdk-node-warning';
import { realApiEnvironment } from './api/cli';
import { tokenMain } from './api/token';

void tokenMain(process.argv.slice(2), realApiEnvironment()).then((code) => {
  process.exitCode = code;
});
