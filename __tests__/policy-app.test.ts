/**
 * The security baseline against what the project really builds: the whole app and the Lambda
 * construct. These synthesize stacks (seconds each), so they live apart from the rule-pack tests in
 * policy.test.ts and __tests__/policy/, which `npm run test:mutation` runs for every rule mutant;
 * each rule is pinned there by a fixture that passes and one that fails.
 */
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformStack, Testing } from 'cdktf';
import * as path from 'path';
import { failures } from '../policy/engine';
import { synthesizeForReport } from '../policy/enforce';
import { buildStacks } from '../stacks/app';
import { loadConfig } from '../stacks/config';
import { NodejsFunction } from '../stacks/constructs/nodejs-function';

test('the real app passes the baseline with zero errors', () => {
  const app = Testing.app();
  buildStacks(app, loadConfig({}));
  const results = synthesizeForReport(app);
  expect(results.map((r) => r.stack)).toEqual(expect.arrayContaining(['state', 'network']));
  expect(failures(results, 'error').map((e) => `${e.rule.id} ${e.stack} ${e.element.address}: ${e.detail}`)).toEqual([]);
});

test('the NodejsFunction construct passes the Lambda, IAM and log rules (with CMKs, in a VPC and a reservation, not even a warning)', () => {
  const KEY = 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555';
  const app = Testing.app();
  const stack = new TerraformStack(app, 'fixture');
  new AwsProvider(stack, 'aws', { region: 'us-east-1' });
  new NodejsFunction(stack, 'predict', {
    entry: path.join(__dirname, '..', 'lambda-src', 'handler.ts'),
    functionName: 'predict',
    description: 'Loan remediation predictions',
    environment: { TABLE_NAME: 'loans' },
    logKmsKeyArn: KEY,
    environmentKmsKeyArn: KEY,
    vpcConfig: { subnetIds: ['subnet-aaaa'], securityGroupIds: ['sg-lambda'] },
    // None by default (a new account may allow none); the api stack says why where it reserves none.
    reservedConcurrency: 5,
    permissionsBoundary: 'arn:aws:iam::123456789012:policy/loan-remediation-dev-boundary',
  });
  const results = synthesizeForReport(app);
  const checked = new Set(results.flatMap((r) => r.evaluations).map((e) => e.rule.id));
  expect(['LR-LMB-001', 'LR-LMB-006', 'LR-IAM-001', 'LR-IAM-005', 'LR-IAM-009', 'LR-IAM-014', 'LR-LOG-001'].filter((id) => !checked.has(id))).toEqual([]);
  const failed = results.flatMap((r) => r.evaluations).filter((e) => e.outcome !== 'pass');
  expect(failed.map((e) => `${e.rule.id} ${e.element.address}: ${e.detail}`)).toEqual([]);
});
