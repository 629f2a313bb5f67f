/**
 * Rest.li 2.0 query syntax, as LinkedIn's versioned API reads it: the structure
 * characters `(`, `)`, `:` and `,` travel unencoded (encoded, the API rejects the
 * request), while the values inside (URNs in a List) are percent-encoded.
 */

/** A query value already in Rest.li form: sent as it is, never encoded again. */
export class Restli {
  constructor(readonly text: string) {}
}

export type QueryValue = string | number | Restli;

/** `2025-01-31` → `(year:2025,month:1,day:31)`. */
export function restliDate(day: string): Restli {
  const [year, month, dayOfMonth] = day.split('-').map(Number) as [number, number, number];
  return new Restli(`(year:${year},month:${month},day:${dayOfMonth})`);
}

/** An inclusive range of days: `(start:(…),end:(…))`. */
export function restliDateRange(from: string, to: string): Restli {
  return new Restli(`(start:${restliDate(from).text},end:${restliDate(to).text})`);
}

/** `List(urn%3Ali%3A…,…)`: each value percent-encoded, the list structure not. */
export function restliList(values: readonly string[]): Restli {
  return new Restli(`List(${values.map(encodeURIComponent).join(',')})`);
}

/** `(value:CAMPAIGN)`: an enum value in the record form the analytics finder takes. */
export function restliValue(value: string): Restli {
  return new Restli(`(value:${encodeURIComponent(value)})`);
}

/** The query string: plain values percent-encoded, Rest.li values as they are. */
export function queryString(params: ReadonlyArray<readonly [string, QueryValue]>): string {
  return params
    .map(([name, value]) => `${encodeURIComponent(name)}=${value instanceof Restli ? value.text : encodeURIComponent(String(value))}`)
    .join('&');
}
