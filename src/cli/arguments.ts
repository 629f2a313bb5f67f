import { InvalidArgumentError } from 'commander';
import { REPORT_DAYS } from '../reports/names.js';

/** Option parsers: a bad value is a usage error (exit 2) naming the value. */

export function positiveInteger(text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value <= 0) throw new InvalidArgumentError(`${JSON.stringify(text)} is not a positive integer`);
  return value;
}

/** An account or campaign id: decimal digits only (no "0x3E9", "1e3", " 7"). */
export function id(text: string): number {
  const value = Number(text);
  if (!/^[0-9]+$/.test(text) || !Number.isSafeInteger(value) || value <= 0) throw new InvalidArgumentError(`${JSON.stringify(text)} is not an id (decimal digits)`);
  return value;
}

export function seconds(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0) throw new InvalidArgumentError(`${JSON.stringify(text)} is not a number of seconds (≥ 0)`);
  return value;
}

export function isoDate(text: string): string {
  const parsed = Date.parse(`${text}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || Number.isNaN(parsed) || new Date(parsed).toISOString().slice(0, 10) !== text) {
    throw new InvalidArgumentError(`${JSON.stringify(text)} is not a date (YYYY-MM-DD)`);
  }
  return text;
}

/** A day of a report range: a date within REPORT_DAYS (far-off days are a usage error, not a database error). */
export function reportDate(text: string): string {
  const day = isoDate(text);
  if (day < REPORT_DAYS.first || day > REPORT_DAYS.last) {
    throw new InvalidArgumentError(`${JSON.stringify(text)} is outside the days a report covers (${REPORT_DAYS.first} to ${REPORT_DAYS.last})`);
  }
  return day;
}
