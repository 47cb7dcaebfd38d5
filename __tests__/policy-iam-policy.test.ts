/**
 * How the rule pack reads IAM policy documents (policy/iam-policy.ts) in every form cdktf writes them,
 * on hand-written Terraform JSON.
 */
import { StackIndex } from '../policy/graph';
import { isAnyone, policyLocations, resolveStatements, statementsOfKind, writtenStatements } from '../policy/iam-policy';
import { TfElement } from '../policy/types';

const element = (type: string, name: string, body: Record<string, unknown>, kind: 'resource' | 'data' = 'resource'): TfElement => ({
  kind,
  type,
  name,
  address: `${kind === 'data' ? 'data.' : ''}${type}.${name}`,
  path: '',
  body,
});
const doc = (...statements: object[]): string => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const ALLOW_GET = { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' };

describe('policyLocations', () => {
  test("a role's trust policy and each of its inline policies, with the attribute they are in", () => {
    const role = element('aws_iam_role', 'r', {
      assume_role_policy: doc({ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }),
      inline_policy: [{ name: 'a', policy: doc(ALLOW_GET) }, { name: 'empty' }, { name: 'b', policy: doc(ALLOW_GET) }],
    });
    expect(policyLocations(role).map(({ attribute, kind }) => `${kind} ${attribute}`)).toEqual([
      'trust assume_role_policy',
      'identity inline_policy[0].policy',
      'identity inline_policy[2].policy',
    ]);
  });

  test('inline_policy blocks are policies of a role only', () => {
    expect(policyLocations(element('aws_iam_user', 'u', { inline_policy: [{ name: 'a', policy: doc(ALLOW_GET) }] }))).toEqual([]);
  });

  test('only attributes that are set; nothing for types that hold no policy', () => {
    expect(policyLocations(element('aws_kms_key', 'k', { description: 'no policy' }))).toEqual([]);
    expect(policyLocations(element('aws_s3_bucket', 'b', { policy: doc(ALLOW_GET) }))).toEqual([]);
    expect(policyLocations(element('aws_cloudwatch_log_resource_policy', 'l', { policy_document: 'x' }))).toEqual([
      { attribute: 'policy_document', kind: 'resource', value: 'x' },
    ]);
  });
});

describe('writtenStatements', () => {
  test('reads JSON and jsonencode documents into one statement form, principals and conditions included', () => {
    const json = doc({
      Effect: 'Deny',
      NotPrincipal: { AWS: ['arn:aws:iam::123456789012:root'] },
      NotAction: 's3:*',
      NotResource: ['arn:aws:s3:::b'],
      Condition: { Bool: { 'aws:SecureTransport': 'false' }, StringEquals: { 'aws:PrincipalOrgID': ['o-1', 'o-2'] } },
    });
    expect(writtenStatements(element('aws_s3_bucket_policy', 'p', { policy: json }))).toEqual({
      statements: [
        {
          effect: 'Deny',
          actions: [],
          notActions: ['s3:*'],
          resources: [],
          notResources: ['arn:aws:s3:::b'],
          principals: [],
          notPrincipals: [{ type: 'AWS', ids: ['arn:aws:iam::123456789012:root'] }],
          conditions: [
            { test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] },
            { test: 'StringEquals', variable: 'aws:PrincipalOrgID', values: ['o-1', 'o-2'] },
          ],
        },
      ],
      unreadable: [],
    });
    const encoded = '${jsonencode({"Statement" = [{"Effect" = "Allow", "Principal" = "*", "Action" = "s3:GetObject"}]})}';
    const [statement] = writtenStatements(element('aws_s3_bucket_policy', 'p', { policy: encoded })).statements;
    expect(statement).toMatchObject({ effect: 'Allow', principals: [{ type: '*', ids: ['*'] }], actions: ['s3:GetObject'] });
  });

  test('lists the attributes it cannot read, and skips references to policy-document data sources', () => {
    const role = element('aws_iam_role', 'r', {
      assume_role_policy: '${data.aws_iam_policy_document.trust.json}',
      inline_policy: [{ policy: 'not json' }, { policy: '{"Version": "2012-10-17"}' }, { policy: 'null' }],
    });
    expect(writtenStatements(role)).toEqual({
      statements: [],
      unreadable: ['inline_policy[0].policy', 'inline_policy[1].policy', 'inline_policy[2].policy'],
    });
  });

  test('JSON that is not an object is unreadable; a value that is not text is not read at all', () => {
    const policyOf = (policy: unknown) => writtenStatements(element('aws_iam_policy', 'p', { policy }));
    expect(policyOf('5')).toEqual({ statements: [], unreadable: ['policy'] });
    expect(policyOf('"text"')).toEqual({ statements: [], unreadable: ['policy'] });
    expect(policyOf({ Statement: [ALLOW_GET] })).toEqual({ statements: [], unreadable: [] });
  });

  test('Principal null is "*" naming nobody', () => {
    const [statement] = writtenStatements(element('aws_s3_bucket_policy', 'b', { policy: doc({ ...ALLOW_GET, Principal: null }) })).statements;
    expect(statement.principals).toEqual([{ type: '*', ids: [] }]);
  });

  test("a policy-document data source: its statement blocks and the inline JSON of its source and override documents", () => {
    const data = element(
      'aws_iam_policy_document',
      'd',
      {
        statement: [
          {
            effect: 'Deny',
            actions: ['s3:*'],
            principals: [{ type: 'AWS', identifiers: ['*'] }],
            not_principals: [{ type: 'Service', identifiers: 'lambda.amazonaws.com' }],
            condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }],
          },
        ],
        source_policy_documents: [doc(ALLOW_GET), 'broken'],
        override_policy_documents: [doc({ ...ALLOW_GET, Action: 's3:PutObject' })],
      },
      'data',
    );
    const { statements, unreadable } = writtenStatements(data);
    expect(statements.map((s) => `${s.effect} ${s.actions.join(',')}`)).toEqual(['Deny s3:*', 'Allow s3:GetObject', 'Allow s3:PutObject']);
    expect(statements[0]).toMatchObject({
      principals: [{ type: 'AWS', ids: ['*'] }],
      notPrincipals: [{ type: 'Service', ids: ['lambda.amazonaws.com'] }],
      conditions: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }],
    });
    expect(unreadable).toEqual(['source_policy_documents[1]']);
  });
});

describe('resolveStatements and statementsOfKind', () => {
  const nested = element('aws_iam_policy_document', 'nested', { statement: [{ actions: ['kms:Decrypt'] }] }, 'data');
  const outer = element(
    'aws_iam_policy_document',
    'outer',
    {
      statement: [{ actions: ['s3:GetObject'] }],
      source_policy_documents: ['${data.aws_iam_policy_document.nested.json}'],
      override_policy_documents: [doc({ ...ALLOW_GET, Action: 's3:PutObject' })],
    },
    'data',
  );
  const stack = new StackIndex('s', {
    data: { aws_iam_policy_document: { nested: nested.body, outer: outer.body } },
  });

  test('follows a data-source reference through its source and override documents', () => {
    const resolved = resolveStatements('${data.aws_iam_policy_document.outer.minified_json}', stack);
    expect(resolved?.map((s) => s.actions.join(','))).toEqual(['s3:GetObject', 'kms:Decrypt', 's3:PutObject']);
    expect(resolveStatements('${data.aws_iam_policy_document.missing.json}', stack)).toBeUndefined();
    expect(resolveStatements({ Statement: [] }, stack)).toBeUndefined();
  });

  test('leaves out documents it cannot read, at any depth', () => {
    const partial = element(
      'aws_iam_policy_document',
      'partial',
      { statement: [{ actions: ['s3:GetObject'] }], source_policy_documents: ['${var.shared_policy}', 'not json'] },
      'data',
    );
    const withPartial = new StackIndex('s', { data: { aws_iam_policy_document: { partial: partial.body } } });
    expect(resolveStatements('${data.aws_iam_policy_document.partial.json}', withPartial)?.map((s) => s.actions.join(','))).toEqual([
      's3:GetObject',
    ]);
    const policy = element('aws_iam_policy', 'p', { policy: 'not json' });
    expect(statementsOfKind(policy, 'identity', withPartial)).toEqual([]);
  });

  test('returns the documents of one kind only', () => {
    const role = element('aws_iam_role', 'r', {
      assume_role_policy: doc({ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }),
      inline_policy: [{ policy: '${data.aws_iam_policy_document.outer.json}' }],
    });
    expect(statementsOfKind(role, 'trust', stack).map((s) => s.actions.join(','))).toEqual(['sts:AssumeRole']);
    expect(statementsOfKind(role, 'identity', stack).map((s) => s.actions.join(','))).toEqual(['s3:GetObject', 'kms:Decrypt', 's3:PutObject']);
    expect(statementsOfKind(role, 'resource', stack)).toEqual([]);
  });
});

test('isAnyone: "*" or AWS "*", nothing narrower', () => {
  expect(isAnyone({ type: '*', ids: ['*'] })).toBe(true);
  expect(isAnyone({ type: 'AWS', ids: ['arn:aws:iam::123456789012:root', '*'] })).toBe(true);
  expect(isAnyone({ type: 'AWS', ids: ['arn:aws:iam::123456789012:root'] })).toBe(false);
  expect(isAnyone({ type: 'Service', ids: ['*'] })).toBe(false);
  expect(isAnyone({ type: 'Federated', ids: ['*'] })).toBe(false);
});
