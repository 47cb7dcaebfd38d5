/**
 * What both Lambda entry points (handler.ts for the Data API, postgres-handler.ts for the direct
 * connection) do at cold start: read and validate the configuration, failing with one critical log line
 * that names every problem, or that the bundle serves another transport.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { HandlerConfig, HandlerConfigError, loadHandlerConfig, WarehouseTransport } from './config';
import { METRICS_SERVICE } from './metrics';

export const logger = new Logger({ serviceName: METRICS_SERVICE });

export function loadConfigOrFail<T extends WarehouseTransport>(transport: T): Extract<HandlerConfig, { transport: T }> {
  try {
    const config = loadHandlerConfig(process.env);
    if (config.transport !== transport) {
      throw new HandlerConfigError([`WAREHOUSE_TRANSPORT=${JSON.stringify(config.transport)} is not what this bundle serves (${transport})`]);
    }
    return config as Extract<HandlerConfig, { transport: T }>;
  } catch (error) {
    if (error instanceof HandlerConfigError) {
      logger.critical('Invalid configuration: the function cannot start', { problems: error.problems });
    }
    throw error;
  }
}
