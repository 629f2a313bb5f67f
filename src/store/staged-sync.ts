import type pg from 'pg';
import { begin, commit, rollback, type Tx } from '../db/transaction.js';
import { typedConnection } from '../db/typed-connection.js';
import { lockSync, tryLockSync, unlockSync } from '../generated/locks.queries.js';
import { checkForeignKeysNow, deferConstraints } from '../generated/staged_checks.queries.js';
import { addStagedCounts, applyStaged, type StagedWriteCounts } from './apply.js';
import { lockWithTimeout } from './locks.js';
import { StagingWriter } from './staged.js';
import { failStaleRunningSyncs, finishSync, recordFailedSync, startSync, type SyncRange } from './syncs.js';

/** What the sync_log row of a staged sync says about where its rows came from. */
export interface SyncOrigin {
  /** The account_id value of the sync_log row: an account id, or "all". */
  accountId: string;
  trigger?: string | null | undefined;
  apiCallsMade?: number | undefined;
  /** The days fetched from the API (a sync); absent for a file. */
  range?: SyncRange | undefined;
}

export interface MergeOptions {
  /** How long to wait for each lock (ms). */
  timeoutMs: number;
  /** Leave out staged rows whose parent exists nowhere (applyStaged's option). */
  rejectUnknownReferences?: boolean | undefined;
}

/**
 * One unit of syncing, the way ingest and sync both write: rows are staged on a
 * transaction of their own while they arrive (a file being read, API pages being
 * fetched); then merge() takes the sync lock of the account_id value, ends a stale
 * 'running' row of it, writes this unit's 'running' row and merges the staged rows;
 * commit() commits them and ends the row 'success'. fail() rolls back and ends the
 * row 'failed' (or writes a failed row when none was started): the row outlives
 * the rolled-back data. close() always runs last.
 *
 * Two connections: the data transaction, and the sync connection that holds the
 * sync lock (a session lock) and writes sync_log outside that transaction, so the
 * 'running' row is visible while the merge runs and the failure survives the rollback.
 *
 * A unit may also merge in parts (mergePart): what is staged so far is merged in the
 * background while more is staged, so that the merge left at the end is only of
 * the last rows. A sync does this with each account's responses.
 */
export class StagedSync {
  private sync: pg.PoolClient | null = null;
  private runningId: number | null = null;
  private lockedValue: string | null = null;
  private dataBroken = false;
  private committed = false;
  private cancelling: Promise<unknown> = Promise.resolve();
  private readonly cancelRunning = () => {
    const pids = [this.data, this.sync].map((client) => (client as { processID?: number } | null)?.processID).filter((pid) => pid !== undefined);
    this.cancelling = Promise.allSettled(pids.map((pid) => this.pool.query('select pg_cancel_backend($1)', [pid])));
  };

  private staging: { tx: Tx; writer: StagingWriter } | null = null;
  /** The sync lock taken and the running row written (once, by the first merge). */
  private started: Promise<void> | null = null;
  /** What the parts merged so far wrote. */
  private merged: StagedWriteCounts | null = null;
  /** True while a part is being merged (and for good once one has failed). */
  private merging = false;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly data: pg.PoolClient,
    private readonly signal: AbortSignal | undefined,
  ) {
    // On abort, the statements running on this unit's connections are cancelled
    // (from a connection of their own): a lock wait or a long merge ends at once.
    signal?.addEventListener('abort', this.cancelRunning, { once: true });
  }

  /**
   * Takes the unit's data connection; throws what pool.connect() throws when there
   * is none to be had (nothing was written, and no sync_log row can be).
   */
  static async connect(pool: pg.Pool, options: { signal?: AbortSignal | undefined } = {}): Promise<StagedSync> {
    // Every connection the unit takes parses as the library's types say, whatever pool the service gave.
    const typed = typedConnection(pool);
    return new StagedSync(typed, await typed.connect(), options.signal);
  }

  /** Opens the staging transaction; resolves to the writer the unit's rows are staged with. */
  async begin(): Promise<StagingWriter> {
    const tx = await begin(this.data);
    this.staging = { tx, writer: await StagingWriter.open(tx) };
    return this.staging.writer;
  }

  /** The writer rows are staged with now: a new one after each mergePart(). */
  get writer(): StagingWriter {
    if (!this.staging) throw new Error('StagedSync: begin() first');
    return this.staging.writer;
  }

  /** True once the signal stopped this unit before its commit. */
  get interrupted(): boolean {
    return this.signal?.aborted === true && !this.committed;
  }

  /**
   * Takes the sync lock of origin.accountId (waiting at most timeoutMs;
   * LockTimeoutError), records the unit as running and merges its staged rows
   * (applyStaged: UnknownReferenceError, LockTimeoutError), after any part merged
   * before; resolves to the counts of all of them. Nothing is committed yet.
   */
  async merge(origin: SyncOrigin, options: MergeOptions): Promise<StagedWriteCounts> {
    const last = this.writer;
    // After the part under way, if any (its failure is thrown here).
    await last.drain();
    this.signal?.throwIfAborted();
    const counts = await this.mergeStaged(last, origin, options);
    return this.merged ? addStagedCounts(this.merged, counts) : counts;
  }

  /**
   * Starts merging the rows staged so far, in the background: rows staged from now
   * on go to a new writer (this.writer), whose sends wait for the part. Takes the
   * sync lock and writes the running row first, as merge() does. One part at a
   * time: false, and nothing started, while one is under way. A part that fails
   * fails the new writer's next send and merge(); the unit then fails as a whole.
   */
  mergePart(origin: SyncOrigin, options: MergeOptions): boolean {
    if (this.merging || !this.staging) return false;
    this.merging = true;
    const part = this.staging.writer;
    const merged = (async () => {
      await part.drain();
      const counts = await this.mergeStaged(part, origin, options);
      // The part's references checked now, while the account is still fetched: the commit has less to do.
      await checkForeignKeysNow.run(undefined, this.staging!.tx);
      await deferConstraints.run(undefined, this.staging!.tx);
      this.merged = this.merged ? addStagedCounts(this.merged, counts) : counts;
      this.merging = false;
    })();
    this.staging.writer = part.successor(merged);
    return true;
  }

  /**
   * Takes the sync lock of origin.accountId and writes the running row now, as the
   * first merge would (LockTimeoutError): a sync does before it stages anything,
   * so that the locks of its days written straight in come after it (src/ingest/direct.ts).
   */
  async lock(origin: SyncOrigin, timeoutMs: number): Promise<void> {
    await (this.started ??= this.start(origin, timeoutMs));
  }

  private async mergeStaged(writer: StagingWriter, origin: SyncOrigin, options: MergeOptions): Promise<StagedWriteCounts> {
    await (this.started ??= this.start(origin, options.timeoutMs));
    return applyStaged(writer, { timeoutMs: options.timeoutMs }, { rejectUnknownReferences: options.rejectUnknownReferences ?? false });
  }

  /** The sync lock of origin.accountId, a stale 'running' row of it ended, this unit's 'running' row written. */
  private async start(origin: SyncOrigin, timeoutMs: number): Promise<void> {
    const sync = (this.sync = await this.pool.connect());
    const accountId = origin.accountId;
    const what = `sync of account ${accountId}`;
    await lockWithTimeout(sync, {
      what,
      timeoutMs,
      scope: 'session', // no transaction is open on this connection
      wait: () => lockSync.run({ accountId }, sync),
      tryLock: async () => ((await tryLockSync.run({ accountId }, sync))[0]?.locked ? null : what),
    });
    this.lockedValue = accountId;
    await failStaleRunningSyncs(sync, accountId);
    this.runningId = (await startSync(sync, { accountId, trigger: origin.trigger ?? null, range: origin.range })).id;
  }

  /** Commits the merged rows and ends the sync_log row 'success'; resolves to its id. */
  async commit(
    counts: StagedWriteCounts,
    origin: SyncOrigin & { errors?: string | null | undefined },
  ): Promise<number> {
    if (this.runningId === null) throw new Error('StagedSync.commit() before merge()');
    // A cancel that reached an idle connection was ignored: look again before committing.
    this.signal?.throwIfAborted();
    await commit(this.staging!.tx);
    // Committed: an interruption from here on stops nothing, and is not what happened.
    this.signal?.removeEventListener('abort', this.cancelRunning);
    this.committed = true;
    await finishSync(this.sync!, {
      id: this.runningId,
      status: 'success',
      campaignsFetched: counts.campaigns_described,
      creativesFetched: counts.creatives_described,
      apiCallsMade: origin.apiCallsMade ?? 0,
      errors: origin.errors ?? null,
    });
    return this.runningId;
  }

  /**
   * Rolls the data back and records the failure: the running row ends 'failed', or
   * a failed row is written when the unit never got that far. Resolves to that
   * row's id, or null when the database could not be reached to write it.
   */
  async fail(origin: SyncOrigin, message: string, fetched: { campaigns: number; creatives: number } = { campaigns: 0, creatives: 0 }): Promise<number | null> {
    await this.cancelling;
    await this.staging?.writer.settled(); // a COPY under way ends before the rollback
    this.dataBroken = !(await rollback(this.data));
    try {
      // The failure is recorded on the sync connection, else on the data connection
      // when it still works (the pool may have no other to give).
      const recorder = this.sync ?? (this.dataBroken ? (this.sync = await this.pool.connect()) : this.data);
      if (this.runningId !== null) {
        await finishSync(recorder, {
          id: this.runningId,
          status: 'failed',
          campaignsFetched: fetched.campaigns,
          creativesFetched: fetched.creatives,
          apiCallsMade: origin.apiCallsMade ?? 0,
          errors: message,
        });
        return this.runningId;
      }
      return (await recordFailedSync(recorder, { ...origin, errors: message })).id;
    } catch {
      // The database itself is unreachable: the caller's error still says what failed.
      return this.runningId;
    }
  }

  /**
   * Rolls the data back to be written again by another unit (an ingest giving up its
   * direct path): nothing is recorded, unless the running row was written already,
   * which then ends 'failed' with `message`.
   */
  async abandon(origin: SyncOrigin, message: string): Promise<void> {
    if (this.runningId !== null) {
      await this.fail(origin, message);
      return;
    }
    await this.staging?.writer.settled();
    this.dataBroken = !(await rollback(this.data));
  }

  /** Releases both connections (a broken one is destroyed) and the sync lock. */
  async close(): Promise<void> {
    this.signal?.removeEventListener('abort', this.cancelRunning);
    this.data.release(this.dataBroken);
    if (this.sync) {
      let syncBroken = false;
      if (this.lockedValue !== null) {
        const accountId = this.lockedValue;
        syncBroken = !(await unlockSync.run({ accountId }, this.sync).then(() => true, () => false));
      }
      this.sync.release(syncBroken);
    }
  }
}
