/** The redshift rules against a compliant fixture and one violation each (harness: helpers/policy-fixtures.ts). */
import { RedshiftserverlessNamespace } from '@cdktf/provider-aws/lib/redshiftserverless-namespace';
import { RedshiftserverlessUsageLimit } from '@cdktf/provider-aws/lib/redshiftserverless-usage-limit';
import { RedshiftserverlessWorkgroup } from '@cdktf/provider-aws/lib/redshiftserverless-workgroup';
import { Construct } from 'constructs';
import { RuleId } from '../../policy/rule-ids';
import { redshiftRules } from '../../policy/rules/redshift';
import { ELSEWHERE, failingAddresses, findings, KEY_ARN, Parts, RuleCase, testRules } from '../helpers/policy-fixtures';

function redshift(scope: Construct): Parts {
  const namespace = new RedshiftserverlessNamespace(scope, 'namespace', {
    namespaceName: 'loans',
    adminUsername: 'warehouse_admin',
    manageAdminPassword: true,
    kmsKeyId: KEY_ARN,
    logExports: ['userlog', 'connectionlog', 'useractivitylog'],
  });
  const workgroup = new RedshiftserverlessWorkgroup(scope, 'workgroup', {
    workgroupName: 'loans',
    namespaceName: namespace.namespaceName,
    publiclyAccessible: false,
    enhancedVpcRouting: true,
    subnetIds: ['subnet-1', 'subnet-2', 'subnet-3'],
    securityGroupIds: ['sg-1'],
    configParameter: [
      { parameterKey: 'require_ssl', parameterValue: 'true' },
      { parameterKey: 'enable_user_activity_logging', parameterValue: 'true' },
    ],
  });
  const limit = new RedshiftserverlessUsageLimit(scope, 'limit', {
    resourceArn: workgroup.arn,
    usageType: 'serverless-compute',
    amount: 24,
    period: 'daily',
    breachAction: 'deactivate',
  });
  return { namespace, workgroup, limit };
}

const CASES: RuleCase[] = [
  { rule: 'LR-RS-001', violate: (p) => p.namespace.addOverride('kms_key_id', undefined), at: 'aws_redshiftserverless_namespace.namespace' },
  {
    rule: 'LR-RS-002',
    violate: (p) => p.namespace.addOverride('log_exports', undefined),
    at: 'aws_redshiftserverless_namespace.namespace',
  },
  {
    rule: 'LR-RS-003',
    violate: (p) => {
      p.namespace.addOverride('manage_admin_password', undefined);
      p.namespace.addOverride('admin_user_password', 'Correct-Horse-1');
    },
    at: 'aws_redshiftserverless_namespace.namespace',
  },
  { rule: 'LR-RS-004', violate: (p) => p.namespace.addOverride('admin_username', 'admin'), at: 'aws_redshiftserverless_namespace.namespace' },
  { rule: 'LR-RS-005', violate: (p) => p.workgroup.addOverride('publicly_accessible', true), at: 'aws_redshiftserverless_workgroup.workgroup' },
  {
    rule: 'LR-RS-006',
    violate: (p) => p.workgroup.addOverride('config_parameter.0.parameter_value', 'false'),
    at: 'aws_redshiftserverless_workgroup.workgroup',
  },
  {
    rule: 'LR-RS-007',
    violate: (p) => p.workgroup.addOverride('config_parameter.1.parameter_value', 'false'),
    at: 'aws_redshiftserverless_workgroup.workgroup',
  },
  { rule: 'LR-RS-008', violate: (p) => p.workgroup.addOverride('enhanced_vpc_routing', false), at: 'aws_redshiftserverless_workgroup.workgroup' },
  { rule: 'LR-RS-009', violate: (p) => p.workgroup.addOverride('security_group_ids', undefined), at: 'aws_redshiftserverless_workgroup.workgroup' },
  { rule: 'LR-RS-010', violate: (p) => p.limit.addOverride('resource_arn', ELSEWHERE), at: 'aws_redshiftserverless_workgroup.workgroup' },
  { rule: 'LR-RS-011', violate: (p) => p.limit.addOverride('breach_action', 'log'), at: 'aws_redshiftserverless_usage_limit.limit' },
];

testRules('redshift', redshiftRules, redshift, CASES);

describe('aliases that only look like compliance still fail', () => {
  test('LR-RS-001: a key alias is not a key ARN', () => {
    expect(failingAddresses(redshiftRules, redshift, 'LR-RS-001', (p) => p.namespace.addOverride('kms_key_id', 'alias/warehouse'))).toEqual([
      'aws_redshiftserverless_namespace.namespace',
    ]);
  });
});

describe('the detail of each finding', () => {
  const NAMESPACE = 'aws_redshiftserverless_namespace.namespace';
  const WORKGROUP = 'aws_redshiftserverless_workgroup.workgroup';
  const failing = (rule: RuleId, change: (p: Parts) => void) => findings(redshiftRules, redshift, rule, change);
  const namespace = (attributes: Record<string, unknown>) => (p: Parts) => {
    for (const [key, value] of Object.entries(attributes)) p.namespace.addOverride(key, value);
  };

  test('LR-RS-001: names the alias', () => {
    expect(failing('LR-RS-001', namespace({ kms_key_id: 'alias/warehouse' }))).toEqual([
      `${NAMESPACE}: kms_key_id is an alias (alias/warehouse), not a key ARN`,
    ]);
  });

  test('LR-RS-002: names every missing log', () => {
    expect(failing('LR-RS-002', namespace({ log_exports: 'userlog' }))).toEqual([
      `${NAMESPACE}: log_exports misses connectionlog, useractivitylog`,
    ]);
  });

  test('LR-RS-003: either password passed in fails even when the password is also managed; unmanaged fails alone', () => {
    const passedIn = `${NAMESPACE}: an admin password is passed in`;
    expect(failing('LR-RS-003', namespace({ admin_user_password: 'Correct-Horse-1' }))).toEqual([passedIn]);
    expect(failing('LR-RS-003', namespace({ admin_user_password_wo: 'Correct-Horse-1' }))).toEqual([passedIn]);
    expect(failing('LR-RS-003', namespace({ manage_admin_password: false }))).toEqual([`${NAMESPACE}: manage_admin_password is not true`]);
  });

  test('LR-RS-004: a missing username fails; a default one is named', () => {
    expect(failing('LR-RS-004', namespace({ admin_username: undefined }))).toEqual([`${NAMESPACE}: admin_username is not set`]);
    expect(failing('LR-RS-004', namespace({ admin_username: 'awsuser' }))).toEqual([`${NAMESPACE}: admin_username "awsuser" is a default`]);
  });

  test('LR-RS-006/007: a workgroup without config parameters fails both', () => {
    const none = (p: Parts) => p.workgroup.addOverride('config_parameter', undefined);
    expect(failing('LR-RS-006', none)).toEqual([`${WORKGROUP}: require_ssl is not "true"`]);
    expect(failing('LR-RS-007', none)).toEqual([`${WORKGROUP}: enable_user_activity_logging is not "true"`]);
  });

  test('LR-RS-009: names both missing settings', () => {
    const neither = (p: Parts) => {
      p.workgroup.addOverride('subnet_ids', undefined);
      p.workgroup.addOverride('security_group_ids', undefined);
    };
    expect(failing('LR-RS-009', neither)).toEqual([
      `${WORKGROUP}: subnet_ids and security_group_ids not set (the default VPC would be used)`,
    ]);
  });

  test('LR-RS-011: a limit without breach_action only logs', () => {
    expect(failing('LR-RS-011', (p) => p.limit.addOverride('breach_action', undefined))).toEqual([
      'aws_redshiftserverless_usage_limit.limit: a breach is only logged',
    ]);
  });
});
