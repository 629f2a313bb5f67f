import { randomBytes } from 'node:crypto';
import Table from 'cli-table3';
import { stringify } from 'csv-stringify/sync';

/**
 * Report output. JSON: one array of objects, nothing else (money stays a string,
 * counts and ratios are numbers, times ISO strings). CSV: RFC 4180 with a header
 * line (csv-stringify). Table: aligned columns for people (cli-table3).
 */
export type OutputFormat = 'json' | 'csv' | 'table';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['json', 'csv', 'table'];

export function formatRows(rows: readonly object[], fields: readonly string[], format: OutputFormat): string {
  const values = (row: object) => fields.map((field) => (row as Record<string, unknown>)[field]);
  switch (format) {
    case 'json':
      return `${toJson(rows)}\n`;
    case 'csv':
      return stringify([fields, ...rows.map((row) => values(row).map(csvValue))]);
    case 'table': {
      const table = new Table({ head: [...fields], style: { head: [], border: [], compact: true } });
      for (const row of rows) table.push(values(row).map(tableValue));
      return `${table.toString()}\n${rows.length} row${rows.length === 1 ? '' : 's'}\n`;
    }
  }
}

/**
 * JSON.stringify, with each bigint (a report's summed count) written as a JSON
 * number of all its digits: exact however large, where a JS number would round.
 * (Node 20 has no JSON.rawJSON: a bigint goes out as a string carrying a random
 * marker, whose quotes are then dropped.)
 */
export function toJson(value: unknown): string {
  const marker = `bigint-${randomBytes(12).toString('hex')}:`;
  const text = JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? `${marker}${item}` : item), 2);
  return text.replace(new RegExp(`"${marker}(-?\\d+)"`, 'g'), '$1');
}

function csvValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

function tableValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  // Ratios to 4 decimals for reading; JSON and CSV keep every digit.
  if (typeof value === 'number' && !Number.isInteger(value)) return value.toFixed(4);
  return String(value);
}
