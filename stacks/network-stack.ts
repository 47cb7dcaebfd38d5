import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DefaultSecurityGroup } from '@cdktf/provider-aws/lib/default-security-group';
import { Eip } from '@cdktf/provider-aws/lib/eip';
import { FlowLog } from '@cdktf/provider-aws/lib/flow-log';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway';
import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway';
import { Route } from '@cdktf/provider-aws/lib/route';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association';
import { S3Object } from '@cdktf/provider-aws/lib/s3-object';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { AssetType, TerraformAsset } from 'cdktf';
import { Construct } from 'constructs';
import * as path from 'path';
import { Config, subnetCidrs } from './config';
import { SecureBucket } from './constructs/secure-bucket';
import { RULE, suppressRule } from '../policy/suppress';
import { ProjectStack } from './project-stack';

/** The dataset the warehouse loads: written by `npm run dataset`, uploaded by this stack. */
export const DATASET_FILE = path.join(__dirname, '..', 'dataset', 'loan_remediation_data.csv');
export const DATASET_OBJECT_KEY = 'dataset/loan_remediation_data.csv';
/** The workgroup's port (Redshift's default, set explicitly on the workgroup by the redshift stack). */
export const REDSHIFT_PORT = 5439;

/**
 * Private networking for the warehouse and the dataset it loads: a VPC with three private subnets
 * and no internet path by default, an S3 gateway endpoint, flow logs, the Redshift security group,
 * and the dataset bucket with the CSV in it.
 *
 * Everything here is planned without calling an AWS API (no availability-zone or caller-identity
 * lookups), so `terraform plan` runs offline with dummy credentials.
 */
export class NetworkStack extends ProjectStack {
  readonly vpc: Vpc;
  readonly privateSubnets: Subnet[];
  readonly privateRouteTable: RouteTable;
  readonly redshiftSecurityGroup: SecurityGroup;
  /**
   * WAREHOUSE_TRANSPORT=postgres: the prediction Lambda's security group, the only source the workgroup
   * admits. It lives here, upstream of the api stack that attaches the function to it, so the Redshift
   * security group's rules reference it within one stack and the stacks stay acyclic (network ->
   * redshift -> api); the Lambda's other rule, HTTPS to its interface endpoint, is the api stack's.
   */
  readonly predictionSecurityGroup?: SecurityGroup;
  /** Receives the server access logs of every bucket of this project and environment. */
  readonly accessLogsBucket: SecureBucket;
  readonly datasetBucket: SecureBucket;
  readonly datasetObject: S3Object;

  constructor(scope: Construct, config: Config) {
    super(scope, 'network', config);
    const name = config.namePrefix;
    const cidrs = subnetCidrs(config.vpcCidr);

    this.vpc = new Vpc(this, 'vpc', {
      cidrBlock: config.vpcCidr,
      enableDnsSupport: true,
      enableDnsHostnames: true,
      tags: { Name: `${name}-vpc` },
    });

    // No rules at all: nothing may rely on the default security group.
    new DefaultSecurityGroup(this, 'default-security-group', {
      vpcId: this.vpc.id,
      ingress: [],
      egress: [],
      tags: { Name: `${name}-default-closed` },
    });

    this.privateRouteTable = new RouteTable(this, 'private-route-table', {
      vpcId: this.vpc.id,
      tags: { Name: `${name}-private` },
    });
    // Placed by AZ ID, which names the same zone in every account (a zone name such as us-east-1a maps
    // to a different ID per account, and Redshift Serverless runs only in some IDs); see config.ts.
    this.privateSubnets = config.availabilityZoneIds.map((zoneId, i) => {
      const subnet = new Subnet(this, `private-subnet-${i + 1}`, {
        vpcId: this.vpc.id,
        availabilityZoneId: zoneId,
        cidrBlock: cidrs.private[i],
        mapPublicIpOnLaunch: false,
        tags: { Name: `${name}-private-${zoneId}` },
      });
      new RouteTableAssociation(this, `private-subnet-${i + 1}-routes`, {
        subnetId: subnet.id,
        routeTableId: this.privateRouteTable.id,
      });
      return subnet;
    });

    // S3 traffic (COPY, model artifacts) stays on the AWS network at no charge.
    const s3Endpoint = new VpcEndpoint(this, 's3-gateway-endpoint', {
      vpcId: this.vpc.id,
      serviceName: `com.amazonaws.${config.region}.s3`,
      vpcEndpointType: 'Gateway',
      routeTableIds: [this.privateRouteTable.id],
      tags: { Name: `${name}-s3` },
    });

    if (config.enableNatGateway) this.addNatGateway(config, cidrs.public);

    this.redshiftSecurityGroup = new SecurityGroup(this, 'redshift-security-group', {
      name: `${name}-redshift`,
      description: 'Redshift Serverless workgroup: SQL clients inside the VPC only',
      vpcId: this.vpc.id,
      tags: { Name: `${name}-redshift` },
    });
    if (config.api.warehouseTransport === 'postgres') {
      this.predictionSecurityGroup = this.admitPredictionLambda(name);
    } else {
      new VpcSecurityGroupIngressRule(this, 'redshift-ingress-from-vpc', {
        securityGroupId: this.redshiftSecurityGroup.id,
        description: 'Redshift SQL port from inside the VPC',
        ipProtocol: 'tcp',
        fromPort: REDSHIFT_PORT,
        toPort: REDSHIFT_PORT,
        cidrIpv4: this.vpc.cidrBlock,
      });
    }
    new VpcSecurityGroupEgressRule(this, 'redshift-egress-to-s3', {
      securityGroupId: this.redshiftSecurityGroup.id,
      description: 'HTTPS to S3 through the gateway endpoint (COPY and model artifacts)',
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      prefixListId: s3Endpoint.prefixListId,
    });
    new VpcSecurityGroupEgressRule(this, 'redshift-egress-to-vpc-endpoints', {
      securityGroupId: this.redshiftSecurityGroup.id,
      description: 'HTTPS to interface endpoints inside the VPC',
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      cidrIpv4: this.vpc.cidrBlock,
    });

    this.addFlowLogs(config);

    this.accessLogsBucket = new SecureBucket(this, 'access-logs-bucket', {
      bucketPrefix: `${name}-logs-`,
      // S3 server access logging can only deliver to a bucket encrypted with SSE-S3.
      encryption: 's3-managed',
      noncurrentVersionExpirationDays: 30,
      expirationDays: config.logRetentionDays,
      forceDestroy: config.environment === 'dev',
      // Bucket names of this deployment all start with the name prefix; the VPC's owner is this
      // account, which avoids a caller-identity lookup (this stack plans offline).
      receivesAccessLogs: { sourceBucketArnPattern: `arn:*:s3:::${name}-*`, sourceAccount: this.vpc.ownerId },
    });
    suppressRule(this.accessLogsBucket.bucket, RULE.S3BucketKmsEncryption, 'S3 server access logging delivers only to buckets encrypted with SSE-S3');
    suppressRule(this.accessLogsBucket.bucket, RULE.S3BucketAccessLogging, 'This bucket is the access-log target; logging it into itself would loop');
    this.datasetBucket = new SecureBucket(this, 'dataset-bucket', {
      bucketPrefix: `${name}-dataset-`,
      encryption: 'aws-managed-kms',
      noncurrentVersionExpirationDays: 30,
      accessLogs: { bucket: this.accessLogsBucket.bucket.id, prefix: 'dataset-bucket/' },
      forceDestroy: config.environment === 'dev',
    });

    const dataset = new TerraformAsset(this, 'dataset-file', { path: DATASET_FILE, type: AssetType.FILE });
    this.datasetObject = new S3Object(this, 'dataset-object', {
      bucket: this.datasetBucket.bucket.id,
      key: DATASET_OBJECT_KEY,
      source: dataset.path,
      // Changes whenever the file's content changes, so a regenerated dataset is re-uploaded.
      sourceHash: dataset.assetHash,
      contentType: 'text/csv',
      // Explicit, so the first upload cannot race the bucket's default-encryption configuration.
      serverSideEncryption: 'aws:kms',
    });

    this.addOutputs({
      vpc_id: [this.vpc.id, 'VPC id'],
      private_subnet_ids: [this.privateSubnets.map((s) => s.id), 'Private subnet ids, one per availability zone'],
      private_route_table_id: [this.privateRouteTable.id, 'Route table of the private subnets'],
      redshift_security_group_id: [this.redshiftSecurityGroup.id, 'Security group for the Redshift workgroup'],
      dataset_bucket_name: [this.datasetBucket.bucket.bucket, 'Bucket holding the dataset'],
      dataset_bucket_arn: [this.datasetBucket.bucket.arn, 'ARN of the dataset bucket'],
      dataset_object_key: [this.datasetObject.key, 'S3 key of the dataset CSV'],
    });
  }

  /**
   * The direct connection (WAREHOUSE_TRANSPORT=postgres): the prediction Lambda's security group, and
   * the workgroup's port between it and the Redshift security group, instead of the whole VPC.
   */
  private admitPredictionLambda(name: string): SecurityGroup {
    // Not `<name>-predict`, the api stack's group for the Data API inside the VPC: switching transports
    // deploys this stack first, while that group still exists, and names are unique per VPC.
    const lambdaGroup = new SecurityGroup(this, 'prediction-security-group', {
      name: `${name}-predict-direct`,
      description: 'Prediction Lambda (direct connection): the workgroup port and its interface endpoint only',
      vpcId: this.vpc.id,
      tags: { Name: `${name}-predict-direct` },
    });
    new VpcSecurityGroupIngressRule(this, 'redshift-ingress-from-prediction', {
      securityGroupId: this.redshiftSecurityGroup.id,
      description: 'Redshift SQL port from the prediction Lambda',
      ipProtocol: 'tcp',
      fromPort: REDSHIFT_PORT,
      toPort: REDSHIFT_PORT,
      referencedSecurityGroupId: lambdaGroup.id,
    });
    new VpcSecurityGroupEgressRule(this, 'prediction-egress-to-redshift', {
      securityGroupId: lambdaGroup.id,
      description: 'Redshift SQL port of the workgroup',
      ipProtocol: 'tcp',
      fromPort: REDSHIFT_PORT,
      toPort: REDSHIFT_PORT,
      referencedSecurityGroupId: this.redshiftSecurityGroup.id,
    });
    return lambdaGroup;
  }

  /** Opt-in internet egress (ENABLE_NAT_GATEWAY=true): about 33 USD/month plus data processing. */
  private addNatGateway(config: Config, publicCidr: string): void {
    const name = config.namePrefix;
    const internetGateway = new InternetGateway(this, 'internet-gateway', {
      vpcId: this.vpc.id,
      tags: { Name: `${name}-igw` },
    });
    const publicSubnet = new Subnet(this, 'public-subnet', {
      vpcId: this.vpc.id,
      availabilityZoneId: config.availabilityZoneIds[0],
      cidrBlock: publicCidr,
      mapPublicIpOnLaunch: false,
      tags: { Name: `${name}-public-${config.availabilityZoneIds[0]}` },
    });
    const publicRouteTable = new RouteTable(this, 'public-route-table', {
      vpcId: this.vpc.id,
      tags: { Name: `${name}-public` },
    });
    new Route(this, 'public-default-route', {
      routeTableId: publicRouteTable.id,
      destinationCidrBlock: '0.0.0.0/0',
      gatewayId: internetGateway.id,
    });
    new RouteTableAssociation(this, 'public-subnet-routes', {
      subnetId: publicSubnet.id,
      routeTableId: publicRouteTable.id,
    });
    const natAddress = new Eip(this, 'nat-address', { domain: 'vpc', tags: { Name: `${name}-nat` } });
    const natGateway = new NatGateway(this, 'nat-gateway', {
      allocationId: natAddress.allocationId,
      subnetId: publicSubnet.id,
      tags: { Name: `${name}-nat` },
      dependsOn: [internetGateway],
    });
    new Route(this, 'private-default-route', {
      routeTableId: this.privateRouteTable.id,
      destinationCidrBlock: '0.0.0.0/0',
      natGatewayId: natGateway.id,
    });
  }

  private addFlowLogs(config: Config): void {
    const name = config.namePrefix;
    const logGroup = new CloudwatchLogGroup(this, 'flow-log-group', {
      name: `/aws/vpc/flow-logs/${name}`,
      retentionInDays: config.logRetentionDays,
    });
    suppressRule(
      logGroup,
      RULE.LogGroupCmkEncryption,
      'Flow-log records hold addresses and ports, no payload; CloudWatch Logs encrypts them at rest with its ' +
        'service key, and a CMK would add a key to manage for no data that needs one',
    );
    const role = new IamRole(this, 'flow-log-role', {
      name: `${name}-vpc-flow-logs`,
      description: 'Lets VPC Flow Logs write to its own log group',
      // The VPC's owner is this account: no caller-identity lookup, so this stack still plans offline.
      permissionsBoundary: this.permissionsBoundary(this.vpc.ownerId),
      assumeRolePolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'vpc-flow-logs.amazonaws.com' },
            Action: 'sts:AssumeRole',
          },
        ],
      }),
    });
    new IamRolePolicy(this, 'flow-log-write-policy', {
      name: 'write-flow-logs',
      role: role.id,
      policy: JSON.stringify({
        Version: '2012-10-17',
        // Actions from the VPC User Guide, "IAM role for publishing flow logs to CloudWatch Logs",
        // less logs:CreateLogGroup (this stack creates the group, with its retention).
        Statement: [
          {
            Effect: 'Allow',
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
            Resource: [logGroup.arn, `${logGroup.arn}:*`],
          },
          {
            // DescribeLogGroups lists the account's groups: IAM has no resource type for it, so "*",
            // held to this region.
            Effect: 'Allow',
            Action: ['logs:DescribeLogGroups'],
            Resource: '*',
            Condition: { StringEquals: { 'aws:RequestedRegion': config.region } },
          },
        ],
      }),
    });
    new FlowLog(this, 'flow-log', {
      vpcId: this.vpc.id,
      trafficType: 'ALL',
      logDestinationType: 'cloud-watch-logs',
      logDestination: logGroup.arn,
      iamRoleArn: role.arn,
      maxAggregationInterval: 600,
    });
  }
}
