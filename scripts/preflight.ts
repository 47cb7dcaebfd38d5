/** `npm run preflight`: see scripts/preflight/command.ts. */
import './lib/quiet-sdk-node-warning';
import { preflightMain } from './preflight/command';

void preflightMain(process.argv.slice(2), { print: (text) => console.log(text), printError: (text) => console.error(text) }).then((code) => {
  process.exitCode = code;
});
