import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { Construct } from 'constructs';
import { keepStackAddresses } from './stack-addresses';

export interface PredictionNetworkProps {
  /** The project's name prefix. */
  readonly name: string;
  readonly region: string;
  readonly vpcId: string;
  /** The warehouse's private subnets: the function's network interfaces and the endpoint go there. */
  readonly subnetIds: string[];
}

/**
 * LAMBDA_IN_VPC=true: the prediction Lambda's place in the warehouse's private subnets, with its own
 * security group, and a `redshift-data` interface endpoint (about 7.30 USD per AZ per month plus 0.01
 * USD per GB) that the function reaches over HTTPS and nothing else.
 */
export class PredictionNetwork extends Construct {
  /** The function's `vpc_config`. */
  readonly vpcConfig: { subnetIds: string[]; securityGroupIds: string[] };

  constructor(scope: Construct, id: string, props: PredictionNetworkProps) {
    super(scope, id);
    keepStackAddresses(this);
    const { name, vpcId } = props;
    const lambdaGroup = new SecurityGroup(this, 'prediction-security-group', {
      name: `${name}-predict`,
      description: 'Prediction Lambda: HTTPS to the VPC endpoints only',
      vpcId,
    });
    const endpointGroup = new SecurityGroup(this, 'data-api-endpoint-security-group', {
      name: `${name}-redshift-data-endpoint`,
      description: 'redshift-data interface endpoint: HTTPS from the prediction Lambda',
      vpcId,
    });
    new VpcSecurityGroupEgressRule(this, 'prediction-egress-to-endpoints', {
      securityGroupId: lambdaGroup.id,
      description: 'HTTPS to the interface endpoints',
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      referencedSecurityGroupId: endpointGroup.id,
    });
    new VpcSecurityGroupIngressRule(this, 'endpoint-ingress-from-prediction', {
      securityGroupId: endpointGroup.id,
      description: 'HTTPS from the prediction Lambda',
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      referencedSecurityGroupId: lambdaGroup.id,
    });
    new VpcEndpoint(this, 'data-api-endpoint', {
      vpcId,
      serviceName: `com.amazonaws.${props.region}.redshift-data`,
      vpcEndpointType: 'Interface',
      privateDnsEnabled: true,
      subnetIds: props.subnetIds,
      securityGroupIds: [endpointGroup.id],
      tags: { Name: `${name}-redshift-data` },
    });
    this.vpcConfig = { subnetIds: props.subnetIds, securityGroupIds: [lambdaGroup.id] };
  }
}
