import { ApiGatewayAccount } from '@cdktf/provider-aws/lib/api-gateway-account';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { Construct } from 'constructs';
import { keepStackAddresses } from './stack-addresses';

export interface ApiGatewayAccountLoggingProps {
  /** The project's name prefix: the role is `<name>-apigateway-logs`. */
  readonly name: string;
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
}

/**
 * The account-wide role API Gateway writes logs with. One per account and region, shared by every API
 * there; without it, a stage with logging fails to deploy.
 */
export class ApiGatewayAccountLogging extends Construct {
  readonly role: IamRole;
  readonly account: ApiGatewayAccount;

  constructor(scope: Construct, id: string, props: ApiGatewayAccountLoggingProps) {
    super(scope, id);
    keepStackAddresses(this);
    const trust = new DataAwsIamPolicyDocument(this, 'api-gateway-logging-trust', {
      statement: [{ actions: ['sts:AssumeRole'], principals: [{ type: 'Service', identifiers: ['apigateway.amazonaws.com'] }] }],
    });
    const role = (this.role = new IamRole(this, 'api-gateway-logging-role', {
      name: `${props.name}-apigateway-logs`,
      description: 'API Gateway writes execution and access logs of every API in this account and region',
      assumeRolePolicy: trust.json,
    }));
    // The actions of AWS's AmazonAPIGatewayPushToCloudWatchLogs, limited to this account and region.
    const logs = new DataAwsIamPolicyDocument(this, 'api-gateway-logging', {
      statement: [
        {
          actions: [
            'logs:CreateLogGroup',
            'logs:CreateLogStream',
            'logs:DescribeLogGroups',
            'logs:DescribeLogStreams',
            'logs:PutLogEvents',
            'logs:GetLogEvents',
            'logs:FilterLogEvents',
          ],
          resources: [`arn:${props.partition}:logs:${props.region}:${props.accountId}:log-group:*`],
        },
      ],
    });
    const policy = new IamRolePolicy(this, 'api-gateway-logging-policy', { name: 'push-to-cloudwatch-logs', role: role.name, policy: logs.json });
    // reset_on_delete: destroying the setting resets the account's CloudWatch role too; by default the
    // provider leaves it pointing at the role the same destroy deletes ("aws_api_gateway_account",
    // AWS provider documentation: "reset_on_delete ... Defaults to false").
    this.account = new ApiGatewayAccount(this, 'api-gateway-account', { cloudwatchRoleArn: role.arn, resetOnDelete: true, dependsOn: [policy] });
  }
}
