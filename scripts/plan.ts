/** `npm run plan`: see scripts/plan/plan-command.ts. */
import './lib/quiet-sdk-node-warning';
import { realConsole } from './plan/cli';
import { planMain } from './plan/plan-command';

void planMain(process.argv.slice(2), realConsole).then((code) => {
  process.exitCode = code;
});
