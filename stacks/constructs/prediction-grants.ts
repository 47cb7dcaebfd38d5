import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { Construct } from 'constructs';
import { WarehouseTransport } from '../../lambda-src/config';
import { NodejsFunction } from './nodejs-function';
import { keepStackAddresses } from './stack-addresses';

export interface PredictionGrantsProps {
  /** The prediction function; its role gets the grants. */
  readonly prediction: NodejsFunction;
  readonly workgroupArn: string;
  /** What the function calls: the Data API, or GetCredentials and then the workgroup itself. */
  readonly transport: WarehouseTransport;
  /** The key of the function's environment. */
  readonly environmentKeyArn: string;
  /** When the function runs in a VPC: its subnets and security groups. */
  readonly vpcConfig?: { readonly subnetIds: string[]; readonly securityGroupIds: string[] };
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
}

/** What the prediction Lambda's role may do beyond writing its logs and traces, and nothing more. */
export class PredictionGrants extends Construct {
  constructor(scope: Construct, id: string, props: PredictionGrantsProps) {
    super(scope, id);
    keepStackAddresses(this);
    this.grantPredictionAccess(props);
    const networkPolicy = props.vpcConfig && this.grantNetworkInterfaces(props, props.vpcConfig);
    if (networkPolicy !== undefined) {
      // The function is created only once its role may create network interfaces.
      const fn = props.prediction.function;
      fn.dependsOn = [...(fn.dependsOn ?? []), `${networkPolicy.terraformResourceType}.${networkPolicy.friendlyUniqueId}`];
    }
  }

  /**
   * What a prediction needs ("Configuring IAM permissions", Amazon Redshift Management Guide; "Actions,
   * resources, and condition keys for Amazon Redshift Data API" and "... for Amazon Redshift
   * Serverless", Service Authorization Reference). Both transports: GetCredentials on the workgroup,
   * which maps the role to the database user IAMR:<role>, and kms:Decrypt on the stack's key, which
   * encrypts the function's environment. The Data API adds ExecuteStatement on the workgroup;
   * Describe/GetStatementResult/Cancel, which take no resource, limited to statements this role started
   * (redshift-data:statement-owner-iam-userid); ExecuteStatement in a session limited to sessions it
   * started (redshift-data:session-owner-iam-userid). The direct connection needs no Data API action.
   */
  private grantPredictionAccess(props: PredictionGrantsProps): void {
    const { workgroupArn } = props;
    const logIn = {
      sid: 'LogInAsItsOwnDatabaseUser',
      actions: ['redshift-serverless:GetCredentials'],
      resources: [workgroupArn],
    };
    const decrypt = {
      // The environment is encrypted with the stack's key; Lambda decrypts it when the function starts.
      sid: 'DecryptOwnEnvironment',
      actions: ['kms:Decrypt'],
      resources: [props.environmentKeyArn],
    };
    const dataApi = [
      {
        sid: 'RunPredictionsOnTheWorkgroup',
        actions: ['redshift-data:ExecuteStatement'],
        resources: [workgroupArn],
      },
      {
        // A warm invocation reuses its Data API session (SessionId instead of WorkgroupName), which
        // names no workgroup: AWS's AmazonRedshiftDataFullAccess policy grants that case on "*" only
        // for sessions the caller started (the redshift-data:session-owner-iam-userid condition key of
        // ExecuteStatement, Service Authorization Reference). Without it the adapter would fall back
        // to a new session on every warm call.
        sid: 'ReuseOwnSessionsOnly',
        actions: ['redshift-data:ExecuteStatement'],
        resources: ['*'],
        condition: [{ test: 'StringEquals', variable: 'redshift-data:session-owner-iam-userid', values: ['$${aws:userid}'] }],
      },
      logIn,
      {
        sid: 'FollowOwnStatementsOnly',
        actions: ['redshift-data:DescribeStatement', 'redshift-data:GetStatementResult', 'redshift-data:CancelStatement'],
        resources: ['*'],
        condition: [{ test: 'StringEquals', variable: 'redshift-data:statement-owner-iam-userid', values: ['$${aws:userid}'] }],
      },
      decrypt,
    ];
    const statement = props.transport === 'postgres' ? [logIn, decrypt] : dataApi;
    const policy = new DataAwsIamPolicyDocument(this, 'prediction-access', { statement });
    new IamRolePolicy(this, 'prediction-access-policy', {
      name: props.transport === 'postgres' ? 'prediction-direct-connection' : 'prediction-data-api',
      role: props.prediction.role.name,
      policy: policy.json,
    });
  }

  /**
   * The permissions Lambda uses, with the function's role, to create and remove its network interfaces
   * in the subnets ("Giving Lambda functions access to resources in an Amazon VPC", AWS Lambda
   * Developer Guide: the actions of AWSLambdaVPCAccessExecutionRole). The Describe actions take no
   * resource.
   */
  private grantNetworkInterfaces(props: PredictionGrantsProps, network: { subnetIds: string[]; securityGroupIds: string[] }): IamRolePolicy {
    const ec2 = `arn:${props.partition}:ec2:${props.region}:${props.accountId}`;
    const interfaces = `${ec2}:network-interface/*`;
    const document = new DataAwsIamPolicyDocument(this, 'prediction-network-interfaces', {
      statement: [
        {
          sid: 'ManageOwnNetworkInterfaces',
          actions: ['ec2:CreateNetworkInterface'],
          resources: [
            interfaces,
            ...network.subnetIds.map((id) => `${ec2}:subnet/${id}`),
            ...network.securityGroupIds.map((id) => `${ec2}:security-group/${id}`),
          ],
        },
        {
          sid: 'AttachAndRemoveNetworkInterfaces',
          actions: ['ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
          resources: [interfaces],
        },
        {
          sid: 'DescribeNetwork',
          actions: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets'],
          resources: ['*'],
          condition: [{ test: 'StringEquals', variable: 'aws:RequestedRegion', values: [props.region] }],
        },
      ],
    });
    return new IamRolePolicy(this, 'prediction-network-interfaces-policy', {
      name: 'prediction-network-interfaces',
      role: props.prediction.role.name,
      policy: document.json,
    });
  }
}
