/*
 * The order in which daily rows are copied into their table: by parent (campaign or
 * creative), then day, the order of the primary key (parent, date).
 *
 * LinkedIn answers analytics day by day (each day, every campaign or creative), and
 * exports keep that order: copied as they come, each row's index entry lands on another
 * page than the last one's. In key order each lands beside the one before it. Server
 * CPU for a COPY and its commit (PostgreSQL 15, psql, three alternated rounds each):
 * 500,000 campaign days 5.0-5.1 s as they come, 4.6-4.8 s in key order within each
 * 90,000 rows, 4.45-4.55 s all in key order; 450,000 creative days, each account's
 * 30-day windows in turn, 6.05-6.45 s as they come, 5.8-5.9 s in key order within each
 * window (docs/benchmarks.md). writeBatch orders its rows in memory (dayRowOrder);
 * an ingest's and a sync's direct path writes each row into its parent's bucket
 * (DayBuckets) and sends the buckets in order.
 */

/**
 * The indexes of `count` rows in key order, for rows held in memory (writeBatch's).
 * Rows of one parent keep the order they came in when their days already ascend (the
 * usual case, checked in one pass); otherwise they are sorted by day, stably.
 */
export function dayRowOrder(
  count: number,
  /** The i-th row's parent: a campaign id (number) or a creative id (text). */
  parentOf: (i: number) => number | string,
  /** The i-th row's day, as a day number or an ISO date (either sorts as the day). */
  dayOf: (i: number) => number | string,
): Uint32Array {
  // Grouped in one pass, then the parents sorted (thousands), not the rows (hundreds of thousands).
  const groups = new Map<number | string, number[]>();
  for (let i = 0; i < count; i++) {
    const parent = parentOf(i);
    const group = groups.get(parent);
    if (group) group.push(i);
    else groups.set(parent, [i]);
  }
  const parents = [...groups.keys()].sort(compareParents);
  const order = new Uint32Array(count);
  let at = 0;
  for (const parent of parents) {
    const rows = groups.get(parent)!;
    if (!ascending(rows, dayOf)) rows.sort((a, b) => compareValues(dayOf(a), dayOf(b)) || a - b);
    for (const row of rows) order[at++] = row;
  }
  return order;
}

function ascending(rows: readonly number[], dayOf: (i: number) => number | string): boolean {
  for (let k = 1; k < rows.length; k++) if (dayOf(rows[k]!) < dayOf(rows[k - 1]!)) return false;
  return true;
}

/** Campaign ids by number; creative ids by UTF-16 code units, the byte order of ASCII text ("C" and C.UTF-8 alike). */
function compareParents(a: number | string, b: number | string): number {
  return typeof a === 'number' && typeof b === 'number' ? a - b : compareValues(a, b);
}

function compareValues(a: number | string, b: number | string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** One parent's rows of COPY text, in the order they were written. */
export interface DayBucket {
  buffer: Buffer;
  /** Where the next row is written; the writer moves it past the row. */
  end: number;
  lastDay: number;
  ascending: boolean;
}

/**
 * COPY text rows grouped by parent as they are written, for the paths that receive
 * days in batches (an ingest's, a sync's): take() gives them in key order without
 * moving each row a second time (permuting a send of 100,000 rows row by row took
 * 13-65 ms of the main thread, measured). Each row's day is its second field.
 */
export class DayBuckets {
  private buckets = new Map<number | string, DayBucket>();
  rows = 0;

  /** The bucket of `parent` with room for a row of at most `maxBytes` of day `day`: the caller writes it at `end`. */
  open(parent: number | string, day: number, maxBytes: number): DayBucket {
    let bucket = this.buckets.get(parent);
    if (!bucket) {
      bucket = { buffer: Buffer.allocUnsafe(Math.max(1024, maxBytes)), end: 0, lastDay: day, ascending: true };
      this.buckets.set(parent, bucket);
    } else if (bucket.end + maxBytes > bucket.buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(2 * bucket.buffer.length, bucket.end + maxBytes));
      bucket.buffer.copy(grown, 0, 0, bucket.end);
      bucket.buffer = grown;
    }
    if (day < bucket.lastDay) bucket.ascending = false;
    bucket.lastDay = day;
    this.rows += 1;
    return bucket;
  }

  /** Every row written, by parent then day, as one COPY text; the buckets are empty afterwards. */
  take(): Buffer {
    const parents = [...this.buckets.keys()].sort(compareParents);
    const parts = parents.map((parent) => {
      const bucket = this.buckets.get(parent)!;
      const rows = bucket.buffer.subarray(0, bucket.end);
      return bucket.ascending ? rows : byDay(rows);
    });
    this.buckets = new Map();
    this.rows = 0;
    return Buffer.concat(parts);
  }
}

/** One parent's rows sorted by their day (days that came out of order: a window fetched again, a file's later lines). */
function byDay(rows: Buffer): Buffer {
  const lines: Array<{ day: string; start: number; end: number }> = [];
  for (let start = 0; start < rows.length; ) {
    const end = rows.indexOf(0x0a, start) + 1;
    const dayStart = rows.indexOf(0x09, start) + 1;
    lines.push({ day: rows.toString('latin1', dayStart, rows.indexOf(0x09, dayStart)), start, end });
    start = end;
  }
  lines.sort((a, b) => compareValues(a.day, b.day) || a.start - b.start);
  return Buffer.concat(lines.map((line) => rows.subarray(line.start, line.end)));
}
