/**
 * The generated deployer and plan policies (stacks/deployer/): every Terraform type the pipeline's
 * stacks synthesize, with every optional feature on and again with the postgres transport, has its
 * actions; every action exists in the IAM database and no grant is a wildcard; every policy fits
 * IAM's limits for the longest names; the plan policy only reads; names the stacks give their
 * resources fall inside the scopes, the state bucket outside; the boundary allows exactly what the
 * workload roles do, on what they reach, in both synths; docs/operations.md's section is what the
 * code generates.
 */
import { App, Testing } from 'cdktf';
import * as fs from 'fs';
import * as path from 'path';
import { expandAction } from '../policy/iam-actions';
import { LONGEST_NAMES, PERMISSIONS_DOC, PERMISSIONS_COMMAND, permissionsSection, withPermissionsSection } from '../scripts/deployer/permissions-doc';
import { EVERY_FEATURE_ON, FEATURE_SYNTHS, synthesizeFeatures, typesOf } from '../scripts/deployer/synthesized-types';
import { buildStacks } from '../stacks/app';
import { loadConfig } from '../stacks/config';
import { ROLE_PASSED_BY_WORKLOADS_TO, WORKLOAD_ACTIONS, boundaryStatements, iamChangeActionPatterns } from '../stacks/deployer/boundary';
import {
  DeployTarget,
  IAM_LIMITS,
  actionsOf,
  deployerStatements,
  entriesOf,
  iamAction,
  planStatements,
  policySize,
  splitIntoPolicies,
} from '../stacks/deployer/policies';
import { stateStatements } from '../stacks/deployer/ci-access';
import { ACTION_KINDS, DEPLOYER_ACTIONS, PIPELINE_TYPES, hasActions } from '../stacks/deployer/resource-actions';
import { PIPELINE_STACKS } from '../stacks/project-stack';
import { evaluate } from './helpers/iam-evaluator';
import { workloadRequests } from './helpers/workload-requests';

jest.setTimeout(120_000);

/** The synths the deployer covers (every feature on, and again with the postgres transport), parsed. */
const synths = synthesizeFeatures();
const stackJson = (stack: string) => synths[0].stacks[stack];
const types = typesOf(synths);
const everyType = [...new Set(Object.values(types).flat())].sort();
const TARGET: DeployTarget = { partition: 'aws', region: 'us-east-1', account: '123456789012', project: 'loan-remediation', environment: 'dev' };
const deploy = deployerStatements(PIPELINE_TYPES, TARGET);
const plan = planStatements(PIPELINE_TYPES, TARGET);

describe('the table covers every Terraform type the pipeline synthesizes', () => {
  test('synthesizedTypes lists the types of the four pipeline stacks, data sources as data.<type>', () => {
    expect(Object.keys(types)).toEqual([...PIPELINE_STACKS]);
    expect(types.network).toContain('aws_nat_gateway');
    expect(types.api).toEqual(expect.arrayContaining(['aws_security_group', 'aws_sns_topic_subscription', 'data.terraform_remote_state']));
  });

  test('every synthesized type has an entry, and every entry is a synthesized type (no stale entry)', () => {
    expect(everyType.filter((type) => DEPLOYER_ACTIONS[type] === undefined)).toEqual([]);
    expect(PIPELINE_TYPES.filter((type) => !everyType.includes(type))).toEqual([]);
  });

  test('a type missing from the table stops the generator with its name', () => {
    expect(() => deployerStatements([...PIPELINE_TYPES, 'aws_sqs_queue'], TARGET)).toThrow(
      'stacks/deployer/resource-actions.ts has no entry for aws_sqs_queue: add what deploying them needs',
    );
  });

  const render = (env: Readonly<Record<string, string>>) => {
    // Testing.app's output folder is removed by the shared setup; nothing is written to it here.
    const stacks = buildStacks(Testing.app() as App, loadConfig(env));
    return JSON.stringify(PIPELINE_STACKS.map((stack) => stacks[stack as keyof typeof stacks].toTerraform()));
  };

  test.each(Object.keys(EVERY_FEATURE_ON))('%s still changes what the pipeline stacks synthesize', (setting) => {
    const without = Object.fromEntries(Object.entries(EVERY_FEATURE_ON).filter(([name]) => name !== setting));
    expect(render(without)).not.toEqual(render(EVERY_FEATURE_ON));
  });

  test('each synth of FEATURE_SYNTHS synthesizes something the others do not (the postgres transport: its own Lambda policy and network)', () => {
    const rendered = Object.values(FEATURE_SYNTHS).map(render);
    expect(new Set(rendered).size).toBe(rendered.length);
    expect(synths.map((synth) => synth.config.api.warehouseTransport)).toEqual(['data-api', 'postgres']);
  });
});

describe('every entry names real actions, by what they do', () => {
  const entries = Object.entries(DEPLOYER_ACTIONS).filter((pair): pair is [string, Extract<(typeof pair)[1], { read: unknown }>] => hasActions(pair[1]));

  test.each(entries.map(([type]) => type))('%s: every action exists in the IAM database, named in full; it is read on every plan', (type) => {
    const entry = DEPLOYER_ACTIONS[type];
    if (!hasActions(entry)) throw new Error('not an entry with actions');
    const actions = ACTION_KINDS.flatMap((kind) => entry[kind]);
    expect(actions.filter((action) => /[*?]/.test(action))).toEqual([]);
    expect(actions.filter((action) => typeof expandAction(action) === 'string')).toEqual([]);
    expect(entry.read.length).toBeGreaterThan(0);
    expect(entry.create.length).toBeGreaterThan(0);
  });

  test('an entry without actions says why no AWS call is made', () => {
    const none = Object.entries(DEPLOYER_ACTIONS).filter(([, entry]) => !hasActions(entry));
    expect(none.map(([type]) => type).sort()).toEqual([
      'data.aws_caller_identity',
      'data.aws_iam_policy_document',
      'data.aws_partition',
      'data.aws_region',
      'data.terraform_remote_state',
      'terraform_data',
    ]);
    for (const [, entry] of none) expect(!hasActions(entry) && entry.none.length).toBeGreaterThan(10);
  });

  test('an unknown action or a pattern stops the generator', () => {
    expect(() => iamAction('ec2:CreateVpcs')).toThrow('ec2:CreateVpcs is not an IAM action');
    expect(() => iamAction('ec2:Describe*')).toThrow('ec2:Describe*: name the action, not a pattern');
  });
});

describe('the generated policies', () => {
  const allows = [...deploy, ...plan].filter((s) => s.Effect === 'Allow');

  test('grant no wildcard action: every action named, none service-wide', () => {
    const actions = allows.flatMap((s) => s.Action ?? []);
    expect(actions.filter((a) => /[*?]/.test(a))).toEqual([]);
    expect(actions.filter((a) => typeof expandAction(a) === 'string')).toEqual([]);
    expect(allows.filter((s) => s.NotAction !== undefined)).toEqual([]);
  });

  test('use Resource "*" only for actions IAM gives no resource type, always held to the region', () => {
    const onAnything = allows.filter((s) => s.Resource.includes('*'));
    expect(onAnything.length).toBeGreaterThan(0);
    for (const statement of onAnything) {
      expect(statement.Resource).toEqual(['*']);
      expect(statement.Condition?.StringEquals?.['aws:RequestedRegion']).toBe('us-east-1');
      for (const action of statement.Action ?? []) expect([action, iamAction(action).resourceTypes]).toEqual([action, []]);
    }
  });

  test('the plan policy only reads: every action is a Read or List action of the table\'s read column', () => {
    const actions = plan.flatMap((s) => s.Action ?? []);
    expect(actions.filter((a) => !/^(Read|List)$/.test(iamAction(a).accessLevel))).toEqual([]);
    expect([...new Set(actions)].sort()).toEqual(actionsOf(entriesOf(PIPELINE_TYPES), ['read']));
  });

  test('fit IAM: every managed policy under 6,144 characters and at most 10 per role, for the longest names', () => {
    expect(LONGEST_NAMES.project).toHaveLength(20);
    expect(() => loadConfig({ PROJECT_NAME: LONGEST_NAMES.project, ENVIRONMENT: LONGEST_NAMES.environment, AWS_REGION: LONGEST_NAMES.region })).not.toThrow();
    for (const build of [(t: DeployTarget) => deployerStatements(PIPELINE_TYPES, t), (t: DeployTarget) => planStatements(PIPELINE_TYPES, t)]) {
      const documents = splitIntoPolicies(build, LONGEST_NAMES);
      expect(documents.length).toBeLessThanOrEqual(IAM_LIMITS.managedPoliciesPerRole);
      for (const document of documents) expect(policySize(document)).toBeLessThanOrEqual(IAM_LIMITS.managedPolicyCharacters);
      // Nothing is lost or repeated by the split.
      expect(documents.flatMap((d) => d.Statement.flatMap((s) => s.Action ?? [])).sort()).toEqual(build(LONGEST_NAMES).flatMap((s) => s.Action ?? []).sort());
    }
  });

  test('the split is decided on the longest values Terraform expressions can take, and halves a statement too big alone', () => {
    const expressions = { ...LONGEST_NAMES, partition: '${data.aws_partition.partition.partition}', account: '${data.aws_caller_identity.account.account_id}' };
    const build = (t: DeployTarget) => deployerStatements(PIPELINE_TYPES, t);
    expect(splitIntoPolicies(build, expressions).length).toBe(splitIntoPolicies(build, LONGEST_NAMES).length);
    const tight = splitIntoPolicies(build, TARGET, 1_500);
    for (const document of tight) expect(policySize(document)).toBeLessThanOrEqual(1_500);
    expect(tight.flatMap((d) => d.Statement.map((s) => s.Sid))).toContain('Ec2A');
  });
});

describe('names the stacks give their resources fall inside the scopes', () => {
  const allowed = (action: string, resource: string, context: Record<string, string> = {}) => evaluate(deploy, { action, resource, context });
  const prefix = 'loan-remediation-dev';
  const named = (stack: string, type: string, attribute: string): string[] =>
    Object.values((stackJson(stack).resource?.[type] ?? {}) as Record<string, Record<string, string>>).map((r) => r[attribute]);

  test('buckets (by their prefix), the dataset object, roles, log groups, the function, topic, alarms, dashboard and web ACL', () => {
    const arn = (service: string, resource: string) => `arn:aws:${service}:us-east-1:123456789012:${resource}`;
    const checks: [string, string][] = [
      ...['network', 'redshift'].flatMap((s) => named(s, 'aws_s3_bucket', 'bucket_prefix')).map((p): [string, string] => ['s3:DeleteBucket', `arn:aws:s3:::${p}abc123`]),
      ['s3:PutObject', `arn:aws:s3:::${named('network', 'aws_s3_bucket', 'bucket_prefix').find((p) => p.includes('dataset'))}abc/${named('network', 'aws_s3_object', 'key')[0]}`],
      ...['network', 'redshift', 'api'].flatMap((s) => named(s, 'aws_iam_role', 'name')).map((n): [string, string] => ['iam:GetRole', `arn:aws:iam::123456789012:role/${n}`]),
      ...PIPELINE_STACKS.flatMap((s) => named(s, 'aws_cloudwatch_log_group', 'name'))
        .filter((n) => !n.startsWith('API-Gateway-Execution-Logs_'))
        .map((n): [string, string] => ['logs:DeleteLogGroup', arn('logs', `log-group:${n}`)]),
      ...named('api', 'aws_lambda_function', 'function_name').map((n): [string, string] => ['lambda:DeleteFunction', arn('lambda', `function:${n}`)]),
      ...named('api', 'aws_sns_topic', 'name').map((n): [string, string] => ['sns:DeleteTopic', arn('sns', n)]),
      ...['api', 'waf'].flatMap((s) => named(s, 'aws_cloudwatch_metric_alarm', 'alarm_name')).map((n): [string, string] => ['cloudwatch:DeleteAlarms', arn('cloudwatch', `alarm:${n}`)]),
      ...named('api', 'aws_cloudwatch_dashboard', 'dashboard_name').map((n): [string, string] => ['cloudwatch:DeleteDashboards', `arn:aws:cloudwatch::123456789012:dashboard/${n}`]),
      ...named('waf', 'aws_wafv2_web_acl', 'name').map((n): [string, string] => ['wafv2:DeleteWebACL', arn('wafv2', `regional/webacl/${n}/0f1e2d3c`)]),
    ];
    expect(checks.length).toBeGreaterThanOrEqual(20);
    expect(checks.filter(([action, resource]) => allowed(action, resource) !== 'allow')).toEqual([]);
  });

  test('the state bucket, other buckets, other objects of the buckets and the state key are outside', () => {
    expect(allowed('s3:DeleteBucket', `arn:aws:s3:::${prefix}-tfstate-20260101`)).toBe('implicit deny');
    expect(allowed('s3:PutObject', `arn:aws:s3:::${prefix}-tfstate-20260101/loan-remediation/dev/network.tfstate`)).toBe('implicit deny');
    expect(allowed('s3:DeleteBucket', 'arn:aws:s3:::another-team-bucket')).toBe('implicit deny');
    expect(allowed('s3:GetObject', `arn:aws:s3:::${prefix}-model-abc/training/data.csv`)).toBe('implicit deny');
    expect(allowed('s3:DeleteObjectVersion', `arn:aws:s3:::${prefix}-model-abc/training/data.csv`)).toBe('allow');
    const key = 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555';
    const tags = (stack: string) => ({ 'aws:ResourceTag/project': 'loan-remediation', 'aws:ResourceTag/environment': 'dev', 'aws:ResourceTag/stack': stack });
    expect(allowed('kms:ScheduleKeyDeletion', key, tags('redshift'))).toBe('allow');
    expect(allowed('kms:ScheduleKeyDeletion', key, tags('state'))).toBe('implicit deny');
    expect(allowed('kms:ScheduleKeyDeletion', key, { ...tags('redshift'), 'aws:ResourceTag/environment': 'prod' })).toBe('implicit deny');
    expect(allowed('kms:PutKeyPolicy', key)).toBe('implicit deny');
  });

  test("the state stack's bucket and key are the ones each environment's CI roles find by name and tags", () => {
    const state = stackJson('state');
    const [bucket] = Object.values(state.resource?.aws_s3_bucket ?? {});
    const tags = Object.fromEntries(Object.entries(state.provider.aws[0].default_tags[0].tags).map(([tag, value]) => [`aws:ResourceTag/${tag}`, value]));
    expect(Object.keys(state.resource?.aws_kms_key ?? {})).toHaveLength(1);
    const object = `arn:aws:s3:::${String(bucket.bucket_prefix)}20260101120000000000000001/loan-remediation/dev/network.tfstate`;
    const key = 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555';
    for (const role of ['plan', 'deploy'] as const) {
      const statements = stateStatements(role, TARGET);
      expect(evaluate(statements, { action: 's3:GetObject', resource: object })).toBe('allow');
      expect(evaluate(statements, { action: 'kms:Decrypt', resource: key, context: tags })).toBe('allow');
      expect(evaluate(statements, { action: 'kms:Decrypt', resource: key, context: { ...tags, 'aws:ResourceTag/environment': 'prod' } })).toBe('implicit deny');
      expect(evaluate(stateStatements(role, { ...TARGET, environment: 'prod' }), { action: 's3:GetObject', resource: object })).toBe('implicit deny');
    }
  });

  test('roles: created only with the boundary, passed only to the services that take them', () => {
    const role = `arn:aws:iam::123456789012:role/${prefix}-predict-role`;
    const boundary = { 'iam:PermissionsBoundary': `arn:aws:iam::123456789012:policy/${prefix}-boundary` };
    expect(allowed('iam:CreateRole', role, boundary)).toBe('allow');
    expect(allowed('iam:CreateRole', role)).toBe('implicit deny');
    expect(allowed('iam:PutRolePolicy', role, { 'iam:PermissionsBoundary': 'arn:aws:iam::123456789012:policy/other' })).toBe('implicit deny');
    expect(allowed('iam:GetRole', role)).toBe('allow');
    expect(allowed('iam:PassRole', role, { 'iam:PassedToService': 'lambda.amazonaws.com' })).toBe('allow');
    expect(allowed('iam:PassRole', role, { 'iam:PassedToService': 'ec2.amazonaws.com' })).toBe('implicit deny');
    expect(allowed('iam:CreateRole', 'arn:aws:iam::123456789012:role/loan-remediation-ci-dev-deploy', boundary)).toBe('implicit deny');
  });
});

describe('the permissions boundary', () => {
  const boundary = boundaryStatements(TARGET);
  const requests = Object.fromEntries(synths.map((synth) => [synth.name, workloadRequests(synth.stacks)]));
  const expanded = (pattern: string): string[] => {
    const actions = expandAction(pattern);
    if (typeof actions === 'string') throw new Error(actions);
    return actions.map((a) => `${pattern.split(':')[0]}:${a.name}`);
  };

  test.each(Object.keys(requests))('allows every request any role of the pipeline stacks may make (%s), on the resources its policy names', (name) => {
    const made = requests[name];
    expect(new Set(made.map((r) => r.action)).size).toBeGreaterThan(40);
    expect(made.filter((r) => r.resource.startsWith('arn:aws:s3:::')).length).toBeGreaterThan(5);
    expect(made.filter((r) => r.action.startsWith('kms:') && r.context?.['aws:ResourceTag/stack'] !== undefined).length).toBeGreaterThan(3);
    expect(made.filter((r) => evaluate(boundary, r) !== 'allow').map((r) => `${r.role}: ${r.action} on ${r.resource}`)).toEqual([]);
  });

  test("S3 in the environment's buckets only, KMS on its keys (and through S3 on the objects' key), never a state bucket or key", () => {
    const inRegion = { 'aws:RequestedRegion': 'us-east-1' };
    const s3 = (action: string, resource: string) => evaluate(boundary, { action, resource: `arn:aws:s3:::${resource}`, context: inRegion });
    expect(s3('s3:GetObject', 'loan-remediation-dev-model-20260101/training/data.csv')).toBe('allow');
    expect(s3('s3:GetObject', 'loan-remediation-prod-model-20260101/training/data.csv')).toBe('implicit deny');
    expect(s3('s3:GetObject', 'another-team-bucket/data.csv')).toBe('implicit deny');
    // This environment's state bucket has the environment's prefix too: denied outright, as is every other one.
    expect(s3('s3:GetObject', 'loan-remediation-dev-tfstate-20260101/loan-remediation/dev/network.tfstate')).toBe('explicit deny');
    expect(s3('s3:ListBucket', 'loan-remediation-prod-tfstate-20260101')).toBe('explicit deny');

    const key = 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555';
    const tags = (environment: string, stack: string) => ({ 'aws:ResourceTag/project': 'loan-remediation', 'aws:ResourceTag/environment': environment, 'aws:ResourceTag/stack': stack });
    const kms = (action: string, context: Record<string, string>) => evaluate(boundary, { action, resource: key, context });
    expect(kms('kms:Decrypt', tags('dev', 'redshift'))).toBe('allow');
    expect(kms('kms:CreateGrant', tags('dev', 'api'))).toBe('allow');
    expect(kms('kms:Decrypt', tags('prod', 'redshift'))).toBe('implicit deny');
    expect(kms('kms:Decrypt', {})).toBe('implicit deny');
    expect(kms('kms:Decrypt', tags('dev', 'state'))).toBe('explicit deny');
    expect(kms('kms:Decrypt', { ...tags('dev', 'state'), 'kms:ViaService': 's3.us-east-1.amazonaws.com' })).toBe('explicit deny');
    // The dataset's objects are encrypted with the account's untagged aws/s3 key: usable through S3 only.
    expect(kms('kms:Decrypt', { 'kms:ViaService': 's3.us-east-1.amazonaws.com' })).toBe('allow');
    expect(kms('kms:Decrypt', { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' })).toBe('implicit deny');
    expect(kms('kms:Encrypt', { 'kms:ViaService': 's3.us-east-1.amazonaws.com' })).toBe('implicit deny');
  });

  test('allows nothing no workload role uses (in any of the synths)', () => {
    const granted = new Set(Object.values(requests).flatMap((made) => made.map((r) => r.action)));
    expect(Object.values(WORKLOAD_ACTIONS).flat().flatMap(expanded).filter((action) => !granted.has(action))).toEqual([]);
  });

  test('denies every IAM change but passing a role to SageMaker, and Organizations and account changes', () => {
    const iam = expandAction('iam:*');
    if (typeof iam === 'string') throw new Error(iam);
    const changes = iam.filter((a) => /Write|Permissions management|Tagging/.test(a.accessLevel)).map((a) => `iam:${a.name}`);
    const deny = boundary.filter((s) => s.Effect === 'Deny');
    const context = { 'iam:PassedToService': ROLE_PASSED_BY_WORKLOADS_TO };
    expect(changes.filter((action) => action !== 'iam:PassRole' && evaluate(deny, { action, resource: '*' }) !== 'explicit deny')).toEqual([]);
    expect(evaluate(boundary, { action: 'iam:PassRole', resource: `arn:aws:iam::123456789012:role/loan-remediation-dev-redshift-ml`, context })).toBe('allow');
    expect(evaluate(boundary, { action: 'iam:PassRole', resource: 'arn:aws:iam::123456789012:role/loan-remediation-dev-redshift-ml', context: { 'iam:PassedToService': 'ec2.amazonaws.com' } })).toBe('implicit deny');
    expect(evaluate(boundary, { action: 'organizations:LeaveOrganization', resource: '*' })).toBe('explicit deny');
    expect(iamChangeActionPatterns()).toContain('iam:Create*');
    expect(iamChangeActionPatterns()).not.toContain('iam:Pass*');
  });
});

test(`${PERMISSIONS_DOC}'s permissions section is what ${PERMISSIONS_COMMAND} writes today`, () => {
  const committed = fs.readFileSync(path.join(__dirname, '..', PERMISSIONS_DOC), 'utf8');
  const expected = withPermissionsSection(committed, permissionsSection(types));
  if (committed === expected) return;
  const [a, e] = [committed.split('\n'), expected.split('\n')];
  const line = a.findIndex((text, i) => text !== e[i]);
  throw new Error(
    `${PERMISSIONS_DOC} is out of date: run \`${PERMISSIONS_COMMAND}\` and commit the result.\n` +
      `First difference at line ${line + 1}:\n  file:      ${a[line] ?? '(end of file)'}\n  generated: ${e[line] ?? '(end of file)'}`,
  );
});
