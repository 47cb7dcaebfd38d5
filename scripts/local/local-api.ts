/**
 * The whole local mode in one call, for `npm start`, the benchmark and the tests: listen first (so a
 * taken port fails at once), then open the embedded warehouse (cached or built: load + train), and
 * serve `POST /loan` with the Lambda's handler behind the API Gateway and WAF imitations of the API
 * contract's table.
 *
 * The warehouse follows WAREHOUSE_TRANSPORT: `data-api` (default) queries the embedded database in this
 * process (`PgliteWarehouse`, the stand-in for the Data API); `postgres` runs the Lambda's direct
 * transport itself (`PostgresWarehouse`, node-postgres) over a real socket to PGlite's wire-protocol
 * server, without TLS and with fixed local credentials.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import * as http from 'http';
import { CONFIG_DEFAULTS, WarehouseTransport } from '../../lambda-src/config';
import { PostgresWarehouse } from '../../lambda-src/postgres-warehouse';
import type { AddressInfo } from 'net';
import { parseSqlIdentifier, PredictionQueryTarget, SqlIdentifier } from '../../lambda-src/sql';
import { Warehouse } from '../../lambda-src/warehouse';
import { Config } from '../../stacks/config';
import { openLocalWarehouse, TrainingSummary, WarehouseNames } from './embedded-warehouse';
import { createTokenVerifier } from './issuer';
import { FittedModel } from './model';
import { localApiUrl } from './paths';
import { PgliteWarehouse } from './pglite-warehouse';
import { createLocalServer, listen } from './server';

/** PGlite's own user and database, which its wire-protocol server answers to (it checks no password). */
const LOCAL_CREDENTIALS = { user: 'postgres', password: 'local', expiresAt: Number.POSITIVE_INFINITY };
const LOCAL_DATABASE = 'postgres';

/** The direct transport over PGlite's wire-protocol server on a free loopback port. */
export async function directWarehouse(db: PGlite, target: PredictionQueryTarget, logger: Logger): Promise<{ warehouse: Warehouse; stop: () => Promise<void> }> {
  const socketServer = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0 });
  await socketServer.start();
  const warehouse = new PostgresWarehouse({
    host: '127.0.0.1',
    port: Number(socketServer.getServerConn().split(':')[1]),
    database: LOCAL_DATABASE,
    target,
    credentials: async () => LOCAL_CREDENTIALS,
    tls: false,
    statementTimeoutMs: Number(CONFIG_DEFAULTS.DEADLINE_MS),
    logger,
  });
  return {
    warehouse,
    stop: async () => {
      await warehouse.close();
      await socketServer.stop();
    },
  };
}

export interface LocalApiOptions {
  /** 0 takes any free port (the tests do); `port` and `url` of the result say which. */
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
  /** The port the server got: `options.port`, or the one the system chose for 0. */
  readonly port: number;
  readonly url: string;
  readonly summary: TrainingSummary;
  readonly model: FittedModel;
  readonly fromCache: boolean;
  readonly db: PGlite;
  readonly transport: WarehouseTransport;
  readonly server: http.Server;
  /** Stops accepting requests, ends open connections and closes the database. */
  close(): Promise<void>;
}

export function predictionTarget(names: WarehouseNames): PredictionQueryTarget {
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
  const transport = options.config.api.warehouseTransport;
  const logger = options.logger ?? new Logger({ serviceName: 'loan-prediction-local' });
  let resolveWarehouse!: (warehouse: Warehouse) => void;
  let rejectWarehouse!: (error: unknown) => void;
  const warehouse = new Promise<Warehouse>((resolve, reject) => {
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
    logger,
  });
  const closeServer = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });

  // Listening is announced by the caller once the warehouse is ready: a data file or a cache that
  // cannot be opened is then the only line, not one after "listening".
  await listen(server, options.port);
  const { port } = server.address() as AddressInfo;
  try {
    const opened = await openLocalWarehouse({
      dataFile: options.dataFile,
      names,
      cacheDir: options.cacheDir,
      onProgress: options.onProgress,
    });
    const target = predictionTarget(names);
    const direct = transport === 'postgres' ? await directWarehouse(opened.db, target, logger).catch(async (error: unknown) => {
      await opened.close();
      throw error;
    }) : undefined;
    if (direct) options.onProgress?.("direct transport: node-postgres over a socket to PGlite's wire-protocol server");
    resolveWarehouse(direct?.warehouse ?? new PgliteWarehouse(opened.db, target));
    return {
      port,
      url: localApiUrl(port),
      summary: opened.summary,
      model: opened.model,
      fromCache: opened.fromCache,
      db: opened.db,
      transport,
      server,
      close: async () => {
        await closeServer();
        await direct?.stop();
        await opened.close();
      },
    };
  } catch (error) {
    rejectWarehouse(error);
    await closeServer();
    throw error;
  }
}
