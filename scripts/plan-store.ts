/** `npm run plan:store`: see scripts/plan/store-command.ts. */
import './lib/quiet-sdk-node-warning';
import { realConsole } from './plan/cli';
import { storeMain } from './plan/store-command';

void storeMain(process.argv.slice(2), realConsole).then((code) => {
  process.exitCode = code;
});
