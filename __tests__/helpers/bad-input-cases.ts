/**
 * Bad request bodies and how the handler answers each, whatever warehouse is behind it: the same status
 * and, for a 400, `details` naming each offending field once, in order (`$` is the body itself; a 413
 * has none). Run against the Data API path (lambda-handler.test.ts) and the direct connection
 * (lambda-postgres-warehouse.test.ts), where each test also checks that nothing reached the warehouse.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { MAX_BATCH_SIZE } from '../../lambda-src/request-schema';
import { SAMPLE_APPLICATION } from './sample-application';

export interface BadInputCase {
  readonly name: string;
  /** The request body; null is no body at all. */
  readonly body: string | null;
  readonly status: 400 | 413;
  /** The paths `details` names, in order. */
  readonly paths: readonly string[];
}

const sample = SAMPLE_APPLICATION;
const sampleBody = JSON.stringify(sample, null, 2);
const withField = (field: string, value: unknown) => JSON.stringify({ ...sample, [field]: value });
const sampleFields = JSON.stringify(sample).slice(1, -1);

const bad = (name: string, body: string | null, status: 400 | 413, paths: string[]): BadInputCase => ({ name, body, status, paths });

export const BAD_INPUT_CASES: readonly BadInputCase[] = [
  bad('no body', null, 400, ['$']),
  bad('an empty body', '', 400, ['$']),
  bad('a blank body', ' \n\t ', 400, ['$']),
  bad('form encoding', 'age=38&gender=Male', 400, ['$']),
  bad('truncated JSON', sampleBody.slice(0, 40), 400, ['$']),
  bad('a trailing comma', `{${sampleFields},}`, 400, ['$']),
  bad('a NaN literal', withField('age', 0).replace('"age":0', '"age":NaN'), 400, ['$']),
  bad('a body over 8 KB', JSON.stringify({ ...sample, padding: 'x'.repeat(9000) }), 413, []),
  bad('a 10 MB body', `{"a":"${'x'.repeat(10 * 1024 * 1024)}"}`, 413, []),
  bad('a JSON array', JSON.stringify([sample]), 400, ['$']),
  bad('a JSON number', '42', 400, ['$']),
  bad('JSON null', 'null', 400, ['$']),
  bad('a JSON string', '"Forbearance"', 400, ['$']),
  bad('a missing field', JSON.stringify({ ...sample, age: undefined }), 400, ['$.age']),
  bad('an unknown field', withField('ssn', '123-45-6789'), 400, ['$.ssn']),
  bad('a __proto__ key', `{"__proto__":{"polluted":true},${sampleFields}}`, 400, ['$.__proto__']),
  bad('a constructor key', `{"constructor":{"prototype":{"polluted":true}},${sampleFields}}`, 400, ['$.constructor']),
  bad('a prototype key', `{"prototype":{"polluted":true},${sampleFields}}`, 400, ['$.prototype']),
  bad('a __proto__ key inside a batch item', `{"applications":[{"__proto__":{"polluted":true},${sampleFields}}]}`, 400, ['$.applications[0].__proto__']),
  bad('a number as a string', withField('age', '38'), 400, ['$.age']),
  bad('a fractional integer', withField('age', 38.5), 400, ['$.age']),
  bad('an integer above the range', withField('age', 200), 400, ['$.age']),
  bad('a negative income', withField('income', -41820), 400, ['$.income']),
  bad('an infinite number', withField('income', 0).replace('"income":0', '"income":1e400'), 400, ['$.income']),
  bad('three decimals', JSON.stringify({ ...sample, interest_rate: 0.105, loan_interest_rate: 10.5 }), 400, ['$.interest_rate']),
  bad('a value failing its range and its scale, named once', withField('interest_rate', -0.105), 400, ['$.interest_rate']),
  bad('a category in the wrong case', withField('gender', 'male'), 400, ['$.gender']),
  bad('a look-alike category (Cyrillic a)', withField('gender', 'M\u0430le'), 400, ['$.gender']),
  bad('SQL injection in a category', withField('remediation_strategy', "Forbearance'; DROP TABLE loans; --"), 400, ['$.remediation_strategy']),
  bad('SQL injection in a number', withField('credit_score', '424 OR 1=1'), 400, ['$.credit_score']),
  bad('SQL injection as a UNION', withField('loan_type', "Home' UNION SELECT * FROM pg_user --"), 400, ['$.loan_type']),
  bad('SQL injection in a key', `{"age; DROP TABLE loans":1,${sampleFields}}`, 400, ['$["age; DROP TABLE loans"]']),
  bad('a boolean for a number', withField('credit_score', true), 400, ['$.credit_score']),
  bad('null for a field', withField('loan_term', null), 400, ['$.loan_term']),
  bad('an object for a category', withField('loan_type', { $ne: null }), 400, ['$.loan_type']),
  bad('an array for a number', withField('loan_amount', [221750]), 400, ['$.loan_amount']),
  bad('an empty batch', '{"applications":[]}', 400, ['$.applications']),
  bad('a batch over the limit', JSON.stringify({ applications: Array.from({ length: MAX_BATCH_SIZE + 1 }, () => sample) }), 400, ['$.applications']),
  bad('applications that is not an array', JSON.stringify({ applications: sample }), 400, ['$.applications']),
  bad('a bad item in a batch', JSON.stringify({ applications: [sample, { ...sample, age: 17 }] }), 400, ['$.applications[1].age']),
  bad('an extra key next to applications', JSON.stringify({ applications: [sample], dryRun: true }), 400, ['$.dryRun']),
  bad('a broken cross-field rule', JSON.stringify({ ...sample, missed_payments: 0, missed_payments_duration: 4 }), 400, ['$.missed_payments_duration']),
  bad('several bad fields at once', JSON.stringify({ ...sample, age: 'old', gender: 'X', loan_term: 0, extra: 1 }), 400, ['$.age', '$.gender', '$.loan_term', '$.extra']),
];

/**
 * The answer to a bad input: its status, the request id in the body and the header, `details` naming
 * each offending field once (none for a 413), and nothing of the injected SQL or a stack echoed back.
 */
export function expectBadInputAnswer(response: APIGatewayProxyResult, testCase: BadInputCase): void {
  expect(response.statusCode).toBe(testCase.status);
  const answer = JSON.parse(response.body) as Record<string, unknown>;
  expect(answer).toMatchObject({ error: expect.any(String), requestId: 'api-request-1' });
  expect(response.headers?.['X-Request-Id']).toBe('api-request-1');
  expect(answer.details).toEqual(testCase.paths.length === 0 ? undefined : testCase.paths.map((path) => expect.objectContaining({ path })));
  expect(response.body).not.toMatch(/DROP TABLE loans'|UNION SELECT|OR 1=1|at .*\.ts:\d+/);
}
