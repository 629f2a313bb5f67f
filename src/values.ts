/**
 * Checks and canonical forms of the values this library stores. Pure functions,
 * no database: the service checks its rows with them before any write, so a bad
 * value fails with the record and field named instead of a bare SQLSTATE.
 */

import { AdsStoreError } from './errors.js';

/** A value that cannot be stored; names the record, the field and the value. */
export class InvalidValueError extends AdsStoreError {
  readonly code = 'INVALID_VALUE';

  constructor(
    readonly record: string,
    readonly field: string,
    readonly value: unknown,
    readonly reason: string,
  ) {
    super(value === undefined ? `${record}: field ${field} ${reason}` : `${record}: field ${field}: ${describe(value)} ${reason}`);
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** A LinkedIn id (int64 in the API): a positive integer that a JS number holds exactly. */
export function checkId(value: unknown, record: string, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new InvalidValueError(record, field, value, `is not a positive integer of at most ${Number.MAX_SAFE_INTEGER}`);
  }
  return value;
}

/** A count: a non-negative integer that a JS number holds exactly. */
export function checkCount(value: unknown, record: string, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new InvalidValueError(record, field, value, 'is not a non-negative integer');
  }
  return value;
}

// Digits with an optional fraction and exponent: what PostgreSQL's numeric input
// accepts, minus NaN and Infinity, which are not amounts of money.
const DECIMAL = /^[+-]?(?:(\d+)\.?(\d*)|\.(\d+))(?:[eE]([+-]?\d+))?$/;

// PostgreSQL's numeric holds at most 131,072 digits before the point and a scale of
// 16,383 (its scale is the fraction's digits as written minus the exponent: "10e-16384"
// overflows though it equals 1e-16383). The integer digits keep 20 in reserve, so that
// the rollups can sum any number of stored amounts (checked on PostgreSQL 15: 1e131072
// and 1e-16384 fail with 22003).
const MAX_INTEGER_DIGITS = 131_072 - 20;
const MAX_SCALE = 16_383;

// The usual amount ("107.53"): with at most 15 digits on either side of the point it
// is far inside every limit below, and one test answers (a sixth of the full check's
// time, measured on 500,000 amounts; it runs for every day of every bulk write).
const PLAIN_DECIMAL = /^-?\d{1,15}(?:\.\d{1,15})?$/;

/** An exact decimal as text ("107.53", "-2E-18") that numeric can store and sum; never passed through a float. */
export function checkDecimal(value: unknown, record: string, field: string): string {
  if (typeof value === 'string' && PLAIN_DECIMAL.test(value)) return value;
  const match = typeof value === 'string' ? DECIMAL.exec(value) : null;
  if (!match) throw new InvalidValueError(record, field, value, 'is not a decimal number');
  const whole = match[1] ?? '';
  const fraction = match[2] ?? match[3] ?? '';
  // Exponents past a few million are out of range whatever the digits; Number() keeps the check cheap.
  const exponent = Number(match[4] ?? 0);
  const scale = Math.max(0, fraction.length - exponent);
  // Digits before the point of the value: those of the whole part, or minus the
  // fraction's leading zeros when the whole part is zero ("0.01e3" is 10), plus the exponent.
  const wholeDigits = whole.replace(/^0+/, '').length;
  const fractionZeros = fraction.length - fraction.replace(/^0+/, '').length;
  const isZero = wholeDigits === 0 && fractionZeros === fraction.length;
  const integerDigits = isZero ? 0 : (wholeDigits > 0 ? wholeDigits : -fractionZeros) + exponent;
  if (scale > MAX_SCALE || integerDigits > MAX_INTEGER_DIGITS || !Number.isFinite(exponent)) {
    throw new InvalidValueError(record, field, value, `is outside the range of a stored amount (at most ${MAX_INTEGER_DIGITS} digits before the point, ${MAX_SCALE} after)`);
  }
  return value as string;
}

const DATE = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;

/**
 * A calendar day as 'YYYY-MM-DD'. Accepts unpadded months and days ("2024-1-05",
 * the specification's form) so that they land on the same row as "2024-01-05".
 */
export function checkDate(value: unknown, record: string, field: string): string {
  // Bulk writes repeat a few hundred distinct days across many rows: remember them.
  const known = typeof value === 'string' ? knownDates.get(value) : undefined;
  if (known !== undefined) return known;
  const canonical = parseDate(value, record, field);
  if (knownDates.size >= 10_000) knownDates.clear();
  knownDates.set(value as string, canonical);
  return canonical;
}

const knownDates = new Map<string, string>();

function parseDate(value: unknown, record: string, field: string): string {
  const match = typeof value === 'string' ? DATE.exec(value) : null;
  if (!match) throw new InvalidValueError(record, field, value, 'is not a date (YYYY-MM-DD)');
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return isoDate(year, month, day) ?? invalidDate(value, record, field);
}

/** 'YYYY-MM-DD' for a real calendar day, or null (2024-02-30, month 13, year 0). */
export function isoDate(year: number, month: number, day: number): string | null {
  if (![year, month, day].every(Number.isInteger) || year < 1 || year > 9999) return null;
  const date = new Date(Date.UTC(year, month - 1, day));
  // Date.UTC maps years 0–99 to 1900–1999: set the year explicitly.
  date.setUTCFullYear(year);
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function invalidDate(value: unknown, record: string, field: string): never {
  throw new InvalidValueError(record, field, value, 'is not a real calendar day');
}

/** 4714-11-24 00:00 UTC (4713 BC), timestamptz's first instant. */
const EARLIEST_TIMESTAMP_MS = -210_866_803_200_000;

/** An instant from epoch milliseconds (LinkedIn's createdAt, changeAuditStamps…). */
export function fromEpochMs(value: unknown, record: string, field: string): Date {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new InvalidValueError(record, field, value, 'is not an epoch time in milliseconds');
  }
  const date = new Date(value);
  // JavaScript's dates reach back to 271,822 BC; PostgreSQL's timestamptz to 4714 BC.
  if (Number.isNaN(date.getTime()) || value < EARLIEST_TIMESTAMP_MS) throw new InvalidValueError(record, field, value, 'is outside the range of dates');
  return date;
}

/** A valid Date (not Invalid Date). */
export function checkInstant(value: unknown, record: string, field: string): Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new InvalidValueError(record, field, value, 'is not a valid Date');
  }
  return value;
}

/** Text PostgreSQL can store: no NUL character (text columns reject U+0000). */
export function checkText(value: unknown, record: string, field: string): string {
  if (typeof value !== 'string') throw new InvalidValueError(record, field, value, 'is not a string');
  if (value.includes('\u0000')) throw new InvalidValueError(record, field, value, 'contains a NUL character');
  return value;
}

/**
 * The most UTF-8 bytes of a text that a B-tree index holds as (part of) a key here:
 * PostgreSQL refuses an index entry over 2,704 bytes (a third of a page) with a raw
 * 54000 that names no record, and an incompressible value of ~2,700 bytes reaches it.
 * 1,000 leaves room for the rest of the key and its included columns; LinkedIn's
 * names and URNs are far shorter.
 */
export const MAX_KEY_TEXT_BYTES = 1000;

/** Text PostgreSQL can store and index: checkText, at most MAX_KEY_TEXT_BYTES of UTF-8. */
export function checkKeyText(value: unknown, record: string, field: string): string {
  const text = checkText(value, record, field);
  // Only a long text can be over: most are checked by their length alone.
  if (text.length * 3 > MAX_KEY_TEXT_BYTES && Buffer.byteLength(text, 'utf8') > MAX_KEY_TEXT_BYTES) {
    throw new InvalidValueError(record, field, text, `is ${Buffer.byteLength(text, 'utf8')} bytes long (UTF-8), over the ${MAX_KEY_TEXT_BYTES} an index key holds here`);
  }
  return text;
}

export function checkBoolean(value: unknown, record: string, field: string): boolean {
  if (typeof value !== 'boolean') throw new InvalidValueError(record, field, value, 'is not a boolean');
  return value;
}
