import { copyFrom } from '../db/copy.js';
import { DayBuckets } from '../store/day-order.js';
import { SQLSTATE, sqlState } from '../db/sqlstate.js';
import { addStagedCounts, directCopySql, ENTITY_TABLES, lockAccounts, mergeStagedEntities, type StagedWriteCounts } from '../store/apply.js';
import { LockTimeoutError } from '../store/errors.js';
import { METRIC_FIELDS } from '../store/metrics.js';
import { KeySet, type EncodedRows, type StagingWriter } from '../store/staged.js';
import { tryLockAccountsForWrite } from '../generated/locks.queries.js';
import {
  countStagedEntitiesBesides,
  listStagedEntityIds,
  listAccountsOfCampaignsWithoutDays,
  listAccountsOfCreativesWithoutDays,
  listCampaignsWithoutDays,
  listCreativesWithoutDays,
} from '../generated/direct_days.queries.js';
import { checkForeignKeysNow, deferConstraints, listAccountsWritten } from '../generated/staged_checks.queries.js';

/**
 * An ingest's first load written straight into the daily tables (the direct path).
 *
 * Staging every day and merging it after the whole file is read leaves the
 * database idle while the file is parsed, then inserts row by row (INSERT … SELECT)
 * while the parse workers are idle. The days of a campaign (creative) that is stored,
 * and has no day stored at all, are new whatever the file holds, unless the file
 * repeats one: those go by COPY straight into their table while the rest of the
 * file is parsed, each with its parent's account, and their references are checked
 * then too. The rest is staged and merged at the end as ever. Parents described in
 * the file itself (an export lists an account's entities before its analytics) are
 * merged when the first days after them come, when every staged reference resolves
 * by then (mergeStagedEntities), so that their days can go straight in too.
 *
 * Locks: a day goes straight in only under its account's write lock, taken with a
 * try here (never a wait, so that no lock is waited for while others are held out
 * of their id order); the end of the ingest then takes every other lock with a try
 * too (`holdsLocks`). A busy lock, or a day the file repeats, gives up the direct
 * path (DirectPathAbandoned): the transaction rolls back having recorded nothing,
 * and the file is read again through staging alone, which waits for its locks in
 * order. Under those locks no other ingest or writeBatch writes these days; a
 * plain-SQL writer (no account lock) that stores one of them meanwhile makes the COPY
 * fail with a unique violation, which gives an ingest's direct path up too.
 */

type DirectTable = 'campaign_daily_metrics' | 'creative_daily_metrics';
const isDirectTable = (table: string): table is DirectTable => table === 'campaign_daily_metrics' || table === 'creative_daily_metrics';

/** The file is read again through staging alone (see DirectDays); never seen outside ingestFile. */
export class DirectPathAbandoned extends Error {}

/**
 * An ingest's days written straight in are sent once this many bytes of them are
 * buffered: one COPY statement each, and the rollup trigger runs once per statement,
 * its cheaper first-rows insert only for parents without rollup rows yet (the first
 * statement of a parent's days); fewer, larger statements keep that, while still
 * loading during the parse (500,000 campaign days: 4 MB took 12.8-13.2 s, 8 MB
 * 9.0-10.7 s, 16 MB 10.9-11.4 s, one COPY at the end 14.0 s).
 */
export const DIRECT_FLUSH_BYTES = 8 << 20;

/**
 * Without a flush size of the caller's (an ingest), the first sends are smaller (1 MB,
 * then doubling up to DIRECT_FLUSH_BYTES), so that the server starts on the days while
 * the workers parse the next, instead of waiting for the first 8 MB (2.4 s of a
 * 500,000-day file, measured, with the server idle). A sync sets its own size, measured
 * for its responses.
 */
const FIRST_FLUSH_BYTES = 1 << 20;

/** The presence mask of a daily row with every metric (staged.ts's presence bits). */
const EVERY_METRIC = (1 << METRIC_FIELDS.length) - 1;
const TAB = 0x09;
const NEWLINE = 0x0a;
const ZERO = 0x30;
/** A tab and COPY's NULL: where an absent metric's field starts. */
const NULL_FIELD = Buffer.from('\t\\N', 'latin1');

export interface DirectOptions {
  /**
   * How the parents' accounts are locked: 'try' (an ingest) takes them without
   * waiting, and gives the direct path up when one is busy; a number (a sync, which
   * holds its sync lock before it stages anything) waits that long, as its merge would.
   */
  lockTimeoutMs: number | 'try';
  /**
   * A day repeated after it went straight in: an ingest gives the direct path up (its
   * fold must merge the lines field by field); a sync stages it and the table's days
   * after it (its merge replaces a day whole, as the API restates days).
   */
  repeats: 'abandon' | 'stage';
  /**
   * A day that another writer without account locks (plain SQL) stored after it was
   * decided, which the COPY meets as a unique violation: an ingest gives the direct
   * path up ('abandon': it can read its file again through staging); a sync fails the
   * unit, its account, with the violation ('fail': its responses are not kept).
   */
  storedMeanwhile: 'abandon' | 'fail';
  /**
   * Merges what is staged so far, the parents among it, ahead of the days that follow
   * (a sync merges a part of its own); by default the staged entities alone
   * (mergeStagedEntities, an ingest's).
   */
  mergeStaged?: (() => Promise<void>) | undefined;
  /** Send the days buffered once they take this many bytes (default: 1 MB, doubling up to DIRECT_FLUSH_BYTES). */
  flushBytes?: number | undefined;
}

/** Routes an ingest's or a sync's parsed rows: days of parents decided direct to their tables' COPY, the rest to staging. */
export class DirectDays {
  /** Per parent seen in days: its account as COPY text when its days go straight in, null when staged. */
  private readonly decided: Record<DirectTable, Map<number | string, string | null>> = {
    campaign_daily_metrics: new Map(),
    creative_daily_metrics: new Map(),
  };
  /** The keys written straight in: a repeat gives up the direct path (the staged fold keeps line order). */
  private readonly keys: Record<DirectTable, KeySet> = { campaign_daily_metrics: new KeySet(), creative_daily_metrics: new KeySet() };
  /** The days to send, by parent: each COPY sends them in its primary key's order (src/store/day-order.ts). */
  private readonly buffers: Record<DirectTable, DayBuckets> = { campaign_daily_metrics: new DayBuckets(), creative_daily_metrics: new DayBuckets() };
  private bufferedBytes = 0;
  /** Sends so far (each may hold a COPY of each table). */
  private sends = 0;
  /** Accounts whose write locks this transaction took here. */
  private readonly held = new Set<number>();
  /** Days sent straight into each table. */
  readonly copied: Record<DirectTable, number> = { campaign_daily_metrics: 0, creative_daily_metrics: 0 };
  /** Entity rows staged at the last early merge tried (one that could not merge is not tried again for nothing). */
  private entitiesAtLastMerge = -1;
  /** Tables whose days are all staged from a repeated day on (DirectOptions.repeats 'stage'). */
  private readonly repeated = new Set<DirectTable>();
  /** route() calls one at a time (a sync's responses come concurrently). */
  private queue: Promise<unknown> = Promise.resolve();
  /** What the early merges of entities wrote, and the campaigns and creatives they described. */
  private readonly merged = {
    counts: { ad_accounts: { inserted: 0, updated: 0 }, campaigns: { inserted: 0, updated: 0 }, creatives: { inserted: 0, updated: 0 } },
    campaignIds: new Set<number>(),
    creativeIds: new Set<string>(),
  };

  constructor(
    /** The writer rows are staged with now (a sync's changes after each part it merges). */
    private readonly current: () => StagingWriter,
    private readonly options: DirectOptions,
  ) {}

  private get writer(): StagingWriter {
    return this.current();
  }

  /** True once a write lock was taken here: from then on the ingest takes its locks without waiting. */
  get holdsLocks(): boolean {
    return this.held.size > 0;
  }

  /** Days written straight in so far (sent or buffered). */
  get rows(): number {
    return this.copied.campaign_daily_metrics + this.copied.creative_daily_metrics + this.buffers.campaign_daily_metrics.rows + this.buffers.creative_daily_metrics.rows;
  }

  /**
   * Takes a parsed batch (in line order): stages its entities, and resolves to the
   * rest of its rows to stage (days whose parents are decided direct are taken out).
   */
  route(rows: EncodedRows): Promise<EncodedRows> {
    const routed = this.queue.then(() => this.routeNow(rows));
    this.queue = routed.catch(() => {});
    return routed;
  }

  private async routeNow(rows: EncodedRows): Promise<EncodedRows> {
    const isEntityTable = (table: string) => (ENTITY_TABLES as readonly string[]).includes(table);
    const entities = rows.tables.filter((entry) => isEntityTable(entry.table));
    if (entities.length > 0) {
      // Staged first: an early merge for this batch's days includes the parents before them.
      this.writer.addEncoded({ tables: entities, keys: rows.keys, dailyKeys: [] });
    }
    for (const { table, entities } of rows.dailyKeys) {
      if (!isDirectTable(table)) continue;
      const decided = this.decided[table];
      const fresh = new Set<number | string>();
      for (const entity of entities) if (!decided.has(entity)) fresh.add(entity);
      if (fresh.size === 0) continue;
      const staged = ENTITY_TABLES.reduce((sum, entity) => sum + this.writer.rowsStaged(entity), 0);
      if (staged > 0 && staged !== this.entitiesAtLastMerge) {
        this.entitiesAtLastMerge = staged;
        if (this.options.mergeStaged) await this.options.mergeStaged();
        else await this.mergeEntities();
      }
      await this.decide(table, [...fresh]);
    }
    const staged: EncodedRows = { tables: [], keys: [], dailyKeys: [] };
    for (const entry of rows.tables) {
      if (isEntityTable(entry.table)) continue;
      const keys = rows.dailyKeys.find((k) => k.table === entry.table);
      if (!isDirectTable(entry.table) || !keys || !keys.entities.some((e) => this.decided[entry.table as DirectTable].get(e) != null)) {
        staged.tables.push(entry);
        if (keys) staged.dailyKeys.push(keys);
        continue;
      }
      const rest = this.split(entry.table, entry.chunks, keys.entities, keys.days);
      if (rest.rows > 0) {
        staged.tables.push({ table: entry.table, chunks: [rest.chunk], rows: rest.rows });
        staged.dailyKeys.push({ table: entry.table, entities: rest.entities, days: rest.days });
      }
    }
    const flushBytes = this.options.flushBytes ?? Math.min(DIRECT_FLUSH_BYTES, FIRST_FLUSH_BYTES * 2 ** this.sends);
    if (this.bufferedBytes >= flushBytes) await this.send();
    return staged;
  }

  /** Sends the days still buffered; the caller then drains the writer. */
  async finish(): Promise<void> {
    await this.send();
  }

  /**
   * The merge's counts (of what was staged at the end) with what went ahead of it
   * added: the days written straight in, the entities merged early (each campaign and
   * creative described once, whichever merges it was in).
   */
  async withEarlyWrites(counts: StagedWriteCounts): Promise<StagedWriteCounts> {
    const early: StagedWriteCounts = {
      ...this.merged.counts,
      campaign_daily_metrics: { inserted: this.copied.campaign_daily_metrics, updated: 0 },
      creative_daily_metrics: { inserted: this.copied.creative_daily_metrics, updated: 0 },
      audience_demographics: { inserted: 0, updated: 0 },
      campaigns_described: this.merged.campaignIds.size,
      creatives_described: this.merged.creativeIds.size,
      accounts_locked: [...this.held].sort((a, b) => a - b),
      rejected_references: [],
    };
    const sum = addStagedCounts(early, counts);
    if (this.merged.campaignIds.size + this.merged.creativeIds.size > 0) {
      const ids = { campaignIds: [...this.merged.campaignIds], creativeIds: [...this.merged.creativeIds] };
      const [besides] = await countStagedEntitiesBesides.run(ids, this.writer.transaction);
      sum.campaigns_described = this.merged.campaignIds.size + (besides?.campaigns ?? 0);
      sum.creatives_described = this.merged.creativeIds.size + (besides?.creatives ?? 0);
    }
    return sum;
  }

  /** Merges the entities staged so far ahead of the days that follow them (mergeStagedEntities). */
  private async mergeEntities(): Promise<void> {
    let merge: Awaited<ReturnType<typeof mergeStagedEntities>>;
    try {
      merge = await mergeStagedEntities(this.writer);
    } catch (error) {
      if (error instanceof LockTimeoutError) throw new DirectPathAbandoned(error.message);
      throw error;
    }
    if (!merge) return; // a parent comes later in the file: these stay staged (tried again once more are)
    for (const account of merge.accounts) this.held.add(account);
    for (const table of ENTITY_TABLES) {
      const total = this.merged.counts[table];
      total.inserted += merge.counts[table].inserted;
      total.updated += merge.counts[table].updated;
    }
    const [ids] = await listStagedEntityIds.run(undefined, this.writer.transaction);
    for (const id of ids?.campaign_ids ?? []) this.merged.campaignIds.add(id);
    for (const id of ids?.creative_ids ?? []) this.merged.creativeIds.add(id);
    await this.writer.clear(ENTITY_TABLES);
  }

  /**
   * Before the merge, with everything sent: takes the write locks of every account
   * the staged rows write, without waiting (the merge then finds them held), so
   * that a busy one gives up the direct path before anything is recorded.
   */
  async lockStagedAccounts(): Promise<void> {
    if (!this.holdsLocks) return;
    // Everything sent first: a COPY that failed (a day a plain-SQL writer inserted
    // meanwhile, a deadlock) is thrown as itself, not as the next statement's 25P02.
    await this.writer.drain();
    const tx = this.writer.transaction;
    const accounts = (await listAccountsWritten.run(this.writer.reportedIds(), tx)).map((row) => row.account_id).filter((a) => !this.held.has(a));
    await this.tryLock(accounts);
  }

  /** Decides, under their accounts' locks, which of these parents' days go straight in. */
  private async decide(table: DirectTable, ids: Array<number | string>): Promise<void> {
    const decided = this.decided[table];
    for (const id of ids) decided.set(id, null);
    const tx = this.writer.transaction;
    await this.writer.run(async () => {
      const candidates =
        table === 'campaign_daily_metrics'
          ? await listAccountsOfCampaignsWithoutDays.run({ ids: ids as number[] }, tx)
          : await listAccountsOfCreativesWithoutDays.run({ ids: ids as string[] }, tx);
      if (candidates.length === 0) return;
      await this.tryLock([...new Set(candidates.map((c) => c.account_id))].filter((a) => !this.held.has(a)));
      // Read again under the locks: a day stored or a parent moved meanwhile keeps its days staged.
      const params = { ids: candidates.map((c) => c.id), accountIds: [...this.held] };
      const direct =
        table === 'campaign_daily_metrics'
          ? await listCampaignsWithoutDays.run(params as { ids: number[]; accountIds: number[] }, tx)
          : await listCreativesWithoutDays.run(params as { ids: string[]; accountIds: number[] }, tx);
      for (const row of direct) decided.set(row.id, String(row.account_id));
    });
  }

  private async tryLock(accounts: number[]): Promise<void> {
    if (accounts.length === 0) return;
    if (this.options.lockTimeoutMs !== 'try') {
      await lockAccounts(this.writer.transaction, accounts, this.options.lockTimeoutMs);
      for (const account of accounts) this.held.add(account);
      return;
    }
    const busy = await tryLockAccountsForWrite.run({ accountIds: accounts }, this.writer.transaction);
    // The free ones were taken even so: they stay held until the rollback.
    for (const account of accounts) this.held.add(account);
    if (busy.length > 0) throw new DirectPathAbandoned(`account ${busy[0]!.account_id} is being written by another ingest`);
  }

  /**
   * Splits one table's staged COPY text (rows in the order of `entities`): rows of
   * parents decided direct are rewritten as the table's own COPY text (no line and
   * presence mask, absent metrics 0, the account appended) into their parent's
   * bucket; the others are returned, with their keys, for staging.
   */
  private split(
    table: DirectTable,
    chunks: readonly Buffer[],
    entities: ReadonlyArray<number | string>,
    days: readonly number[],
  ): { chunk: Buffer; rows: number; entities: Array<number | string>; days: number[] } {
    const decided = this.decided[table];
    const keys = this.keys[table];
    const buckets = this.buffers[table];
    let size = 0;
    for (const chunk of chunks) size += chunk.length;
    const rest = Buffer.allocUnsafe(size);
    let restEnd = 0;
    const restEntities: Array<number | string> = [];
    const restDays: number[] = [];
    let row = 0;
    for (const chunk of chunks) {
      for (let start = 0; start < chunk.length; row++) {
        const end = chunk.indexOf(NEWLINE, start);
        const entity = entities[row]!;
        let account = this.repeated.has(table) ? null : decided.get(entity);
        if (account != null) {
          keys.addDay(entity, days[row]!);
          if (keys.repeated) {
            if (this.options.repeats === 'abandon') throw new DirectPathAbandoned('a day of the file repeats one written before it');
            this.repeated.add(table);
            account = null;
          }
        }
        if (account == null) {
          restEnd += chunk.copy(rest, restEnd, start, end + 1);
          restEntities.push(entity);
          restDays.push(days[row]!);
        } else {
          // The row loses its line and mask and gains a tab and its account (at most 20 digits).
          const bucket = buckets.open(entity, days[row]!, end - start + 22);
          const direct = bucket.buffer;
          let directEnd = bucket.end;
          const lineEnd = chunk.indexOf(TAB, start);
          const maskEnd = chunk.indexOf(TAB, lineEnd + 1);
          let mask = 0;
          for (let i = lineEnd + 1; i < maskEnd; i++) mask = mask * 10 + (chunk[i]! - 0x30);
          if (mask === EVERY_METRIC) {
            directEnd += chunk.copy(direct, directEnd, maskEnd + 1, end);
          } else {
            // Absent metrics (\N in staging, where the fold needs to tell them) are 0 in the
            // table: the bytes are copied around each field that is exactly \N (an entity
            // holding a backslash has it doubled, so "\t\N" starts a NULL field only). In
            // bytes, not split strings: 3.3 s of the main thread's 8.8 s for a 500,000-line
            // file without video views, measured.
            let from = maskEnd + 1;
            for (let at = chunk.indexOf(NULL_FIELD, from); at !== -1 && at < end; at = chunk.indexOf(NULL_FIELD, at + 1)) {
              const after = at + NULL_FIELD.length;
              if (after !== end && chunk[after] !== TAB) continue;
              directEnd += chunk.copy(direct, directEnd, from, at + 1);
              direct[directEnd++] = ZERO;
              from = after;
            }
            directEnd += chunk.copy(direct, directEnd, from, end);
          }
          directEnd += direct.write(`\t${account}\n`, directEnd, 'latin1');
          this.bufferedBytes += directEnd - bucket.end;
          bucket.end = directEnd;
        }
        start = end + 1;
      }
    }
    return { chunk: rest.subarray(0, restEnd), rows: restEntities.length, entities: restEntities, days: restDays };
  }

  /** One COPY per table of the days buffered, after the writer's sends; their references checked at once. */
  private async send(): Promise<void> {
    const tx = this.writer.transaction;
    for (const table of ['campaign_daily_metrics', 'creative_daily_metrics'] as const) {
      const buckets = this.buffers[table];
      if (buckets.rows === 0) continue;
      this.copied[table] += buckets.rows;
      const text = buckets.take();
      await this.writer.send(async () => {
        try {
          await copyFrom(tx, directCopySql(table), [text]);
        } catch (error) {
          // A writer that takes no account lock (plain SQL) stored one of these days
          // after they were decided: an ingest reads the file again through staging,
          // which replaces it; a sync fails the account with an error naming the day
          // (the violation its cause).
          if (sqlState(error) !== SQLSTATE.UNIQUE_VIOLATION) throw error;
          const detail = (error as { detail?: string }).detail ?? (error as Error).message; // "Key (campaign_id, date)=(…) already exists."
          const stored = `a day this write was adding was stored meanwhile by another writer (${detail.replace(/\.$/, '')})`;
          if (this.options.storedMeanwhile === 'abandon') throw new DirectPathAbandoned(stored, { cause: error });
          throw new Error(`${stored}; nothing of this write is kept: run it again, and the day is replaced`, { cause: error });
        }
        // Checked now, while the workers parse what follows, instead of all at the commit.
        await checkForeignKeysNow.run(undefined, tx);
        await deferConstraints.run(undefined, tx);
      });
    }
    this.bufferedBytes = 0;
    this.sends++;
  }
}
