import { FEATURES, TABLE_COLUMN_NAMES } from '../../lambda-src/features';
import { civilDate } from './calendar';
import type { DatasetRow } from './rows';

/** Header line: every table column, in table order. */
export const CSV_HEADER = `${TABLE_COLUMN_NAMES.join(',')}\n`;

const COMMA = 0x2c;
const NEWLINE = 0x0a;
const DOT = 0x2e;
const DASH = 0x2d;
const ZERO = 0x30;
/** 10^0 .. 10^9: a number below 2^31 has at most 10 digits. */
const POWERS_OF_TEN = Array.from({ length: 10 }, (_, exponent) => 10 ** exponent);
/** Room kept free for one more row: 17 cells of at most 32 characters (VARCHAR(32)) fit easily. */
const MAX_ROW_BYTES = 1024;

function decimalScale(name: string): number {
  const column = FEATURES.find((f) => f.name === name);
  if (column?.kind !== 'decimal') throw new Error(`features.ts has no decimal column ${name}`);
  return column.scale;
}

const INTEREST_RATE_SCALE = decimalScale('interest_rate');
const LOAN_INTEREST_RATE_SCALE = decimalScale('loan_interest_rate');

// The put* functions write one value into `bytes` at `at` and return the position after it. Numbers
// go in digit by digit and never become strings: at a million rows, number-to-string conversions and
// string concatenation would cost more than drawing the data.

/**
 * A whole number from 0 to 2^31 - 1, padded with leading zeros to `minDigits`. In that range
 * `(value / 10) | 0` compiles to integer arithmetic, several times faster than Math.floor.
 */
export function putInteger(bytes: Uint8Array, at: number, value: number, minDigits = 1): number {
  let digits = minDigits;
  while (digits < POWERS_OF_TEN.length && value >= POWERS_OF_TEN[digits]) digits++;
  const end = at + digits;
  for (let position = end - 1; position >= at; position--) {
    const rest = (value / 10) | 0;
    bytes[position] = ZERO + value - rest * 10;
    value = rest;
  }
  return end;
}

/** A number >= 0 with exactly `scale` digits after the point: 0.07, 7.00, never 7.000000000000001. */
export function putDecimal(bytes: Uint8Array, at: number, value: number, scale: number): number {
  const units = POWERS_OF_TEN[scale];
  const scaled = Math.round(value * units);
  const whole = Math.floor(scaled / units);
  at = putInteger(bytes, at, whole);
  if (scale === 0) return at;
  bytes[at++] = DOT;
  return putInteger(bytes, at, scaled - whole * units, scale);
}

/** ASCII text, as every category is. */
export function putText(bytes: Uint8Array, at: number, text: string): number {
  for (let i = 0; i < text.length; i++) bytes[at++] = text.charCodeAt(i);
  return at;
}

/** YYYY-MM-DD of a day number (see calendar.ts). */
export function putDate(bytes: Uint8Array, at: number, dayNumber: number): number {
  const { year, month, day } = civilDate(dayNumber);
  at = putInteger(bytes, at, year, 4);
  bytes[at++] = DASH;
  at = putInteger(bytes, at, month, 2);
  bytes[at++] = DASH;
  return putInteger(bytes, at, day, 2);
}

/**
 * CSV rows built as bytes in one reusable buffer. Every value is ASCII (numbers, dates, the fixed
 * categories) and none needs CSV quoting (no comma, quote or newline).
 */
export class CsvChunk {
  private readonly buffer: Uint8Array;
  private length = 0;

  constructor(capacity: number) {
    this.buffer = new Uint8Array(capacity);
  }

  /** True when the next row might not fit: write out `bytes()` and `clear()`. */
  get isFull(): boolean {
    return this.length > this.buffer.length - MAX_ROW_BYTES;
  }

  bytes(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }

  clear(): void {
    this.length = 0;
  }

  /**
   * Cells in TABLE_COLUMN_NAMES order, spelled out: a loop over the columns with a lookup by name
   * costs a third more per row. The dataset tests check every cell against the header.
   */
  appendRow({ customerId, application: a, successful, day }: DatasetRow): void {
    const bytes = this.buffer;
    let at = putInteger(bytes, this.length, customerId);
    bytes[at++] = COMMA;
    at = putInteger(bytes, at, a.age);
    bytes[at++] = COMMA;
    at = putText(bytes, at, a.gender);
    bytes[at++] = COMMA;
    at = putInteger(bytes, at, a.income);
    bytes[at++] = COMMA;
    at = putText(bytes, at, a.loan_type);
    bytes[at++] = COMMA;
    at = putInteger(bytes, at, a.loan_amount);
    bytes[at++] = COMMA;
    at = putDecimal(bytes, at, a.interest_rate, INTEREST_RATE_SCALE);
    bytes[at++] = COMMA;
    at = putInteger(bytes, at, a.loan_term);
    bytes[at++] = COMMA;
    at = putDecimal(bytes, at, a.loan_interest_rate, LOAN_INTEREST_RATE_SCALE);
    bytes[at++] = COMMA;
    at = putInteger(bytes, at, a.credit_score);
    bytes[at++] = COMMA;
    at = putText(bytes, at, a.employment_status);
    bytes[at++] = COMMA;
    at = putText(bytes, at, a.marital_status);
    bytes[at++] = COMMA;
    at = putText(bytes, at, a.remediation_strategy);
    bytes[at++] = COMMA;
    at = putInteger(bytes, at, a.missed_payments);
    bytes[at++] = COMMA;
    at = putInteger(bytes, at, a.missed_payments_duration);
    bytes[at++] = COMMA;
    at = putText(bytes, at, successful ? 'true' : 'false'); // lowercase, as Redshift COPY documents
    bytes[at++] = COMMA;
    at = putDate(bytes, at, day);
    bytes[at++] = NEWLINE;
    this.length = at;
  }
}
