/** The local API of `npm start` as a target of `npm run token -- --local` and `npm run predict -- --local`. */
import type { PredictionTarget } from '../api/target';
import { localToken } from './issuer';
import { localApiUrl } from './paths';

/** Tokens come from the local issuer's key pair in `localDir` (.local/), which the running server also reads. */
export const localTarget = (localDir: string): PredictionTarget => ({
  url: localApiUrl(),
  token: () => localToken({ cacheDir: localDir }),
  whenUnreachable: 'is the local server running? start it with npm start (same PORT)',
});
