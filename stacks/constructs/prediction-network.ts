import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { Construct } from 'constructs';
import { WarehouseTransport } from '../../lambda-src/config';
import { keepStackAddresses } from './stack-addresses';

export interface PredictionNetworkProps {
  /** The project's name prefix. */
  readonly name: string;
  readonly region: string;
  readonly vpcId: string;
  /** The warehouse's private subnets: the function's network interfaces and the endpoint go there. */
  readonly subnetIds: string[];
  readonly transport: WarehouseTransport;
  /**
   * postgres: the function's security group from the network stack, which lets it reach the workgroup
   * port. Data API: none, and this construct creates one.
   */
  readonly lambdaSecurityGroupId?: string;
}

/**
 * The one AWS API each transport calls from inside the VPC, through an interface endpoint (about 7.30 USD
 * per AZ per month plus 0.01 USD per GB, "AWS PrivateLink pricing"), so the private subnets need no NAT:
 * the Data API itself (`redshift-data`), or, for the direct connection, GetCredentials
 * (`redshift-serverless`; both listed in "AWS services that integrate with AWS PrivateLink").
 */
const ENDPOINTS = {
  'data-api': { id: 'data-api-endpoint', service: 'redshift-data', what: 'redshift-data' },
  postgres: { id: 'credentials-endpoint', service: 'redshift-serverless', what: 'redshift-serverless (GetCredentials)' },
} as const satisfies Record<WarehouseTransport, unknown>;

/**
 * The prediction Lambda's place in the warehouse's private subnets (LAMBDA_IN_VPC=true, or
 * WAREHOUSE_TRANSPORT=postgres), with its security group, and the interface endpoint of the AWS API its
 * transport calls, which it reaches over HTTPS and nothing else. With the Data API this construct
 * creates the security group; with the direct connection the network stack owns it (it also opens the
 * workgroup port) and this construct adds the HTTPS rule to the endpoint.
 */
export class PredictionNetwork extends Construct {
  /** The function's `vpc_config`. */
  readonly vpcConfig: { subnetIds: string[]; securityGroupIds: string[] };

  constructor(scope: Construct, id: string, props: PredictionNetworkProps) {
    super(scope, id);
    keepStackAddresses(this);
    const { name, vpcId } = props;
    const endpoint = ENDPOINTS[props.transport];
    const lambdaGroupId =
      props.lambdaSecurityGroupId ??
      new SecurityGroup(this, 'prediction-security-group', {
        name: `${name}-predict`,
        description: 'Prediction Lambda: HTTPS to the VPC endpoints only',
        vpcId,
      }).id;
    const endpointGroup = new SecurityGroup(this, `${endpoint.id}-security-group`, {
      name: `${name}-${endpoint.service}-endpoint`,
      description: `${endpoint.what} interface endpoint: HTTPS from the prediction Lambda`,
      vpcId,
    });
    new VpcSecurityGroupEgressRule(this, 'prediction-egress-to-endpoints', {
      securityGroupId: lambdaGroupId,
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
      referencedSecurityGroupId: lambdaGroupId,
    });
    new VpcEndpoint(this, endpoint.id, {
      vpcId,
      serviceName: `com.amazonaws.${props.region}.${endpoint.service}`,
      vpcEndpointType: 'Interface',
      privateDnsEnabled: true,
      subnetIds: props.subnetIds,
      securityGroupIds: [endpointGroup.id],
      tags: { Name: `${name}-${endpoint.service}` },
    });
    this.vpcConfig = { subnetIds: props.subnetIds, securityGroupIds: [lambdaGroupId] };
  }
}
