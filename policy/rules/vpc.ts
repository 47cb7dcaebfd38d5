import { blocks, list } from '../graph';
import { Rule, TfElement } from '../types';

const ANYWHERE = ['0.0.0.0/0', '::/0'];
const SG_RULES = ['aws_security_group', 'aws_security_group_rule', 'aws_vpc_security_group_ingress_rule', 'aws_vpc_security_group_egress_rule'];

interface SgRule {
  readonly direction: 'ingress' | 'egress';
  readonly body: Record<string, unknown>;
}

/** Rules of a security group resource (inline blocks) or of a standalone rule resource. */
function sgRules(element: TfElement): SgRule[] {
  switch (element.type) {
    case 'aws_security_group':
      return (['ingress', 'egress'] as const).flatMap((direction) => blocks(element.body, direction).map((body) => ({ direction, body })));
    case 'aws_security_group_rule':
      return [{ direction: element.body.type === 'egress' ? 'egress' : 'ingress', body: element.body }];
    default:
      return [{ direction: element.type.endsWith('egress_rule') ? 'egress' : 'ingress', body: element.body }];
  }
}

const cidrs = (rule: SgRule): string[] =>
  ['cidr_blocks', 'ipv6_cidr_blocks', 'cidr_ipv4', 'cidr_ipv6'].flatMap((key) => list(rule.body[key]).map(String));
const isAllTraffic = (rule: SgRule): boolean => ['-1', 'all'].includes(String(rule.body.ip_protocol ?? rule.body.protocol));

export const vpcRules: Rule[] = [
  {
    id: 'LR-VPC-001',
    mirrors: ['CKV2_AWS_11', 'AwsSolutions-VPC7'],
    severity: 'error',
    description: 'VPC has flow logs',
    fix: 'add an aws_flow_log with vpc_id = the VPC id',
    appliesTo: ['aws_vpc'],
    check: (vpc, stack) => (stack.referencing(vpc, 'aws_flow_log', 'vpc_id').length > 0 ? undefined : 'no flow log for this VPC'),
  },
  {
    id: 'LR-VPC-002',
    mirrors: ['CKV2_AWS_12'],
    severity: 'error',
    description: "VPC's default security group has no rules",
    fix: 'add an aws_default_security_group for the VPC with ingress = [] and egress = []',
    appliesTo: ['aws_vpc'],
    check(vpc, stack) {
      const defaults = stack.referencing(vpc, 'aws_default_security_group', 'vpc_id');
      if (defaults.length === 0) return 'the default security group is not managed (it allows all traffic inside the group)';
      return defaults.some((sg) => list(sg.body.ingress).length + list(sg.body.egress).length > 0)
        ? 'the default security group has rules'
        : undefined;
    },
  },
  {
    id: 'LR-VPC-003',
    mirrors: ['CKV_AWS_23'],
    severity: 'error',
    description: 'Security group has a description',
    fix: 'set description to what the group protects and who may reach it',
    appliesTo: ['aws_security_group'],
    check: (sg) =>
      sg.body.description === undefined || sg.body.description === 'Managed by Terraform' ? 'no description' : undefined,
  },
  {
    id: 'LR-VPC-004',
    mirrors: ['CKV_AWS_23'],
    severity: 'error',
    description: 'Security group rules have descriptions',
    fix: 'set description on every ingress/egress rule',
    appliesTo: SG_RULES,
    check(element) {
      const bare = sgRules(element).filter((r) => !r.body.description);
      return bare.length > 0 ? `${bare.length} rule(s) without a description` : undefined;
    },
  },
  {
    id: 'LR-VPC-005',
    mirrors: ['CKV_AWS_24', 'CKV_AWS_25', 'CKV_AWS_260', 'AwsSolutions-EC23'],
    severity: 'error',
    description: 'No security group ingress from 0.0.0.0/0 or ::/0',
    fix: 'allow ingress from the VPC CIDR, a prefix list or a source security group instead',
    appliesTo: SG_RULES,
    check(element) {
      const open = sgRules(element).filter((r) => r.direction === 'ingress' && cidrs(r).some((c) => ANYWHERE.includes(c)));
      return open.length > 0 ? 'ingress is open to the internet' : undefined;
    },
  },
  {
    id: 'LR-VPC-006',
    mirrors: ['CKV_AWS_130'],
    severity: 'error',
    description: 'Subnets do not assign public IPs on launch',
    fix: 'set map_public_ip_on_launch = false',
    appliesTo: ['aws_subnet'],
    check: (subnet) => (subnet.body.map_public_ip_on_launch === true ? 'map_public_ip_on_launch is true' : undefined),
  },
  {
    id: 'LR-VPC-007',
    mirrors: [],
    severity: 'warning',
    description: 'Flow logs capture all traffic (accepted and rejected)',
    fix: 'set traffic_type = "ALL"',
    appliesTo: ['aws_flow_log'],
    check: (flowLog) => (flowLog.body.traffic_type === 'ALL' ? undefined : `traffic_type is ${String(flowLog.body.traffic_type)}`),
  },
  {
    id: 'LR-VPC-008',
    mirrors: ['CKV_AWS_382'],
    severity: 'warning',
    description: 'No security group egress of all protocols and ports to 0.0.0.0/0 or ::/0',
    fix: 'allow egress only to the ports and destinations used (e.g. 443 to the S3 prefix list)',
    appliesTo: SG_RULES,
    check(element) {
      const open = sgRules(element).filter((r) => r.direction === 'egress' && isAllTraffic(r) && cidrs(r).some((c) => ANYWHERE.includes(c)));
      return open.length > 0 ? 'all traffic may leave to anywhere' : undefined;
    },
  },
];
