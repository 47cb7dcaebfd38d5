/**
 * Lambda entry point for `POST /loan` over a direct connection to the workgroup
 * (WAREHOUSE_TRANSPORT=postgres). A bundle of its own, so the Data API bundle carries no PostgreSQL
 * client. Module scope runs once per cold start (configuration, the GetCredentials client); the
 * connection opens on the first request and stays open for the warm invocations that follow.
 *
 * Environment: as lambda-src/handler.ts without SESSION_KEEP_ALIVE_SECONDS, plus WAREHOUSE_TRANSPORT
 * (postgres), WAREHOUSE_HOST and WAREHOUSE_PORT (the workgroup's endpoint).
 */
import { RedshiftServerlessClient } from '@aws-sdk/client-redshift-serverless';
import { loadConfigOrFail, logger } from './entry';
import { PostgresWarehouse } from './postgres-warehouse';
import { createPredictionHandler } from './prediction-handler';
import { serverlessCredentials } from './serverless-credentials';

const config = loadConfigOrFail('postgres');

export const handler = createPredictionHandler({
  warehouse: new PostgresWarehouse({
    host: config.endpoint.host,
    port: config.endpoint.port,
    database: config.database,
    target: config.target,
    credentials: serverlessCredentials({
      // The SDK's own retries are bounded by the request's deadline (an abort signal).
      client: new RedshiftServerlessClient({}),
      workgroupName: config.workgroupName,
      database: config.database,
    }),
    tls: true,
    statementTimeoutMs: config.deadlineMs,
    logger,
  }),
  logger,
  modelName: config.target.predictionFunction,
  deadlineMs: config.deadlineMs,
});
