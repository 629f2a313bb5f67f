/**
 * A parse worker (src/ingest/parse-pool.ts) of ingest and sync. It takes batches of
 * an export file's lines (ingest), or one adAnalytics response body (sync), parses
 * and maps each element (parseExportLine / mapExportEnvelope, the one mapping) and
 * encodes its rows as staged COPY text (StagedRows, the one encoding). What it
 * sends back is text, keys and failures, never row objects: cloning 500,000
 * objects back costs about what parsing them does.
 */
import { parentPort } from 'node:worker_threads';
import { analyticsEnvelope, mapExportEnvelope, parseExportLine, type SyncLine } from '../linkedin/export.js';
import { cachedDayNumber, StagedRows, type DailyStagedTable, type EncodedRows } from '../store/staged.js';
import { InvalidValueError } from '../values.js';
import { utf8Text } from '../utf8.js';
import { stageRecord } from './stage.js';

/** A batch of non-blank lines: numbers[i] is the line number of texts[i]. */
export interface ParseRequest {
  kind: 'lines';
  file: string;
  numbers: number[];
  texts: string[];
}

/** A line that did not parse: an InvalidValueError's parts, or (anything else) its message. */
export interface ParseFailure {
  line: number;
  invalid: { record: string; field: string; value: unknown; reason: string } | null;
  message: string;
  text: string;
}

export interface ParseResult {
  kind: 'lines';
  rows: EncodedRows;
  /** The accounts the batch's rows name (stageRecord's `named`). */
  named: number[];
  /** Sync lines, by line. */
  syncs: Array<{ line: number; sync: SyncLine; text: string }>;
  /** By line. */
  failures: ParseFailure[];
}

/** StagedRows that keep each key for the main thread, which tells repeats across the whole file. */
class BatchRows extends StagedRows {
  private readonly entityKeys = new Map<'ad_accounts' | 'campaigns' | 'creatives', Array<number | string>>();
  private readonly dayKeys = new Map<DailyStagedTable, { entities: Array<number | string>; days: number[] }>();

  protected key(table: 'ad_accounts' | 'campaigns' | 'creatives', key: number | string): void {
    let keys = this.entityKeys.get(table);
    if (!keys) this.entityKeys.set(table, (keys = []));
    keys.push(key);
  }

  protected dailyKey(table: DailyStagedTable, entity: number | string, day: string): void {
    let keys = this.dayKeys.get(table);
    if (!keys) this.dayKeys.set(table, (keys = { entities: [], days: [] }));
    keys.entities.push(entity);
    keys.days.push(cachedDayNumber(day));
  }

  take(): EncodedRows {
    const tables: EncodedRows['tables'] = [];
    for (const [table, buffer] of this.buffers) {
      const rows = buffer.rows; // before take(), which empties the buffer
      if (rows > 0) tables.push({ table, chunks: buffer.take(), rows });
    }
    return {
      tables,
      keys: [...this.entityKeys].map(([table, keys]) => ({ table, keys })),
      dailyKeys: [...this.dayKeys].map(([table, keys]) => ({ table, ...keys })),
    };
  }
}

export function parseBatch(request: ParseRequest): ParseResult {
  const rows = new BatchRows();
  const named = new Set<number>();
  const syncs: ParseResult['syncs'] = [];
  const failures: ParseFailure[] = [];
  for (let i = 0; i < request.texts.length; i++) {
    const line = request.numbers[i]!;
    try {
      const parsed = parseExportLine(request.texts[i]!, `${request.file}:${line}`);
      if (parsed.kind === 'sync') syncs.push({ line, sync: parsed.sync, text: request.texts[i]! });
      else stageRecord(rows, parsed, line, named);
    } catch (error) {
      failures.push(failureOf(error, line, request.texts[i]!));
    }
  }
  return { kind: 'lines', rows: rows.take(), named: [...named], syncs, failures };
}

/**
 * One adAnalytics response body of a sync (its UTF-8 bytes, handed over without a
 * copy): its elements are wrapped as export envelopes of `pivot` (and `account`,
 * for a demographic pivot), as the export format writes them.
 */
export interface AnalyticsRequest {
  kind: 'analytics';
  body: ArrayBuffer;
  pivot: string;
  account?: string | undefined;
  /** A body holding this many elements or more may have been cut: only counted, never mapped. */
  cap: number;
  /** Map and encode the elements (a sync that stores). */
  stage: boolean;
  /** Also send back each envelope as a line of the export format (a sync with --out). */
  archive: boolean;
  /** Element i is staged under line firstLine + i, and errors name it `${record}, element ${i + 1}`. */
  firstLine: number;
  record: string;
}

export interface AnalyticsResult {
  kind: 'analytics';
  /** How many elements the body holds. */
  elements: number;
  /** With stage, under the cap: the rows. */
  rows: EncodedRows | null;
  /** With archive, under the cap: the envelopes as export lines (UTF-8). */
  archive: Uint8Array | null;
  /** The first element that failed to map (or the body itself, element 0); nothing else is sent back then. */
  failure: ParseFailure | null;
}

export function parseAnalytics(request: AnalyticsRequest): AnalyticsResult {
  const result: AnalyticsResult = { kind: 'analytics', elements: 0, rows: null, archive: null, failure: null };
  let elements: unknown[];
  try {
    const body = JSON.parse(utf8Text(request.body)) as { elements?: unknown };
    elements = Array.isArray(body.elements) ? body.elements : [];
  } catch (error) {
    result.failure = failureOf(error, 0, '');
    return result;
  }
  result.elements = elements.length;
  if (elements.length >= request.cap || (!request.stage && !request.archive)) return result;
  const rows = new BatchRows();
  const named = new Set<number>();
  const lines: string[] = [];
  for (let i = 0; i < elements.length; i++) {
    const envelope = analyticsEnvelope(elements[i], request.pivot, request.account);
    if (request.archive) lines.push(JSON.stringify(envelope));
    if (!request.stage) continue;
    try {
      const record = mapExportEnvelope(envelope, `${request.record}, element ${i + 1}`);
      if (record.kind !== 'sync') stageRecord(rows, record, request.firstLine + i, named);
    } catch (error) {
      result.failure = failureOf(error, i + 1, '');
      return result;
    }
  }
  if (request.stage) result.rows = rows.take();
  if (request.archive) result.archive = Buffer.from(lines.length === 0 ? '' : `${lines.join('\n')}\n`);
  return result;
}

function failureOf(error: unknown, line: number, text: string): ParseFailure {
  return {
    line,
    invalid: error instanceof InvalidValueError ? { record: error.record, field: error.field, value: error.value, reason: error.reason } : null,
    message: error instanceof Error ? error.message : String(error),
    text,
  };
}

parentPort?.on('message', (request: ParseRequest | AnalyticsRequest) => {
  const result = request.kind === 'lines' ? parseBatch(request) : parseAnalytics(request);
  // The text goes back without a copy: each chunk's memory is handed over (never
  // Node's shared pool of small Buffers, which other Buffers of this thread use).
  const transfer = new Set<ArrayBuffer>();
  for (const { chunks } of result.rows?.tables ?? []) {
    for (const chunk of chunks) if (chunk.buffer.byteLength > Buffer.poolSize) transfer.add(chunk.buffer as ArrayBuffer);
  }
  if (result.kind === 'analytics' && result.archive && result.archive.buffer.byteLength > Buffer.poolSize) transfer.add(result.archive.buffer as ArrayBuffer);
  parentPort!.postMessage(result, [...transfer]);
});
