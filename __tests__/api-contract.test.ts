/**
 * The API contract's table (lambda-src/api-contract.ts) and what is generated from it: the gateway
 * responses (statuses, templates rendered with hostile values, headers) and the table in
 * docs/prediction-api.md. The answers themselves are checked over HTTP in local-contract.test.ts.
 */
import * as fs from 'fs';
import * as path from 'path';
import {
  CONTRACT,
  FALLBACK_GATEWAY_RESPONSES,
  GATEWAY_ANSWERS,
  gatewayResponses,
  LAMBDA_ANSWERS,
  renderGatewayTemplate,
} from '../lambda-src/api-contract';
import { CLIENT_CASES } from '../scripts/contract/cases';
import { CONTRACT_DOC, CONTRACT_DOCS_COMMAND, renderContractTable, withContractTable } from '../scripts/contract/docs';

/**
 * The default status of each gateway response type the contract uses ("Gateway response types for
 * API Gateway", API Gateway Developer Guide): a named type keeps it; the fallbacks have none.
 */
const AWS_DEFAULT_STATUS: Record<string, number | null> = {
  UNAUTHORIZED: 401,
  MISSING_AUTHENTICATION_TOKEN: 403,
  REQUEST_TOO_LARGE: 413,
  THROTTLED: 429,
  WAF_FILTERED: 403,
  INTEGRATION_TIMEOUT: 504,
  DEFAULT_4XX: null,
  DEFAULT_5XX: null,
};

const UUID = '8a3e0f5c-3c1e-4d7b-9a55-0e5b1d3f6a21';
const HOSTILE = 'he said "no"\\ then \\"quit\\"\nand left\u2028 </script>';

describe('the table', () => {
  test('one row per case, each with a unique id, a case, a status and the AWS page it rests on', () => {
    expect(new Set(CONTRACT.map((row) => row.id)).size).toBe(CONTRACT.length);
    for (const row of CONTRACT) {
      expect(row.when.length).toBeGreaterThan(5);
      expect(row.source).toMatch(/"[^"]+"/);
      expect(row.answer.status).toBeGreaterThanOrEqual(200);
    }
  });

  test('every row of the issue is there', () => {
    expect(CONTRACT.map((row) => row.id)).toEqual(
      expect.arrayContaining([
        'no-valid-token', 'token-without-scope', 'malformed-json', 'empty-body', 'wrong-content-type', 'extra-field', 'wrong-type',
        'out-of-range', 'bad-batch-item', 'body-over-8kb', 'body-over-10mb', 'unknown-route', 'stage-throttle', 'waf-rate-limit',
        'waf-rule-block', 'lambda-throttled', 'integration-timeout', 'model-not-ready', 'deadline', 'warehouse-failure', 'unexpected-error',
      ]),
    );
  });

  test('every 400 has the one shape with details; only the WAF answer has no request id', () => {
    for (const { answer } of CONTRACT) {
      if (answer.status === 400) expect(answer).toBe(LAMBDA_ANSWERS.invalidBody);
      expect(answer.body === 'error without requestId').toBe(answer.by === 'AWS WAF');
    }
  });

  test("a gateway row's status is what API Gateway sends for its type", () => {
    for (const { answer } of CONTRACT) {
      if (answer.by !== 'API Gateway') continue;
      expect(AWS_DEFAULT_STATUS).toHaveProperty(answer.gatewayResponse);
      const status = AWS_DEFAULT_STATUS[answer.gatewayResponse];
      if (status !== null) expect(answer.status).toBe(status);
    }
  });

  test('every row a client can provoke by itself has a request in npm run contract:check', () => {
    const clientRows = new Set(CLIENT_CASES.map((c) => c.row));
    for (const id of clientRows) expect(CONTRACT.map((row) => row.id)).toContain(id);
    expect(CONTRACT.filter((row) => !clientRows.has(row.id)).map((row) => row.id).sort()).toEqual([
      'body-over-8kb-without-waf', 'deadline', 'integration-timeout', 'lambda-failed', 'lambda-throttled', 'model-not-ready',
      'stage-throttle', 'unexpected-error', 'waf-rate-limit', 'warehouse-failure',
    ]);
  });
});

describe('gateway responses generated from the table', () => {
  const definitions = gatewayResponses();

  test('one per gateway response type of the table, plus both fallbacks; the fallbacks have no status', () => {
    const types = new Set(CONTRACT.flatMap(({ answer }) => (answer.by === 'API Gateway' ? [answer.gatewayResponse] : [])));
    expect(definitions.map((d) => d.type).sort()).toEqual([...new Set([...types, ...FALLBACK_GATEWAY_RESPONSES])].sort());
    for (const definition of definitions) {
      expect(definition.statusCode).toBe(AWS_DEFAULT_STATUS[definition.type] ?? undefined);
    }
  });

  test('every one sends the JSON headers and maps X-Request-Id from the context, unquoted and without $', () => {
    for (const { responseParameters, type } of definitions) {
      expect(responseParameters).toMatchObject({
        'gatewayresponse.header.Content-Type': "'application/json'",
        'gatewayresponse.header.Cache-Control': "'no-store'",
        'gatewayresponse.header.X-Content-Type-Options': "'nosniff'",
        'gatewayresponse.header.X-Request-Id': 'context.requestId',
      });
      expect(responseParameters['gatewayresponse.header.Retry-After']).toBe(type === 'THROTTLED' ? "'1'" : undefined);
    }
  });

  test.each(definitions.map((d) => [d.type, d] as const))(
    '%s: the template stays JSON with quotes, backslashes and newlines in every variable',
    (_type, { template }) => {
      expect(template).not.toContain('validationErrorString');
      for (const requestId of [UUID, HOSTILE]) {
        const body = JSON.parse(renderGatewayTemplate(template, { requestId, message: HOSTILE })) as Record<string, string>;
        expect(Object.keys(body)).toEqual(['error', 'requestId']);
        // A client's request id that is not a UUID is replaced by API Gateway, never sent as it is.
        expect(body.requestId).toMatch(requestId === UUID ? UUID : /^[0-9a-f-]{36}_REPLACED_INVALID_REQUEST_ID$/);
        if (_type.startsWith('DEFAULT_')) expect(body.error).toBe(HOSTILE);
        else expect(body.error).not.toBe(HOSTILE);
      }
    },
  );

  test('the renderer is strict: a variable placed unsafely breaks the JSON, an undocumented one is refused', () => {
    const values = { requestId: UUID, message: HOSTILE };
    expect(() => JSON.parse(renderGatewayTemplate('{"error": "$context.error.messageString"}', values))).toThrow(SyntaxError);
    expect(() => JSON.parse(renderGatewayTemplate('{"requestId": $context.requestId}', values))).toThrow(SyntaxError);
    expect(() => renderGatewayTemplate('{"details": "$context.error.validationErrorString"}', values)).toThrow(
      '$context.error.validationErrorString has no documented, JSON-safe substitution in a gateway response template',
    );
  });

  test("the fallbacks carry API Gateway's own message; the others the table's text", () => {
    const rendered = (type: string, message: string) =>
      JSON.parse(renderGatewayTemplate(definitions.find((d) => d.type === type)!.template, { requestId: UUID, message })) as { error: string };
    expect(rendered('DEFAULT_5XX', 'Internal server error').error).toBe('Internal server error');
    expect(rendered('WAF_FILTERED', 'Forbidden').error).toBe(GATEWAY_ANSWERS.wafFiltered.error);
  });
});

describe(`${CONTRACT_DOC}`, () => {
  test(`shows the table as ${CONTRACT_DOCS_COMMAND} writes it`, () => {
    const document = fs.readFileSync(path.join(__dirname, '..', CONTRACT_DOC), 'utf8');
    if (withContractTable(document) !== document) {
      throw new Error(`${CONTRACT_DOC}'s contract table is out of date: run \`${CONTRACT_DOCS_COMMAND}\` and commit the result`);
    }
    expect(document).toContain(renderContractTable());
  });

  test('the table has one line per row, in the order of the table', () => {
    const lines = renderContractTable().split('\n').filter((line) => /^\| [^-]/.test(line)).slice(1);
    expect(lines).toHaveLength(CONTRACT.length);
    lines.forEach((line, index) => expect(line).toContain(` | ${CONTRACT[index].answer.status} | `));
  });
});
