/**
 * The permissions boundary of one environment: the most any role the pipeline's stacks create may
 * ever do, whatever policy the deployer writes into it. The deploy role may create and change roles
 * only when they carry it (policies.ts, ci-access.ts), so a deployer that rewrote a Lambda's policy
 * still could not reach beyond what the workloads do, nor touch IAM, Organizations or the account.
 */
import { expandAction } from '../../policy/iam-actions';
import { DOCUMENTED_REDSHIFT_ML_ACTIONS } from '../constructs/redshift-ml-role';
import { everyStateBucket, everyStateKeyCondition, keysOfAccount } from './ci-access';
import { namePrefix } from './names';
import { DeployTarget, PolicyStatement } from './policies';

/**
 * What the workload roles do, by role. `__tests__/deployer-policy.test.ts` checks, on a synth with
 * every optional feature on (and again with the postgres transport), that every action any of those
 * roles is granted, on the resources it names, is allowed here, and
 * that nothing here is unused.
 */
export const WORKLOAD_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  // network: VPC flow logs write to their log group.
  'VPC flow logs': ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams', 'logs:DescribeLogGroups'],
  // redshift: COPY and CREATE MODEL (AWS's documented list, and what the role adds for EXPLAIN_MODEL).
  'Redshift ML': [
    ...DOCUMENTED_REDSHIFT_ML_ACTIONS.filter((action) => action !== 'iam:PassRole'),
    'sagemaker:DescribeModel',
    'sagemaker:DescribeEndpointConfig',
    'sagemaker:DescribeEndpoint',
    'sagemaker:InvokeEndpoint',
  ],
  // api: the prediction Lambda, its logs and traces, and (LAMBDA_IN_VPC) its network interfaces.
  'prediction Lambda': [
    'logs:CreateLogStream',
    'logs:PutLogEvents',
    'xray:PutTraceSegments',
    'xray:PutTelemetryRecords',
    'redshift-data:ExecuteStatement',
    'redshift-data:DescribeStatement',
    'redshift-data:GetStatementResult',
    'redshift-data:CancelStatement',
    'redshift-serverless:GetCredentials',
    'kms:Decrypt',
    'ec2:CreateNetworkInterface',
    'ec2:DeleteNetworkInterface',
    'ec2:AssignPrivateIpAddresses',
    'ec2:UnassignPrivateIpAddresses',
    'ec2:DescribeNetworkInterfaces',
    'ec2:DescribeSubnets',
  ],
};

/** Redshift ML passes its own role to SageMaker for training; no workload passes a role anywhere else. */
export const ROLE_PASSED_BY_WORKLOADS_TO = 'sagemaker.amazonaws.com';

/**
 * Every IAM action that changes something (access level Write, Permissions management or Tagging)
 * but iam:PassRole, as one `iam:<Verb>*` pattern per leading verb. Derived from the IAM database, so
 * an action AWS adds later is denied too; a verb shared with a read-only action would stop synth.
 */
export function iamChangeActionPatterns(): string[] {
  const actions = expandAction('iam:*');
  if (typeof actions === 'string') throw new Error(actions);
  const changes = (a: { accessLevel: string }) => /Write|Permissions management|Tagging/.test(a.accessLevel);
  const verb = (name: string) => /^[A-Z][a-z]+/.exec(name)?.[0] ?? name;
  const verbs = [...new Set(actions.filter((a) => changes(a) && a.name !== 'PassRole').map((a) => verb(a.name)))].sort();
  for (const v of verbs) {
    const mixed = actions.find((a) => verb(a.name) === v && (!changes(a) || a.name === 'PassRole'));
    if (mixed) throw new Error(`iam:${v}* would also deny iam:${mixed.name}: list the ${v} actions one by one`);
  }
  return verbs.map((v) => `iam:${v}*`);
}

/**
 * Allows what the workload roles do, on what they reach: S3 in the environment's buckets only
 * (`<project>-<environment>-*`, every bucket the stacks create), KMS on the environment's keys (the
 * provider's default tags) and, through S3 only, on the key of the objects there: the dataset bucket
 * encrypts with the account's AWS managed key aws/s3, which cannot be tagged ("Tags in AWS KMS", AWS KMS
 * Developer Guide), and S3 decrypts with it on the role's behalf (kms:ViaService, "AWS KMS condition
 * keys"). Everything else on "*", in this region: each role's own policy names its resources, and
 * the security baseline checks those. Denied whatever a role's policy says: IAM, Organizations and
 * account changes, and every environment's state bucket and key (this environment's bucket matches
 * `<project>-<environment>-*` too).
 */
export function boundaryStatements(target: DeployTarget): PolicyStatement[] {
  const allowed = [...new Set(Object.values(WORKLOAD_ACTIONS).flat())].sort();
  const ofService = (service: string) => allowed.filter((action) => action.startsWith(`${service}:`));
  const inRegion = { StringEquals: { 'aws:RequestedRegion': target.region } };
  const buckets = `arn:${target.partition}:s3:::${namePrefix(target)}-*`;
  return [
    {
      Sid: 'WorkloadActions',
      Effect: 'Allow',
      Action: allowed.filter((action) => !/^(s3|kms):/.test(action)),
      Resource: ['*'],
      Condition: inRegion,
    },
    { Sid: 'EnvironmentBuckets', Effect: 'Allow', Action: ofService('s3'), Resource: [buckets, `${buckets}/*`], Condition: inRegion },
    {
      Sid: 'EnvironmentKeys',
      Effect: 'Allow',
      Action: ofService('kms'),
      Resource: [keysOfAccount(target)],
      Condition: { StringEquals: { 'aws:ResourceTag/project': target.project, 'aws:ResourceTag/environment': target.environment } },
    },
    {
      Sid: 'ObjectKeysThroughS3',
      Effect: 'Allow',
      Action: ['kms:Decrypt'],
      Resource: [keysOfAccount(target)],
      Condition: { StringEquals: { 'kms:ViaService': `s3.${target.region}.amazonaws.com` } },
    },
    {
      Sid: 'PassProjectRolesToSageMaker',
      Effect: 'Allow',
      Action: ['iam:PassRole'],
      Resource: [`arn:${target.partition}:iam::${target.account}:role/${namePrefix(target)}-*`],
      Condition: { StringEquals: { 'iam:PassedToService': ROLE_PASSED_BY_WORKLOADS_TO } },
    },
    {
      Sid: 'DenyIdentityAndAccountChanges',
      Effect: 'Deny',
      Action: [...iamChangeActionPatterns(), 'organizations:*', 'account:*'],
      Resource: ['*'],
    },
    { Sid: 'DenyStateBuckets', Effect: 'Deny', Action: ['s3:*'], Resource: [everyStateBucket(target)] },
    { Sid: 'DenyStateKeys', Effect: 'Deny', Action: ['kms:*'], Resource: [keysOfAccount(target, true)], Condition: everyStateKeyCondition },
  ];
}
