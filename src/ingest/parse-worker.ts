/**
 * A parse worker of ingest (src/ingest/parse-pool.ts): takes batches of an export
 * file's lines, parses and maps each one (parseExportLine, the one mapping) and
 * encodes its rows as staged COPY text (StagedRows, the one encoding). What it
 * sends back is text, keys and failures, never row objects: cloning 500,000
 * objects back costs about what parsing them does.
 */
import { parentPort } from 'node:worker_threads';
import { parseExportLine, type SyncLine } from '../linkedin/export.js';
import { cachedDayNumber, StagedRows, type DailyStagedTable, type EncodedRows } from '../store/staged.js';
import { InvalidValueError } from '../values.js';
import { stageRecord } from './stage.js';

/** A batch of non-blank lines: numbers[i] is the line number of texts[i]. */
export interface ParseRequest {
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
      failures.push({
        line,
        invalid: error instanceof InvalidValueError ? { record: error.record, field: error.field, value: error.value, reason: error.reason } : null,
        message: error instanceof Error ? error.message : String(error),
        text: request.texts[i]!,
      });
    }
  }
  return { rows: rows.take(), named: [...named], syncs, failures };
}

parentPort?.on('message', (request: ParseRequest) => {
  const result = parseBatch(request);
  // The text goes back without a copy: each chunk's memory is handed over (never
  // Node's shared pool of small Buffers, which other Buffers of this thread use).
  const transfer = new Set<ArrayBuffer>();
  for (const { chunks } of result.rows.tables) {
    for (const chunk of chunks) if (chunk.buffer.byteLength > Buffer.poolSize) transfer.add(chunk.buffer as ArrayBuffer);
  }
  parentPort!.postMessage(result, [...transfer]);
});
