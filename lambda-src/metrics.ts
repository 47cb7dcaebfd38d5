/**
 * The prediction Lambda's own CloudWatch metrics, written as embedded metric format (EMF) log lines by
 * Powertools' Metrics: CloudWatch turns each line into a metric, with no API call from the function.
 * The api stack's alarm names the same namespace, metric and dimensions, from here.
 */

/** Namespace of the function's metrics. */
export const METRICS_NAMESPACE = 'LoanRemediation';
/** Powertools adds it to every metric as the `service` dimension; the handler's logs use it too. */
export const METRICS_SERVICE = 'loan-prediction';
/** A Data API call refused for the account's request rate (ThrottlingException), retries included. */
export const DATA_API_THROTTLED_METRIC = 'DataApiThrottled';

/** The dimensions of every metric of one function: the service and the function's name. */
export const metricDimensions = (functionName: string): { service: string; FunctionName: string } => ({
  service: METRICS_SERVICE,
  FunctionName: functionName,
});
