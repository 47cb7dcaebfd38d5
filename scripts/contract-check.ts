/** `npm run contract:check`: see scripts/contract/main.ts. */
import './lib/quiet-sdk-node-warning';
import { realApiEnvironment } from './api/cli';
import { contractCheckMain, realContractCheckEnvironment } from './contract/main';

void contractCheckMain(process.argv.slice(2), realContractCheckEnvironment(realApiEnvironment())).then((code) => {
  process.exitCode = code;
});
