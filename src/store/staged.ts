import type { Tx } from '../db/transaction.js';
import { dayNumber, dayOfNumber } from '../days.js';
import { copyFrom, CopyBuffer, copyRow, escapeText } from '../db/copy.js';
import type { AccountInput } from './accounts.js';
import type { CampaignInput } from './campaigns.js';
import type { CreativeInput } from './creatives.js';
import type { AudienceDemographicInput } from './demographics.js';
// The field lists from fields.ts itself: the parse workers load this module, and the
// entity modules would bring the generated queries and their runtime into each one.
import { ACCOUNT_FIELDS, CAMPAIGN_FIELDS, CREATIVE_FIELDS, METRIC_FIELDS } from './fields.js';
import type { CampaignDailyMetricInput, CreativeDailyMetricInput, DailyMetricValues } from './metrics.js';

/**
 * Staging of bulk writes: rows go by COPY into the session's temporary copies of
 * the staged_* tables (migrations/…create-staging-templates.sql), each with the
 * line it came from and its presence mask, so that folding repeated keys,
 * checking references and merging are set-based statements of sql/staged_*.sql,
 * and memory stays bounded however many rows a write has.
 *
 * The add* methods take rows that are already checked (the store's check*
 * functions, or the LinkedIn mapping, which applies the same checks): staging is
 * the hot path of every bulk write, so nothing is checked twice.
 */

/** Rows a write inserted and rows it changed (unchanged rows are not written, nor counted). */
export interface WriteCounts {
  inserted: number;
  updated: number;
}

/**
 * Bit i set when fields[i] is present in the row (not undefined): the presence mask
 * the staged merges read. Present-with-null means "clear it".
 */
export function presenceMask<R extends object>(row: R, fields: readonly (keyof R)[]): number {
  let mask = 0;
  for (let bit = 0; bit < fields.length; bit++) if (row[fields[bit]!] !== undefined) mask |= 1 << bit;
  return mask;
}

export type StagedTable =
  | 'ad_accounts'
  | 'campaigns'
  | 'creatives'
  | 'campaign_daily_metrics'
  | 'creative_daily_metrics'
  | 'audience_demographics';

export const STAGED_TABLES: readonly StagedTable[] = [
  'ad_accounts',
  'campaigns',
  'creatives',
  'campaign_daily_metrics',
  'creative_daily_metrics',
  'audience_demographics',
];

// Data columns after (line, presence), in the templates' order.
const COLUMNS: Record<StagedTable, readonly string[]> = {
  ad_accounts: ['id', ...ACCOUNT_FIELDS],
  campaigns: ['id', ...CAMPAIGN_FIELDS],
  creatives: ['id', ...CREATIVE_FIELDS],
  campaign_daily_metrics: ['campaign_id', 'date', ...METRIC_FIELDS],
  creative_daily_metrics: ['creative_id', 'date', ...METRIC_FIELDS],
  audience_demographics: ['account_id', 'pivot_type', 'segment', 'date_start', 'date_end', 'impressions', 'clicks'],
};

// Fixed statements over this module's own table names: no data in their text.
const copySql = (table: StagedTable) =>
  `COPY staged_${table} (line, presence, ${COLUMNS[table].join(', ')}) FROM STDIN`;
const createSql = (table: StagedTable) =>
  `CREATE TEMP TABLE IF NOT EXISTS staged_${table} (LIKE public.staged_${table} INCLUDING DEFAULTS) ON COMMIT DROP`;
const TRUNCATE_SQL = `TRUNCATE ${STAGED_TABLES.map((table) => `staged_${table}`).join(', ')}`;

/** Send the buffered rows once they take this many bytes. */
const FLUSH_BYTES = 8 << 20;

const NULL = '\\N';
const count = (value: number | undefined) => (value === undefined ? NULL : value);

/**
 * Functions over a daily row's metrics compiled once from METRIC_FIELDS (the field
 * table): they run once per row of the largest tables, where a loop over the field
 * names measured 1.8 times slower (0.41 s against 0.23 s per 500,000 rows). The
 * names compiled are the table's constants, never data.
 */
function compileMetrics<T>(body: string): (r: DailyMetricValues) => T {
  return new Function('r', body) as (r: DailyMetricValues) => T;
}

/** The presence bits of a daily row's metrics (bit i: METRIC_FIELDS[i] is present). */
const metricsPresence = compileMetrics<number>(
  `return ${METRIC_FIELDS.map((field, bit) => `(r.${field} !== undefined ? ${1 << bit} : 0)`).join(' | ')};`,
);

/**
 * A daily row's metric values as tab-separated COPY text, in METRIC_FIELDS order,
 * `absent` standing for a missing one. Counts are integers and spend a checked
 * decimal: nothing needs escaping.
 */
export function metricsCopyText(absent: '\\N' | '0'): (r: DailyMetricValues) => string {
  const literal = JSON.stringify(absent);
  return compileMetrics<string>(`return ${METRIC_FIELDS.map((field) => `String(r.${field} ?? ${literal})`).join(" + '\\t' + ")};`);
}

const stagedMetricsText = metricsCopyText('\\N');

/**
 * The keys of one staged table, to tell whether any key repeats (only then does
 * the write need its folding pass, a hash aggregate over every staged row that
 * measured ~0.5 s per 500,000 rows). Numbers where the key fits one exactly,
 * strings otherwise: ~32 bytes a key.
 */
export class KeySet {
  private readonly keys = new Set<number | string>();
  // Daily keys as one bitmap of days per entity: a Set of 500,000 composite keys
  // measured ~1 µs an insertion here, a bit test a few nanoseconds.
  private readonly days = new Map<number | string, DayBits>();
  repeated = false;

  add(key: number | string): void {
    if (this.repeated) return;
    if (this.keys.has(key)) this.markRepeated();
    else this.keys.add(key);
  }

  addDaily(entity: number | string, date: string): void {
    this.addDay(entity, cachedDayNumber(date));
  }

  /** As addDaily, with the day as its number (days since 1970-01-01). */
  addDay(entity: number | string, day: number): void {
    if (this.repeated) return;
    let days = this.days.get(entity);
    if (!days) this.days.set(entity, (days = new DayBits()));
    if (!days.add(day)) this.markRepeated();
  }

  private markRepeated(): void {
    this.repeated = true;
    // No longer needed: the fold runs anyway.
    this.keys.clear();
    this.days.clear();
  }
}

/** A set of days (integers) as a bitmap that grows to cover the days added. */
class DayBits {
  private base = 0;
  private bits = new Uint8Array(0);

  /** Adds the day; false when it was already there. */
  add(day: number): boolean {
    if (this.bits.length === 0) this.base = day - (day % 8);
    let offset = day - this.base;
    if (offset < 0 || offset >= this.bits.length * 8) {
      this.grow(day);
      offset = day - this.base;
    }
    const mask = 1 << (offset & 7);
    const byte = offset >> 3;
    if (this.bits[byte]! & mask) return false;
    this.bits[byte]! |= mask;
    return true;
  }

  private grow(day: number): void {
    const low = Math.min(this.base, day - (day % 8) - 512);
    const high = Math.max(this.base + this.bits.length * 8, day + 512);
    const bits = new Uint8Array(Math.ceil((high - low) / 8));
    bits.set(this.bits, (this.base - low) >> 3);
    this.base = low;
    this.bits = bits;
  }
}

const dayNumbers = new Map<string, number>();
/** days.ts's dayNumber of a canonical 'YYYY-MM-DD', memoised: bulk writes repeat few days. */
export function cachedDayNumber(date: string): number {
  let day = dayNumbers.get(date);
  if (day === undefined) {
    day = dayNumber(date);
    if (dayNumbers.size >= 10_000) dayNumbers.clear();
    dayNumbers.set(date, day);
  }
  return day;
}

/** The staged tables whose key is (entity, day). */
export type DailyStagedTable = 'campaign_daily_metrics' | 'creative_daily_metrics' | 'audience_demographics';

/**
 * Rows encoded as the staged tables' COPY text, a Buffer per table, with each
 * row's key handed to key() / dailyKey(): the one encoding of a staged row.
 * StagingWriter sends the text and tracks the keys itself; an ingest's parse
 * workers (src/ingest/parse-worker.ts) encode in parallel and pass the text and
 * the keys to the writer (addEncoded).
 */
export abstract class StagedRows {
  protected readonly buffers = new Map<StagedTable, CopyBuffer>(STAGED_TABLES.map((table) => [table, new CopyBuffer()]));
  protected pending = 0;

  protected abstract key(table: 'ad_accounts' | 'campaigns' | 'creatives', key: number | string): void;
  protected abstract dailyKey(table: DailyStagedTable, entity: number | string, day: string): void;

  addAccount(row: AccountInput, line: number): void {
    this.key('ad_accounts', row.id);
    this.push('ad_accounts', copyRow([line, presenceMask(row, ACCOUNT_FIELDS), row.id, ...ACCOUNT_FIELDS.map((f) => row[f])]));
  }

  addCampaign(row: CampaignInput, line: number): void {
    this.key('campaigns', row.id);
    this.push('campaigns', copyRow([line, presenceMask(row, CAMPAIGN_FIELDS), row.id, ...CAMPAIGN_FIELDS.map((f) => row[f])]));
  }

  addCreative(row: CreativeInput, line: number): void {
    this.key('creatives', row.id);
    this.push('creatives', copyRow([line, presenceMask(row, CREATIVE_FIELDS), row.id, ...CREATIVE_FIELDS.map((f) => row[f])]));
  }

  addCampaignDailyMetric(row: CampaignDailyMetricInput, line: number): void {
    this.dailyKey('campaign_daily_metrics', row.campaign_id, row.date);
    // Numbers, a date and a decimal: ASCII only.
    this.push('campaign_daily_metrics', `${line}\t${metricsPresence(row)}\t${row.campaign_id}\t${row.date}\t${stagedMetricsText(row)}\n`, true);
  }

  addCreativeDailyMetric(row: CreativeDailyMetricInput, line: number): void {
    this.dailyKey('creative_daily_metrics', row.creative_id, row.date);
    this.push('creative_daily_metrics', `${line}\t${metricsPresence(row)}\t${escapeText(row.creative_id)}\t${row.date}\t${stagedMetricsText(row)}\n`);
  }

  addAudienceDemographic(row: AudienceDemographicInput, line: number): void {
    // One bitmap of period starts per segment: memory grows with segments, not with rows.
    this.dailyKey('audience_demographics', JSON.stringify([row.account_id, row.pivot_type, row.segment]), row.date_start);
    const presence = (row.impressions !== undefined ? 1 : 0) | (row.clicks !== undefined ? 2 : 0);
    this.push(
      'audience_demographics',
      `${line}\t${presence}\t${row.account_id}\t${escapeText(row.pivot_type)}\t${escapeText(row.segment)}\t` +
        `${row.date_start}\t${row.date_end ?? NULL}\t${count(row.impressions)}\t${count(row.clicks)}\n`,
    );
  }

  protected push(table: StagedTable, text: string, ascii = false): void {
    const buffer = this.buffers.get(table)!;
    const before = buffer.bytes;
    buffer.append(text, ascii);
    this.pending += buffer.bytes - before;
  }
}

/** Rows another thread encoded (StagedRows), with their keys: what StagingWriter.addEncoded takes. */
export interface EncodedRows {
  /** Per staged table with rows: its COPY text and how many rows it holds. */
  tables: Array<{ table: StagedTable; chunks: Buffer[]; rows: number }>;
  /** The keys of the entity tables, in the order of their rows. */
  keys: Array<{ table: 'ad_accounts' | 'campaigns' | 'creatives'; keys: Array<number | string> }>;
  /** The keys of the daily tables: entities[i] on day number days[i]. */
  dailyKeys: Array<{ table: DailyStagedTable; entities: Array<number | string>; days: number[] }>;
}

/** Buffers rows per staged table and COPYs them in large chunks. */
export class StagingWriter extends StagedRows {
  private readonly staged = new Map<StagedTable, number>();
  // The COPY under way, if any: the next rows are encoded while the server loads these.
  private inflight: Promise<void> = Promise.resolve();

  private readonly keys = new Map<StagedTable, KeySet>(STAGED_TABLES.map((table) => [table, new KeySet()]));
  /** Campaigns and creatives that staged daily rows report on (bounded by entities, not rows). */
  readonly reportedCampaigns = new Set<number>();
  readonly reportedCreatives = new Set<string>();
  /** First and last day number staged per daily table. */
  private readonly dayRanges = new Map<DailyStagedTable, { first: number; last: number }>();

  private constructor(private readonly tx: Tx) {
    super();
  }

  /** False when no key of the table was staged twice: its folding pass can be skipped. */
  hasRepeatedKeys(table: StagedTable): boolean {
    return this.keys.get(table)!.repeated;
  }

  /** Creates the session's staging tables (dropped at the end of the transaction). */
  static async open(tx: Tx): Promise<StagingWriter> {
    for (const table of STAGED_TABLES) await tx.query(createSql(table));
    // An earlier write in the same transaction left its rows (ON COMMIT DROP waits for the commit).
    await tx.query(TRUNCATE_SQL);
    return new StagingWriter(tx);
  }

  /**
   * A writer for the rows that come after this one's, on the same staging tables,
   * while this one's rows are merged (`merged`, a sync's merge of one part): the new
   * writer buffers at once, and its first send waits until the merge has ended and
   * the tables are emptied for it. A failed merge fails that send, and drain().
   */
  successor(merged: Promise<unknown>): StagingWriter {
    const next = new StagingWriter(this.tx);
    next.inflight = merged.then(async () => {
      await this.tx.query(TRUNCATE_SQL);
    });
    next.inflight.catch(() => {}); // surfaces at the successor's next flush() or drain()
    return next;
  }

  /** The transaction the rows are staged in. */
  get transaction(): Tx {
    return this.tx;
  }

  /** Rows staged so far per table (sent or buffered). */
  rowsStaged(table: StagedTable): number {
    return (this.staged.get(table) ?? 0) + this.buffers.get(table)!.rows;
  }

  /** True when the buffers are large enough that the caller should flush() now. */
  get shouldFlush(): boolean {
    return this.pending >= FLUSH_BYTES;
  }

  protected key(table: 'ad_accounts' | 'campaigns' | 'creatives', key: number | string): void {
    this.keys.get(table)!.add(key);
  }

  protected dailyKey(table: DailyStagedTable, entity: number | string, day: string): void {
    this.dailyKeyNumber(table, entity, cachedDayNumber(day));
  }

  /** The reported campaigns and creatives as arrays, the parameters the reference and has-stored checks take. */
  reportedIds(): { campaignIds: number[]; creativeIds: string[] } {
    return { campaignIds: [...this.reportedCampaigns], creativeIds: [...this.reportedCreatives] };
  }

  /** The first and last day of the table's staged rows (YYYY-MM-DD), null when none was staged. */
  stagedDays(table: DailyStagedTable): { from: string; to: string } | null {
    const range = this.dayRanges.get(table);
    return range ? { from: dayOfNumber(range.first), to: dayOfNumber(range.last) } : null;
  }

  private dailyKeyNumber(table: DailyStagedTable, entity: number | string, day: number): void {
    this.keys.get(table)!.addDay(entity, day);
    const range = this.dayRanges.get(table);
    if (!range) this.dayRanges.set(table, { first: day, last: day });
    else if (day < range.first) range.first = day;
    else if (day > range.last) range.last = day;
    if (table === 'campaign_daily_metrics') this.reportedCampaigns.add(entity as number);
    else if (table === 'creative_daily_metrics') this.reportedCreatives.add(entity as string);
  }

  /** Adds rows encoded elsewhere (a parse worker), as if each had been added here. */
  addEncoded(encoded: EncodedRows): void {
    for (const { table, chunks, rows } of encoded.tables) this.pending += this.buffers.get(table)!.appendChunks(chunks, rows);
    for (const { table, keys } of encoded.keys) for (const key of keys) this.key(table, key);
    for (const { table, entities, days } of encoded.dailyKeys) {
      for (let i = 0; i < entities.length; i++) this.dailyKeyNumber(table, entities[i]!, days[i]!);
    }
  }

  /**
   * Starts sending every buffered row to the server and resolves once the previous
   * send has finished, so that encoding the next rows overlaps the server's work
   * (two cores, two workers). Sends go one after another however many callers flush
   * at once (a sync's responses arrive concurrently); drain() waits for all of them.
   */
  async flush(): Promise<void> {
    const batches: Array<[StagedTable, Buffer[], number]> = [];
    for (const [table, buffer] of this.buffers) {
      const rows = buffer.rows; // before take(), which empties the buffer
      if (rows > 0) batches.push([table, buffer.take(), rows]);
    }
    this.pending = 0;
    for (const [table, , rows] of batches) this.staged.set(table, (this.staged.get(table) ?? 0) + rows);
    await this.send(async () => {
      for (const [table, chunks] of batches) await copyFrom(this.tx, copySql(table), chunks);
    });
  }

  /**
   * Runs `task` on the writer's connection once every send before it has ended
   * (statements on one connection go one at a time); resolves when those have,
   * as flush() does. An ingest's days written straight into their tables go this way.
   */
  async send(task: () => Promise<void>): Promise<void> {
    const previous = this.inflight;
    this.inflight = previous.then(task);
    // A failed send surfaces at the next flush() or drain(); keep it from being unhandled meanwhile.
    this.inflight.catch(() => {});
    await previous;
  }

  /**
   * Empties these staging tables once their rows were merged ahead of the rest (an
   * ingest's entities: src/ingest/direct.ts), as if nothing had been staged in them;
   * everything of theirs must have been sent (drain()).
   */
  async clear(tables: readonly StagedTable[]): Promise<void> {
    // This module's own table names, no data.
    await this.run(() => this.tx.query(`TRUNCATE ${tables.map((table) => `staged_${table}`).join(', ')}`));
    for (const table of tables) {
      this.staged.delete(table);
      this.keys.set(table, new KeySet());
    }
  }

  /** Runs `task` on the writer's connection after every send before it, and resolves to its result. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.inflight.then(task);
    this.inflight = result.then(() => {});
    this.inflight.catch(() => {});
    return result;
  }

  /** Waits until no send is under way, whatever its outcome (before a rollback on the same connection). */
  async settled(): Promise<void> {
    await this.inflight.catch(() => {});
  }

  /** Sends what is buffered and waits until the server has every row. */
  async drain(): Promise<void> {
    await this.flush();
    await this.inflight;
  }
}
