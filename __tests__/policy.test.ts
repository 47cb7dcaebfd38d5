/**
 * The security baseline as a whole: enforcement on synth, the report, IAM action checks in every
 * policy form, and suppressions. Per-rule fixtures are in policy/<service>.test.ts; the real app is in
 * policy-app.test.ts.
 */
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { App, Fn, TerraformStack, Testing } from 'cdktf';
import { Construct } from 'constructs';
import * as fs from 'fs';
import * as path from 'path';
import { SecurityBaselineError, enforceSecurityBaseline, synthesizeForReport } from '../policy/enforce';
import { Evaluation, evaluateStack, failures } from '../policy/engine';
import { parseJsonencode } from '../policy/hcl-literal';
import { expandAction } from '../policy/iam-actions';
import { fullReport } from '../policy/report';
import { ALL_RULES, RULES, checkCatalogue } from '../policy/registry';
import { RULE, RuleId } from '../policy/rule-ids';
import { MIN_REASON_LENGTH, suppressRule, suppressionsOf } from '../policy/suppress';

const policy = (...statements: object[]): string => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const REASON = 'The fixture needs this exception to test suppressions';

/** An app with one stack, `fixture`, holding what `build` creates. */
function appWith(build: (stack: Construct) => void): App {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'fixture');
  new AwsProvider(stack, 'aws', { region: 'us-east-1' });
  build(stack);
  return app;
}

/** Enforces the baseline and synthesizes; returns the error thrown (if any) and what went to stderr. */
function synthesize(app: App): { error?: Error; stderr: string } {
  enforceSecurityBaseline(app);
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    app.synth();
    return { stderr: stderr.mock.calls.join('') };
  } catch (error) {
    return { error: error as Error, stderr: stderr.mock.calls.join('') };
  } finally {
    stderr.mockRestore();
  }
}

const evaluations = (build: (scope: Construct) => void): Evaluation[] => [
  ...evaluateStack('fixture', JSON.parse(Testing.synthScope(build)), RULES).evaluations,
];
const failing = (all: Evaluation[], rule: string): Evaluation[] => all.filter((e) => e.rule.id === rule && e.outcome === 'fail');

describe('enforcement on synth', () => {
  const injected = (stack: Construct): void => {
    new S3Bucket(stack, 'unprotected', { bucketPrefix: 'unprotected-' });
    new IamPolicy(stack, 'admin', { policy: policy({ Effect: 'Allow', Action: 's3:*', Resource: '*' }) });
  };

  test('an injected violation fails synth with a report naming both resources and their rules', () => {
    const { error } = synthesize(appWith(injected));
    expect(error).toBeInstanceOf(SecurityBaselineError);
    const message = error?.message ?? '';
    expect(message).toContain('ERROR LR-S3-001  fixture  aws_s3_bucket.unprotected');
    expect(message).toContain('ERROR LR-IAM-003  fixture  aws_iam_policy.admin');
    expect(message).toContain('ERROR LR-IAM-004  fixture  aws_iam_policy.admin');
    expect(message).toContain('found: no aws_s3_bucket_public_access_block references this bucket');
    expect(message).toContain('found: allows s3:*');
    expect(message).toContain('rule:  S3BucketPublicAccessBlocked: S3 bucket has a public access block');
    expect(message).toMatch(/fix: +add an aws_s3_bucket_public_access_block/);
  });

  test('the full report lists the same findings and a summary table', () => {
    const report = fullReport(synthesizeForReport(appWith(injected)));
    expect(report).toMatch(/ERROR LR-S3-001 {2}fixture {2}aws_s3_bucket\.unprotected/);
    expect(report).toMatch(/ERROR LR-IAM-003 {2}fixture {2}aws_iam_policy\.admin/);
    expect(report).toMatch(/stack +severity +checks +pass +fail +suppressed/);
    expect(report).toMatch(/fixture +error +\d+ +\d+ +\d+ +0/);
  });

  test('warnings go to stderr and do not fail synth', () => {
    const app = appWith((stack) => new CloudwatchLogGroup(stack, 'plain', { name: '/app/plain', retentionInDays: 30 }));
    const { error, stderr } = synthesize(app);
    expect(error).toBeUndefined();
    expect(stderr).toContain('WARNING LR-LOG-002  fixture  aws_cloudwatch_log_group.plain');
  });

  test('the error is a SecurityBaselineError by name too, and a clean app writes nothing to stderr', () => {
    expect(synthesize(appWith(injected)).error?.name).toBe('SecurityBaselineError');
    expect(synthesize(appWith(() => undefined))).toEqual({ stderr: '' });
  });

  test('each warning starts its own line; enforcing twice checks once', () => {
    const app = appWith((stack) => {
      new CloudwatchLogGroup(stack, 'first', { name: '/app/first', retentionInDays: 30 });
      new CloudwatchLogGroup(stack, 'second', { name: '/app/second', retentionInDays: 30 });
    });
    enforceSecurityBaseline(app);
    const { stderr } = synthesize(app);
    const headers = stderr.split('\n').filter((line) => line.includes('LR-LOG-002'));
    expect(headers).toEqual([
      'WARNING LR-LOG-002  fixture  aws_cloudwatch_log_group.first  (fixture/first)',
      'WARNING LR-LOG-002  fixture  aws_cloudwatch_log_group.second  (fixture/second)',
    ]);
  });

  test('a report synth leaves the app enforcing: a later synth fails on the same errors', () => {
    const app = appWith(injected);
    expect(failures(synthesizeForReport(app), 'error').length).toBeGreaterThan(0);
    expect(synthesize(app).error).toBeInstanceOf(SecurityBaselineError);
  });

  test('a typo in an IAM action fails synth', () => {
    const app = appWith(
      (stack) =>
        new DataAwsIamPolicyDocument(stack, 'query', {
          statement: [{ actions: ['redshift-data:ExecuteStatment'], resources: ['arn:aws:redshift-serverless:us-east-1:123456789012:workgroup/x'] }],
        }),
    );
    const message = synthesize(app).error?.message ?? '';
    expect(message).toContain('ERROR LR-IAM-001  fixture  data.aws_iam_policy_document.query');
    expect(message).toContain('"redshift-data:ExecuteStatment": redshift-data has no action ExecuteStatment');
  });
});

describe('IAM actions are checked in every policy form', () => {
  const BAD = 'redshift-data:ExecuteStatment';
  const statement = { Effect: 'Allow', Action: [BAD], Resource: 'arn:aws:redshift-serverless:us-east-1:123456789012:workgroup/x' };
  const trust = policy({ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' });
  const forms: [string, string, (scope: Construct) => void][] = [
    ['a JSON string', 'aws_iam_policy.p', (s) => new IamPolicy(s, 'p', { policy: policy(statement) })],
    [
      'a jsonencode expression',
      'aws_iam_role_policy.p',
      (s) => new IamRolePolicy(s, 'p', { role: 'r', policy: Fn.jsonencode({ Version: '2012-10-17', Statement: [statement] }) }),
    ],
    [
      'an aws_iam_policy_document data source',
      'data.aws_iam_policy_document.p',
      (s) => new DataAwsIamPolicyDocument(s, 'p', { statement: [{ actions: [BAD], resources: ['*'] }] }),
    ],
    [
      'a source document inside a data source',
      'data.aws_iam_policy_document.p',
      (s) => new DataAwsIamPolicyDocument(s, 'p', { sourcePolicyDocuments: [policy(statement)] }),
    ],
    ['a role inline policy', 'aws_iam_role.p', (s) => new IamRole(s, 'p', { assumeRolePolicy: trust, inlinePolicy: [{ name: 'q', policy: policy(statement) }] })],
    [
      'a trust policy',
      'aws_iam_role.p',
      (s) => new IamRole(s, 'p', { assumeRolePolicy: policy({ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRoel' }) }),
    ],
    ['a bucket policy', 'aws_s3_bucket_policy.p', (s) => new S3BucketPolicy(s, 'p', { bucket: 'b', policy: policy({ ...statement, Principal: { AWS: 'arn:aws:iam::123456789012:root' } }) })],
  ];

  test.each(forms)('in %s', (_form, address, build) => {
    expect(failing(evaluations(build), 'LR-IAM-001').map((e) => e.element.address)).toEqual([address]);
  });

  test.each([
    ['s3:GetObject', true],
    ['S3:getobject', true],
    ['s3:Get*', true],
    ['s3:*', true],
    ['s3:Get?bject', true],
    ['s3:Gett*', false],
    ['redshfit-data:ExecuteStatement', false],
    ['ExecuteStatement', false],
    ['s3:Get Object', false],
    ['s3:constructor', false],
  ])('%s exists: %s', (action, exists) => {
    expect(typeof expandAction(action) !== 'string').toBe(exists);
  });

  test('a wildcard grants every matching action', () => {
    const actions = expandAction('redshift-data:*Statement');
    expect(typeof actions !== 'string' && actions.map((a) => a.name).sort()).toEqual([
      'BatchExecuteStatement',
      'CancelStatement',
      'DescribeStatement',
      'ExecuteStatement',
    ]);
  });
});

describe('references are followed', () => {
  test('jsonencode arguments keep references and templates as ${...} strings', () => {
    const value = parseJsonencode(
      '${jsonencode({"Resource" = [aws_s3_bucket.b.arn, "${aws_s3_bucket.b.arn}/*"], "Condition" = {"StringEquals" = {"aws:userid" = "$${aws:userid}"}}, "N" = 3, "T" = true})}',
    );
    expect(value).toEqual({
      Resource: ['${aws_s3_bucket.b.arn}', '${aws_s3_bucket.b.arn}/*'],
      Condition: { StringEquals: { 'aws:userid': '$${aws:userid}' } },
      N: 3,
      T: true,
    });
  });

  test('a bucket policy built with aws_iam_policy_document satisfies the TLS-only rule', () => {
    const all = evaluations((scope) => {
      const bucket = new S3Bucket(scope, 'bucket', { bucketPrefix: 'b-' });
      const tls = new DataAwsIamPolicyDocument(scope, 'tls', {
        statement: [
          {
            effect: 'Deny',
            actions: ['s3:*'],
            resources: [bucket.arn, `${bucket.arn}/*`],
            principals: [{ type: '*', identifiers: ['*'] }],
            condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }],
          },
        ],
      });
      new S3BucketPolicy(scope, 'policy', { bucket: bucket.id, policy: tls.json });
    });
    expect(all.find((e) => e.rule.id === 'LR-S3-005')?.outcome).toBe('pass');
  });
});

describe('the rule catalogue', () => {
  test('every rule has a unique LR id, a unique PascalCase name and a one-line description, rationale and fix', () => {
    const bad = ALL_RULES.filter(
      (r) =>
        !/^LR-[A-Z0-9]+-\d{3}$/.test(r.id) ||
        !/^[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+$/.test(r.name) ||
        [r.description, r.rationale, r.fix].some((text) => text.trim().length < 10 || text.includes('\n')),
    );
    expect(bad.map((r) => r.id)).toEqual([]);
    expect(new Set(ALL_RULES.map((r) => r.id)).size).toBe(ALL_RULES.length);
    expect(new Set(ALL_RULES.map((r) => r.name)).size).toBe(ALL_RULES.length);
  });

  // The report and the docs print these: a malformed Checkov / cdk-nag id is a bug too.
  test('every mirrored check id is a well-formed checkov or cdk-nag id', () => {
    const malformed = ALL_RULES.flatMap((r) => r.mirrors.filter((id) => !/^(CKV2?_AWS_\d+|AwsSolutions-[A-Z]+\d+)$/.test(id)));
    expect(malformed).toEqual([]);
  });

  test('every rule file has its test file (__tests__/policy/<file>.test.ts checks each of its rules)', () => {
    const ruleFiles = fs.readdirSync(path.join(__dirname, '..', 'policy', 'rules')).map((f) => f.replace(/\.ts$/, ''));
    const testFiles = fs.readdirSync(path.join(__dirname, 'policy')).map((f) => f.replace(/\.test\.ts$/, ''));
    expect(ruleFiles.length).toBeGreaterThan(10);
    expect(testFiles.sort()).toEqual(ruleFiles.sort());
  });

  test('RULE maps each name to its rule id, for every rule and nothing else', () => {
    expect(Object.fromEntries(RULES.map((r) => [r.name, r.id]))).toEqual(RULE);
  });
});

describe('the catalogue check made when the rule pack loads', () => {
  const rule = (id: string, name: string) => ({ id, name });

  test('passes the rule pack as it is', () => {
    expect(() => checkCatalogue(ALL_RULES, RULES.map((r) => r.name), Object.keys(RULE))).not.toThrow();
  });

  test('refuses an id used twice, a name used twice, and a name in rule-ids.ts that no rule defines', () => {
    expect(() => checkCatalogue([rule('LR-A-001', 'A'), rule('LR-A-001', 'B')], ['A', 'B'], [])).toThrow(
      new Error('security baseline: rule id LR-A-001 is used twice'),
    );
    expect(() => checkCatalogue([rule('LR-A-001', 'A'), rule('LR-A-002', 'A')], ['A'], [])).toThrow(
      new Error('security baseline: rule name A is used twice'),
    );
    expect(() => checkCatalogue([rule('LR-A-001', 'A')], ['A'], ['A', 'Gone'])).toThrow(
      new Error('security baseline: rule-ids.ts names Gone but no rule file defines it'),
    );
  });
});

describe('suppressions', () => {
  test.each(['', '   ', 'n/a', 'LR-S3-001', `  ${'n/a'.padEnd(20)}  `])('need a meaningful reason (%j is refused)', (reason) => {
    Testing.synthScope((scope) => {
      const bucket = new S3Bucket(scope, 'bucket', {});
      expect(() => suppressRule(bucket, RULE.S3BucketAccessLogging, reason)).toThrow(/give a reason of at least 20 characters/);
    });
  });

  test('accept a reason of exactly the minimum length, trimmed; a refusal quotes the reason given', () => {
    const app = appWith((stack) => {
      const group = new CloudwatchLogGroup(stack, 'group', { name: '/app/x' });
      expect(() => suppressRule(group, RULE.LogGroupRetention, 'n/a')).toThrow(
        'suppressRule(fixture/group, LR-LOG-001): give a reason of at least 20 characters saying why the rule does not apply (got "n/a")',
      );
      suppressRule(group, RULE.LogGroupRetention, `  ${'x'.repeat(MIN_REASON_LENGTH)}  `);
    });
    const suppressed = synthesizeForReport(app).flatMap((r) => r.evaluations).filter((e) => e.outcome === 'suppressed');
    expect(suppressed.map((e) => e.reason)).toEqual(['x'.repeat(MIN_REASON_LENGTH)]);
  });

  test('are read only from an object under //.suppressions', () => {
    expect(suppressionsOf({ '//': null })).toEqual({});
    expect(suppressionsOf({ '//': { suppressions: null } })).toEqual({});
    expect(suppressionsOf({ '//': 'note' })).toEqual({});
    expect(suppressionsOf({ '//': { suppressions: { 'LR-LOG-001': REASON } } })).toEqual({ 'LR-LOG-001': REASON });
  });

  test('silence the finding, keep it out of synth errors, and are listed in the report with their reason', () => {
    const app = appWith((stack) => {
      const group = new CloudwatchLogGroup(stack, 'group', { name: '/app/x' });
      suppressRule(group, RULE.LogGroupRetention, REASON);
    });
    const results = synthesizeForReport(app);
    const suppressed = results.flatMap((r) => r.evaluations).filter((e) => e.outcome === 'suppressed');
    expect(suppressed.map((e) => [e.rule.id, e.element.address, e.reason])).toEqual([['LR-LOG-001', 'aws_cloudwatch_log_group.group', REASON]]);
    expect(failures(results, 'error')).toEqual([]);
    expect(failures(results, 'warning').filter((e) => e.rule.id === 'LR-SUP-002')).toEqual([]);
    expect(fullReport(results)).toContain(`SUPPRESSED LR-LOG-001  fixture  aws_cloudwatch_log_group.group  (fixture/group)\n  found:  logs are kept forever (no retention_in_days)\n  reason: ${REASON}`);
  });

  test('with an unknown rule id fail synth', () => {
    // The type only admits known ids; an id from a stale branch or plain JavaScript still gets here.
    const app = appWith((stack) => suppressRule(new S3Bucket(stack, 'bucket', {}), 'LR-S3-999' as RuleId, REASON));
    const message = synthesize(app).error?.message ?? '';
    expect(message).toContain('ERROR LR-SUP-001  fixture  aws_s3_bucket.bucket');
    expect(message).toContain('suppresses unknown rule LR-S3-999');
  });

  test('that silence nothing are reported as stale', () => {
    const app = appWith((stack) => {
      const group = new CloudwatchLogGroup(stack, 'group', { name: '/app/x', retentionInDays: 30 });
      suppressRule(group, RULE.LogGroupRetention, REASON);
    });
    const stale = failures(synthesizeForReport(app), 'warning').filter((e) => e.rule.id === 'LR-SUP-002');
    expect(stale.map((e) => e.detail)).toEqual(['LR-LOG-001 is suppressed here but does not fail']);
  });
});
