/** `npm run plan:apply`: see scripts/plan/apply-command.ts. */
import { realConsole } from './plan/cli';
import { applyMain } from './plan/apply-command';

void applyMain(process.argv.slice(2), realConsole).then((code) => {
  process.exitCode = code;
});
