import { blocks, list } from '../graph';
import { RuleDefinition, TfElement } from '../types';

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

export const vpcRules: RuleDefinition[] = [
  {
    name: 'VpcFlowLogsEnabled',
    mirrors: ['CKV2_AWS_11', 'AwsSolutions-VPC7'],
    severity: 'error',
    description: 'VPC has flow logs',
    rationale: 'Network traffic is on record for investigating unexpected connections',
    fix: 'add an aws_flow_log with vpc_id = the VPC id',
    appliesTo: ['aws_vpc'],
    check: (vpc, stack) => (stack.referencing(vpc, 'aws_flow_log', 'vpc_id').length > 0 ? undefined : 'no flow log for this VPC'),
  },
  {
    name: 'VpcDefaultSecurityGroupClosed',
    mirrors: ['CKV2_AWS_12'],
    severity: 'error',
    description: "VPC's default security group has no rules",
    rationale: 'A resource put into the default group by mistake gets no traffic allowed',
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
    name: 'SecurityGroupDescribed',
    mirrors: ['CKV_AWS_23'],
    severity: 'error',
    description: 'Security group has a description',
    rationale: 'Reviewers can tell what each group protects and why it exists',
    fix: 'set description to what the group protects and who may reach it',
    appliesTo: ['aws_security_group'],
    check: (sg) =>
      sg.body.description === undefined || sg.body.description === 'Managed by Terraform' ? 'no description' : undefined,
  },
  {
    name: 'SecurityGroupRulesDescribed',
    mirrors: ['CKV_AWS_23'],
    severity: 'error',
    description: 'Security group rules have descriptions',
    rationale: 'Each opening says who needs it, so stale rules can be found and removed',
    fix: 'set description on every ingress/egress rule',
    appliesTo: SG_RULES,
    check(element) {
      const bare = sgRules(element).filter((r) => !r.body.description);
      return bare.length > 0 ? `${bare.length} rule(s) without a description` : undefined;
    },
  },
  {
    name: 'SecurityGroupNoPublicIngress',
    mirrors: ['CKV_AWS_24', 'CKV_AWS_25', 'CKV_AWS_260', 'AwsSolutions-EC23'],
    severity: 'error',
    description: 'No security group ingress from 0.0.0.0/0 or ::/0',
    rationale: 'Open ingress exposes the ports to the whole internet',
    fix: 'allow ingress from the VPC CIDR, a prefix list or a source security group instead',
    appliesTo: SG_RULES,
    check(element) {
      const open = sgRules(element).filter((r) => r.direction === 'ingress' && cidrs(r).some((c) => ANYWHERE.includes(c)));
      return open.length > 0 ? 'ingress is open to the internet' : undefined;
    },
  },
  {
    name: 'SubnetNoPublicIpOnLaunch',
    mirrors: ['CKV_AWS_130'],
    severity: 'error',
    description: 'Subnets do not assign public IPs on launch',
    rationale: 'Network interfaces do not get internet-reachable addresses by default',
    fix: 'set map_public_ip_on_launch = false',
    appliesTo: ['aws_subnet'],
    check: (subnet) => (subnet.body.map_public_ip_on_launch === true ? 'map_public_ip_on_launch is true' : undefined),
  },
  {
    name: 'FlowLogCapturesAllTraffic',
    mirrors: [],
    severity: 'warning',
    description: 'Flow logs capture all traffic (accepted and rejected)',
    rationale: 'Rejected connections show scans and misconfigurations; accepted ones show what actually talked',
    fix: 'set traffic_type = "ALL"',
    appliesTo: ['aws_flow_log'],
    check: (flowLog) => (flowLog.body.traffic_type === 'ALL' ? undefined : `traffic_type is ${String(flowLog.body.traffic_type)}`),
  },
  {
    name: 'SecurityGroupNoUnrestrictedEgress',
    mirrors: ['CKV_AWS_382'],
    severity: 'warning',
    description: 'No security group egress of all protocols and ports to 0.0.0.0/0 or ::/0',
    rationale: 'Code that is compromised cannot send data to any address on any port',
    fix: 'allow egress only to the ports and destinations used (e.g. 443 to the S3 prefix list)',
    appliesTo: SG_RULES,
    check(element) {
      const open = sgRules(element).filter((r) => r.direction === 'egress' && isAllTraffic(r) && cidrs(r).some((c) => ANYWHERE.includes(c)));
      return open.length > 0 ? 'all traffic may leave to anywhere' : undefined;
    },
  },
];
