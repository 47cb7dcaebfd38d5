/**
 * The API contract's table as docs/prediction-api.md shows it: generated from lambda-src/api-contract.ts
 * between two markers, checked byte for byte by the tests, rewritten by `npm run contract:check -- --docs`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Answer, CONTRACT, JSON_RESPONSE_HEADERS, REQUEST_ID_HEADER } from '../../lambda-src/api-contract';

export const CONTRACT_DOC = 'docs/prediction-api.md';
export const CONTRACT_DOCS_COMMAND = 'npm run contract:check -- --docs';
const BEGIN = '<!-- contract table: generated from lambda-src/api-contract.ts by `npm run contract:check -- --docs` -->';
const END = '<!-- end of contract table -->';

const code = (text: string) => `\`${text}\``;

function answeredBy(answer: Answer): string {
  switch (answer.by) {
    case 'AWS WAF':
      return 'AWS WAF (its custom response)';
    case 'API Gateway':
      return `API Gateway (${code(answer.gatewayResponse)}${answer.blockedBy ? `, for ${answer.blockedBy}` : ''})`;
    case 'Lambda':
      return 'Lambda';
  }
}

function body(answer: Answer): string {
  const error = `"error": ${answer.by === 'API Gateway' && answer.gatewayResponse.startsWith('DEFAULT_') ? `<API Gateway's message, "${answer.error}">` : JSON.stringify(answer.error)}`;
  switch (answer.body) {
    case 'prediction':
      return code('{"effective", "probability", "model", "requestId"}');
    case 'predictions':
      return code('{"predictions": [{"index", "effective", "probability"}], "model", "requestId"}');
    case 'error':
      return code(`{${error}, "requestId"}`);
    case 'error with details':
      return code(`{${error}, "details": [{"path", "message"}], "requestId"}`);
    case 'error without requestId':
      return code(`{${error}}`);
  }
}

function headers(answer: Answer): string {
  const named = answer.by === 'AWS WAF' ? [`no ${code(REQUEST_ID_HEADER)}`] : [code(REQUEST_ID_HEADER)];
  if (answer.retryAfter === 'rate-limit window') named.push(code('Retry-After: <RATE_LIMIT_WINDOW_SECONDS>'));
  else if (answer.retryAfter !== undefined) named.push(code(`Retry-After: ${answer.retryAfter}`));
  return named.join(', ');
}

/** The table, with its markers. */
export function renderContractTable(): string {
  const rows = CONTRACT.map((row) =>
    [row.when, String(row.answer.status), answeredBy(row.answer), body(row.answer), headers(row.answer), row.source]
      .map((cell) => cell.replace(/\|/g, '\\|'))
      .join(' | '),
  );
  return [
    BEGIN,
    `Every answer carries ${Object.entries(JSON_RESPONSE_HEADERS)
      .map(([name, value]) => code(`${name}: ${value}`))
      .join(', ')}. In the order a request meets them:`,
    '',
    '| case | status | answered by | body | headers | rests on |',
    '|---|---|---|---|---|---|',
    ...rows.map((row) => `| ${row} |`),
    END,
  ].join('\n');
}

const docPath = (root: string) => path.join(root, CONTRACT_DOC);

/** The document with its table replaced by the one the code generates. */
export function withContractTable(document: string): string {
  const begin = document.indexOf(BEGIN);
  const end = document.indexOf(END);
  if (begin === -1 || end < begin) throw new Error(`${CONTRACT_DOC} has lost its contract table markers (${BEGIN} ... ${END})`);
  return document.slice(0, begin) + renderContractTable() + document.slice(end + END.length);
}

/** Rewrites the table in docs/prediction-api.md; true when the file changed. */
export function writeContractDocs(root: string): boolean {
  const document = fs.readFileSync(docPath(root), 'utf8');
  const updated = withContractTable(document);
  if (updated === document) return false;
  fs.writeFileSync(docPath(root), updated);
  return true;
}
