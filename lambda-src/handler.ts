/**
 * Lambda entry point for `POST /loan` over the Redshift Data API (WAREHOUSE_TRANSPORT=data-api, the
 * default). Module scope runs once per cold start: it reads and validates the configuration (a bad
 * value stops the function from starting, with one critical log line naming every problem) and creates
 * the Data API client that warm invocations reuse.
 *
 * Environment: WORKGROUP_NAME, DATABASE_NAME, TABLE_NAME, PREDICTION_FUNCTION (required);
 * INCLUDE_PROBABILITY, DEADLINE_MS, SESSION_KEEP_ALIVE_SECONDS (optional, see CONFIG_DEFAULTS).
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { loadConfigOrFail, logger } from './entry';
import { DATA_API_THROTTLED_METRIC, METRICS_NAMESPACE, METRICS_SERVICE, metricDimensions } from './metrics';
import { createPredictionHandler } from './prediction-handler';
import { RedshiftDataWarehouse, WarehouseMetrics } from './warehouse';

const metrics = new Metrics({
  namespace: METRICS_NAMESPACE,
  serviceName: METRICS_SERVICE,
  defaultDimensions: metricDimensions(process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'unknown'),
});

/** A throttled Data API call is written at once (one EMF line), with the operation as metadata. */
const warehouseMetrics: WarehouseMetrics = {
  dataApiThrottled(operation) {
    metrics.singleMetric().addMetadata('operation', operation).addMetric(DATA_API_THROTTLED_METRIC, MetricUnit.Count, 1);
  },
};

const config = loadConfigOrFail('data-api');

export const handler = createPredictionHandler({
  warehouse: new RedshiftDataWarehouse({
    // Retries are the adapter's own, so they stay inside the request's deadline.
    client: new RedshiftDataClient({ maxAttempts: 1 }),
    workgroupName: config.workgroupName,
    database: config.database,
    target: config.target,
    sessionKeepAliveSeconds: config.sessionKeepAliveSeconds,
    logger,
    metrics: warehouseMetrics,
  }),
  logger,
  modelName: config.target.predictionFunction,
  deadlineMs: config.deadlineMs,
});
