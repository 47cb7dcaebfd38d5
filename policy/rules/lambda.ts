import { StackIndex, blocks } from '../graph';
import { RuleDefinition, TfElement } from '../types';

const FUNCTION = ['aws_lambda_function'];
export const CURRENT_RUNTIMES = ['nodejs22.x'];
const SECRET_NAME = /PASSWORD|SECRET|TOKEN|PRIVATE_KEY|API_KEY|ACCESS_KEY|CREDENTIAL/i;
const POINTER_NAME = /_(ARN|NAME|ID)$/i;
const AWS_ACCESS_KEY = /\b(AKIA|ASIA)[0-9A-Z]{16}\b/;

const variables = (fn: TfElement): Record<string, unknown> =>
  Object.assign({}, ...blocks(fn.body, 'environment').map((e) => e.variables ?? {}));

/** Log groups that receive the function's logs: named /aws/lambda/<name>, or its logging_config target. */
function logGroupsOf(fn: TfElement, stack: StackIndex): TfElement[] {
  const configured = blocks(fn.body, 'logging_config').flatMap((c) => stack.referencedBy(c.log_group));
  const named = stack
    .ofType('aws_cloudwatch_log_group')
    .filter(
      (g) =>
        g.body.name === `/aws/lambda/${String(fn.body.function_name)}` ||
        stack.referencedBy(g.body.name).includes(fn),
    );
  return [...configured, ...named];
}

export const lambdaRules: RuleDefinition[] = [
  {
    name: 'LambdaCurrentRuntime',
    mirrors: ['CKV_AWS_363', 'AwsSolutions-L1'],
    severity: 'error',
    description: `Lambda function uses a current runtime (${CURRENT_RUNTIMES.join(', ')})`,
    rationale: 'Deprecated runtimes stop receiving security patches',
    fix: `set runtime = "${CURRENT_RUNTIMES[0]}"`,
    appliesTo: FUNCTION,
    check: (fn) =>
      fn.body.package_type === 'Image' || CURRENT_RUNTIMES.includes(String(fn.body.runtime))
        ? undefined
        : `runtime is ${String(fn.body.runtime)}`,
  },
  {
    name: 'LambdaTracingActive',
    mirrors: ['CKV_AWS_50'],
    severity: 'error',
    description: 'Lambda function has X-Ray tracing active',
    rationale: 'Traces show where a request failed or slowed down across API Gateway, Lambda and the Data API',
    fix: 'set tracing_config { mode = "Active" }',
    appliesTo: FUNCTION,
    check: (fn) => (blocks(fn.body, 'tracing_config').some((t) => t.mode === 'Active') ? undefined : 'tracing is not Active'),
  },
  {
    name: 'LambdaReservedConcurrency',
    mirrors: ['CKV_AWS_115'],
    severity: 'error',
    description: 'Lambda function has reserved concurrency (caps cost and protects the warehouse)',
    rationale: 'A flood of requests cannot exhaust the account\'s Lambda concurrency or overload the warehouse',
    fix: 'set reserved_concurrent_executions to a positive number',
    appliesTo: FUNCTION,
    check: (fn) =>
      Number(fn.body.reserved_concurrent_executions ?? -1) > 0 ? undefined : 'reserved_concurrent_executions is not set above 0',
  },
  {
    name: 'LambdaNoSecretsInEnvironment',
    mirrors: ['CKV_AWS_45'],
    severity: 'error',
    description: 'Lambda environment variables carry no secrets',
    rationale: 'Environment variables are readable by anyone allowed to read the function configuration, and sit in Terraform state',
    fix: 'pass a secret ARN or name and read the value at run time (Secrets Manager, SSM)',
    appliesTo: FUNCTION,
    check(fn) {
      const leaked = Object.entries(variables(fn))
        .filter(([name, value]) => {
          const literal = typeof value === 'string' && !value.includes('${');
          return AWS_ACCESS_KEY.test(String(value)) || (literal && SECRET_NAME.test(name) && !POINTER_NAME.test(name));
        })
        .map(([name]) => name);
      return leaked.length > 0 ? `secret-looking values in ${leaked.join(', ')}` : undefined;
    },
  },
  {
    name: 'LambdaEnvironmentCmkEncryption',
    mirrors: ['CKV_AWS_173'],
    severity: 'warning',
    description: 'Lambda environment variables are encrypted with a customer-managed KMS key',
    rationale: 'Reading the variables also needs kms:Decrypt on a key whose policy we control',
    fix: 'set kms_key_arn',
    appliesTo: FUNCTION,
    check: (fn) =>
      Object.keys(variables(fn)).length > 0 && fn.body.kms_key_arn === undefined
        ? 'environment variables use the aws/lambda key'
        : undefined,
  },
  {
    name: 'LambdaLogGroupManaged',
    mirrors: [],
    severity: 'warning',
    description: 'Lambda function logs to a log group this stack manages (so retention applies)',
    rationale: 'A log group Lambda creates by itself keeps the logs forever, with no retention',
    fix: 'add an aws_cloudwatch_log_group named /aws/lambda/<function name> with retention, or set logging_config.log_group',
    appliesTo: FUNCTION,
    check: (fn, stack) => (logGroupsOf(fn, stack).length > 0 ? undefined : 'Lambda would create an unmanaged log group kept forever'),
  },
  {
    name: 'LambdaPermissionSourceArn',
    mirrors: ['CKV_AWS_364'],
    severity: 'error',
    description: 'Lambda permission for an AWS service is limited by source_arn',
    rationale: 'Without source_arn, a resource of that service in any account could invoke the function (confused deputy)',
    fix: 'set source_arn, e.g. "${aws_api_gateway_rest_api.x.execution_arn}/*/POST/predict"',
    appliesTo: ['aws_lambda_permission'],
    check: (permission) =>
      String(permission.body.principal).endsWith('.amazonaws.com') && permission.body.source_arn === undefined
        ? 'any resource of the service may invoke the function'
        : undefined,
  },
  {
    name: 'LambdaPermissionNotPublic',
    mirrors: [],
    severity: 'error',
    description: 'Lambda permission does not grant invoke to any principal ("*")',
    rationale: 'Principal "*" lets any AWS account invoke the function',
    fix: 'set principal to the invoking service or account',
    appliesTo: ['aws_lambda_permission'],
    check: (permission) => (permission.body.principal === '*' ? 'principal is "*"' : undefined),
  },
  {
    name: 'LambdaInsideVpc',
    mirrors: ['CKV_AWS_117'],
    severity: 'warning',
    description: 'Lambda function runs inside a VPC',
    rationale: 'Inside a VPC, the function reaches only what its security group and endpoints allow, and its traffic shows in flow logs',
    fix: 'set vpc_config { subnet_ids, security_group_ids }, or suppress with the reason and what the VPC would cost',
    appliesTo: FUNCTION,
    check: (fn) =>
      blocks(fn.body, 'vpc_config').some((v) => Array.isArray(v.subnet_ids) ? v.subnet_ids.length > 0 : v.subnet_ids !== undefined)
        ? undefined
        : 'the function runs outside any VPC',
  },
];
