import './helpers/cdktf-matchers';
import { DefaultSecurityGroup } from '@cdktf/provider-aws/lib/default-security-group';
import { FlowLog } from '@cdktf/provider-aws/lib/flow-log';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { S3Object } from '@cdktf/provider-aws/lib/s3-object';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { TerraformOutput, TerraformStack, Testing } from 'cdktf';
import * as crypto from 'crypto';
import * as fs from 'fs';
import { DATASET_FILE } from '../stacks/network-stack';
import { parse, synthStacks } from './helpers/synth';

describe('provider and backend of every stack', () => {
  test('default tags name the project, environment, stack and tool', () => {
    const { stacks, synth } = synthStacks({ PROJECT_NAME: 'loans', ENVIRONMENT: 'staging' });
    for (const stack of Object.values(stacks)) {
      const provider = (parse(synth(stack)) as unknown as { provider: { aws: { default_tags: unknown[] }[] } }).provider;
      expect(provider.aws[0].default_tags).toEqual([
        { tags: { project: 'loans', environment: 'staging', 'managed-by': 'cdktf', stack: stack.stackName } },
      ]);
    }
  });

  test('without STATE_BUCKET every stack keeps local state', () => {
    const { stacks, synth } = synthStacks();
    for (const stack of Object.values(stacks)) {
      expect(Object.keys(parse(synth(stack)).terraform.backend)).toEqual(['local']);
    }
  });

  test('STATE_KMS_KEY_ARN encrypts the state objects with that key', () => {
    const keyArn = 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555';
    const { stacks, synth } = synthStacks({ STATE_BUCKET: 'my-state-bucket', STATE_KMS_KEY_ARN: keyArn });
    expect(parse(synth(stacks.network)).terraform.backend.s3).toMatchObject({ encrypt: true, kms_key_id: keyArn });
  });

  test('with STATE_BUCKET every stack but state uses S3 with encryption and native locking; the account stack under the account', () => {
    const keyArn = 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555';
    const { stacks, synth } = synthStacks({ STATE_BUCKET: 'my-state-bucket', STATE_KMS_KEY_ARN: keyArn, ENVIRONMENT: 'prod' });
    for (const stack of Object.values(stacks)) {
      const backend = parse(synth(stack)).terraform.backend;
      if (stack.stackName === 'state') {
        expect(Object.keys(backend)).toEqual(['local']);
      } else {
        expect(backend.s3).toEqual({
          bucket: 'my-state-bucket',
          key: `loan-remediation/${stack.stackName === 'account' ? 'account-us-east-1' : 'prod'}/${stack.stackName}.tfstate`,
          region: 'us-east-1',
          encrypt: true,
          kms_key_id: keyArn,
          use_lockfile: true,
        });
      }
    }
  });
});

describe('state stack', () => {
  const { stacks, synth } = synthStacks();
  const json = synth(stacks.state);

  test('the state bucket and its key cannot be destroyed by Terraform; the bucket keeps versions', () => {
    expect(json).toHaveResourceWithProperties(S3Bucket, { lifecycle: { prevent_destroy: true }, force_destroy: false });
    expect(json).toHaveResourceWithProperties(KmsKey, { enable_key_rotation: true, lifecycle: { prevent_destroy: true } });
    expect(json).toHaveResourceWithProperties(S3BucketVersioningA, { versioning_configuration: { status: 'Enabled' } });
  });

  test('state objects are encrypted with the state key by default', () => {
    expect(parse(json).resource.aws_s3_bucket_server_side_encryption_configuration['state-bucket_encryption'].rule).toEqual([
      { apply_server_side_encryption_by_default: { sse_algorithm: 'aws:kms', kms_master_key_id: '${aws_kms_key.state-key.arn}' }, bucket_key_enabled: true },
    ]);
  });

  test('public access is blocked in all four ways', () => {
    expect(json).toHaveResourceWithProperties(S3BucketPublicAccessBlock, {
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
  });

  test('only TLS requests are allowed', () => {
    const policies = Object.values(parse(json).resource.aws_s3_bucket_policy);
    const statement = JSON.parse(policies[0].policy as string).Statement[0];
    expect(statement).toMatchObject({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
  });
});

describe('network stack', () => {
  const { stacks, synth } = synthStacks();
  const json = synth(stacks.network);
  const resources = parse(json).resource;

  test('three private subnets placed by AZ ID (the default IDs for us-east-1), no zone names, no public IPs', () => {
    const subnets = Object.values(resources.aws_subnet);
    expect(subnets.map((s) => [s.availability_zone_id, s.cidr_block, s.map_public_ip_on_launch])).toEqual([
      ['use1-az2', '10.80.0.0/22', false],
      ['use1-az4', '10.80.4.0/22', false],
      ['use1-az6', '10.80.8.0/22', false],
    ]);
    expect(subnets.filter((s) => 'availability_zone' in s)).toEqual([]);
  });

  test('no NAT gateway or internet gateway by default', () => {
    expect(json).not.toHaveResource(NatGateway);
    expect(resources.aws_internet_gateway).toBeUndefined();
  });

  test('ENABLE_NAT_GATEWAY=true adds one NAT gateway in a public subnet with the private default route', () => {
    const withNat = synthStacks({ ENABLE_NAT_GATEWAY: 'true' });
    const natJson = withNat.synth(withNat.stacks.network);
    expect(natJson).toHaveResource(NatGateway);
    expect(natJson).toHaveResourceWithProperties(Subnet, {
      cidr_block: '10.80.12.0/22',
      availability_zone_id: 'use1-az2',
      map_public_ip_on_launch: false,
    });
    const routes = Object.values(parse(natJson).resource.aws_route);
    expect(routes).toContainEqual(expect.objectContaining({ nat_gateway_id: expect.stringContaining('aws_nat_gateway') }));
  });

  test('the default security group has no rules', () => {
    expect(json).toHaveResourceWithProperties(DefaultSecurityGroup, { ingress: [], egress: [] });
  });

  test('every security group and rule has a description and nothing is open to the internet', () => {
    const rules = [
      ...Object.values(resources.aws_vpc_security_group_ingress_rule),
      ...Object.values(resources.aws_vpc_security_group_egress_rule),
      ...Object.values(resources.aws_security_group),
    ];
    for (const rule of rules) {
      expect(rule.description).toEqual(expect.stringMatching(/^.{10,}$/));
      expect(rule.cidr_ipv4).not.toBe('0.0.0.0/0');
    }
    expect(json).toHaveResourceWithProperties(VpcSecurityGroupIngressRule, {
      from_port: 5439,
      to_port: 5439,
      cidr_ipv4: '${aws_vpc.vpc.cidr_block}',
    });
  });

  test('all VPC traffic is logged to a log group with retention', () => {
    expect(json).toHaveResourceWithProperties(FlowLog, {
      traffic_type: 'ALL',
      log_destination_type: 'cloud-watch-logs',
      log_destination: '${aws_cloudwatch_log_group.flow-log-group.arn}',
    });
    expect(resources.aws_cloudwatch_log_group['flow-log-group'].retention_in_days).toBe(365);
  });

  test('the flow-log role has every action the VPC guide lists for publishing to an existing group', () => {
    const policy = JSON.parse(resources.aws_iam_role_policy['flow-log-write-policy'].policy as string) as {
      Statement: { Action: string[] }[];
    };
    const actions = policy.Statement.flatMap((statement) => statement.Action).sort();
    expect(actions).toEqual(['logs:CreateLogStream', 'logs:DescribeLogGroups', 'logs:DescribeLogStreams', 'logs:PutLogEvents']);
  });

  test('the dataset bucket is KMS-encrypted, versioned, access-logged and private', () => {
    const encryption = resources.aws_s3_bucket_server_side_encryption_configuration['dataset-bucket_encryption'];
    expect(encryption.rule).toEqual([{ apply_server_side_encryption_by_default: { sse_algorithm: 'aws:kms' }, bucket_key_enabled: true }]);
    expect(resources.aws_s3_bucket_logging['dataset-bucket_access-logging']).toMatchObject({
      bucket: '${aws_s3_bucket.dataset-bucket.id}',
      target_bucket: '${aws_s3_bucket.access-logs-bucket.id}',
    });
    expect(resources.aws_s3_bucket_public_access_block['dataset-bucket_public-access-block']).toMatchObject({
      block_public_acls: true,
      restrict_public_buckets: true,
    });
  });

  test('the access-logs bucket accepts log delivery only from this deployment\'s buckets in this account', () => {
    const policy = JSON.parse(resources.aws_s3_bucket_policy['access-logs-bucket_tls-only'].policy as string);
    expect(policy.Statement).toContainEqual({
      Sid: 'AllowServerAccessLogDelivery',
      Effect: 'Allow',
      Principal: { Service: 'logging.s3.amazonaws.com' },
      Action: 's3:PutObject',
      Resource: '${aws_s3_bucket.access-logs-bucket.arn}/*',
      Condition: {
        ArnLike: { 'aws:SourceArn': 'arn:*:s3:::loan-remediation-dev-*' },
        StringEquals: { 'aws:SourceAccount': '${aws_vpc.vpc.owner_id}' },
      },
    });
  });

  test('the dataset object hash follows the file content', () => {
    const object = resources.aws_s3_object['dataset-object'];
    const md5 = crypto.createHash('md5').update(fs.readFileSync(DATASET_FILE)).digest('hex');
    expect(json).toHaveResourceWithProperties(S3Object, {
      key: 'dataset/loan_remediation_data.csv',
      server_side_encryption: 'aws:kms',
    });
    expect(String(object.source_hash).toLowerCase()).toBe(md5);
  });

  test('outputs export what later stacks need', () => {
    expect(Object.keys(parse(json).output ?? {}).sort()).toEqual([
      'dataset_bucket_arn',
      'dataset_bucket_name',
      'dataset_object_key',
      'private_route_table_id',
      'private_subnet_ids',
      'redshift_security_group_id',
      'vpc_id',
    ]);
  });
});

describe('cross-stack references travel through terraform_remote_state', () => {
  function consumerOf(env: Record<string, string>) {
    const { app, stacks } = synthStacks(env);
    const consumer = new TerraformStack(app, 'consumer');
    new TerraformOutput(consumer, 'vpc', { value: stacks.network.vpc.id });
    app.synth();
    return Testing.synth(consumer);
  }

  test('local backend: the consumer reads the network state file', () => {
    const json = consumerOf({});
    expect(json).toHaveDataSourceWithProperties({ tfResourceType: 'terraform_remote_state' } as never, {
      backend: 'local',
      config: { path: expect.stringMatching(/\/terraform\.loan-remediation-dev\.network\.tfstate$/) },
    });
  });

  test('S3 backend: the consumer reads the network state object', () => {
    const json = consumerOf({
      STATE_BUCKET: 'my-state-bucket',
      STATE_KMS_KEY_ARN: 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555',
    });
    expect(json).toHaveDataSourceWithProperties({ tfResourceType: 'terraform_remote_state' } as never, {
      backend: 's3',
      config: expect.objectContaining({ bucket: 'my-state-bucket', key: 'loan-remediation/dev/network.tfstate' }),
    });
    expect(JSON.parse(json).output.vpc.value).toMatch(/^\$\{data\.terraform_remote_state\.[\w-]+\.outputs\./);
  });
});

describe('names fit AWS limits with the longest allowed project and environment names', () => {
  const { stacks, synth } = synthStacks({ PROJECT_NAME: 'a-twenty-char-projec', ENVIRONMENT: 'staging' });
  const resources = Object.values(stacks).flatMap((stack) => Object.entries(parse(synth(stack)).resource));
  const values = (type: string, attribute: string): string[] =>
    resources.filter(([t]) => t === type).flatMap(([, byName]) => Object.values(byName).map((r) => String(r[attribute])));

  test.each([
    ['aws_s3_bucket', 'bucket_prefix', 37],
    ['aws_iam_role', 'name', 64],
    ['aws_redshiftserverless_namespace', 'namespace_name', 64],
    ['aws_redshiftserverless_workgroup', 'workgroup_name', 64],
    ['aws_security_group', 'name', 255],
  ])('%s.%s is at most %i characters', (type, attribute, limit) => {
    const names = values(type, attribute);
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(name.length).toBeLessThanOrEqual(limit);
  });
});
