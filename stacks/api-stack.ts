import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { Construct } from 'constructs';
import * as path from 'path';
import { PREDICT_METHOD, PREDICT_RESOURCE } from '../lambda-src/api-contract';
import { WarehouseTransport } from '../lambda-src/config';
import { RULE, suppressRule } from '../policy/suppress';
import { Config } from './config';
import { ApiMonitoring } from './constructs/api-monitoring';
import { ApiUserPool } from './constructs/api-user-pool';
import { cloudWatchLogsMayEncrypt, CustomerManagedKey } from './constructs/customer-managed-key';
import { NodejsFunction } from './constructs/nodejs-function';
import { PredictionGrants } from './constructs/prediction-grants';
import { PredictionNetwork } from './constructs/prediction-network';
import { PredictionRestApi } from './constructs/prediction-rest-api';
import { ProjectStack } from './project-stack';
import { REDSHIFT_PORT } from './network-stack';
import { RedshiftStack } from './redshift-stack';

/** The prediction handler's own limit on DEADLINE_MS (lambda-src/config.ts). */
export const MAX_DEADLINE_MS = 26_000;
/**
 * Kept back from the Lambda's timeout for the handler: it stops the warehouse work 2.5 s before the
 * Lambda would be killed (abort a hung call, cancel the statement, answer 504); one more 0.5 s covers
 * the cold start's share of the invocation. `__tests__/api-stack.test.ts` checks it against the handler.
 */
export const TIMEOUT_RESERVE_MS = 3000;

/** The Lambda entry point of each transport (lambda-src/). */
export const LAMBDA_ENTRIES = { 'data-api': 'handler.ts', postgres: 'postgres-handler.ts' } as const satisfies Record<WarehouseTransport, string>;

/** DEADLINE_MS for a Lambda timeout: the whole timeout but the reserve, within the handler's limit. */
export const deadlineForTimeout = (timeoutSeconds: number): number =>
  Math.min(MAX_DEADLINE_MS, timeoutSeconds * 1000 - TIMEOUT_RESERVE_MS);

/**
 * The prediction API: the Lambda that calls Redshift ML (through the Data API, or with
 * WAREHOUSE_TRANSPORT=postgres over a direct connection to the workgroup), the Cognito user pool
 * that issues its tokens, the REST API (`POST /loan`) in front of it, and the alarms on the request
 * path. Each part is a construct in stacks/constructs/; this class reads as the list of them.
 */
export class ApiStack extends ProjectStack {
  readonly key: KmsKey;
  readonly prediction: NodejsFunction;
  readonly users: ApiUserPool;
  readonly restApi: PredictionRestApi;
  readonly alarmTopic: SnsTopic;

  constructor(scope: Construct, redshift: RedshiftStack, config: Config) {
    super(scope, 'api', config);
    const settings = config.api;
    const name = config.namePrefix;
    const region = config.region;
    const { partition, accountId, rootArn } = this.account;
    const functionName = `${name}-predict`;
    const logGroupArn = (logGroupName: string) => `arn:${partition}:logs:${region}:${accountId}:log-group:${logGroupName}`;

    // The key of the Lambda's environment, the API and Lambda log groups, and the alarm topic.
    this.key = new CustomerManagedKey(this, 'key', {
      description: `${name} prediction API: Lambda environment, API and Lambda logs, alarm topic`,
      accountRootArn: rootArn,
      serviceStatements: [
        cloudWatchLogsMayEncrypt('CloudWatchLogsEncryptsApiLogGroups', region, [
          logGroupArn(`/aws/lambda/${functionName}`),
          logGroupArn(`/aws/apigateway/${name}/*`),
          logGroupArn('API-Gateway-Execution-Logs_*'),
        ]),
        {
          // CloudWatch alarms publish to the encrypted topic as the CloudWatch service ("Encrypting
          // messages published to Amazon SNS with AWS KMS", Amazon SNS Developer Guide).
          Sid: 'CloudWatchAlarmsPublishToTopic',
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          Resource: '*',
          Condition: { StringEquals: { 'aws:SourceAccount': accountId } },
        },
      ],
    }).key;

    // The Lambda, its place in the VPC (LAMBDA_IN_VPC=true, always with the direct connection) and
    // what its role may do. Each transport has its own bundle: the Data API's carries no PostgreSQL client.
    const transport = settings.warehouseTransport;
    const network = settings.lambdaInVpc
      ? new PredictionNetwork(this, 'prediction-network', {
          name,
          region,
          vpcId: redshift.network.vpc.id,
          subnetIds: redshift.network.privateSubnets.map((subnet) => subnet.id),
          transport,
          lambdaSecurityGroupId: redshift.network.predictionSecurityGroup?.id,
        })
      : undefined;
    this.prediction = new NodejsFunction(this, 'prediction', {
      entry: path.join(__dirname, '..', 'lambda-src', LAMBDA_ENTRIES[transport]),
      functionName,
      description: `${PREDICT_METHOD} /${PREDICT_RESOURCE}: loan-remediation predictions from Redshift ML`,
      memorySize: settings.lambdaMemoryMb,
      timeoutSeconds: settings.lambdaTimeoutSeconds,
      reservedConcurrency: settings.lambdaReservedConcurrency,
      logRetentionDays: config.logRetentionDays,
      logKmsKeyArn: this.key.arn,
      environmentKmsKeyArn: this.key.arn,
      vpcConfig: network?.vpcConfig,
      permissionsBoundary: this.permissionsBoundary(accountId),
      environment: {
        WORKGROUP_NAME: redshift.workgroup.workgroupName,
        DATABASE_NAME: redshift.namespace.dbName,
        TABLE_NAME: redshift.sqlNames.table,
        PREDICTION_FUNCTION: redshift.sqlNames.predictionFunction,
        DEADLINE_MS: String(deadlineForTimeout(settings.lambdaTimeoutSeconds)),
        ...(transport === 'postgres' && {
          WAREHOUSE_TRANSPORT: transport,
          // The workgroup's endpoint, read from the redshift stack; its port is REDSHIFT_PORT.
          WAREHOUSE_HOST: redshift.workgroup.endpoint.get(0).address,
          WAREHOUSE_PORT: String(REDSHIFT_PORT),
        }),
      },
    });
    if (settings.lambdaReservedConcurrency === undefined) {
      suppressRule(
        this.prediction.function,
        RULE.LambdaReservedConcurrency,
        'A new account may have a total concurrency of 10 or 50, where AWS refuses any reservation; the stage throttling ' +
          '(DATA_API_SHARE_PERCENT) caps the load instead. LAMBDA_RESERVED_CONCURRENCY reserves, and npm run preflight checks it fits',
      );
    }
    if (network === undefined) {
      suppressRule(
        this.prediction.function,
        RULE.LambdaInsideVpc,
        'The function calls only AWS APIs (the Redshift Data API, X-Ray, CloudWatch Logs), never the VPC; inside it would ' +
          'need a redshift-data interface endpoint (about 22 USD/month over 3 AZs). LAMBDA_IN_VPC=true creates both',
      );
    }
    new PredictionGrants(this, 'prediction-grants', {
      prediction: this.prediction,
      workgroupArn: redshift.workgroup.arn,
      transport,
      environmentKeyArn: this.key.arn,
      vpcConfig: network?.vpcConfig,
      partition,
      region,
      accountId,
    });

    // Who may call it.
    this.users = new ApiUserPool(this, 'users', {
      name,
      region,
      accountId,
      prod: config.environment === 'prod',
      deletionProtection: settings.cognitoDeletionProtection,
      callbackUrls: settings.callbackUrls,
    });

    // POST /loan. Its logging needs the account's CloudWatch Logs role for API Gateway (the account stack).
    this.restApi = new PredictionRestApi(this, 'rest-api', {
      name,
      environment: config.environment,
      handler: this.prediction.function,
      userPoolArn: this.users.userPool.arn,
      predictScope: this.users.predictScope,
      resourceServerIdentifier: this.users.resourceServerIdentifier,
      logRetentionDays: config.logRetentionDays,
      logKmsKeyArn: this.key.arn,
      throttle: { rateLimit: settings.throttleRateLimit, burstLimit: settings.throttleBurstLimit },
    });

    // Alarms and a dashboard on the request path, and alarms before each of the warehouse's usage limits.
    this.alarmTopic = new ApiMonitoring(this, 'monitoring', {
      name,
      region,
      apiName: this.restApi.restApi.name,
      stageName: this.restApi.stage.stageName,
      functionName,
      transport,
      topicKmsKeyArn: this.key.arn,
      alarmEmail: settings.alarmEmail,
      warehouse: {
        workgroupName: redshift.workgroup.workgroupName,
        usageLimits: redshift.usageLimits,
        alarmPercent: config.warehouse.usageAlarmPercent,
      },
    }).alarmTopic;

    this.addOutputs({
      invoke_url: [this.restApi.invokeUrl, `${PREDICT_METHOD} here with an access token`],
      user_pool_id: [this.users.userPool.id, 'Cognito user pool'],
      machine_client_id: [this.users.machineClient.id, 'App client for machines (client credentials; secret in Cognito)'],
      people_client_id: [this.users.peopleClient.id, 'App client for people (authorization code + PKCE, no secret)'],
      token_endpoint: [this.users.tokenEndpoint, 'OAuth 2.0 token endpoint of the user pool domain'],
      predict_scope: [this.users.predictScope, 'The scope a token needs to call the API'],
      lambda_function_name: [this.prediction.function.functionName, 'The prediction Lambda'],
      lambda_role_name: [this.prediction.role.name, 'Its execution role (npm run warehouse:setup grants it the model)'],
      stage_arn: [this.restApi.stage.arn, 'API stage ARN (the WAF web ACL associates with it)'],
      alarm_topic_arn: [this.alarmTopic.arn, 'SNS topic of the API alarms'],
    });
  }
}
