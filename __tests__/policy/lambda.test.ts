/** The lambda rules against a compliant fixture and one violation each (harness: helpers/policy-fixtures.ts). */
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import { Construct } from 'constructs';
import { lambdaRules } from '../../policy/rules/lambda';
import { KEY_ARN, Parts, RuleCase, testRules } from '../helpers/policy-fixtures';

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
