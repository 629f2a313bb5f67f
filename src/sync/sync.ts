import { createReadStream, createWriteStream } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type pg from 'pg';
import PQueue from 'p-queue';
import { AdsStoreError } from '../errors.js';
import { redactSecrets } from '../db/urls.js';
import { DEFAULT_WAIT_TIMEOUT_MS } from '../ingest/defaults.js';
import { DirectDays } from '../ingest/direct.js';
import { stageRecord } from '../ingest/stage.js';
import { credentialsFromEnv, secretsOf, type LinkedInCredentials } from '../linkedin/api/auth.js';
import { DEFAULT_CONCURRENCY, LinkedInClient, type RequestCounter } from '../linkedin/api/client.js';
import { AccountPull, DEFAULT_PIVOTS, type PullProgress } from '../linkedin/api/pull.js';
import { mapExportEnvelope, type Envelope } from '../linkedin/export.js';
import type { StagedWriteCounts } from '../store/apply.js';
import { StagedSync, type SyncOrigin } from '../store/staged-sync.js';
import { getLastSyncedRange } from '../store/syncs.js';
import { AnalyticsParsing } from './parsing.js';
import { checkDate } from '../values.js';
import { listReadableAccounts } from './accounts.js';
import { addDays } from '../days.js';

/** Days fetched again before the last successful sync: LinkedIn restates conversions for ~30 days. */
export const DEFAULT_LOOKBACK_DAYS = 30;
/** Days a first sync of an account fetches when no start is given. */
export const DEFAULT_FIRST_SYNC_DAYS = 365;
/**
 * A sync's days written straight in are sent every 2 MB (about every large analytics
 * response), so that they load while the next responses come; an ingest sends every
 * 8 MB (src/ingest/direct.ts). bench:sync, storing, × its ideal: 1 MB 1.368, 2 MB
 * 1.143 and 1.185, 4 MB 1.223, 8 MB 1.220 and 1.235 (one run each, same machine).
 */
const SYNC_DIRECT_FLUSH_BYTES = 2 << 20;

/** An account being stored holds its staging transaction's connection and its sync lock's. */
const CONNECTIONS_PER_ACCOUNT = 2;
/** Left free by the accounts: an interrupted sync cancels their statements from it. */
const SPARE_CONNECTIONS = 1;
/** The smallest pool a stored sync takes: one account's connections and the spare. */
const SMALLEST_POOL = CONNECTIONS_PER_ACCOUNT + SPARE_CONNECTIONS;
/** Accounts stored at once besides those fetching: one merges while the next finishes. */
const STORING_SLOTS = 2;

/**
 * The pool size with which every account a sync has under way stores at once: two
 * connections each, and a spare (a smaller pool, of 3 or more, stores fewer at a time).
 */
export function syncPoolSize(concurrency: number = DEFAULT_CONCURRENCY): number {
  return CONNECTIONS_PER_ACCOUNT * (fetchingSlots(concurrency) + STORING_SLOTS) + SPARE_CONNECTIONS;
}

/** Accounts fetching at once: as many as requests in flight, and two at least (one lists while one fetches). */
const fetchingSlots = (concurrency: number) => Math.max(2, concurrency);

/** The most connections `pool` opens (pg's default 10); unbounded without a database. */
function poolSize(pool: pg.Pool | null): number {
  return pool ? (pool.options.max ?? 10) : Number.POSITIVE_INFINITY;
}

/** Daily rows of an account staged before they are merged while the rest is fetched (SyncOptions.mergeRows). */
export const DEFAULT_MERGE_ROWS = 5_000;

export interface SyncOptions {
  /** Default: from the environment (credentialsFromEnv). */
  credentials?: LinkedInCredentials | undefined;
  /** Accounts to sync; default every account the token can read. */
  accounts?: readonly number[] | undefined;
  /**
   * First day to fetch (YYYY-MM-DD); default the day after the last successful sync's
   * range minus lookbackDays (a day that sync fetched before it was over counts as not
   * fetched), or a year up to `to` for an account never synced.
   */
  from?: string | undefined;
  /** Last day to fetch; default and latest yesterday (UTC). */
  to?: string | undefined;
  lookbackDays?: number | undefined;
  /** MEMBER_* pivots (default the eight the store keeps). */
  pivots?: readonly string[] | undefined;
  /** sync_log.trigger of each account's row. */
  trigger?: string | null | undefined;
  /** Store what is fetched (default true). */
  store?: boolean | undefined;
  /** Also write what was fetched, as the export format `ingest` reads (gzip when it ends in .gz). */
  out?: string | undefined;
  /** LinkedIn-Version, YYYYMM; default LINKEDIN_API_VERSION, else DEFAULT_API_VERSION. */
  apiVersion?: string | undefined;
  /** Default LINKEDIN_API_BASE_URL, else https://api.linkedin.com/rest/. */
  baseUrl?: string | undefined;
  /** The OAuth token endpoint; default LINKEDIN_OAUTH_TOKEN_URL, else LinkedIn's. */
  tokenUrl?: string | undefined;
  /** Requests in flight at once (default 3). */
  concurrency?: number | undefined;
  retries?: number | undefined;
  retryDelayMs?: number | undefined;
  maxRetryDelayMs?: number | undefined;
  /** Give up on one attempt of a request, its body included, after this long (default 120 s); it is then retried. */
  timeoutMs?: number | undefined;
  /** Lower only against a test server that enforces lower limits. */
  maxFieldsPerRequest?: number | undefined;
  elementCap?: number | undefined;
  /** How long to wait for another sync or ingest of the same account (default 300 s). */
  waitTimeoutMs?: number | undefined;
  /**
   * Merge an account's staged rows into its transaction each time this many daily
   * rows have come in, while its other requests are still fetched (default 5,000),
   * so that little is left to merge after its last response; 0 merges once, at the end.
   */
  mergeRows?: number | undefined;
  /**
   * Worker threads that parse analytics responses: 0 parses them on this thread, a
   * number parses every one on that many. Default: responses of 256 KiB or more on
   * one worker, started when the first one comes.
   */
  parseWorkers?: number | undefined;
  /** Stops the sync (Ctrl-C): accounts done stay committed, the running ones roll back. */
  signal?: AbortSignal | undefined;
  onProgress?: ((progress: { accountId: number } & PullProgress) => void) | undefined;
  /** Told when an account starts (its range) and ends. */
  onAccount?: ((event: AccountSyncEvent) => void) | undefined;
  /** The day "yesterday" is counted from (YYYY-MM-DD, UTC); default today. */
  today?: string | undefined;
}

export type AccountSyncEvent =
  | { accountId: number; state: 'started'; from: string; to: string }
  | { accountId: number; state: 'finished'; result: AccountSyncResult };

export interface AccountSyncResult {
  accountId: number;
  status: 'success' | 'failed';
  /** Its sync_log row (null when nothing was stored, or the database was unreachable). */
  syncId: number | null;
  from: string;
  to: string;
  /** HTTP requests made for this account, retries and token refreshes included. */
  apiCallsMade: number;
  campaignsFetched: number;
  creativesFetched: number;
  /** What the merge wrote (absent when not stored or failed). */
  counts?: StagedWriteCounts | undefined;
  /**
   * Of the days in `counts`, those written straight into their tables while the
   * account was fetched (days of campaigns and creatives with none stored, parsed on a
   * worker: docs/architecture.md), not through staging.
   */
  directRows?: number | undefined;
  /** Why it failed; its message never contains a token or secret. */
  error?: Error | undefined;
  /**
   * True when the account's days up to `to` were synced already (the last sync's end
   * minus the lookback is after `to`): no request made, nothing stored, no sync_log row.
   */
  upToDate?: boolean | undefined;
}

/** A sync that could not start at all (bad options, no credentials, the account list unreadable). */
export class SyncError extends AdsStoreError {
  readonly code = 'SYNC_FAILED';
}

/**
 * Fetches each account from the LinkedIn Marketing API and stores it through the
 * ingest's write path (the same mapping, staging and merge): one transaction and one
 * sync_log row per account, so one account failing leaves the others stored.
 * Resolves to each account's result, in the order of `accounts`. Throws SyncError
 * only when the sync cannot start.
 */
export async function syncAccounts(pool: pg.Pool | null, options: SyncOptions = {}): Promise<AccountSyncResult[]> {
  const store = options.store ?? true;
  if (store && !pool) throw new SyncError('storing a sync needs a database (pool)');
  if (store && poolSize(pool) < SMALLEST_POOL) {
    throw new SyncError(
      `storing a sync needs a pool of ${SMALLEST_POOL} connections or more (an account's data, its sync lock, and one to cancel them on an interruption); this one has ${poolSize(pool)}`,
    );
  }
  if (!pool && options.from === undefined) throw new SyncError('a sync without a database needs a first day (from): there is no last sync to start from');
  const credentials = options.credentials ?? credentialsFromEnv();
  // Like the credentials, the endpoints and the version default to the environment's.
  const env = (name: string) => process.env[name] || undefined;
  const client = new LinkedInClient({
    credentials,
    baseUrl: options.baseUrl ?? env('LINKEDIN_API_BASE_URL'),
    tokenUrl: options.tokenUrl ?? env('LINKEDIN_OAUTH_TOKEN_URL'),
    apiVersion: options.apiVersion ?? env('LINKEDIN_API_VERSION'),
    concurrency: options.concurrency,
    retries: options.retries,
    retryDelayMs: options.retryDelayMs,
    maxRetryDelayMs: options.maxRetryDelayMs,
    timeoutMs: options.timeoutMs,
    signal: options.signal,
  });
  // Tokens exchanged during the sync are secrets too: the list is read when redacting.
  const redact = (text: string) => redactSecrets(text, [...secretsOf(credentials), ...client.secrets]);
  const today = options.today ?? new Date().toISOString().slice(0, 10);
  const yesterday = addDays(today, -1);
  const to = options.to === undefined ? yesterday : checkDate(options.to, 'sync options', 'to');
  // The last day synced is the next incremental sync's reference: a day not over yet
  // would be taken as final (and a day to come would hold every later sync back).
  if (to > yesterday) throw new SyncError(`to ${to} is after yesterday, ${yesterday} (UTC): a day's figures are complete only once it is over`);
  const from = options.from === undefined ? undefined : checkDate(options.from, 'sync options', 'from');
  if (from !== undefined && from > to) throw new SyncError(`from ${from} is after to ${to}`);

  // Without a list of accounts, the search names them, with their elements (asked for once, not per account).
  const readable = options.accounts
    ? null
    : await listReadableAccounts(client).catch((error: Error) => {
        error.message = redact(error.message);
        // Only our own errors are kept as the cause (the CLI reads a 426 from it); others may hold a request.
        throw new SyncError(`could not list the accounts the token can read: ${error.message}`, { cause: error instanceof AdsStoreError ? error : undefined });
      });
  const accounts = [...new Set(options.accounts ?? readable!.keys())];
  // Each account's first day, before any account starts: an account whose days up to
  // `to` are synced already is up to date (when `to` is the default) or a usage error
  // (when `to` is given: the incremental start is after it), before any request.
  const starts = new Map<number, IncrementalStart>();
  if (from === undefined && pool) {
    const lookback = options.lookbackDays ?? DEFAULT_LOOKBACK_DAYS;
    for (const accountId of accounts) starts.set(accountId, await incrementalStart(pool, accountId, lookback, to));
    const late = [...starts].filter(([, start]) => start.from > to);
    if (options.to !== undefined && late.length > 0) {
      const [accountId, start] = late[0]!;
      throw new SyncError(
        `account ${accountId} is synced up to ${start.syncedThrough}: with a lookback of ${lookback} days its first day to fetch is ${start.from}, after to ${to}; give a first day (from)`,
      );
    }
  }
  const archive = options.out ? await Archive.create(options.out) : null;
  // Accounts overlap: while some fetch, others stage their last responses and merge,
  // so that the database's work hides behind the network. A fetching slot is held
  // while an account has requests to make (not while its rows are staged); at most
  // fetching + storing accounts are under way (the next ones listed meanwhile), those
  // staging their last rows after their slot counted with the storing ones. An
  // account being stored holds two connections (its staging transaction, its sync
  // lock) from its fetching slot to its commit, and no more accounts hold them than
  // the pool can give two each, one kept spare: none waits for a connection that
  // another account of this sync holds (and fails when the wait outlasts the pool's
  // connection timeout), and Ctrl-C finds one to cancel their statements from.
  const fetchingAccounts = fetchingSlots(options.concurrency ?? DEFAULT_CONCURRENCY);
  const phases = {
    underway: new PQueue({ concurrency: fetchingAccounts + STORING_SLOTS }),
    connected: new PQueue({ concurrency: Math.max(1, Math.floor((poolSize(pool) - SPARE_CONNECTIONS) / CONNECTIONS_PER_ACCOUNT)) }),
    fetching: new PQueue({ concurrency: fetchingAccounts }),
    storing: new PQueue({ concurrency: STORING_SLOTS }),
  };
  const parsing = new AnalyticsParsing(options.parseWorkers);
  const results = await Promise.all(
    accounts.map((accountId, index) =>
      phases.underway.add(() =>
        syncAccount(pool, client, accountId, { ...options, from: from ?? starts.get(accountId)?.from }, { to, rank: accounts.length - index }, phases, { archive, parsing, listed: readable?.get(accountId) }, redact),
      ),
    ),
  ).finally(() => parsing.close());
  const done = results.filter((result): result is AccountSyncResult => result !== null && result !== undefined);
  if (archive) await archive.finish(done, options.trigger ?? null);
  return done;
}

/**
 * One account: its requests made in a fetching slot (its rows staged as they come,
 * the last ones after the slot is freed), then merged and committed in a storing slot.
 */
async function syncAccount(
  pool: pg.Pool | null,
  client: LinkedInClient,
  accountId: number,
  options: SyncOptions,
  range: { to: string; rank: number },
  phases: { fetching: PQueue; storing: PQueue; connected: PQueue },
  { archive, parsing, listed }: { archive: Archive | null; parsing: AnalyticsParsing; listed: unknown },
  redact: (text: string) => string,
): Promise<AccountSyncResult | null> {
  if (options.signal?.aborted) return null; // not started: nothing to record
  const counter: RequestCounter = { calls: 0 };
  const result: AccountSyncResult = { accountId, status: 'failed', syncId: null, from: options.from ?? '', to: range.to, apiCallsMade: 0, campaignsFetched: 0, creativesFetched: 0 };
  if (result.from > result.to) {
    const upToDate: AccountSyncResult = { ...result, status: 'success', upToDate: true };
    options.onAccount?.({ accountId, state: 'finished', result: upToDate });
    return upToDate;
  }
  const origin = (): SyncOrigin => ({
    accountId: String(accountId),
    trigger: options.trigger ?? null,
    apiCallsMade: counter.calls,
    ...(result.from !== '' && { range: { from: result.from, to: result.to } }),
  });
  const work: { unit: StagedSync | null; part: ReturnType<Archive['part']> | null; direct: DirectDays | null; disconnect: (() => void) | null } = {
    unit: null,
    part: null,
    direct: null,
    disconnect: null, // frees the account's place among those holding connections
  };
  // Analytics of a campaign or creative the API did not list (deleted since) are left out, and said so.
  const mergeOptions = { timeoutMs: options.waitTimeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS, rejectUnknownReferences: true };
  const pull = new AccountPull(client, accountId, options.pivots ?? DEFAULT_PIVOTS, {
    counter,
    signal: options.signal,
    rank: range.rank,
    listed,
    onProgress: (progress) => options.onProgress?.({ accountId, ...progress }),
  });
  // Listed while the account waits for a fetching slot (its chains of pages take the
  // slots that the accounts fetching leave idle): nothing to stage yet, and its
  // analytics are asked for as soon as its turn comes.
  pull.list();
  try {
    const fetching = await phases.fetching.add(async () => {
      if (options.signal?.aborted) return null; // stopped while it waited: not started, nothing to record
      // Its place among the accounts holding connections first: the last sync's range is read on one of them.
      if (pool && (options.store ?? true)) {
        work.disconnect = await holding(phases.connected);
        if (options.signal?.aborted) return null; // stopped while it waited for its place: not started either
      }
      options.onAccount?.({ accountId, state: 'started', from: result.from, to: result.to });
      const part = (work.part = archive?.part(accountId) ?? null);
      const unit = (work.unit = work.disconnect ? await StagedSync.connect(pool!, { signal: options.signal }) : null);
      if (unit) await unit.begin();
      // The days of campaigns and creatives with no day stored go straight into their
      // tables (src/ingest/direct.ts), after the part that merges their listings. The
      // sync lock first, so that the account's lock is taken after it, as a merge takes them.
      if (unit) await unit.lock(origin(), mergeOptions.timeoutMs);
      const direct = unit
        ? (work.direct = new DirectDays(() => unit.writer, {
            lockTimeoutMs: mergeOptions.timeoutMs,
            repeats: 'stage',
            storedMeanwhile: 'fail',
            flushBytes: SYNC_DIRECT_FLUSH_BYTES,
            mergeStaged: async () => {
              // A part of the account's own; after the one under way, if any.
              for (;;) {
                const started = unit.mergePart(origin(), mergeOptions);
                await unit.writer.drain();
                if (started) return;
              }
            },
          }))
        : null;
      const named = new Set<number>();
      let element = 0;
      const mergeRows = options.mergeRows ?? DEFAULT_MERGE_ROWS;
      // After each response's rows are staged: merge a part, or send what is buffered.
      const staged = async () => {
        const writer = unit?.writer; // a new one after each part merged
        // A pivot's analytics are asked for once its listing is staged whole (AccountPull):
        // a part holds every parent its rows refer to, merged in it or in an earlier part.
        const daily = writer ? writer.rowsStaged('campaign_daily_metrics') + writer.rowsStaged('creative_daily_metrics') : 0;
        const merging = mergeRows > 0 && daily >= mergeRows && unit!.mergePart(origin(), mergeOptions);
        if (!merging && writer?.shouldFlush) await writer.flush();
        if (part) await part.drained();
      };
      const emit = async (envelopes: Envelope[]) => {
        const writer = unit?.writer;
        for (const envelope of envelopes) {
          element += 1;
          part?.write(`${JSON.stringify(envelope)}\n`);
          if (!writer) continue;
          const record = mapExportEnvelope(envelope, `LinkedIn account ${accountId}, element ${element}`);
          if (record.kind !== 'sync') stageRecord(writer, record, element, named);
        }
        await staged();
      };
      const parseAnalytics = parsing.parser(accountId, {
        writer: () => unit?.writer ?? null,
        add: async (rows) => {
          const staged = direct ? await direct.route(rows) : rows;
          unit!.writer.addEncoded(staged); // the writer of now: a part may have been merged meanwhile
        },
        archive: part,
        number: (count) => ((element += count), element - count + 1),
        after: staged,
      });
      const pulled = pull.pull({ from: result.from, to: result.to, maxFieldsPerRequest: options.maxFieldsPerRequest, elementCap: options.elementCap }, emit, { parseAnalytics });
      pulled.catch(() => {}); // awaited below, after the slot
      // The slot is for requests: once all are answered, the next account's requests
      // start while this one's last responses are parsed and staged. (Held to the end, they
      // left the network idle while the database caught up: a trace of bench:sync found
      // 11.5 slot-seconds idle with nothing to ask, against 0.5 fetching alone.)
      await Promise.race([pulled, pull.answered]);
      return { pulled };
    });
    if (!fetching) return null;
    const pulled = await fetching.pulled;
    result.campaignsFetched = pulled.campaigns;
    result.creativesFetched = pulled.creatives;
    // The archive's part is complete before anything is committed: a sync that could
    // not write its file stores nothing either.
    await work.part?.keep();
    const unit = work.unit;
    if (unit) {
      await phases.storing.add(async () => {
        const direct = work.direct;
        await direct?.finish();
        const merged = await unit.merge(origin(), mergeOptions);
        const counts = direct ? await direct.withEarlyWrites(merged) : merged;
        result.directRows = direct?.rows ?? 0;
        const rejected = counts.rejected_references;
        result.counts = counts;
        result.syncId = await unit.commit(counts, {
          ...origin(),
          // Analytics of a campaign or creative the API did not list (deleted since) cannot be stored.
          errors: rejected.length === 0 ? null : `${rejected.length} analytics row${rejected.length === 1 ? '' : 's'} of campaigns or creatives the API did not list were left out, the first: ${rejected[0]!.reference} ${rejected[0]!.value}`,
        });
      });
    }
    result.status = 'success';
  } catch (error) {
    const stopped = options.signal?.aborted === true;
    const message = stopped ? 'interrupted' : redact(error instanceof Error ? error.message : String(error));
    if (stopped) result.error = options.signal!.reason as Error;
    else if (error instanceof AdsStoreError) {
      error.message = message; // LinkedIn's own words are kept, never a secret among them
      result.error = error;
    } else result.error = new SyncError(message);
    result.campaignsFetched = pull.listed.campaigns;
    result.creativesFetched = pull.listed.creatives;
    if (work.unit) result.syncId = await work.unit.fail(origin(), message, pull.listed);
    await work.part?.discard();
  } finally {
    await pull.stop();
    result.apiCallsMade = counter.calls;
    try {
      await work.unit?.close();
    } finally {
      work.disconnect?.();
    }
  }
  options.onAccount?.({ accountId, state: 'finished', result });
  return result;
}

/** Takes a place in `queue` and resolves to what gives it back: a semaphore over p-queue. */
function holding(queue: PQueue): Promise<() => void> {
  return new Promise((held) => {
    void queue.add(() => new Promise<void>((release) => held(release)));
  });
}

interface IncrementalStart {
  from: string;
  /** The last day the last successful sync fetched once it was over (null: never synced). */
  syncedThrough: string | null;
}

/**
 * The first day of an incremental sync: the day after the last one's range, minus
 * the lookback (LinkedIn restates recent days); a year up to `to` for an account never
 * synced. A day the last sync fetched on or before it ended (its range reached the day it
 * ran, or later) counts as not synced.
 */
async function incrementalStart(pool: pg.Pool, accountId: number, lookbackDays: number, to: string): Promise<IncrementalStart> {
  const last = await getLastSyncedRange(pool, String(accountId));
  if (!last) return { from: addDays(to, 1 - DEFAULT_FIRST_SYNC_DAYS), syncedThrough: null };
  const syncedThrough = last.dateTo < last.ranOn ? last.dateTo : addDays(last.ranOn, -1);
  return { from: addDays(syncedThrough, 1 - lookbackDays), syncedThrough };
}

/**
 * The --out file: each account's envelopes go to a part file while it syncs, and
 * only an account that succeeded is appended to the archive, so that replaying it
 * stores exactly what the sync stored.
 */
class Archive {
  private readonly parts = new Map<number, string>();

  private constructor(private readonly file: string) {}

  /** Checks that the file can be written before anything is fetched. */
  static async create(file: string): Promise<Archive> {
    await writeFile(file, '').catch((error: Error) => {
      throw new SyncError(`cannot write ${file}: ${error.message}`, { cause: error });
    });
    return new Archive(file);
  }

  part(accountId: number) {
    const path = `${this.file}.${accountId}.part`;
    const stream = createWriteStream(path);
    let failed: Error | null = null;
    stream.on('error', (error) => (failed ??= error)); // reported by keep(), never an unhandled event
    // One wait for 'drain' shared by every response of the account waiting on it: a
    // listener each would pass Node's limit of ten (a MaxListenersExceededWarning).
    let draining: Promise<void> | null = null;
    const closed = async () => {
      if (!stream.closed) {
        stream.end();
        await once(stream, 'close');
      }
    };
    return Object.assign(stream, {
      /** Resolves once what was written is flushed below the stream's buffer size (at once when it is). */
      drained: (): Promise<void> => {
        if (!stream.writableNeedDrain) return Promise.resolve();
        return (draining ??= once(stream, 'drain').then(
          () => void (draining = null),
          (error: Error) => ((draining = null), Promise.reject(error)),
        ));
      },
      keep: async () => {
        await closed();
        if (failed) throw new SyncError(`cannot write ${path}: ${failed.message}`, { cause: failed });
        this.parts.set(accountId, path);
      },
      discard: async () => {
        await closed();
        await rm(path, { force: true });
      },
    });
  }

  /** Writes the archive: the kept parts in account order, then the sync line. */
  async finish(results: readonly AccountSyncResult[], trigger: string | null): Promise<void> {
    const ok = results.filter((r) => r.status === 'success' && this.parts.has(r.accountId));
    const sync = {
      accountId: ok.length === 1 ? String(ok[0]!.accountId) : 'all',
      trigger,
      apiCallsMade: ok.reduce((sum, r) => sum + r.apiCallsMade, 0),
    };
    const parts = ok.map((r) => this.parts.get(r.accountId)!);
    async function* lines() {
      for (const path of parts) for await (const chunk of createReadStream(path)) yield chunk as Buffer;
      yield Buffer.from(`${JSON.stringify({ sync })}\n`);
    }
    const target: Writable = createWriteStream(this.file);
    await (this.file.endsWith('.gz') ? pipeline(Readable.from(lines()), createGzip(), target) : pipeline(Readable.from(lines()), target));
    for (const path of this.parts.values()) await rm(path, { force: true });
  }
}
