/**
 * The whole local mode in one call, for `npm start`, the benchmark and the tests: listen first (so a
 * taken port fails at once), then open the embedded warehouse (cached or built: load + train), and
 * serve `POST /loan` with the Lambda's handler behind the API Gateway and WAF imitations of the API
 * contract's table.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { PGlite } from '@electric-sql/pglite';
import * as http from 'http';
import { parseSqlIdentifier, PredictionQueryTarget, SqlIdentifier } from '../../lambda-src/sql';
import { Config } from '../../stacks/config';
import { openLocalWarehouse, TrainingSummary, WarehouseNames } from './embedded-warehouse';
import { createTokenVerifier } from './issuer';
import { FittedModel } from './model';
import { localApiUrl } from './paths';
import { PgliteWarehouse } from './pglite-warehouse';
import { createLocalServer, listen } from './server';

export interface LocalApiOptions {
  readonly port: number;
  readonly dataFile: string;
  /** Database, model record and issuer key; undefined keeps the database in memory (the key still needs a folder). */
  readonly cacheDir: string | undefined;
  readonly issuerDir: string;
  readonly config: Pick<Config, 'rateLimit' | 'warehouse' | 'api'>;
  readonly logger?: Logger;
  readonly onProgress?: (message: string) => void;
}

export interface LocalApi {
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
    throttle: { rateLimit: options.config.api.throttleRateLimit, burstLimit: options.config.api.throttleBurstLimit },
    lambda: { timeoutMs: options.config.api.lambdaTimeoutSeconds * 1000, concurrency: options.config.api.lambdaReservedConcurrency },
    logger: options.logger ?? new Logger({ serviceName: 'loan-prediction-local' }),
  });
  const closeServer = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });

  // Listening is announced by the caller once the warehouse is ready: a data file or a cache that
  // cannot be opened is then the only line, not one after "listening".
  await listen(server, options.port);
  try {
    const opened = await openLocalWarehouse({
      dataFile: options.dataFile,
      names,
      cacheDir: options.cacheDir,
      onProgress: options.onProgress,
    });
    resolveWarehouse(new PgliteWarehouse(opened.db, predictionTarget(names)));
    return {
      url: localApiUrl(options.port),
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
