import pg from 'pg';

/**
 * How PostgreSQL values cross into TypeScript, decided once for every pool this
 * library opens. Each parser here is paired with a `typesOverrides` entry in
 * pgtyped.config.json, so the generated types say what these parsers return:
 *
 * | PostgreSQL    | TypeScript | why                                                         |
 * |---------------|------------|-------------------------------------------------------------|
 * | int8 (bigint) | number     | ids and counts; a value beyond 2^53 throws instead of rounding |
 * | numeric       | string     | money stays exact: "107.5300000000000335346" round-trips      |
 * | date          | string     | 'YYYY-MM-DD', no Date, so no time zone can move a day         |
 * | timestamptz   | Date       | an instant; PostgreSQL sends its offset, so parsing is exact  |
 *
 * The parsers are set on our pools only (pg's `types` option), never through the
 * global pg.types, so a service that also uses pg for other data keeps pg's defaults.
 */

const OID = {
  int8: 20,
  int8Array: 1016,
  date: 1082,
  dateArray: 1182,
  numeric: 1700,
  numericArray: 1231,
} as const;

/** An int8 as a JS number; throws a RangeError rather than lose precision above 2^53. */
export function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(
      `bigint value ${text} is outside JavaScript's safe integer range (±${Number.MAX_SAFE_INTEGER}); ` +
        'it would lose precision as a number',
    );
  }
  return value;
}

const identity = (text: string): string => text;

// pg's own text[] parser splits an array literal into element strings (NULL → null).
const TEXT_ARRAY_OID = 1009;
const splitTextArray = pg.types.getTypeParser(TEXT_ARRAY_OID as never, 'text') as (
  text: string,
) => (string | null)[];

/** Parses a PostgreSQL array literal with the element parser given. */
function arrayOf<T>(parseElement: (text: string) => T): (text: string) => (T | null)[] {
  return (text) => splitTextArray(text).map((element) => (element === null ? null : parseElement(element)));
}

const parsers = new Map<number, (text: string) => unknown>([
  [OID.int8, parseInt8],
  [OID.int8Array, arrayOf(parseInt8)],
  [OID.numeric, identity],
  [OID.numericArray, arrayOf(identity)],
  [OID.date, identity],
  [OID.dateArray, arrayOf(identity)],
]);

/** The `types` option for pg.Pool / pg.Client: our parsers first, pg's defaults for the rest. */
export const typeParsers: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (format !== 'binary') {
      const parser = parsers.get(oid);
      if (parser) return parser;
    }
    return pg.types.getTypeParser(oid, format);
  }) as pg.CustomTypesConfig['getTypeParser'],
};
