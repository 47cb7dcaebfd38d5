import { CloudwatchDashboard } from '@cdktf/provider-aws/lib/cloudwatch-dashboard';
import { CloudwatchMetricAlarm, CloudwatchMetricAlarmConfig } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { WarehouseTransport } from '../../lambda-src/config';
import { DATA_API_THROTTLED_METRIC, METRICS_NAMESPACE, metricDimensions } from '../../lambda-src/metrics';
import { UsageBreachAction, UsageLimitConfig } from '../config';
import { keepStackAddresses } from './stack-addresses';

/** Alarm thresholds. */
export const ALARMS = {
  /** Share of requests answered 5XX over 5 minutes. */
  serverErrorRate: 0.05,
  /** p99 latency over 5 minutes, in ms: most of the way to the handler's deadline. */
  p99LatencyMs: 10_000,
} as const;

/** What happens when a usage limit is reached, by its breach action. */
const AT_THE_LIMIT: Record<UsageBreachAction, string> = {
  deactivate: 'user queries (and the API) stop until the next day (UTC)',
  'emit-metric': 'Redshift only reports it',
  log: 'Redshift only logs it',
};

export interface ApiMonitoringProps {
  /** The project's name prefix: alarms, the topic and the dashboard are named after it. */
  readonly name: string;
  readonly region: string;
  /** The REST API's name and stage, the dimensions of its metrics. */
  readonly apiName: string;
  readonly stageName: string;
  readonly functionName: string;
  /** Only the Data API's Lambda writes the Data API throttling metric: its alarm and graph are for it alone. */
  readonly transport: WarehouseTransport;
  /** The key the alarm topic is encrypted with (its policy lets CloudWatch alarms publish). */
  readonly topicKmsKeyArn: string;
  /** Subscribed to the alarm topic when set (the address must confirm the subscription). */
  readonly alarmEmail: string | undefined;
  /** The warehouse's daily usage limits: each one alarms at `alarmPercent` of its RPU-hours. */
  readonly warehouse: {
    readonly workgroupName: string;
    readonly usageLimits: readonly (UsageLimitConfig & { readonly id: string })[];
    readonly alarmPercent: number;
  };
}

/**
 * The request path's health: an encrypted SNS topic (with an optional e-mail subscription) that every
 * alarm notifies on alarm and on recovery, alarms on the API's 5XX rate and p99 latency, on the
 * Lambda's failures and throttles, on the Data API refusing it for the account's request rate (with
 * that transport), and before each of the warehouse's daily usage limits is reached; and a dashboard
 * of the request path.
 */
export class ApiMonitoring extends Construct {
  readonly alarmTopic: SnsTopic;

  constructor(scope: Construct, id: string, private readonly props: ApiMonitoringProps) {
    super(scope, id);
    keepStackAddresses(this);
    this.alarmTopic = new SnsTopic(this, 'alarm-topic', { name: `${props.name}-api-alarms`, kmsMasterKeyId: props.topicKmsKeyArn });
    if (props.alarmEmail !== undefined) {
      new SnsTopicSubscription(this, 'alarm-email', { topicArn: this.alarmTopic.arn, protocol: 'email', endpoint: props.alarmEmail });
    }
    this.addAlarms();
    this.addDashboard();
  }

  private addAlarms(): void {
    const api = { ApiName: this.props.apiName, Stage: this.props.stageName };
    const lambda = { FunctionName: this.props.functionName };
    const alarm = (id: string, props: Omit<CloudwatchMetricAlarmConfig, 'alarmName' | 'evaluationPeriods'>) =>
      new CloudwatchMetricAlarm(this, id, {
        alarmName: `${this.props.name}-${id}`,
        period: 300,
        evaluationPeriods: 1,
        treatMissingData: 'notBreaching',
        alarmActions: [this.alarmTopic.arn],
        okActions: [this.alarmTopic.arn],
        ...props,
      });
    // 5XXError's average is the share of requests answered 5XX.
    alarm('api-5xx-rate', {
      alarmDescription: `More than ${ALARMS.serverErrorRate * 100} % of POST /loan requests answered 5XX in 5 minutes`,
      namespace: 'AWS/ApiGateway',
      metricName: '5XXError',
      dimensions: api,
      statistic: 'Average',
      comparisonOperator: 'GreaterThanThreshold',
      threshold: ALARMS.serverErrorRate,
    });
    alarm('api-p99-latency', {
      alarmDescription: `p99 latency of the API above ${ALARMS.p99LatencyMs} ms over 5 minutes`,
      namespace: 'AWS/ApiGateway',
      metricName: 'Latency',
      dimensions: api,
      extendedStatistic: 'p99',
      comparisonOperator: 'GreaterThanThreshold',
      threshold: ALARMS.p99LatencyMs,
    });
    alarm('lambda-errors', {
      alarmDescription: 'The prediction Lambda failed (crashed or timed out), not an answered error',
      namespace: 'AWS/Lambda',
      metricName: 'Errors',
      dimensions: lambda,
      statistic: 'Sum',
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
      threshold: 1,
    });
    alarm('lambda-throttles', {
      alarmDescription:
        "Lambda refused invocations: the account's concurrency is used up, or the function's reservation " +
        '(LAMBDA_RESERVED_CONCURRENCY, when set) is',
      namespace: 'AWS/Lambda',
      metricName: 'Throttles',
      dimensions: lambda,
      statistic: 'Sum',
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
      threshold: 1,
    });
    // Written by the Data API's Lambda itself (embedded metric format, lambda-src/metrics.ts); the
    // direct connection never writes it.
    if (this.props.transport === 'data-api') {
      alarm('data-api-throttled', {
        alarmDescription:
          "The Redshift Data API refused the Lambda's calls for the account's request rate (shared by every environment " +
          'and the warehouse scripts): lower DATA_API_SHARE_PERCENT here or in the other environments',
        namespace: METRICS_NAMESPACE,
        metricName: DATA_API_THROTTLED_METRIC,
        dimensions: metricDimensions(this.props.functionName),
        statistic: 'Sum',
        comparisonOperator: 'GreaterThanOrEqualToThreshold',
        threshold: 1,
      });
    }
    // UsageLimitConsumed: RPU-hours used so far in the limit's period ("Amazon Redshift Serverless
    // metrics", Amazon Redshift Management Guide; dimensions UsageLimitId, UsageType, Workgroup).
    const { workgroupName, usageLimits, alarmPercent } = this.props.warehouse;
    for (const limit of usageLimits) {
      const threshold = (limit.rpuHours * alarmPercent) / 100;
      alarm(`warehouse-usage-${limit.name}`, {
        alarmDescription:
          `The warehouse used ${alarmPercent} % of its daily ${limit.name} of ${limit.rpuHours} RPU-hours; ` +
          `at the limit ${AT_THE_LIMIT[limit.breachAction]}`,
        namespace: 'AWS/Redshift-Serverless',
        metricName: 'UsageLimitConsumed',
        dimensions: { UsageLimitId: limit.id, UsageType: 'SERVERLESS_COMPUTE', Workgroup: workgroupName },
        statistic: 'Maximum',
        comparisonOperator: 'GreaterThanOrEqualToThreshold',
        threshold,
      });
    }
  }

  /** The request path on one screen: requests and errors, latency, the Lambda's health. */
  private addDashboard(): void {
    const { region } = this.props;
    const api = ['ApiName', this.props.apiName, 'Stage', this.props.stageName];
    const lambda = ['FunctionName', this.props.functionName];
    const dataApi = this.props.transport === 'data-api';
    const widget = (title: string, x: number, y: number, metrics: unknown[][], stat = 'Sum') => ({
      type: 'metric',
      x,
      y,
      width: 12,
      height: 6,
      properties: { title, region, stat, period: 60, view: 'timeSeries', metrics },
    });
    new CloudwatchDashboard(this, 'dashboard', {
      dashboardName: `${this.props.name}-api`,
      dashboardBody: Fn.jsonencode({
        widgets: [
          widget('Requests, 4XX, 5XX', 0, 0, [
            ['AWS/ApiGateway', 'Count', ...api],
            ['AWS/ApiGateway', '4XXError', ...api],
            ['AWS/ApiGateway', '5XXError', ...api],
          ]),
          widget(
            'API latency (ms)',
            12,
            0,
            [
              ['AWS/ApiGateway', 'Latency', ...api, { stat: 'p50' }],
              ['AWS/ApiGateway', 'Latency', ...api, { stat: 'p99' }],
              ['AWS/ApiGateway', 'IntegrationLatency', ...api, { stat: 'p99' }],
            ],
            'p99',
          ),
          widget(`Lambda invocations, errors, throttles${dataApi ? '; Data API throttled calls' : ''}`, 0, 6, [
            ['AWS/Lambda', 'Invocations', ...lambda],
            ['AWS/Lambda', 'Errors', ...lambda],
            ['AWS/Lambda', 'Throttles', ...lambda],
            ...(dataApi ? [[METRICS_NAMESPACE, DATA_API_THROTTLED_METRIC, ...Object.entries(metricDimensions(this.props.functionName)).flat()]] : []),
          ]),
          widget(
            'Lambda duration (ms) and concurrency',
            12,
            6,
            [
              ['AWS/Lambda', 'Duration', ...lambda, { stat: 'p99' }],
              ['AWS/Lambda', 'ConcurrentExecutions', ...lambda, { stat: 'Maximum' }],
            ],
            'p99',
          ),
        ],
      }),
    });
  }
}
