/** The vpc rules against a compliant fixture and one violation each (harness: helpers/policy-fixtures.ts). */
import { DefaultSecurityGroup } from '@cdktf/provider-aws/lib/default-security-group';
import { FlowLog } from '@cdktf/provider-aws/lib/flow-log';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { SecurityGroupRule } from '@cdktf/provider-aws/lib/security-group-rule';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { Construct } from 'constructs';
import { vpcRules } from '../../policy/rules/vpc';
import { ELSEWHERE, evaluate, failingAddresses, Parts, RuleCase, testRules } from '../helpers/policy-fixtures';

function vpc(scope: Construct): Parts {
  const network = new Vpc(scope, 'vpc', { cidrBlock: '10.80.0.0/20' });
  const sg = new SecurityGroup(scope, 'sg', {
    vpcId: network.id,
    description: 'Warehouse: SQL from inside the VPC',
    ingress: [{ description: 'SQL from the VPC', protocol: 'tcp', fromPort: 5439, toPort: 5439, cidrBlocks: ['10.80.0.0/20'] }],
    egress: [{ description: 'HTTPS inside the VPC', protocol: 'tcp', fromPort: 443, toPort: 443, cidrBlocks: ['10.80.0.0/20'] }],
  });
  return {
    network,
    defaultSg: new DefaultSecurityGroup(scope, 'default', { vpcId: network.id, ingress: [], egress: [] }),
    flow: new FlowLog(scope, 'flow', {
      vpcId: network.id,
      trafficType: 'ALL',
      logDestination: 'arn:aws:logs:us-east-1:123456789012:log-group:flow',
      iamRoleArn: 'arn:aws:iam::123456789012:role/flow',
    }),
    subnet: new Subnet(scope, 'subnet', { vpcId: network.id, cidrBlock: '10.80.0.0/22', mapPublicIpOnLaunch: false }),
    sg,
    ingress: new VpcSecurityGroupIngressRule(scope, 'ingress', {
      securityGroupId: sg.id,
      description: 'SQL from the VPC',
      ipProtocol: 'tcp',
      fromPort: 5439,
      toPort: 5439,
      cidrIpv4: network.cidrBlock,
    }),
    egress: new VpcSecurityGroupEgressRule(scope, 'egress', {
      securityGroupId: sg.id,
      description: 'HTTPS to S3',
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      prefixListId: 'pl-63a5400a',
    }),
    rule: new SecurityGroupRule(scope, 'rule', {
      securityGroupId: sg.id,
      type: 'ingress',
      description: 'SQL from the VPC',
      protocol: 'tcp',
      fromPort: 5439,
      toPort: 5439,
      cidrBlocks: ['10.80.0.0/20'],
    }),
  };
}

const CASES: RuleCase[] = [
  { rule: 'LR-VPC-001', violate: (p) => p.flow.addOverride('vpc_id', ELSEWHERE), at: 'aws_vpc.vpc' },
  {
    rule: 'LR-VPC-002',
    violate: (p) => p.defaultSg.addOverride('ingress', [{ protocol: '-1', from_port: 0, to_port: 0, self: true }]),
    at: 'aws_vpc.vpc',
  },
  { rule: 'LR-VPC-003', violate: (p) => p.sg.addOverride('description', undefined), at: 'aws_security_group.sg' },
  { rule: 'LR-VPC-004', violate: (p) => p.ingress.addOverride('description', undefined), at: 'aws_vpc_security_group_ingress_rule.ingress' },
  { rule: 'LR-VPC-005', violate: (p) => p.ingress.addOverride('cidr_ipv4', '0.0.0.0/0'), at: 'aws_vpc_security_group_ingress_rule.ingress' },
  { rule: 'LR-VPC-006', violate: (p) => p.subnet.addOverride('map_public_ip_on_launch', true), at: 'aws_subnet.subnet' },
  { rule: 'LR-VPC-007', violate: (p) => p.flow.addOverride('traffic_type', 'REJECT'), at: 'aws_flow_log.flow' },
  {
    rule: 'LR-VPC-008',
    violate: (p) => {
      p.egress.addOverride('ip_protocol', '-1');
      p.egress.addOverride('cidr_ipv4', '0.0.0.0/0');
      p.egress.addOverride('prefix_list_id', undefined);
    },
    at: 'aws_vpc_security_group_egress_rule.egress',
  },
];

testRules('vpc', vpcRules, vpc, CASES);

describe('ways to look compliant without being so', () => {
  const failures = (rule: Parameters<typeof failingAddresses>[2], violate: (p: Parts) => void) => failingAddresses(vpcRules, vpc, rule, violate);

  // IPv6 is a second way in from the internet: each way a rule can name it must count as "anywhere".
  test.each<[string, (p: Parts) => void, string]>([
    [
      'a standalone ingress rule (cidr_ipv6)',
      (p) => {
        p.ingress.addOverride('cidr_ipv4', undefined);
        p.ingress.addOverride('cidr_ipv6', '::/0');
      },
      'aws_vpc_security_group_ingress_rule.ingress',
    ],
    [
      'an inline ingress block (ipv6_cidr_blocks)',
      (p) => {
        p.sg.addOverride('ingress.0.cidr_blocks', []);
        p.sg.addOverride('ingress.0.ipv6_cidr_blocks', ['::/0']);
      },
      'aws_security_group.sg',
    ],
    [
      'a security group rule resource (ipv6_cidr_blocks)',
      (p) => {
        p.rule.addOverride('cidr_blocks', undefined);
        p.rule.addOverride('ipv6_cidr_blocks', ['::/0']);
      },
      'aws_security_group_rule.rule',
    ],
  ])('LR-VPC-005: ingress from ::/0 through %s is open to the internet', (_how, openToIpv6, address) => {
    expect(failures('LR-VPC-005', openToIpv6)).toEqual([address]);
  });

  test('an aws_security_group_rule of type egress counts as egress, not as ingress', () => {
    const openEgress = (p: Parts) => {
      p.rule.addOverride('type', 'egress');
      p.rule.addOverride('protocol', '-1');
      p.rule.addOverride('cidr_blocks', ['0.0.0.0/0']);
    };
    expect(failures('LR-VPC-005', openEgress)).toEqual([]);
    expect(failures('LR-VPC-008', openEgress)).toEqual(['aws_security_group_rule.rule']);
  });

  test("LR-VPC-008: protocol 'all' is all traffic, as Terraform reads it", () => {
    const openEgress = (p: Parts) => {
      p.rule.addOverride('type', 'egress');
      p.rule.addOverride('protocol', 'all');
      p.rule.addOverride('cidr_blocks', ['0.0.0.0/0']);
    };
    expect(failures('LR-VPC-008', openEgress)).toEqual(['aws_security_group_rule.rule']);
  });

  test('LR-VPC-002: a default security group with one ingress and one egress rule has rules', () => {
    const withRules = (p: Parts) => {
      p.defaultSg.addOverride('ingress', [{ protocol: '-1', from_port: 0, to_port: 0, self: true }]);
      p.defaultSg.addOverride('egress', [{ protocol: '-1', from_port: 0, to_port: 0, self: true }]);
    };
    expect(failures('LR-VPC-002', withRules)).toEqual(['aws_vpc.vpc']);
  });

  test('LR-VPC-002: one default security group with rules is enough, whatever another one holds', () => {
    const second = (p: Parts) =>
      new DefaultSecurityGroup(p.network.node.scope as Construct, 'default2', {
        vpcId: (p.network as Vpc).id,
        ingress: [{ protocol: '-1', fromPort: 0, toPort: 0, selfAttribute: true }],
      });
    expect(failures('LR-VPC-002', second)).toEqual(['aws_vpc.vpc']);
  });

  test("LR-VPC-003: Terraform's default description is no description", () => {
    expect(failures('LR-VPC-003', (p) => p.sg.addOverride('description', 'Managed by Terraform'))).toEqual(['aws_security_group.sg']);
  });

  test('LR-VPC-008: only egress of all traffic to anywhere counts', () => {
    const rule = (type: string, protocol: string, cidr: string) => (p: Parts) => {
      p.rule.addOverride('type', type);
      p.rule.addOverride('protocol', protocol);
      p.rule.addOverride('cidr_blocks', [cidr]);
    };
    expect(failures('LR-VPC-008', rule('ingress', '-1', '0.0.0.0/0'))).toEqual([]);
    expect(failures('LR-VPC-008', rule('egress', 'tcp', '0.0.0.0/0'))).toEqual([]);
    expect(failures('LR-VPC-008', rule('egress', '-1', '10.80.0.0/20'))).toEqual([]);
  });

  test('LR-VPC-002: a VPC whose default security group is not managed at all', () => {
    const unmanaged = evaluate(vpcRules, vpc, (p) => p.defaultSg.addOverride('vpc_id', ELSEWHERE)).filter(
      (e) => e.rule.id === 'LR-VPC-002' && e.outcome === 'fail',
    );
    expect(unmanaged.map((e) => [e.element.address, e.detail])).toEqual([
      ['aws_vpc.vpc', 'the default security group is not managed (it allows all traffic inside the group)'],
    ]);
  });

  test('LR-VPC-008: all traffic out to ::/0 may leave to anywhere', () => {
    const openEgress = (p: Parts) => {
      p.egress.addOverride('ip_protocol', '-1');
      p.egress.addOverride('prefix_list_id', undefined);
      p.egress.addOverride('cidr_ipv6', '::/0');
    };
    expect(failures('LR-VPC-008', openEgress)).toEqual(['aws_vpc_security_group_egress_rule.egress']);
  });
});
