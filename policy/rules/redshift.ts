import { blocks, list } from '../graph';
import { RuleDefinition, TfElement } from '../types';

const NAMESPACE = ['aws_redshiftserverless_namespace'];
const WORKGROUP = ['aws_redshiftserverless_workgroup'];
// Stated here on purpose rather than imported from the stacks: the baseline is the requirement the
// stacks are checked against, so it must not change when a stack's own list does.
const LOG_EXPORTS = ['userlog', 'connectionlog', 'useractivitylog'];
const DEFAULT_ADMIN_USERNAMES = ['admin', 'awsuser'];

const parameter = (workgroup: TfElement, key: string): unknown =>
  blocks(workgroup.body, 'config_parameter').find((p) => p.parameter_key === key)?.parameter_value;

export const redshiftRules: RuleDefinition[] = [
  {
    name: 'RedshiftNamespaceCmkEncryption',
    mirrors: ['CKV_AWS_282'],
    severity: 'error',
    description: 'Redshift Serverless namespace is encrypted with a customer-managed KMS key',
    rationale: 'The key policy, not only IAM, decides who can read the warehouse data and snapshots; every use is logged',
    fix: 'set kms_key_id to the key ARN (an alias gives a perpetual diff)',
    appliesTo: NAMESPACE,
    check: (ns) => {
      const key = ns.body.kms_key_id;
      if (key === undefined) return 'kms_key_id is not set';
      return /(^|:)alias\//.test(String(key)) ? `kms_key_id is an alias (${String(key)}), not a key ARN` : undefined;
    },
  },
  {
    name: 'RedshiftNamespaceAuditLogsExported',
    mirrors: [],
    severity: 'error',
    description: 'Redshift Serverless namespace exports userlog, connectionlog and useractivitylog',
    rationale: 'Connection, user and query logs are the audit trail of who read which loan data',
    fix: `set log_exports = ${JSON.stringify(LOG_EXPORTS)}`,
    appliesTo: NAMESPACE,
    check(ns) {
      const missing = LOG_EXPORTS.filter((log) => !list(ns.body.log_exports).includes(log));
      return missing.length > 0 ? `log_exports misses ${missing.join(', ')}` : undefined;
    },
  },
  {
    name: 'RedshiftAdminPasswordManaged',
    mirrors: [],
    severity: 'error',
    description: 'Redshift Serverless admin password is managed by Secrets Manager (never in code or state)',
    rationale: 'A password passed in ends up in code, CI variables and Terraform state; a managed one stays in Secrets Manager',
    fix: 'set manage_admin_password = true and remove admin_user_password / admin_user_password_wo',
    appliesTo: NAMESPACE,
    check(ns) {
      if (ns.body.admin_user_password !== undefined || ns.body.admin_user_password_wo !== undefined) return 'an admin password is passed in';
      return ns.body.manage_admin_password === true ? undefined : 'manage_admin_password is not true';
    },
  },
  {
    name: 'RedshiftAdminUsernameNotDefault',
    mirrors: [],
    severity: 'error',
    description: 'Redshift Serverless admin username is set and is not a default (admin, awsuser)',
    rationale: 'Default admin names are the first ones tried in password-guessing attacks',
    fix: 'set admin_username (config.warehouse.adminUsername)',
    appliesTo: NAMESPACE,
    check(ns) {
      const name = ns.body.admin_username;
      if (name === undefined) return 'admin_username is not set';
      return DEFAULT_ADMIN_USERNAMES.includes(String(name)) ? `admin_username "${name}" is a default` : undefined;
    },
  },
  {
    name: 'RedshiftWorkgroupNotPublic',
    mirrors: [],
    severity: 'error',
    description: 'Redshift Serverless workgroup is not publicly accessible',
    rationale: 'A public endpoint exposes the warehouse login to the whole internet',
    fix: 'set publicly_accessible = false',
    appliesTo: WORKGROUP,
    check: (wg) => (wg.body.publicly_accessible === true ? 'publicly_accessible is true' : undefined),
  },
  {
    name: 'RedshiftWorkgroupSslRequired',
    mirrors: ['CKV_AWS_105'],
    severity: 'error',
    description: 'Redshift Serverless workgroup requires SSL (config_parameter require_ssl = true)',
    rationale: 'Queries, results and credentials never travel unencrypted between clients and the warehouse',
    fix: 'add config_parameter { parameter_key = "require_ssl", parameter_value = "true" }',
    appliesTo: WORKGROUP,
    check: (wg) => (parameter(wg, 'require_ssl') === 'true' ? undefined : 'require_ssl is not "true"'),
  },
  {
    name: 'RedshiftUserActivityLogging',
    mirrors: [],
    severity: 'error',
    description: 'Redshift Serverless workgroup logs user activity (enable_user_activity_logging = true)',
    rationale: 'Without it the user activity log (the text of every query run) stays empty',
    fix: 'add config_parameter { parameter_key = "enable_user_activity_logging", parameter_value = "true" }',
    appliesTo: WORKGROUP,
    check: (wg) =>
      parameter(wg, 'enable_user_activity_logging') === 'true' ? undefined : 'enable_user_activity_logging is not "true"',
  },
  {
    name: 'RedshiftEnhancedVpcRouting',
    mirrors: ['CKV_AWS_321'],
    severity: 'warning',
    description: 'Redshift Serverless workgroup uses enhanced VPC routing (COPY/UNLOAD traffic stays in the VPC)',
    rationale: 'COPY and UNLOAD traffic goes through the VPC, where endpoints, security groups and flow logs apply',
    fix: 'set enhanced_vpc_routing = true',
    appliesTo: WORKGROUP,
    check: (wg) => (wg.body.enhanced_vpc_routing === true ? undefined : 'enhanced_vpc_routing is not true'),
  },
  {
    name: 'RedshiftWorkgroupInProjectVpc',
    mirrors: [],
    severity: 'error',
    description: 'Redshift Serverless workgroup runs in our subnets with our security groups',
    rationale: 'Without them the workgroup lands in the default VPC, outside this project\'s network controls',
    fix: 'set subnet_ids (the private subnets) and security_group_ids (the Redshift security group)',
    appliesTo: WORKGROUP,
    check(wg) {
      const missing = ['subnet_ids', 'security_group_ids'].filter((key) => list(wg.body[key]).length === 0);
      return missing.length > 0 ? `${missing.join(' and ')} not set (the default VPC would be used)` : undefined;
    },
  },
  {
    name: 'RedshiftUsageLimitSet',
    mirrors: [],
    severity: 'warning',
    description: 'Redshift Serverless workgroup has a usage limit',
    rationale: 'A runaway query or model training cannot run up compute costs without bound',
    fix: 'add an aws_redshiftserverless_usage_limit with resource_arn = the workgroup ARN',
    appliesTo: WORKGROUP,
    check: (wg, stack) =>
      stack.referencing(wg, 'aws_redshiftserverless_usage_limit', 'resource_arn').length > 0 ? undefined : 'no usage limit',
  },
  {
    name: 'RedshiftUsageLimitActsOnBreach',
    mirrors: [],
    severity: 'warning',
    description: 'Redshift Serverless usage limit acts on a breach (deactivate or emit-metric, not only log)',
    rationale: 'A limit that only logs does not stop the spending it measures',
    fix: 'set breach_action = "deactivate" (or "emit-metric" with an alarm)',
    appliesTo: ['aws_redshiftserverless_usage_limit'],
    check: (limit) => ((limit.body.breach_action ?? 'log') === 'log' ? 'a breach is only logged' : undefined),
  },
];
