/** `npm run plan:report`: see scripts/plan/report-command.ts. */
import { realConsole } from './plan/cli';
import { reportMain } from './plan/report-command';

void reportMain(process.argv.slice(2), realConsole).then((code) => {
  process.exitCode = code;
});
