import { stat } from 'node:fs/promises';
import type pg from 'pg';
import { isReferenceKind, type ReferenceKind } from '../store/references.js';
import { parseExportLine, type ExportRecord, type SyncLine } from '../linkedin/export.js';
import { InvalidValueError } from '../values.js';
import { urnOf } from '../linkedin/urn.js';
import { UnknownReferenceError, type RejectedReference, type StagedWriteCounts } from '../store/apply.js';
import type { StagingWriter } from '../store/staged.js';
import { StagedSync, type SyncOrigin } from '../store/staged-sync.js';
import { retryOnConflict } from '../db/retry.js';
import { DEFAULT_WAIT_TIMEOUT_MS } from './defaults.js';
import { readLineBatches, readLines } from './lines.js';
import { stageRecord } from './stage.js';
import { defaultParseWorkers, ParsePool } from './parse-pool.js';
import type { ParseResult } from './parse-worker.js';
import { AdsStoreError } from '../errors.js';
import { sqlState } from '../db/sqlstate.js';
import { LockTimeoutError } from '../store/errors.js';
import { DirectDays, DirectPathAbandoned } from './direct.js';

export interface IngestOptions {
  /** Longest line accepted, in bytes (default 1 MiB). */
  maxLineBytes?: number | undefined;
  /** Wait at most this long (ms) for another ingest of the same account; 0 = do not wait. Default 300 s. */
  waitTimeoutMs?: number | undefined;
  /** Called as the file is read: lines done and bytes of the file read. */
  onProgress?: (progress: { lines: number; bytes: number }) => void;
  /**
   * Skip invalid lines instead of failing the file (--skip-invalid): every line that
   * does not parse, holds a bad value, or refers to a parent that exists nowhere is
   * left out, and listed in the result's `rejected` with its reason. The valid
   * lines are committed as one transaction, as ever.
   */
  skipInvalid?: boolean | undefined;
  /**
   * Stops the ingest (Ctrl-C): reading stops, the running statement is cancelled,
   * the file's transaction rolls back, and its sync_log row ends 'failed' with
   * "interrupted". The IngestError's cause is the signal's reason.
   */
  signal?: AbortSignal | undefined;
  /**
   * Worker threads that parse the lines while this thread stages them: 0 parses
   * here. Default: 0 for files under 8 MiB, else 2 to 4 by the cores.
   */
  parseWorkers?: number | undefined;
}

/** A line left out by skipInvalid: its number, why, and its text (the first KiB of an over-long line). */
export interface RejectedLine {
  line: number;
  reason: string;
  text: string;
}

export interface IngestResult {
  file: string;
  /** The sync_log row of this ingest. */
  syncId: number;
  /** Its account_id: the sync line's, else the one account the file names, else "all". */
  accountId: string;
  lines: number;
  counts: StagedWriteCounts;
  /** With skipInvalid: the lines left out, in line order. */
  rejected: RejectedLine[];
  /**
   * Daily rows written straight into their tables while the file was parsed (a
   * first load's days of stored campaigns and creatives: docs/architecture.md),
   * not through staging; counted in `counts` too.
   */
  directRows: number;
}

/** An ingest that failed; its message names the file, line and field when the input was at fault. */
export class IngestError extends AdsStoreError {
  readonly code = 'INGEST_FAILED';

  constructor(
    message: string,
    readonly file: string,
    /** The sync_log row recording the failure, when one could be written. */
    readonly syncId: number | null,
    override readonly cause: unknown,
  ) {
    super(message, { cause });
  }
}

export { DEFAULT_WAIT_TIMEOUT_MS } from './defaults.js';

// The API field holding each staged reference, and the URN kind to show its value in.
const REFERENCE_FIELDS: Record<ReferenceKind, [string, Parameters<typeof urnOf>[0] | null]> = {
  'campaign.account': ['adCampaign.account', 'sponsoredAccount'],
  'creative.campaign': ['creative.campaign', 'sponsoredCampaign'],
  'creative.account': ['creative.account', 'sponsoredAccount'],
  'campaign_daily_metric.campaign': ['adAnalytics.pivotValues[0]', 'sponsoredCampaign'],
  'creative_daily_metric.creative': ['adAnalytics.pivotValues[0]', null],
  'audience_demographic.account': ['account', 'sponsoredAccount'],
};

/**
 * Ingests one export file (NDJSON, plain or gzip) as one transaction: all of it
 * or none of it. Lines are checked and staged as they stream in; then the sync
 * lock of the file's account_id value is taken (waiting up to waitTimeoutMs), a
 * stale 'running' row of that value is marked failed, this ingest's 'running'
 * row is written, the staged rows are merged under the accounts' write locks, and
 * the row ends 'success' with its counts, or 'failed' with the error (the row is
 * kept though the data rolls back). Throws IngestError.
 */
export async function ingestFile(pool: pg.Pool, file: string, options: IngestOptions = {}): Promise<IngestResult> {
  // A deadlock or serialization failure rolled everything back: run the file again
  // (its failed attempt keeps its 'failed' sync_log row, saying so).
  return retryOnConflict(async () => {
    try {
      return await ingestOnce(pool, file, options, true);
    } catch (error) {
      // The direct path met a busy lock or a repeated day, and rolled back having
      // recorded nothing: the file is read again through staging alone.
      if (!(error instanceof DirectPathAbandoned)) throw error;
      return ingestOnce(pool, file, options, false);
    }
  });
}

async function ingestOnce(pool: pg.Pool, file: string, options: IngestOptions, directAllowed: boolean): Promise<IngestResult> {
  const waitTimeoutMs = options.waitTimeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
  const signal = options.signal;
  // A file that cannot be read is the caller's mistake, not a sync that ran: no sync_log row.
  const found = await stat(file).catch((error: NodeJS.ErrnoException) => {
    throw new IngestError(`${file}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`, file, null, error);
  });
  if (!found.isFile()) throw new IngestError(`${file}: not a file`, file, null, null);
  if (signal?.aborted) throw new IngestError(`${file}: interrupted`, file, null, signal.reason);
  const unit = await StagedSync.connect(pool, { signal }).catch((error: Error) => {
    // No connection (pool exhausted, server down): nothing was read or written, and
    // there is no connection to record a sync row with either.
    throw new IngestError(`${file}: no database connection: ${error.message}`, file, null, error);
  });
  const read = new FileRead(file);
  try {
    const direct = await stageFile(await unit.begin(), read, options, found.size, directAllowed);
    const origin = read.origin();
    // Holding locks taken out of their id order, the direct path waits for none (direct.ts).
    const noWait = direct?.holdsLocks === true && waitTimeoutMs > 0;
    if (noWait) await direct!.lockStagedAccounts();
    let counts: StagedWriteCounts;
    try {
      counts = await unit.merge(origin, { timeoutMs: noWait ? 0 : waitTimeoutMs, rejectUnknownReferences: options.skipInvalid });
    } catch (error) {
      if (noWait && error instanceof LockTimeoutError) throw new DirectPathAbandoned(error.message);
      throw error instanceof UnknownReferenceError ? inFileTerms(error, file) : error;
    }
    if (direct) counts = await direct.withEarlyWrites(counts);
    await read.rejectReferences(counts.rejected_references, options.maxLineBytes);
    const { rejected } = read;
    const syncId = await unit.commit(counts, {
      ...origin,
      errors: rejected.length === 0 ? null : `${rejected.length} invalid line${rejected.length === 1 ? '' : 's'} skipped (--skip-invalid), the first: ${rejected[0]!.reason}`,
    });
    return { file, syncId, accountId: origin.accountId, lines: read.lines, counts, rejected, directRows: direct?.rows ?? 0 };
  } catch (error) {
    if (error instanceof DirectPathAbandoned && !unit.interrupted) {
      await unit.abandon(read.origin(), `${file}: ${error.message}; read again through staging`);
      throw error;
    }
    const stopped = unit.interrupted;
    const message = stopped ? `${file}: interrupted` : describeFailure(error, file);
    const syncId = await unit.fail(read.origin(), message);
    throw new IngestError(message, file, syncId, stopped ? signal!.reason : error);
  } finally {
    await unit.close();
  }
}

/** What reading a file found so far: its sync line, the accounts it names, its lines left out. */
class FileRead {
  syncLine: SyncLine | undefined;
  readonly named = new Set<number>();
  readonly rejected: RejectedLine[] = [];
  lines = 0;

  constructor(readonly file: string) {}

  /** The sync_log origin: the sync line's account_id, else the one account the file names, else "all". */
  origin(): SyncOrigin {
    const accountId = this.syncLine?.accountId ?? (this.named.size === 1 ? String([...this.named][0]) : 'all');
    return { accountId, trigger: this.syncLine?.trigger ?? null, apiCallsMade: this.syncLine?.apiCallsMade ?? 0 };
  }

  /** A line that did not parse: set aside with skipInvalid when the input is at fault, else thrown. */
  reject(error: unknown, line: number, text: string, options: IngestOptions): void {
    if (!options.skipInvalid || !(error instanceof InvalidValueError || error instanceof IngestInputError)) throw error;
    this.rejected.push({ line, reason: error.message, text });
  }

  /** The file's sync line; a second one is bad input. */
  sync(sync: SyncLine, line: number, text: string, options: IngestOptions): void {
    if (!this.syncLine) {
      this.syncLine = sync;
      return;
    }
    this.reject(new IngestInputError(`${this.file}:${line}: a second sync line (a file has at most one)`), line, text, options);
  }

  /** Adds the lines whose references the merge rejected (skipInvalid), with their text read again. */
  async rejectReferences(references: readonly RejectedReference[], maxLineBytes: number | undefined): Promise<void> {
    if (references.length === 0) return;
    const texts = await linesOf(this.file, new Set(references.map((r) => r.line)), maxLineBytes);
    for (const reference of references) {
      const error = inFileTerms(new UnknownReferenceError('', reference.reference, reference.value, reference.line, reference.reference), this.file);
      this.rejected.push({ line: reference.line, reason: error.message, text: texts.get(reference.line) ?? '' });
    }
    this.rejected.sort((a, b) => a.line - b.line);
  }
}

/**
 * Reads the file's lines into the staging writer, checking each; with skipInvalid,
 * bad lines are set aside. With parse workers (a large file) and `directAllowed`,
 * the days of stored parents without days go straight into their tables (DirectDays),
 * which it resolves to.
 */
async function stageFile(writer: StagingWriter, read: FileRead, options: IngestOptions, bytes: number, directAllowed: boolean): Promise<DirectDays | null> {
  const workers = options.parseWorkers ?? defaultParseWorkers(bytes);
  const direct = workers > 0 && directAllowed ? new DirectDays(() => writer, { lockTimeoutMs: 'try', repeats: 'abandon', storedMeanwhile: 'abandon' }) : null;
  const staging = workers > 0 ? new ParallelStaging(writer, read, options, new ParsePool(workers), workers, direct) : null;
  let bytesRead = 0;
  try {
    for await (const batch of readLineBatches(read.file, {
      maxLineBytes: options.maxLineBytes,
      onBytes: (bytes) => (bytesRead = bytes),
      tolerant: options.skipInvalid ?? false,
    })) {
      for (const line of batch) {
        read.lines = line.number;
        if (line.error) {
          // Only in tolerant (skipInvalid) mode are unreadable lines yielded.
          read.rejected.push({ line: line.number, reason: line.error.message, text: line.text });
          continue;
        }
        if (line.text.trim() === '') continue;
        if (staging) {
          staging.add(line.number, line.text);
          continue;
        }
        options.signal?.throwIfAborted();
        const record = `${read.file}:${line.number}`;
        let parsed: ExportRecord;
        try {
          parsed = parseExportLine(line.text, record);
        } catch (error) {
          read.reject(error, line.number, line.text, options);
          continue;
        }
        if (parsed.kind === 'sync') read.sync(parsed.sync, line.number, line.text, options);
        else stageRecord(writer, parsed, line.number, read.named);
        if (writer.shouldFlush) await writer.flush();
        if (options.onProgress && line.number % 10_000 === 0) options.onProgress({ lines: read.lines, bytes: bytesRead });
      }
      if (staging) {
        options.signal?.throwIfAborted();
        await staging.batchRead();
        options.onProgress?.({ lines: read.lines, bytes: bytesRead });
      }
    }
    await staging?.finish();
  } finally {
    await staging?.close();
  }
  // Unreadable lines are set aside as read, the others as parsed: in line order for the report.
  read.rejected.sort((a, b) => a.line - b.line);
  options.onProgress?.({ lines: read.lines, bytes: bytesRead });
  return direct;
}

/** Lines sent to the parse workers about this many characters at a time. */
const PARSE_BATCH_CHARS = 1 << 20;

/**
 * Staging with the parsing on worker threads (ParsePool): lines go out in
 * batches, and the answers are taken in line order, so that failures, sync lines
 * and rows are handled as the one-thread path handles them.
 */
class ParallelStaging {
  private numbers: number[] = [];
  private texts: string[] = [];
  private chars = 0;
  private readonly answers: Array<Promise<ParseResult>> = [];
  private readonly maxWaiting: number;

  constructor(
    private readonly writer: StagingWriter,
    private readonly read: FileRead,
    private readonly options: IngestOptions,
    private readonly pool: ParsePool,
    workers: number,
    private readonly direct: DirectDays | null,
  ) {
    this.maxWaiting = 2 * workers;
  }

  add(number: number, text: string): void {
    this.numbers.push(number);
    this.texts.push(text);
    this.chars += text.length;
  }

  /** After each chunk of the file: sends a full batch, and takes answers while too many are waiting (memory stays bounded). */
  async batchRead(): Promise<void> {
    if (this.chars >= PARSE_BATCH_CHARS) this.send();
    while (this.answers.length > this.maxWaiting) await this.take();
  }

  async finish(): Promise<void> {
    this.send();
    while (this.answers.length > 0) await this.take();
    await this.direct?.finish();
  }

  async close(): Promise<void> {
    await this.pool.close();
  }

  private send(): void {
    if (this.texts.length === 0) return;
    const answer = this.pool.parse({ kind: 'lines', file: this.read.file, numbers: this.numbers, texts: this.texts });
    answer.catch(() => {}); // taken in order later; never unhandled meanwhile
    this.answers.push(answer);
    this.numbers = [];
    this.texts = [];
    this.chars = 0;
  }

  private async take(): Promise<void> {
    const { rows, named, syncs, failures } = await this.answers.shift()!;
    // Failures and sync lines in line order, as the lines were.
    let s = 0;
    for (const failure of failures) {
      for (; s < syncs.length && syncs[s]!.line < failure.line; s++) this.read.sync(syncs[s]!.sync, syncs[s]!.line, syncs[s]!.text, this.options);
      const { invalid } = failure;
      const error = invalid ? new InvalidValueError(invalid.record, invalid.field, invalid.value, invalid.reason) : new Error(failure.message);
      this.read.reject(error, failure.line, failure.text, this.options);
    }
    for (; s < syncs.length; s++) this.read.sync(syncs[s]!.sync, syncs[s]!.line, syncs[s]!.text, this.options);
    this.writer.addEncoded(this.direct ? await this.direct.route(rows) : rows);
    for (const account of named) this.read.named.add(account);
    if (this.writer.shouldFlush) await this.writer.flush();
  }
}

/** Ingests the files in order, each on its own; resolves to each one's result or error. */
export async function ingestFiles(
  pool: pg.Pool,
  files: readonly string[],
  options: IngestOptions = {},
): Promise<Array<IngestResult | IngestError>> {
  const results: Array<IngestResult | IngestError> = [];
  for (const file of files) {
    try {
      results.push(await ingestFile(pool, file, options));
    } catch (error) {
      if (!(error instanceof IngestError)) throw error;
      results.push(error);
    }
  }
  return results;
}

/** A problem of the file's content that no single field explains. */
class IngestInputError extends AdsStoreError {
  readonly code = 'INVALID_VALUE';
}

/** The text of some lines of the file (rejected ones, for the rejects file), read again. */
async function linesOf(file: string, wanted: Set<number>, maxLineBytes: number | undefined): Promise<Map<number, string>> {
  const texts = new Map<number, string>();
  for await (const line of readLines(file, { maxLineBytes, tolerant: true })) {
    if (wanted.has(line.number)) texts.set(line.number, line.text);
    if (texts.size === wanted.size) break;
  }
  return texts;
}

function inFileTerms(error: UnknownReferenceError, file: string): UnknownReferenceError {
  const [field, kind] = isReferenceKind(error.reference) ? REFERENCE_FIELDS[error.reference] : [error.reference, null];
  const value = kind ? urnOf(kind, error.value) : error.value;
  return new UnknownReferenceError(`${file}:${error.line}`, field, value, error.line, error.reference);
}

function describeFailure(error: unknown, file: string): string {
  if (error instanceof AdsStoreError) {
    // Errors of the input already say where; a lock timeout gets the file's name.
    return error.message.includes(file) ? error.message : `${file}: ${error.message}`;
  }
  if (error instanceof Error) {
    const state = sqlState(error);
    if (state) return `${file}: database error ${state}: ${error.message}`;
    // A file error (ENOENT, …) or anything else: the file's name first.
    return `${file}: ${error.message}`;
  }
  return `${file}: ${String(error)}`;
}
