/** The redshift rules against a compliant fixture and one violation each (harness: helpers/policy-fixtures.ts). */
import { RedshiftserverlessNamespace } from '@cdktf/provider-aws/lib/redshiftserverless-namespace';
import { RedshiftserverlessUsageLimit } from '@cdktf/provider-aws/lib/redshiftserverless-usage-limit';
import { RedshiftserverlessWorkgroup } from '@cdktf/provider-aws/lib/redshiftserverless-workgroup';
import { Construct } from 'constructs';
import { redshiftRules } from '../../policy/rules/redshift';
import { ELSEWHERE, failingAddresses, KEY_ARN, Parts, RuleCase, testRules } from '../helpers/policy-fixtures';

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
