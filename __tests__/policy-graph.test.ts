/**
 * How the rule pack reads synthesized Terraform JSON: nested blocks, `${...}` interpolations and the
 * references between resources (policy/graph.ts), on hand-written JSON.
 */
import { StackIndex, blocks, interpolations, list } from '../policy/graph';

describe('list and blocks', () => {
  test('a value, an array or nothing becomes an array', () => {
    expect(list(['a', 'b'])).toEqual(['a', 'b']);
    expect(list('a')).toEqual(['a']);
    expect(list(0)).toEqual([0]);
    expect(list(undefined)).toEqual([]);
    expect(list(null)).toEqual([]);
  });

  test('blocks keeps only the objects, whether cdktf wrote one block or a list', () => {
    expect(blocks({ rule: { a: 1 } }, 'rule')).toEqual([{ a: 1 }]);
    expect(blocks({ rule: [{ a: 1 }, null, 'text', 2, { b: 2 }] }, 'rule')).toEqual([{ a: 1 }, { b: 2 }]);
    expect(blocks({}, 'rule')).toEqual([]);
  });
});

describe('interpolations', () => {
  test('the body of every ${...}, nested braces included', () => {
    expect(interpolations('${aws_s3_bucket.b.arn}/*')).toEqual(['aws_s3_bucket.b.arn']);
    expect(interpolations('a ${x.y} b ${lookup({k = "v"}, "k")} c')).toEqual(['x.y', 'lookup({k = "v"}, "k")']);
    expect(interpolations('no interpolation {here}')).toEqual([]);
  });

  test("Terraform's $${ escape is a literal, not an interpolation, wherever it stands", () => {
    expect(interpolations('$${aws:userid}')).toEqual([]);
    expect(interpolations('home/$${aws:username}/${aws_s3_bucket.b.arn}')).toEqual(['aws_s3_bucket.b.arn']);
    expect(interpolations('${a.b}$${c}')).toEqual(['a.b']);
  });

  test('braces around or before an interpolation are not part of it', () => {
    expect(interpolations('{${a.b}}')).toEqual(['a.b']);
    expect(interpolations('}${a.b}')).toEqual(['a.b']);
  });

  test('an unclosed ${ runs to the end of the text', () => {
    expect(interpolations('x ${a.b')).toEqual(['a.b']);
  });
});

describe('StackIndex', () => {
  const json = {
    resource: {
      aws_s3_bucket: {
        data: { bucket_prefix: 'd-', '//': { metadata: { path: 'network/data/bucket' } } },
        logs: { bucket_prefix: 'l-' },
      },
      aws_s3_bucket_versioning: {
        v: { bucket: '${aws_s3_bucket.data.id}' },
        other: { bucket: 'literal-name' },
      },
      aws_s3_bucket_policy: {
        p: {
          bucket: '${aws_s3_bucket.data.id}',
          policy: { Statement: [{ Resource: ['${aws_s3_bucket.logs.arn}', '${data.aws_caller_identity.me.account_id}'] }] },
          '//': { note: '${aws_s3_bucket.logs.id}' },
        },
      },
    },
    data: { aws_caller_identity: { me: {} } },
  };
  const index = new StackIndex('network', json);

  test('indexes resources and data sources by address and by type, with their construct path', () => {
    expect(index.stack).toBe('network');
    expect(index.elements().map((e) => e.address)).toEqual([
      'aws_s3_bucket.data',
      'aws_s3_bucket.logs',
      'aws_s3_bucket_versioning.v',
      'aws_s3_bucket_versioning.other',
      'aws_s3_bucket_policy.p',
      'data.aws_caller_identity.me',
    ]);
    expect(index.get('aws_s3_bucket.data')).toMatchObject({ kind: 'resource', type: 'aws_s3_bucket', name: 'data', path: 'network/data/bucket' });
    expect(index.get('aws_s3_bucket.logs')?.path).toBe('');
    expect(index.get('data.aws_caller_identity.me')).toMatchObject({ kind: 'data', type: 'aws_caller_identity', name: 'me' });
    expect(index.ofType('aws_s3_bucket').map((e) => e.name)).toEqual(['data', 'logs']);
    expect(index.ofType('data.aws_caller_identity').map((e) => e.name)).toEqual(['me']);
    expect(index.ofType('aws_kms_key')).toEqual([]);
    expect(new StackIndex('empty', {}).elements()).toEqual([]);
  });

  test('follows references inside strings, lists and objects, but not in the // metadata', () => {
    const policy = index.get('aws_s3_bucket_policy.p')!;
    expect(index.referencedBy(policy.body.policy).map((e) => e.address)).toEqual(['aws_s3_bucket.logs', 'data.aws_caller_identity.me']);
    expect(index.referencedBy(policy.body).map((e) => e.address)).toEqual([
      'aws_s3_bucket.data',
      'aws_s3_bucket.logs',
      'data.aws_caller_identity.me',
    ]);
    expect(index.referencedBy({ '//': '${aws_s3_bucket.logs.id}' })).toEqual([]);
    expect(index.referencedBy('${aws_s3_bucket.missing.id}')).toEqual([]);
    // toEqual would let an undefined entry through: the addresses show there is none.
    expect(index.referencedBy('${aws_s3_bucket.missing.id}-${aws_s3_bucket.logs.id}').map((e) => e.address)).toEqual(['aws_s3_bucket.logs']);
  });

  test('skips nulls, numbers and booleans among the values it searches', () => {
    const body = { a: null, b: [null, 5, true, '${aws_s3_bucket.logs.id}'], c: { d: null, e: '${aws_s3_bucket.data.id}' } };
    expect(index.referencedBy(body).map((e) => e.address)).toEqual(['aws_s3_bucket.logs', 'aws_s3_bucket.data']);
    expect(index.referencedBy(undefined)).toEqual([]);
  });

  test('an element without cdktf metadata has an empty construct path', () => {
    // Built inside the test, not at describe time, so the constructor runs under this test's coverage.
    expect(new StackIndex('bare', { resource: { aws_s3_bucket: { b: {} } } }).get('aws_s3_bucket.b')?.path).toBe('');
  });

  test('finds the companions of a resource: elements of a type whose attribute references it', () => {
    const bucket = index.get('aws_s3_bucket.data')!;
    expect(index.referencing(bucket, 'aws_s3_bucket_versioning', 'bucket').map((e) => e.address)).toEqual(['aws_s3_bucket_versioning.v']);
    expect(index.referencing(index.get('aws_s3_bucket.logs')!, 'aws_s3_bucket_versioning', 'bucket')).toEqual([]);
  });
});
