/**
 * The whole local mode in one call, for `npm start`, the benchmark and the tests: listen first (so a
 * taken port fails at once), then open the embedded warehouse (cached or built: load + train), and
 * serve `POST /loan` with the Lambda's handler behind the API Gateway and WAF imitations.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { PGlite } from '@electric-sql/pglite';
import * as http from 'http';
import type { AddressInfo } from 'net';
import { parseSqlIdentifier, PredictionQueryTarget, SqlIdentifier } from '../../lambda-src/sql';
import { Config } from '../../stacks/config';
import { openLocalWarehouse, TrainingSummary, WarehouseNames } from './embedded-warehouse';
import { createTokenVerifier } from './issuer';
import { FittedModel } from './model';
import { localApiUrl } from './paths';
import { PgliteWarehouse } from './pglite-warehouse';
import { createLocalServer, listen } from './server';

export interface LocalApiOptions {
  /** 0 takes any free port (the tests do); `port` and `url` of the result say which. */
  readonly port: number;
  readonly dataFile: string;
  /** Database, model record and issuer key; undefined keeps the database in memory (the key still needs a folder). */
  readonly cacheDir: string | undefined;
  readonly issuerDir: string;
  readonly config: Pick<Config, 'rateLimit' | 'warehouse'>;
  readonly logger?: Logger;
  readonly onProgress?: (message: string) => void;
}

export interface LocalApi {
  /** The port the server got: `options.port`, or the one the system chose for 0. */
  readonly port: number;
  readonly url: string;
  readonly summary: TrainingSummary;
  readonly model: FittedModel;
  readonly fromCache: boolean;
  readonly db: PGlite;
  readonly server: http.Server;
  /** Stops accepting requests, ends open connections and closes the database. */
  close(): Promise<void>;
}

function predictionTarget(names: WarehouseNames): PredictionQueryTarget {
  const name = (value: string): SqlIdentifier => {
    const parsed = parseSqlIdentifier(value, { qualified: true });
    if (!parsed) throw new Error(`not a SQL identifier: ${value}`);
    return parsed;
  };
  return {
    table: name(`${names.schema}.${names.table}`),
    predictionFunction: name(`${names.schema}.${names.predictionFunction}`),
    probabilityFunction: name(`${names.schema}.${names.predictionFunction}_probabilities`),
  };
}

export async function startLocalApi(options: LocalApiOptions): Promise<LocalApi> {
  const { schema, table, predictionFunction } = options.config.warehouse;
  const names: WarehouseNames = { schema, table, predictionFunction };
  let resolveWarehouse!: (warehouse: PgliteWarehouse) => void;
  let rejectWarehouse!: (error: unknown) => void;
  const warehouse = new Promise<PgliteWarehouse>((resolve, reject) => {
    resolveWarehouse = resolve;
    rejectWarehouse = reject;
  });
  const server = createLocalServer({
    warehouse,
    modelName: predictionFunction,
    verifyToken: await createTokenVerifier(options.issuerDir),
    rateLimit: options.config.rateLimit,
    logger: options.logger ?? new Logger({ serviceName: 'loan-prediction-local' }),
  });
  const closeServer = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });

  await listen(server, options.port);
  const { port } = server.address() as AddressInfo;
  options.onProgress?.(`listening on 127.0.0.1:${port} (requests wait until the model is ready)`);
  try {
    const opened = await openLocalWarehouse({
      dataFile: options.dataFile,
      names,
      cacheDir: options.cacheDir,
      onProgress: options.onProgress,
    });
    resolveWarehouse(new PgliteWarehouse(opened.db, predictionTarget(names)));
    return {
      port,
      url: localApiUrl(port),
      summary: opened.summary,
      model: opened.model,
      fromCache: opened.fromCache,
      db: opened.db,
      server,
      close: async () => {
        await closeServer();
        await opened.close();
      },
    };
  } catch (error) {
    rejectWarehouse(error);
    await closeServer();
    throw error;
  }
}
