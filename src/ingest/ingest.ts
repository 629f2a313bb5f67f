import { stat } from 'node:fs/promises';
import type pg from 'pg';
import { begin, commit, rollback } from '../db/transaction.js';
import { lockSync, tryLockSync, unlockSync } from '../generated/locks.queries.js';
import { lockWithTimeout } from '../store/locks.js';
import { isReferenceKind, type ReferenceKind } from '../store/references.js';
import { parseExportLine, type SyncLine } from '../linkedin/export.js';
import { InvalidValueError } from '../values.js';
import { urnOf } from '../linkedin/urn.js';
import { applyStaged, UnknownReferenceError, type StagedWriteCounts } from '../store/apply.js';
import { StagingWriter } from '../store/staged.js';
import { failStaleRunningSyncs, finishSync, recordFailedSync, startSync } from '../store/syncs.js';
import { retryOnConflict } from '../db/retry.js';
import { DEFAULT_WAIT_TIMEOUT_MS } from './defaults.js';
import { readLineBatches, readLines } from './lines.js';
import { AdsStoreError } from '../errors.js';
import { sqlState } from '../db/sqlstate.js';

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
  return retryOnConflict(() => ingestOnce(pool, file, options));
}

async function ingestOnce(pool: pg.Pool, file: string, options: IngestOptions): Promise<IngestResult> {
  const waitTimeoutMs = options.waitTimeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
  const signal = options.signal;
  // A file that cannot be read is the caller's mistake, not a sync that ran: no sync_log row.
  const found = await stat(file).catch((error: NodeJS.ErrnoException) => {
    throw new IngestError(`${file}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`, file, null, error);
  });
  if (!found.isFile()) throw new IngestError(`${file}: not a file`, file, null, null);
  if (signal?.aborted) throw new IngestError(`${file}: interrupted`, file, null, signal.reason);
  let data: pg.PoolClient;
  try {
    data = await pool.connect();
  } catch (error) {
    // No connection (pool exhausted, server down): nothing was read or written, and
    // there is no connection to record a sync row with either.
    throw new IngestError(`${file}: no database connection: ${(error as Error).message}`, file, null, error);
  }
  let sync: pg.PoolClient | null = null;
  let dataBroken = false;
  let syncLine: SyncLine | undefined;
  const named = new Set<number>();
  let lines = 0;
  let runningId: number | null = null;
  let lockedValue: string | null = null;
  const accountIdSoFar = () => syncLine?.accountId ?? (named.size === 1 ? String([...named][0]) : 'all');
  const skipInvalid = options.skipInvalid ?? false;
  const rejected: RejectedLine[] = [];

  // On abort, the statements running on this ingest's connections are cancelled
  // (from a connection of their own): a lock wait or a long merge ends at once.
  // The cancel is awaited before the failure is recorded: a late one would cancel that.
  let cancelling: Promise<unknown> = Promise.resolve();
  const cancelRunning = () => {
    const pids = [data, sync].map((client) => (client as { processID?: number } | null)?.processID).filter((pid) => pid !== undefined);
    cancelling = Promise.allSettled(pids.map((pid) => pool.query('select pg_cancel_backend($1)', [pid])));
  };
  signal?.addEventListener('abort', cancelRunning, { once: true });
  let committed = false;

  try {
    const tx = await begin(data);
    const writer = await StagingWriter.open(tx);
    let bytesRead = 0;
    for await (const batch of readLineBatches(file, {
      maxLineBytes: options.maxLineBytes,
      onBytes: (bytes) => (bytesRead = bytes),
      tolerant: skipInvalid,
    })) {
      for (const line of batch) {
        lines = line.number;
        if (signal?.aborted) throw signal.reason;
        if (line.error) {
          // Only in tolerant (skipInvalid) mode are unreadable lines yielded.
          rejected.push({ line: line.number, reason: line.error.message, text: line.text });
          continue;
        }
        if (line.text.trim() === '') continue;
        const record = `${file}:${line.number}`;
        let parsed: ReturnType<typeof parseExportLine>;
        try {
          parsed = parseExportLine(line.text, record);
          if (parsed.kind === 'sync' && syncLine) throw new IngestInputError(`${record}: a second sync line (a file has at most one)`);
        } catch (error) {
          if (!skipInvalid || !(error instanceof InvalidValueError || error instanceof IngestInputError)) throw error;
          rejected.push({ line: line.number, reason: error.message, text: line.text });
          continue;
        }
        switch (parsed.kind) {
          case 'account':
            named.add(parsed.row.id);
            writer.addAccount(parsed.row, line.number);
            break;
          case 'campaign':
            if (parsed.row.account_id != null) named.add(parsed.row.account_id);
            writer.addCampaign(parsed.row, line.number);
            break;
          case 'creative':
            if (parsed.row.account_id != null) named.add(parsed.row.account_id);
            writer.addCreative(parsed.row, line.number);
            break;
          case 'campaign_metric':
            writer.addCampaignDailyMetric(parsed.row, line.number);
            break;
          case 'creative_metric':
            writer.addCreativeDailyMetric(parsed.row, line.number);
            break;
          case 'demographic':
            named.add(parsed.row.account_id);
            writer.addAudienceDemographic(parsed.row, line.number);
            break;
          case 'sync':
            syncLine = parsed.sync;
            break;
        }
        if (writer.shouldFlush) await writer.flush();
        if (options.onProgress && line.number % 10_000 === 0) options.onProgress({ lines, bytes: bytesRead });
      }
    }
    options.onProgress?.({ lines, bytes: bytesRead });
    await writer.drain();
    signal?.throwIfAborted();

    const accountId = accountIdSoFar();
    sync = await pool.connect();
    await takeSyncLock(sync, accountId, waitTimeoutMs);
    lockedValue = accountId;
    await failStaleRunningSyncs(sync, accountId);
    runningId = (await startSync(sync, { accountId, trigger: syncLine?.trigger ?? null })).id;

    let counts: StagedWriteCounts;
    try {
      counts = await applyStaged(writer, { timeoutMs: waitTimeoutMs }, { rejectUnknownReferences: skipInvalid });
    } catch (error) {
      if (error instanceof UnknownReferenceError) throw inFileTerms(error, file);
      throw error;
    }
    if (counts.rejected_references.length > 0) {
      const texts = await linesOf(file, new Set(counts.rejected_references.map((r) => r.line)), options.maxLineBytes);
      for (const reference of counts.rejected_references) {
        const error = inFileTerms(new UnknownReferenceError('', reference.reference, reference.value, reference.line, reference.reference), file);
        rejected.push({ line: reference.line, reason: error.message, text: texts.get(reference.line) ?? '' });
      }
      rejected.sort((a, b) => a.line - b.line);
    }
    // A cancel that reached an idle connection was ignored: look again before committing.
    signal?.throwIfAborted();
    await commit(tx);
    // Committed: an interruption from here on stops nothing, and is not what happened.
    signal?.removeEventListener('abort', cancelRunning);
    committed = true;
    await finishSync(sync, {
      id: runningId,
      status: 'success',
      campaignsFetched: counts.campaigns_described,
      creativesFetched: counts.creatives_described,
      apiCallsMade: syncLine?.apiCallsMade ?? 0,
      errors: rejected.length === 0 ? null : `${rejected.length} invalid line${rejected.length === 1 ? '' : 's'} skipped (--skip-invalid), the first: ${rejected[0]!.reason}`,
    });
    return { file, syncId: runningId, accountId, lines, counts, rejected };
  } catch (error) {
    await cancelling;
    dataBroken = !(await rollback(data));
    const stopped = signal?.aborted === true && !committed;
    const message = stopped ? `${file}: interrupted` : describeFailure(error, file);
    let syncId: number | null = runningId;
    try {
      // The failure is recorded on the sync connection, else on the data connection
      // when it still works (the pool may have no other to give).
      const recorder = sync ?? (dataBroken ? (sync = await pool.connect()) : data);
      if (runningId !== null) {
        await finishSync(recorder, { id: runningId, status: 'failed', apiCallsMade: syncLine?.apiCallsMade ?? 0, errors: message });
      } else {
        syncId = (await recordFailedSync(recorder, { accountId: accountIdSoFar(), trigger: syncLine?.trigger ?? null, apiCallsMade: syncLine?.apiCallsMade ?? 0, errors: message })).id;
      }
    } catch {
      // The database itself is unreachable: the error below still says what failed.
    }
    throw new IngestError(message, file, syncId, stopped ? signal.reason : error);
  } finally {
    signal?.removeEventListener('abort', cancelRunning);
    data.release(dataBroken);
    if (sync) {
      let syncBroken = false;
      if (lockedValue !== null) {
        syncBroken = !(await unlockSync.run({ accountId: lockedValue }, sync).then(() => true, () => false));
      }
      sync.release(syncBroken);
    }
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

async function takeSyncLock(client: pg.PoolClient, accountId: string, timeoutMs: number): Promise<void> {
  const what = `sync of account ${accountId}`;
  await lockWithTimeout(client, {
    what,
    timeoutMs,
    scope: 'session', // no transaction is open on this connection
    wait: () => lockSync.run({ accountId }, client),
    tryLock: async () => ((await tryLockSync.run({ accountId }, client))[0]?.locked ? null : what),
  });
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
