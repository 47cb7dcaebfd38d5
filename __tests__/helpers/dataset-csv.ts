/** Reading and checking the generator's CSV in tests, against the rules in lambda-src/features.ts. */
import {
  CROSS_FIELD_RULES,
  CUSTOMER_ID,
  FEATURES,
  TABLE_COLUMN_NAMES,
  TARGET,
  TIMESTAMP,
  type LoanApplication,
} from '../../lambda-src/features';

export type CsvRecord = Readonly<Record<string, string>>;

/** Parses the generator's CSV (no quoting: the generator never needs it). */
export function parseCsv(text: string): { header: string[]; records: CsvRecord[] } {
  const [headerLine, ...lines] = text.trimEnd().split('\n');
  const header = headerLine.split(',');
  const records = lines.map((line) => {
    const cells = line.split(',');
    if (cells.length !== header.length) throw new Error(`expected ${header.length} cells: ${line}`);
    return Object.fromEntries(header.map((name, i) => [name, cells[i]]));
  });
  return { header, records };
}

const WHOLE_NUMBER = /^(0|[1-9]\d*)$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function application(record: CsvRecord): LoanApplication {
  return Object.fromEntries(
    FEATURES.map((f) => [f.name, f.kind === 'category' ? record[f.name] : Number(record[f.name])]),
  ) as LoanApplication;
}

/** Everything wrong with one record, as readable messages (empty when the record is valid). */
export function recordProblems(record: CsvRecord, dates: { start: string; end: string }): string[] {
  const problems: string[] = [];
  const cell = (name: string) => `${name}=${JSON.stringify(record[name])}`;
  for (const feature of FEATURES) {
    const text = record[feature.name];
    if (feature.kind === 'category') {
      if (!(feature.categories as readonly string[]).includes(text))
        problems.push(`${cell(feature.name)} is no category`);
      continue;
    }
    const format = feature.kind === 'integer' ? WHOLE_NUMBER : new RegExp(`^\\d+\\.\\d{${feature.scale}}$`);
    const value = Number(text);
    if (!format.test(text) || value < feature.min || value > feature.max) {
      problems.push(`${cell(feature.name)} is not a ${feature.kind} from ${feature.min} to ${feature.max}`);
    }
  }
  for (const rule of CROSS_FIELD_RULES) {
    const message = rule.check(application(record));
    if (message) problems.push(`${rule.fields.join(',')} ${message}`);
  }
  if (!WHOLE_NUMBER.test(record[CUSTOMER_ID.name]) || record[CUSTOMER_ID.name] === '0') {
    problems.push(`${cell(CUSTOMER_ID.name)} is not a positive whole number`);
  }
  if (!['true', 'false'].includes(record[TARGET.name])) problems.push(`${cell(TARGET.name)} is not true/false`);
  const date = record[TIMESTAMP.name];
  if (!ISO_DATE.test(date) || date < dates.start || date > dates.end) {
    problems.push(`${cell(TIMESTAMP.name)} is not a date from ${dates.start} to ${dates.end}`);
  }
  return problems;
}

/** Problems of a whole file: header, every record, unique customer ids. First few only. */
export function datasetProblems(text: string, dates: { start: string; end: string }): string[] {
  const { header, records } = parseCsv(text);
  const problems: string[] = [];
  if (header.join(',') !== TABLE_COLUMN_NAMES.join(',')) problems.push(`header is ${header.join(',')}`);
  records.forEach((record, i) => problems.push(...recordProblems(record, dates).map((p) => `row ${i + 1}: ${p}`)));
  const ids = new Set(records.map((record) => record[CUSTOMER_ID.name]));
  if (ids.size !== records.length) problems.push(`${records.length - ids.size} duplicate customer ids`);
  return problems.slice(0, 10);
}
