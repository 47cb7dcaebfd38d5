/** The test-only IAM evaluator (helpers/iam-evaluator.ts) the account and deployer tests rely on. */
import { EvaluatedStatement, evaluate, globMatches } from './helpers/iam-evaluator';

const allow = (statement: Omit<EvaluatedStatement, 'Effect'>): EvaluatedStatement => ({ Effect: 'Allow', ...statement });
const deny = (statement: Omit<EvaluatedStatement, 'Effect'>): EvaluatedStatement => ({ Effect: 'Deny', ...statement });

test('wildcards: * spans any characters, slashes and colons included; ? is one character; nothing else is special', () => {
  expect(globMatches('arn:aws:s3:::app-*', 'arn:aws:s3:::app-data/key/x')).toBe(true);
  expect(globMatches('arn:aws:s3:::app-?', 'arn:aws:s3:::app-ab')).toBe(false);
  expect(globMatches('arn:aws:s3:::app.data', 'arn:aws:s3:::appXdata')).toBe(false);
  expect(globMatches('s3:get*', 'S3:GetObject', true)).toBe(true);
  expect(globMatches('arn:aws:s3:::App', 'arn:aws:s3:::app')).toBe(false);
});

test('an explicit deny wins over any allow; no statement is an implicit deny', () => {
  const request = { action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' };
  expect(evaluate([allow({ Action: 's3:GetObject', Resource: '*' })], request)).toBe('allow');
  expect(evaluate([allow({ Action: 's3:*', Resource: '*' }), deny({ Action: 's3:Get*', Resource: 'arn:aws:s3:::b/*' })], request)).toBe('explicit deny');
  expect(evaluate([allow({ Action: 's3:PutObject', Resource: '*' })], request)).toBe('implicit deny');
  expect(evaluate([], request)).toBe('implicit deny');
});

test('NotAction and NotResource match everything but what they list', () => {
  const bucket = { action: 's3:PutBucketPolicy', resource: 'arn:aws:s3:::state' };
  const keepList = deny({ NotAction: ['s3:ListBucket'], Resource: 'arn:aws:s3:::state' });
  expect(evaluate([allow({ Action: 's3:*', Resource: '*' }), keepList], bucket)).toBe('explicit deny');
  expect(evaluate([allow({ Action: 's3:*', Resource: '*' }), keepList], { ...bucket, action: 's3:ListBucket' })).toBe('allow');
  expect(evaluate([allow({ Action: 's3:*', NotResource: 'arn:aws:s3:::state' })], bucket)).toBe('implicit deny');
});

test('conditions: every key must hold, any value may; a missing key fails positive operators and passes negated ones', () => {
  const tagged = allow({ Action: 'kms:*', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/project': 'p', 'aws:ResourceTag/stack': ['api', 'waf'] } } });
  const key = { action: 'kms:Decrypt', resource: 'k' };
  expect(evaluate([tagged], { ...key, context: { 'aws:resourcetag/project': 'p', 'aws:ResourceTag/stack': 'waf' } })).toBe('allow');
  expect(evaluate([tagged], { ...key, context: { 'aws:ResourceTag/project': 'p' } })).toBe('implicit deny');
  expect(evaluate([tagged], { ...key, context: { 'aws:ResourceTag/project': 'q', 'aws:ResourceTag/stack': 'api' } })).toBe('implicit deny');
  const notBoundary = deny({ Action: 'iam:CreateRole', Resource: '*', Condition: { StringNotEquals: { 'iam:PermissionsBoundary': 'b' } } });
  expect(evaluate([notBoundary], { action: 'iam:CreateRole', resource: 'r' })).toBe('explicit deny');
  expect(evaluate([notBoundary], { action: 'iam:CreateRole', resource: 'r', context: { 'iam:PermissionsBoundary': 'b' } })).toBe('implicit deny');
  const like = allow({ Action: 'x:Y', Resource: '*', Condition: { StringLike: { 'x:name': 'a-*' }, Bool: { 'aws:SecureTransport': 'true' } } });
  expect(evaluate([like], { action: 'x:Y', resource: 'r', context: { 'x:name': 'a-b', 'aws:SecureTransport': 'true' } })).toBe('allow');
  expect(evaluate([like], { action: 'x:Y', resource: 'r', context: { 'x:name': 'a-b' } })).toBe('implicit deny');
});

test('an operator it does not know fails the test instead of deciding', () => {
  const unknown = allow({ Action: 'x:Y', Resource: '*', Condition: { DateGreaterThan: { 'aws:CurrentTime': '2020-01-01' } } });
  expect(() => evaluate([unknown], { action: 'x:Y', resource: 'r' })).toThrow('does not know the condition operator DateGreaterThan');
});
