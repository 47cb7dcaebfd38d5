/** Where the local mode keeps its files and listens: shared by `npm start` and the `--local` flags. */
import * as path from 'path';
import { PREDICT_RESOURCE } from '../../lambda-src/api-contract';
import { ConfigError } from '../../stacks/config';

/** The ignored folder holding the cached database, the model's record and the local issuer's key. */
export const LOCAL_DIR = path.join(__dirname, '..', '..', '.local');

/** The committed dataset `npm start` loads unless given `--data`. */
export const DEFAULT_DATA_FILE = path.join(__dirname, '..', '..', 'dataset', 'loan_remediation_data.csv');

export const DEFAULT_PORT = 3000;

/** `PORT` (default 3000); a bad value stops with one line, like any other setting. */
export function localPort(env: Readonly<Record<string, string | undefined>> = process.env): number {
  const raw = env.PORT?.trim();
  if (raw === undefined || raw === '') return DEFAULT_PORT;
  const port = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(port >= 1 && port <= 65_535)) throw new ConfigError('PORT', raw, 'a TCP port from 1 to 65535');
  return port;
}

/** `http://127.0.0.1:<PORT>/loan`: the local server's prediction endpoint. */
export const localApiUrl = (port: number = localPort()): string => `http://127.0.0.1:${port}/${PREDICT_RESOURCE}`;
