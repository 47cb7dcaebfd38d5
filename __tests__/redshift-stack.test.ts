import './helpers/cdktf-matchers';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { RedshiftserverlessNamespace } from '@cdktf/provider-aws/lib/redshiftserverless-namespace';
import { RedshiftserverlessUsageLimit } from '@cdktf/provider-aws/lib/redshiftserverless-usage-limit';
import { RedshiftserverlessWorkgroup } from '@cdktf/provider-aws/lib/redshiftserverless-workgroup';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { App } from 'cdktf';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildStacks } from '../stacks/app';
import { loadConfig } from '../stacks/config';
import { DOCUMENTED_REDSHIFT_ML_ACTIONS } from '../stacks/constructs/redshift-ml-role';
import { LOG_EXPORTS, TRAINING_ARTIFACT_EXPIRATION_DAYS } from '../stacks/redshift-stack';
import { expandAction } from '../policy/iam-actions';
import { parse } from './helpers/synth';

interface PolicyStatement {
  Sid?: string;
  Effect: string;
  Principal?: { AWS?: string; Service?: string | string[] };
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string>>;
}

const asList = (value: string | string[]): string[] => (Array.isArray(value) ? value : [value]);

/** Synthesizes the whole app, as `cdktf synth` does, so references to the network stack become remote state. */
function synthRedshift(env: Record<string, string> = {}) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'redshift-stack-'));
  const app = new App({ outdir });
  buildStacks(app, loadConfig(env));
  app.synth();
  const json = fs.readFileSync(path.join(outdir, 'stacks', 'redshift', 'cdk.tf.json'), 'utf8');
  fs.rmSync(outdir, { recursive: true, force: true });
  const parsed = parse(json);
  const only = (type: string) => Object.values(parsed.resource[type])[0];
  const statements = (type: string, attribute: string): PolicyStatement[] =>
    (JSON.parse(String(only(type)[attribute])) as { Statement: PolicyStatement[] }).Statement;
  const config = (key: string) =>
    (only('aws_redshiftserverless_workgroup').config_parameter as { parameter_key: string; parameter_value: string }[]).find(
      (p) => p.parameter_key === key,
    )?.parameter_value;
  return { json, parsed, only, statements, config };
}

describe('redshift stack with the default configuration', () => {
  const { json, parsed, only, statements, config } = synthRedshift();
  const key = '${aws_kms_key.key.arn}';
  const mlRole = '${aws_iam_role.redshift-ml-role.arn}';
  const network = (output: string) =>
    `\${data.terraform_remote_state.cross-stack-reference-input-network.outputs.cross-stack-output-${output}}`;

  test('the namespace keeps its admin password in Secrets Manager, never in Terraform state', () => {
    expect(json).toHaveResourceWithProperties(RedshiftserverlessNamespace, {
      manage_admin_password: true,
      admin_password_secret_kms_key_id: key,
      admin_username: 'warehouse_admin',
      db_name: 'loans',
    });
    const namespace = only('aws_redshiftserverless_namespace');
    expect(namespace).not.toHaveProperty('admin_user_password');
    expect(namespace).not.toHaveProperty('admin_user_password_wo');
  });

  test('the namespace is encrypted with the stack key by ARN and exports every audit log', () => {
    expect(json).toHaveResourceWithProperties(RedshiftserverlessNamespace, {
      kms_key_id: key,
      log_exports: ['useractivitylog', 'userlog', 'connectionlog'],
    });
  });

  test('a new admin user name or key replaces the namespace and its workgroup on purpose (the provider cannot update them)', () => {
    expect(parsed.resource.terraform_data['namespace-identity']).toMatchObject({
      triggers_replace: { admin_username: 'warehouse_admin', kms_key_arn: key },
    });
    for (const type of ['aws_redshiftserverless_namespace', 'aws_redshiftserverless_workgroup']) {
      expect(only(type).lifecycle).toEqual({ replace_triggered_by: ['terraform_data.namespace-identity'] });
    }
  });

  test('the ML role is the default role and one of the namespace roles', () => {
    expect(json).toHaveResourceWithProperties(RedshiftserverlessNamespace, {
      default_iam_role_arn: mlRole,
      iam_roles: [mlRole],
    });
  });

  test('audit log groups exist before the namespace, with retention and the stack key', () => {
    for (const logType of LOG_EXPORTS) {
      expect(json).toHaveResourceWithProperties(CloudwatchLogGroup, {
        name: `/aws/redshift/loan-remediation-dev/${logType}`,
        retention_in_days: 365,
        kms_key_id: key,
      });
    }
    expect(only('aws_redshiftserverless_namespace').depends_on).toEqual(
      LOG_EXPORTS.map((logType) => `aws_cloudwatch_log_group.${logType}-log-group`),
    );
  });

  test('the workgroup sits in the private subnets behind the Redshift security group, not public', () => {
    expect(json).toHaveResourceWithProperties(RedshiftserverlessWorkgroup, {
      workgroup_name: 'loan-remediation-dev',
      namespace_name: '${aws_redshiftserverless_namespace.namespace.namespace_name}',
      subnet_ids: [1, 2, 3].map((i) => network(`aws_subnetprivate-subnet-${i}id`)),
      security_group_ids: [network('aws_security_groupredshift-security-groupid')],
      publicly_accessible: false,
      enhanced_vpc_routing: false,
      base_capacity: 8,
    });
    expect(only('aws_redshiftserverless_workgroup')).not.toHaveProperty('max_capacity');
  });

  test('the workgroup requires TLS, logs user activity and caps query time', () => {
    expect(config('require_ssl')).toBe('true');
    expect(config('enable_user_activity_logging')).toBe('true');
    expect(config('max_query_execution_time')).toBe('3600');
    expect(config('search_path')).toBe('$user, public');
    expect(config('enable_case_sensitive_identifier')).toBe('false');
  });

  test('a daily usage limit stops queries once the RPU-hours are spent', () => {
    expect(json).toHaveResourceWithProperties(RedshiftserverlessUsageLimit, {
      resource_arn: '${aws_redshiftserverless_workgroup.workgroup.arn}',
      usage_type: 'serverless-compute',
      period: 'daily',
      amount: 24,
      breach_action: 'deactivate',
    });
  });

  test('the key rotates and its policy names the account root and CloudWatch Logs for our log groups only', () => {
    expect(json).toHaveResourceWithProperties(KmsKey, { enable_key_rotation: true });
    const [account, logs] = statements('aws_kms_key', 'policy');
    expect(account.Principal).toEqual({
      AWS: 'arn:${data.aws_partition.partition.partition}:iam::${data.aws_caller_identity.account.account_id}:root',
    });
    expect(logs.Principal).toEqual({ Service: 'logs.us-east-1.amazonaws.com' });
    expect(logs.Condition?.ArnLike['kms:EncryptionContext:aws:logs:arn']).toBe(
      'arn:${data.aws_partition.partition.partition}:logs:us-east-1:${data.aws_caller_identity.account.account_id}:log-group:/aws/redshift/loan-remediation-dev/*',
    );
  });

  test('the artifacts bucket is locked down, encrypted with the stack key and expires training leftovers', () => {
    expect(json).toHaveResourceWithProperties(S3BucketPublicAccessBlock, {
      bucket: '${aws_s3_bucket.model-artifacts-bucket.id}',
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(json).toHaveResourceWithProperties(S3BucketServerSideEncryptionConfigurationA, {
      rule: [
        { apply_server_side_encryption_by_default: { sse_algorithm: 'aws:kms', kms_master_key_id: key }, bucket_key_enabled: true },
      ],
    });
    expect(json).toHaveResourceWithProperties(S3BucketLifecycleConfiguration, {
      rule: [expect.objectContaining({ expiration: [{ days: TRAINING_ARTIFACT_EXPIRATION_DAYS }] })],
    });
  });

  test('the one exception to the security baseline is written next to its resource', () => {
    const suppressions = (type: string) =>
      Object.keys((only(type) as { '//': { suppressions?: object } })['//'].suppressions ?? {});
    expect(suppressions('aws_s3_bucket')).toEqual([]);
    expect(suppressions('aws_redshiftserverless_workgroup')).toEqual(['LR-RS-008']);
  });

  test('the artifacts bucket logs access to the network stack\'s access-logs bucket', () => {
    expect(only('aws_s3_bucket_logging')).toMatchObject({
      target_bucket: expect.stringMatching(/^\$\{data\.terraform_remote_state\.[\w-]+\.outputs\./),
      target_prefix: 'model-artifacts-bucket/',
    });
  });

  describe('the ML role (least privilege)', () => {
    const trust = statements('aws_iam_role', 'assume_role_policy');
    const policy = statements('aws_iam_role_policy', 'policy');
    const bySid = (sid: string) => policy.find((s) => s.Sid === sid);

    test('is trusted by Redshift, Redshift Serverless and SageMaker only', () => {
      expect(trust).toHaveLength(1);
      expect(trust[0].Action).toBe('sts:AssumeRole');
      expect(trust[0].Principal).toEqual({
        Service: ['redshift.amazonaws.com', 'redshift-serverless.amazonaws.com', 'sagemaker.amazonaws.com'],
      });
    });

    test('carries no managed policy at all', () => {
      expect(json).not.toHaveResource(IamRolePolicyAttachment);
      expect(only('aws_iam_role')).not.toHaveProperty('managed_policy_arns');
    });

    test('allows no wildcard action', () => {
      const actions = policy.flatMap((s) => asList(s.Action));
      expect(actions.filter((a) => a === '*' || a.endsWith(':*'))).toEqual([]);
    });

    test('uses Resource "*" only with a condition', () => {
      const unconditioned = policy.filter((s) => asList(s.Resource).includes('*') && s.Condition === undefined);
      expect(unconditioned).toEqual([]);
    });

    test('reads exactly the dataset object and writes only to the artifacts bucket', () => {
      expect(bySid('ReadDatasetObject')?.Resource).toEqual([
        `${network('aws_s3_bucketdataset-bucketarn')}/${network('aws_s3_objectdataset-objectkey')}`,
      ]);
      const writes = policy.filter((s) => asList(s.Action).some((a) => /^s3:(Put|Delete)/.test(a)));
      expect(writes.flatMap((s) => asList(s.Resource))).toEqual(['${aws_s3_bucket.model-artifacts-bucket.arn}/*']);
    });

    test('runs SageMaker jobs only in this account and region', () => {
      const sagemakerResources = policy
        .filter((s) => asList(s.Action).some((a) => a.startsWith('sagemaker:')))
        .flatMap((s) => asList(s.Resource))
        .filter((r) => r !== '*');
      expect(sagemakerResources.length).toBeGreaterThan(0);
      for (const resource of sagemakerResources) {
        expect(resource).toMatch(
          /^arn:\$\{data\.aws_partition\.partition\.partition\}:sagemaker:us-east-1:\$\{data\.aws_caller_identity\.account\.account_id\}:([a-z-]+\/)?\*$/,
        );
      }
    });

    test('grants every action of AWS\'s documented Redshift ML policy, and every action it names exists', () => {
      const expand = (pattern: string): string[] => {
        const actions = expandAction(pattern);
        if (typeof actions === 'string') throw new Error(actions);
        return actions.map((action) => `${pattern.split(':')[0]}:${action.name}`.toLowerCase());
      };
      const granted = new Set(policy.flatMap((s) => asList(s.Action)).flatMap(expand));
      const documented = DOCUMENTED_REDSHIFT_ML_ACTIONS.flatMap(expand);
      expect(documented.length).toBeGreaterThan(DOCUMENTED_REDSHIFT_ML_ACTIONS.length);
      expect(documented.filter((action) => !granted.has(action))).toEqual([]);
      expect(granted).toContain('sagemaker:createautomljobv2');
      expect(granted).toContain('kms:generatedatakeywithoutplaintext');
    });

    test('passes only itself, and only to SageMaker', () => {
      const passRole = policy.filter((s) => asList(s.Action).includes('iam:PassRole'));
      expect(passRole).toEqual([
        expect.objectContaining({
          Resource: [mlRole],
          Condition: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
        }),
      ]);
    });

    test('uses the stack key and no other', () => {
      const kmsResources = policy.filter((s) => asList(s.Action).some((a) => a.startsWith('kms:'))).flatMap((s) => s.Resource);
      expect(new Set(kmsResources)).toEqual(new Set([key]));
    });
  });

  test('outputs give the scripts and the api stack everything they need', () => {
    const [crossStack, named] = [true, false].map((generated) =>
      Object.keys(parsed.output ?? {}).filter((name) => name.startsWith('cross-stack-output-') === generated),
    );
    // What the api stack reads through remote state (cdktf names these outputs itself).
    expect(crossStack.sort()).toEqual([
      'cross-stack-output-aws_redshiftserverless_namespacenamespacedb_name',
      'cross-stack-output-aws_redshiftserverless_usage_limitdaily-compute-limitid',
      'cross-stack-output-aws_redshiftserverless_workgroupworkgrouparn',
      'cross-stack-output-aws_redshiftserverless_workgroupworkgroupworkgroup_name',
      'cross-stack-output-localqualified_prediction_function',
      'cross-stack-output-localqualified_table',
    ]);
    expect(named.sort()).toEqual(
      [
        'admin_secret_arn',
        'artifacts_bucket_name',
        'database_name',
        'dataset_uri',
        'kms_key_arn',
        'kms_key_id',
        'ml_role_arn',
        'model_max_runtime_seconds',
        'model_name',
        'namespace_name',
        'prediction_function',
        'schema_name',
        'table_name',
        'workgroup_arn',
        'workgroup_name',
      ].sort(),
    );
    expect(parsed.output?.admin_secret_arn.value).toBe('${aws_redshiftserverless_namespace.namespace.admin_password_secret_arn}');
    expect(parsed.output?.dataset_uri.value).toBe(
      `s3://${network('aws_s3_bucketdataset-bucketbucket')}/${network('aws_s3_objectdataset-objectkey')}`,
    );
    expect(parsed.output?.table_name.value).toBe('loan_remediation');
    expect(parsed.output?.prediction_function.value).toBe('ml_fn_prediction');
  });
});

test('prod: a budget that reports and, above it, a hard cap that turns queries off', () => {
  const { parsed } = synthRedshift({ ENVIRONMENT: 'prod', REDSHIFT_DAILY_RPU_HOURS: '30' });
  const limits = parsed.resource.aws_redshiftserverless_usage_limit;
  expect(Object.fromEntries(Object.entries(limits).map(([name, limit]) => [name, [limit.period, limit.amount, limit.breach_action]]))).toEqual({
    'daily-compute-limit': ['daily', 30, 'emit-metric'],
    'daily-compute-hard-cap': ['daily', 60, 'deactivate'],
  });
});

describe('redshift stack with configured capacity, limits and names', () => {
  const { json, config } = synthRedshift({
    REDSHIFT_BASE_CAPACITY: '16',
    REDSHIFT_MAX_CAPACITY: '64',
    REDSHIFT_DAILY_RPU_HOURS: '48',
    REDSHIFT_USAGE_BREACH_ACTION: 'emit-metric',
    REDSHIFT_ADMIN_USERNAME: 'dw_owner',
    REDSHIFT_DATABASE: 'lending',
    REDSHIFT_SCHEMA: 'ml',
    QUERY_TIMEOUT_SECONDS: '600',
  });

  test('capacity, usage limit, names and timeout follow the configuration', () => {
    expect(json).toHaveResourceWithProperties(RedshiftserverlessWorkgroup, { base_capacity: 16, max_capacity: 64 });
    expect(json).toHaveResourceWithProperties(RedshiftserverlessUsageLimit, { amount: 48, breach_action: 'emit-metric' });
    expect(json).toHaveResourceWithProperties(RedshiftserverlessNamespace, { admin_username: 'dw_owner', db_name: 'lending' });
    expect(config('max_query_execution_time')).toBe('600');
    expect(config('search_path')).toBe('$user, ml');
  });
});
