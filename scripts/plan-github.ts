/** `npm run plan:github`: see scripts/plan/github.ts. */
import { realConsole } from './plan/cli';
import { githubMain } from './plan/github';

void githubMain(process.argv.slice(2), realConsole).then((code) => {
  process.exitCode = code;
});
