/**
 * parseJsonencode reads the HCL literal cdktf writes for Fn.jsonencode({...}), which the IAM and
 * bucket-policy rules then read as JSON: each form it must read, and each it must refuse.
 */
import { parseJsonencode } from '../policy/hcl-literal';

const parse = (literal: string): unknown => parseJsonencode(`\${jsonencode(${literal})}`);

describe('parseJsonencode', () => {
  test('reads only a whole ${jsonencode(...)} expression, surrounding blanks aside', () => {
    expect(parseJsonencode('  ${jsonencode({"a" = 1})}\n')).toEqual({ a: 1 });
    expect(parseJsonencode('jsonencode({"a" = 1})')).toBeUndefined();
    expect(parseJsonencode('x${jsonencode({"a" = 1})}')).toBeUndefined();
    expect(parseJsonencode('${jsonencode({"a" = 1})}x')).toBeUndefined();
  });

  test('literals become JSON values; anything else a ${...} reference string', () => {
    expect(parse('[true, false, null, 3, -2.5, 10, 1.25]')).toEqual([true, false, null, 3, -2.5, 10, 1.25]);
    expect(parse('[var.x1, 1abc, 1., -, True]')).toEqual(['${var.x1}', '${1abc}', '${1.}', '${-}', '${True}']);
  });

  test('objects take quoted or bare keys, with = or :', () => {
    expect(parse('{Effect = "Allow", "Sid": "s", n = 1,}')).toEqual({ Effect: 'Allow', Sid: 's', n: 1 });
    expect(parse('{}')).toEqual({});
    expect(parse('[1, 2,\n 3,]')).toEqual([1, 2, 3]);
  });

  test('strings: escapes are read, templates kept verbatim with the quotes inside them', () => {
    expect(parse('"a\\"b\\nc\\td\\\\e"')).toBe('a"b\nc\td\\e');
    expect(parse('"${lookup(var.m, "k")}/x"')).toBe('${lookup(var.m, "k")}/x');
    expect(parse('"cost $5 {x}"')).toBe('cost $5 {x}');
    expect(parse('"[{x"')).toBe('[{x');
  });

  test('a bare expression runs to the next top-level separator, brackets and strings included', () => {
    expect(parse('[concat(["a", "b"], ["c"]), f(")"), aws_s3_bucket.b.arn + "x,y"]')).toEqual([
      '${concat(["a", "b"], ["c"])}',
      '${f(")")}',
      '${aws_s3_bucket.b.arn + "x,y"}',
    ]);
    expect(parse('[a\n b]')).toEqual(['${a}', '${b}']);
    expect(parse('{k = merge({a = 1}, var.m)}')).toEqual({ k: '${merge({a = 1}, var.m)}' });
  });

  test.each([
    ['text after the value', '{"a" = 1} trailing words beyond twenty', 'unexpected "trailing words beyon"'],
    ['a key without =', '{"a" 1}', 'expected = after a'],
    ['a key without a value', '{"a" = }', 'expected a value at "}"'],
    ['an unterminated string', '["abc', 'unterminated string'],
  ])('refuses %s', (_case, literal, message) => {
    expect(() => parse(literal)).toThrow(new Error(message));
  });

  test('an unbalanced bracket ends the value at the end of the text instead of looping', () => {
    expect(() => parse('[f(1]')).toThrow();
    expect(() => parse('[f(1')).toThrow(new Error('expected a value at ""'));
  });
});
