import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { RedshiftserverlessNamespace } from '@cdktf/provider-aws/lib/redshiftserverless-namespace';
import { RedshiftserverlessUsageLimit } from '@cdktf/provider-aws/lib/redshiftserverless-usage-limit';
import { RedshiftserverlessWorkgroup } from '@cdktf/provider-aws/lib/redshiftserverless-workgroup';
import { DataResource, TerraformLocal } from 'cdktf';
import { Construct } from 'constructs';
import { Config, UsageLimitConfig } from './config';
import { cloudWatchLogsMayEncrypt, CustomerManagedKey } from './constructs/customer-managed-key';
import { RedshiftMlRole } from './constructs/redshift-ml-role';
import { SecureBucket } from './constructs/secure-bucket';
import { NetworkStack, REDSHIFT_PORT } from './network-stack';
import { RULE, suppressRule } from '../policy/suppress';
import { ProjectStack } from './project-stack';

/** Every audit log Redshift Serverless can export; the security baseline (LR-RS-002) asks for all three. */
export const LOG_EXPORTS = ['useractivitylog', 'userlog', 'connectionlog'] as const;

/**
 * Redshift deletes CREATE MODEL's staging data when training ends (S3_GARBAGE_COLLECT is on by
 * default); this expiry removes what a failed or abandoned training run leaves behind.
 */
export const TRAINING_ARTIFACT_EXPIRATION_DAYS = 30;

/**
 * The warehouse: a Redshift Serverless namespace and workgroup in the private subnets, encrypted with
 * the stack's own KMS key, with a managed admin password (never in Terraform state), all audit logs,
 * a daily compute cap, and the least-privilege role that Redshift ML uses for COPY and CREATE MODEL.
 *
 * Loading the table, training the model and granting the Lambda access are SQL, run by
 * `npm run warehouse:setup` from `sql/` after this stack is deployed.
 */
export class RedshiftStack extends ProjectStack {
  readonly key: KmsKey;
  readonly mlRole: RedshiftMlRole;
  readonly artifactsBucket: SecureBucket;
  readonly namespace: RedshiftserverlessNamespace;
  readonly workgroup: RedshiftserverlessWorkgroup;
  /**
   * The names the warehouse SQL created, as Terraform values of this stack, so a consumer (the api
   * stack) reads what this stack was deployed with, through remote state, not its own configuration.
   */
  readonly sqlNames: { readonly table: string; readonly predictionFunction: string };
  /** The workgroup's daily usage limits and their ids (the api stack alarms on each before it is reached). */
  readonly usageLimits: readonly (UsageLimitConfig & { readonly id: string })[];

  constructor(
    scope: Construct,
    /** The network the workgroup runs in (the api stack reaches it through this stack). */
    readonly network: NetworkStack,
    config: Config,
  ) {
    super(scope, 'redshift', config);
    const warehouse = config.warehouse;
    const name = config.namePrefix;
    const { partition, accountId, rootArn } = this.account;

    const region = config.region;
    // CloudWatch Logs encrypts as itself, so it gets its own statement, limited to this namespace's
    // audit log groups; everything else uses the key on behalf of IAM principals.
    this.key = new CustomerManagedKey(this, 'key', {
      description: `${name} warehouse: namespace data, admin secret, model artifacts, audit logs`,
      accountRootArn: rootArn,
      serviceStatements: [
        cloudWatchLogsMayEncrypt(
          'CloudWatchLogsEncryptsWarehouseAuditLogs',
          region,
          `arn:${partition}:logs:${region}:${accountId}:log-group:/aws/redshift/${name}/*`,
        ),
      ],
    }).key;

    this.artifactsBucket = new SecureBucket(this, 'model-artifacts-bucket', {
      bucketPrefix: `${name}-model-`,
      encryption: this.key.arn,
      expirationDays: TRAINING_ARTIFACT_EXPIRATION_DAYS,
      noncurrentVersionExpirationDays: 7,
      accessLogs: { bucket: network.accessLogsBucket.bucket.bucket, prefix: 'model-artifacts-bucket/' },
      forceDestroy: config.environment === 'dev',
    });

    this.mlRole = new RedshiftMlRole(this, 'redshift-ml-role', {
      roleName: `${name}-redshift-ml`,
      partition,
      region: config.region,
      accountId,
      dataset: { bucketArn: network.datasetBucket.bucket.arn, objectKey: network.datasetObject.key },
      artifactsBucketArn: this.artifactsBucket.bucket.arn,
      keyArn: this.key.arn,
      permissionsBoundary: this.permissionsBoundary(accountId),
    });

    // Created before the namespace so Redshift exports into them (retention, encryption) instead of
    // creating its own never-expiring, unencrypted groups.
    const auditLogGroups = LOG_EXPORTS.map(
      (logType) =>
        new CloudwatchLogGroup(this, `${logType}-log-group`, {
          name: `/aws/redshift/${name}/${logType}`,
          retentionInDays: config.logRetentionDays,
          kmsKeyId: this.key.arn,
        }),
    );

    // Two namespace changes the AWS provider cannot make in place: a new admin user name with a managed
    // password (UpdateNamespace is sent without the password it requires, hashicorp/terraform-provider-aws
    // #39266) and a new KMS key (kms_key_id and admin_password_secret_kms_key_id change together, which
    // UpdateNamespace refuses: "can't update multiple configurations at the same time", #39249, #45683).
    // Either one replaces the namespace and its workgroup on purpose, in one plan, instead of failing
    // half-way through an apply. Replacing the namespace deletes the warehouse's data: docs/operations.md,
    // "Changes that replace the warehouse".
    const namespaceIdentity = new DataResource(this, 'namespace-identity', {
      triggersReplace: { admin_username: warehouse.adminUsername, kms_key_arn: this.key.arn },
    });
    // A bare address: Terraform's JSON syntax takes no "${...}" in replace_triggered_by.
    const replacedWithIdentity = { replaceTriggeredBy: [`${DataResource.tfResourceType}.${namespaceIdentity.friendlyUniqueId}`] };

    this.namespace = new RedshiftserverlessNamespace(this, 'namespace', {
      namespaceName: name,
      dbName: warehouse.database,
      adminUsername: warehouse.adminUsername,
      // Redshift generates the password and keeps it in Secrets Manager, encrypted with our key.
      manageAdminPassword: true,
      adminPasswordSecretKmsKeyId: this.key.arn,
      kmsKeyId: this.key.arn,
      defaultIamRoleArn: this.mlRole.role.arn,
      iamRoles: [this.mlRole.role.arn],
      logExports: [...LOG_EXPORTS],
      dependsOn: auditLogGroups,
      lifecycle: replacedWithIdentity,
    });

    this.workgroup = new RedshiftserverlessWorkgroup(this, 'workgroup', {
      workgroupName: name,
      namespaceName: this.namespace.namespaceName,
      // A namespace with a workgroup cannot be deleted, so the workgroup goes with it.
      lifecycle: replacedWithIdentity,
      baseCapacity: warehouse.baseCapacity,
      maxCapacity: warehouse.maxCapacity,
      subnetIds: network.privateSubnets.map((subnet) => subnet.id),
      securityGroupIds: [network.redshiftSecurityGroup.id],
      publiclyAccessible: false,
      // The default port, stated: the network stack's security-group rules open exactly this one.
      port: REDSHIFT_PORT,
      // Enhanced VPC routing stays off. With it on, every COPY and CREATE MODEL call leaves through the
      // VPC: S3 works through the gateway endpoint, but CREATE MODEL also calls the SageMaker API, which
      // this network cannot reach (no NAT by default, no SageMaker interface endpoint, and the Redshift
      // security group allows HTTPS only to S3 and the VPC). Off, Redshift reaches S3 and SageMaker over
      // the AWS network; access stays limited by the ML role and the TLS-only bucket policies. To turn
      // it on, first add `sagemaker.api` interface endpoints to the network stack (about 22 USD/month).
      enhancedVpcRouting: false,
      // All nine keys AWS reports back, so plans show no drift; the security ones are ours.
      configParameter: Object.entries({
        require_ssl: 'true',
        use_fips_ssl: 'false',
        enable_user_activity_logging: 'true',
        max_query_execution_time: String(warehouse.queryTimeoutSeconds),
        // The warehouse SQL relies on unquoted-equals-quoted lowercase names.
        enable_case_sensitive_identifier: 'false',
        search_path: `$user, ${warehouse.schema}`,
        auto_mv: 'true',
        datestyle: 'ISO, MDY',
        query_group: 'default',
      }).map(([parameterKey, parameterValue]) => ({ parameterKey, parameterValue })),
    });
    suppressRule(
      this.workgroup,
      RULE.RedshiftEnhancedVpcRouting,
      'CREATE MODEL calls the SageMaker API, which this VPC cannot reach (no NAT, no sagemaker.api endpoint); ' +
        'see the comment on enhanced_vpc_routing',
    );

    // The budget keeps its first address; the hard cap (prod) is a second, deactivating limit above it.
    this.usageLimits = warehouse.usageLimits.map((limit) => ({
      ...limit,
      id: new RedshiftserverlessUsageLimit(this, limit.name === 'budget' ? 'daily-compute-limit' : 'daily-compute-hard-cap', {
        resourceArn: this.workgroup.arn,
        usageType: 'serverless-compute',
        period: 'daily',
        amount: limit.rpuHours,
        breachAction: limit.breachAction,
      }).id,
    }));

    this.sqlNames = {
      table: new TerraformLocal(this, 'qualified_table', `${warehouse.schema}.${warehouse.table}`).asString,
      predictionFunction: new TerraformLocal(this, 'qualified_prediction_function', `${warehouse.schema}.${warehouse.predictionFunction}`)
        .asString,
    };

    this.addOutputs({
      workgroup_name: [this.workgroup.workgroupName, 'Redshift Serverless workgroup (Data API WorkgroupName)'],
      workgroup_arn: [this.workgroup.arn, 'Workgroup ARN (scope of redshift-data:ExecuteStatement)'],
      namespace_name: [this.namespace.namespaceName, 'Redshift Serverless namespace'],
      database_name: [this.namespace.dbName, 'Database that holds the table and the model'],
      admin_secret_arn: [this.namespace.adminPasswordSecretArn, 'Secrets Manager secret with the admin credentials'],
      ml_role_arn: [this.mlRole.role.arn, 'Role Redshift ML uses for COPY and CREATE MODEL (IAM_ROLE default)'],
      artifacts_bucket_name: [this.artifactsBucket.bucket.bucket, 'Bucket for CREATE MODEL training artifacts'],
      kms_key_arn: [this.key.arn, 'KMS key of the namespace, its admin secret, the artifacts bucket and audit logs'],
      kms_key_id: [this.key.keyId, 'KMS key id for CREATE MODEL KMS_KEY_ID'],
      dataset_uri: [
        `s3://${network.datasetBucket.bucket.bucket}/${network.datasetObject.key}`,
        'The CSV that COPY loads',
      ],
      schema_name: [warehouse.schema, 'Schema of the table and the model'],
      table_name: [warehouse.table, 'Table with the loan-remediation outcomes'],
      model_name: [warehouse.model, 'Redshift ML model'],
      prediction_function: [warehouse.predictionFunction, 'SQL function CREATE MODEL installs'],
      model_max_runtime_seconds: [warehouse.modelMaxRuntimeSeconds, 'CREATE MODEL MAX_RUNTIME'],
    });
  }
}
