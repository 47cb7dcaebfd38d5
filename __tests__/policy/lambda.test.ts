/** The lambda rules against a compliant fixture and one violation each (harness: helpers/policy-fixtures.ts). */
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import { Construct } from 'constructs';
import { lambdaRules } from '../../policy/rules/lambda';
import { evaluate, failingAddresses, KEY_ARN, Parts, RuleCase, testRules } from '../helpers/policy-fixtures';

function lambda(scope: Construct): Parts {
  const fn = new LambdaFunction(scope, 'fn', {
    functionName: 'predict',
    role: 'arn:aws:iam::123456789012:role/predict',
    runtime: 'nodejs22.x',
    handler: 'index.handler',
    filename: 'bundle.zip',
    tracingConfig: { mode: 'Active' },
    reservedConcurrentExecutions: 10,
    kmsKeyArn: KEY_ARN,
    vpcConfig: { subnetIds: ['subnet-aaaa', 'subnet-bbbb'], securityGroupIds: ['sg-lambda'] },
    environment: { variables: { TABLE_NAME: 'loans', API_KEY_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:k' } },
  });
  return {
    fn,
    logs: new CloudwatchLogGroup(scope, 'logs', { name: `/aws/lambda/${fn.functionName}`, retentionInDays: 365, kmsKeyId: KEY_ARN }),
    permission: new LambdaPermission(scope, 'permission', {
      action: 'lambda:InvokeFunction',
      functionName: fn.functionName,
      principal: 'apigateway.amazonaws.com',
      sourceArn: 'arn:aws:execute-api:us-east-1:123456789012:abc123/*/POST/predict',
    }),
  };
}

const CASES: RuleCase[] = [
  { rule: 'LR-LMB-001', violate: (p) => p.fn.addOverride('runtime', 'nodejs18.x'), at: 'aws_lambda_function.fn' },
  { rule: 'LR-LMB-002', violate: (p) => p.fn.addOverride('tracing_config.mode', 'PassThrough'), at: 'aws_lambda_function.fn' },
  { rule: 'LR-LMB-003', violate: (p) => p.fn.addOverride('reserved_concurrent_executions', undefined), at: 'aws_lambda_function.fn' },
  { rule: 'LR-LMB-004', violate: (p) => p.fn.addOverride('environment.variables.DB_PASSWORD', 'hunter2'), at: 'aws_lambda_function.fn' },
  { rule: 'LR-LMB-005', violate: (p) => p.fn.addOverride('kms_key_arn', undefined), at: 'aws_lambda_function.fn' },
  { rule: 'LR-LMB-006', violate: (p) => p.logs.addOverride('name', '/aws/lambda/another-function'), at: 'aws_lambda_function.fn' },
  { rule: 'LR-LMB-007', violate: (p) => p.permission.addOverride('source_arn', undefined), at: 'aws_lambda_permission.permission' },
  { rule: 'LR-LMB-008', violate: (p) => p.permission.addOverride('principal', '*'), at: 'aws_lambda_permission.permission' },
  { rule: 'LR-LMB-009', violate: (p) => p.fn.addOverride('vpc_config', undefined), at: 'aws_lambda_function.fn' },
];

testRules('lambda', lambdaRules, lambda, CASES);

describe('the edges of each rule', () => {
  const failing = (rule: Parameters<typeof failingAddresses>[2], change: (p: Parts) => void) =>
    failingAddresses(lambdaRules, lambda, rule, change);
  const FN = 'aws_lambda_function.fn';

  test('LR-LMB-001: a container image function has no runtime to check', () => {
    expect(failing('LR-LMB-001', (p) => p.fn.addOverride('runtime', 'nodejs18.x'))).toEqual([FN]);
    const image = (p: Parts) => {
      p.fn.addOverride('package_type', 'Image');
      p.fn.addOverride('runtime', 'nodejs18.x');
    };
    expect(failing('LR-LMB-001', image)).toEqual([]);
  });

  test('LR-LMB-002: a function without any tracing_config block is not traced', () => {
    expect(failing('LR-LMB-002', (p) => p.fn.addOverride('tracing_config', undefined))).toEqual([FN]);
  });

  test('LR-LMB-003: reserved concurrency of 0 throttles the function rather than capping it', () => {
    expect(failing('LR-LMB-003', (p) => p.fn.addOverride('reserved_concurrent_executions', 0))).toEqual([FN]);
    expect(failing('LR-LMB-003', (p) => p.fn.addOverride('reserved_concurrent_executions', 1))).toEqual([]);
  });

  test('LR-LMB-004: names every variable holding a secret, and reads references and pointers as no secret', () => {
    const leaks = evaluate(lambdaRules, lambda, (p) => {
      p.fn.addOverride('environment.variables.DB_PASSWORD', 'hunter2');
      p.fn.addOverride('environment.variables.UPSTREAM', 'AKIAABCDEFGHIJKLMNOP');
    }).filter((e) => e.rule.id === 'LR-LMB-004' && e.outcome === 'fail');
    expect(leaks.map((e) => e.detail)).toEqual(['secret-looking values in DB_PASSWORD, UPSTREAM']);
    expect(failing('LR-LMB-004', (p) => p.fn.addOverride('environment.variables.DB_PASSWORD', '${var.db_password}'))).toEqual([]);
    expect(failing('LR-LMB-004', (p) => p.fn.addOverride('environment.variables.DB_PASSWORD_NAME', 'warehouse/admin'))).toEqual([]);
    expect(failing('LR-LMB-004', (p) => p.fn.addOverride('environment.variables.DB_PASSWORD_LENGTH', 32))).toEqual([]);
  });

  test('LR-LMB-005: a function without environment variables needs no key for them', () => {
    const noVariables = (p: Parts) => {
      p.fn.addOverride('environment', undefined);
      p.fn.addOverride('kms_key_arn', undefined);
    };
    expect(failing('LR-LMB-005', noVariables)).toEqual([]);
  });

  test('LR-LMB-006: a log group named literally after the function, or set as logging_config.log_group, is managed', () => {
    expect(failing('LR-LMB-006', (p) => p.logs.addOverride('name', '/aws/lambda/predict'))).toEqual([]);
    const configured = (p: Parts) => {
      p.logs.addOverride('name', '/app/predict');
      p.fn.addOverride('logging_config', [{ log_format: 'JSON', log_group: '${aws_cloudwatch_log_group.logs.name}' }]);
    };
    expect(failing('LR-LMB-006', configured)).toEqual([]);
    expect(failing('LR-LMB-006', (p) => p.logs.addOverride('name', '/app/predict'))).toEqual([FN]);
    const elsewhere = (p: Parts) => {
      p.logs.addOverride('name', '/app/predict');
      p.fn.addOverride('logging_config', [{ log_format: 'JSON', log_group: '/shared/defined-elsewhere' }]);
    };
    expect(failing('LR-LMB-006', elsewhere)).toEqual([FN]);
  });

  test('LR-LMB-007: a permission for an account (not a service) needs no source_arn', () => {
    const forAccount = (p: Parts) => {
      p.permission.addOverride('principal', '123456789012');
      p.permission.addOverride('source_arn', undefined);
    };
    expect(failing('LR-LMB-007', forAccount)).toEqual([]);
  });

  test('LR-LMB-009: a vpc_config without subnets is outside any VPC; subnets given by reference are inside', () => {
    const noSubnets = (p: Parts) => (p.fn as LambdaFunction).putVpcConfig({ subnetIds: [], securityGroupIds: ['sg-lambda'] });
    expect(failing('LR-LMB-009', noSubnets)).toEqual([FN]);
    expect(failing('LR-LMB-009', (p) => p.fn.addOverride('vpc_config.subnet_ids', undefined))).toEqual([FN]);
    expect(failing('LR-LMB-009', (p) => p.fn.addOverride('vpc_config.subnet_ids', '${var.subnet_ids}'))).toEqual([]);
  });
});
