import type { Transactable, Tx } from '../db/transaction.js';
import { atomically, startsTransaction } from '../db/transaction.js';
import { lockAccountsForWrite, tryLockAccountsForWrite } from '../generated/locks.queries.js';
import { UnknownReferenceError } from './errors.js';
import { lockWithTimeout } from './locks.js';
import { isReferenceKind, type ReferenceKind } from './references.js';
import {
  countStagedEntities,
  findFirstUnknownReference,
  hasStoredCampaignDays,
  listCampaignAccounts,
  listCreativeAccounts,
  listUnknownReferences,
  rejectStagedCampaignDaysOfCampaign,
  rejectStagedCampaignsOfAccount,
  rejectStagedCreativeDaysOfCreative,
  rejectStagedCreativesOfAccount,
  rejectStagedCreativesOfCampaign,
  rejectStagedDemographicsOfAccount,
  hasStoredCreativeDays,
  listAccountsWritten,
  recomputeStagedSharePct,
  setStagingSettings,
} from '../generated/staged_checks.queries.js';
import { copyRows, escapeText } from '../db/copy.js';
import { dayRowOrder } from './day-order.js';
import * as stagedAccounts from '../generated/staged_ad_accounts.queries.js';
import * as stagedCampaigns from '../generated/staged_campaigns.queries.js';
import * as stagedCreatives from '../generated/staged_creatives.queries.js';
import * as stagedCampaignMetrics from '../generated/staged_campaign_daily_metrics.queries.js';
import * as stagedCreativeMetrics from '../generated/staged_creative_daily_metrics.queries.js';
import * as stagedDemographics from '../generated/staged_audience_demographics.queries.js';
import { checkAccount, type AccountInput } from './accounts.js';
import { checkCampaign, type CampaignInput } from './campaigns.js';
import { checkCreative, type CreativeInput } from './creatives.js';
import { checkDemographic, type AudienceDemographicInput } from './demographics.js';
import {
  checkCampaignDailyMetric,
  checkCampaignDayKey,
  checkCreativeDailyMetric,
  checkCreativeDayKey,
  checkDailyMetrics,
  METRIC_FIELDS,
  type CampaignDailyMetricInput,
  type CreativeDailyMetricInput,
  type DailyMetricValues,
} from './metrics.js';
import { KeySet, metricsCopyText, STAGED_TABLES, StagingWriter, type StagedTable, type WriteCounts } from './staged.js';

export { LockTimeoutError, UnknownReferenceError } from './errors.js';

export interface LockWait {
  /** Wait at most this long for each lock (ms); 0 fails at once. Default 300 s. */
  timeoutMs?: number | undefined;
}

export interface WriteOptions extends LockWait {
  /**
   * 'check' (default): a reference to a parent neither written nor stored fails at
   * once, naming its row (UnknownReferenceError). 'defer': left to the deferred
   * foreign keys at commit (23503), so that one transaction may write children in
   * one call and their parents in a later one.
   */
  references?: 'check' | 'defer' | undefined;
}

/** A staged row removed for an unknown reference (applyStaged's rejectUnknownReferences). */
export interface RejectedReference {
  line: number;
  /** 'campaign.account', 'creative.campaign', … as in UnknownReferenceError. */
  reference: string;
  value: string;
}

export type StagedWriteCounts = Record<StagedTable, WriteCounts> & {
  /** Distinct campaigns and creatives the write described (its entity rows). */
  campaigns_described: number;
  creatives_described: number;
  /** Accounts whose write locks the write held, ascending. */
  accounts_locked: number[];
  /** With rejectUnknownReferences: the rows removed, by line. */
  rejected_references: RejectedReference[];
};

const DEFAULT_LOCK_WAIT_MS = 300_000;

/**
 * Merges everything staged in `writer`'s transaction: folds repeated keys (later
 * line wins, field by field), checks every reference (UnknownReferenceError names
 * the first bad line), takes the write lock of every account written (in id order,
 * waiting as `wait` says; LockTimeoutError), then inserts new rows and updates
 * changed ones, table by table, parents first. Unchanged rows are not written.
 * Nothing is committed here: the caller's transaction decides.
 */
export async function applyStaged(
  writer: StagingWriter,
  wait: LockWait = {},
  options: { rejectUnknownReferences?: boolean } = {},
): Promise<StagedWriteCounts> {
  const { accounts, rejected } = await prepareStaged(writer, wait, options.rejectUnknownReferences ?? false);
  return { ...(await mergeStaged(writer, accounts)), rejected_references: rejected };
}

/** Everything before the merge: settle the staged tables, check references, take the account locks. */
async function prepareStaged(writer: StagingWriter, wait: WriteOptions, reject = false): Promise<{ accounts: number[]; rejected: RejectedReference[] }> {
  const tx = writer.transaction;
  await writer.drain();
  await setStagingSettings.run({ workMem: '128MB' }, tx);
  for (const table of STAGED_TABLES) await settleStaged(writer, table);

  const rejected = reject ? await rejectUnknownReferences(writer) : [];
  const reported = writer.reportedIds();
  const [unknown] = wait.references === 'defer' ? [] : await findFirstUnknownReference.run(reported, tx);
  if (unknown) {
    // line is null when the row reporting on it was not staged (writeBatch's direct path).
    const line = unknown.line ?? -1;
    throw new UnknownReferenceError(`line ${line}`, unknown.reference, unknown.value, line, unknown.reference);
  }
  const accounts = (await listAccountsWritten.run(reported, tx)).map((row) => row.account_id);
  await lockAccounts(tx, accounts, wait.timeoutMs ?? DEFAULT_LOCK_WAIT_MS);
  return { accounts, rejected };
}

/** The entities' tables, merged ahead of the rest by mergeStagedEntities. */
export const ENTITY_TABLES = ['ad_accounts', 'campaigns', 'creatives'] as const satisfies readonly StagedTable[];

/** What mergeStagedEntities wrote. */
export interface EntityMerge {
  counts: Record<(typeof ENTITY_TABLES)[number], WriteCounts>;
  /** The accounts whose write locks it took. */
  accounts: number[];
}

/**
 * Merges the staged accounts, campaigns and creatives alone, ahead of the rest of
 * the write (an ingest's direct path: src/ingest/direct.ts, so that the days after
 * them can go straight into their tables), and empties their staging tables for
 * the rows that follow. Only when every staged reference resolves now (a parent may
 * come later in the file): else it merges nothing and resolves to null. Takes the
 * write locks of the accounts written without waiting (LockTimeoutError).
 */
export async function mergeStagedEntities(writer: StagingWriter): Promise<EntityMerge | null> {
  const tx = writer.transaction;
  await writer.drain();
  await setStagingSettings.run({ workMem: '128MB' }, tx);
  for (const table of ENTITY_TABLES) await settleStaged(writer, table);
  const none = { campaignIds: [], creativeIds: [] };
  const [unknown] = await findFirstUnknownReference.run(none, tx);
  if (unknown) return null;
  const accounts = (await listAccountsWritten.run(none, tx)).map((row) => row.account_id);
  await lockAccounts(tx, accounts, 0);
  const counts = {
    ad_accounts: await mergeEntity(tx, stagedAccounts.insertStagedAccounts, stagedAccounts.updateFromStagedAccounts),
    campaigns: await mergeEntity(tx, stagedCampaigns.insertStagedCampaigns, stagedCampaigns.updateFromStagedCampaigns),
    creatives: await mergeEntity(tx, stagedCreatives.insertStagedCreatives, stagedCreatives.updateFromStagedCreatives),
  };
  return { counts, accounts };
}

/** The kind sql/staged_checks.sql reported, checked against the one list of kinds. */
function referenceKind(reference: string): ReferenceKind {
  if (!isReferenceKind(reference)) throw new Error(`sql/staged_checks.sql reported an unknown reference kind: ${reference}`);
  return reference;
}

/** Each kind of unknown reference: the statement removing the staged rows holding it. */
const REJECTS: Record<ReferenceKind, (value: string, tx: Tx) => Promise<Array<{ line: number }>>> = {
  'campaign.account': (value, tx) => rejectStagedCampaignsOfAccount.run({ accountId: Number(value) }, tx),
  'creative.campaign': (value, tx) => rejectStagedCreativesOfCampaign.run({ campaignId: Number(value) }, tx),
  'creative.account': (value, tx) => rejectStagedCreativesOfAccount.run({ accountId: Number(value) }, tx),
  'campaign_daily_metric.campaign': (value, tx) => rejectStagedCampaignDaysOfCampaign.run({ campaignId: Number(value) }, tx),
  'creative_daily_metric.creative': (value, tx) => rejectStagedCreativeDaysOfCreative.run({ creativeId: value }, tx),
  'audience_demographic.account': (value, tx) => rejectStagedDemographicsOfAccount.run({ accountId: Number(value) }, tx),
};

/**
 * Removes every staged row whose parent is neither staged nor stored, until none is
 * left (a removed campaign orphans its creatives and days in turn); resolves to the
 * removed rows' lines, in line order.
 */
async function rejectUnknownReferences(writer: StagingWriter): Promise<RejectedReference[]> {
  const tx = writer.transaction;
  const rejected: RejectedReference[] = [];
  for (;;) {
    const unknown = await listUnknownReferences.run(writer.reportedIds(), tx);
    if (unknown.length === 0) break;
    for (const { reference, value } of unknown) {
      for (const { line } of await REJECTS[referenceKind(reference)](value, tx)) rejected.push({ line, reference, value });
      if (reference === 'campaign_daily_metric.campaign') writer.reportedCampaigns.delete(Number(value));
      if (reference === 'creative_daily_metric.creative') writer.reportedCreatives.delete(value);
    }
  }
  return rejected.sort((a, b) => a.line - b.line);
}

const FOLDS: Record<StagedTable, { run(params: void, db: Tx): Promise<unknown> }> = {
  ad_accounts: stagedAccounts.foldStagedAccounts,
  campaigns: stagedCampaigns.foldStagedCampaigns,
  creatives: stagedCreatives.foldStagedCreatives,
  campaign_daily_metrics: stagedCampaignMetrics.foldStagedCampaignDailyMetrics,
  creative_daily_metrics: stagedCreativeMetrics.foldStagedCreativeDailyMetrics,
  audience_demographics: stagedDemographics.foldStagedAudienceDemographics,
};

/** The staged columns the merge statements join, group and filter on (this module's names, never data). */
const ANALYZED_COLUMNS: Record<StagedTable, readonly string[]> = {
  ad_accounts: ['id'],
  campaigns: ['id', 'account_id'],
  creatives: ['id', 'campaign_id', 'account_id'],
  campaign_daily_metrics: ['campaign_id', 'date'],
  creative_daily_metrics: ['creative_id', 'date'],
  audience_demographics: ['account_id', 'pivot_type', 'segment', 'date_start'],
};

/** Statistics for the planner, then the fold when some key was staged twice. */
async function settleStaged(writer: StagingWriter, table: StagedTable): Promise<void> {
  if (writer.rowsStaged(table) === 0) return;
  // Fresh statistics: the planner otherwise guesses the size of a temporary table.
  // Of the columns the merge joins and groups on only: every column's took twice as
  // long (0.12 s of a sync's 1.3 s merge of 45,000 creative days).
  await writer.transaction.query(`ANALYZE staged_${table} (${ANALYZED_COLUMNS[table].join(', ')})`);
  if (writer.hasRepeatedKeys(table)) await FOLDS[table].run(undefined, writer.transaction);
}

/** The merge, parents first; `direct` counts rows already written by writeBatch's direct path. */
async function mergeStaged(
  writer: StagingWriter,
  accounts: number[],
  direct: Partial<Record<StagedTable, WriteCounts>> = {},
): Promise<StagedWriteCounts> {
  const tx = writer.transaction;
  const counts = {} as StagedWriteCounts;
  counts.ad_accounts = await mergeEntity(tx, stagedAccounts.insertStagedAccounts, stagedAccounts.updateFromStagedAccounts);
  counts.campaigns = await mergeEntity(tx, stagedCampaigns.insertStagedCampaigns, stagedCampaigns.updateFromStagedCampaigns);
  counts.creatives = await mergeEntity(tx, stagedCreatives.insertStagedCreatives, stagedCreatives.updateFromStagedCreatives);
  counts.campaign_daily_metrics = add(
    direct.campaign_daily_metrics,
    await mergeDays(writer, 'campaign_daily_metrics', {
      hasStored: async (range) => (await hasStoredCampaignDays.run({ campaignIds: [...writer.reportedCampaigns], ...range }, tx))[0]?.stored ?? true,
      discard: stagedCampaignMetrics.discardUnchangedStagedCampaignDailyMetrics,
      update: stagedCampaignMetrics.updateFromStagedCampaignDailyMetrics,
      insert: stagedCampaignMetrics.insertStagedCampaignDailyMetrics,
    }),
  );
  counts.creative_daily_metrics = add(
    direct.creative_daily_metrics,
    await mergeDays(writer, 'creative_daily_metrics', {
      hasStored: async (range) => (await hasStoredCreativeDays.run({ creativeIds: [...writer.reportedCreatives], ...range }, tx))[0]?.stored ?? true,
      discard: stagedCreativeMetrics.discardUnchangedStagedCreativeDailyMetrics,
      update: stagedCreativeMetrics.updateFromStagedCreativeDailyMetrics,
      insert: stagedCreativeMetrics.insertStagedCreativeDailyMetrics,
    }),
  );
  await stagedDemographics.discardUnchangedStagedAudienceDemographics.run(undefined, tx);
  counts.audience_demographics = await mergeFacts(
    tx,
    stagedDemographics.updateFromStagedAudienceDemographics,
    stagedDemographics.insertStagedAudienceDemographics,
  );
  // The staged demographic rows left are the new and changed ones: their groups' shares change.
  await recomputeStagedSharePct.run(undefined, tx);

  const [described] = await countStagedEntities.run(undefined, tx);
  counts.campaigns_described = described?.campaigns ?? 0;
  counts.creatives_described = described?.creatives ?? 0;
  counts.accounts_locked = accounts;
  return counts;
}

const add = (a: WriteCounts | undefined, b: WriteCounts): WriteCounts =>
  a ? { inserted: a.inserted + b.inserted, updated: a.updated + b.updated } : b;

/**
 * The counts of two merges of one transaction (a sync merges an account in parts),
 * as if they had been one: each part describes its own entities and lines.
 */
export function addStagedCounts(a: StagedWriteCounts, b: StagedWriteCounts): StagedWriteCounts {
  const sum = {} as StagedWriteCounts;
  for (const table of STAGED_TABLES) sum[table] = add(a[table], b[table]);
  sum.campaigns_described = a.campaigns_described + b.campaigns_described;
  sum.creatives_described = a.creatives_described + b.creatives_described;
  sum.accounts_locked = [...new Set([...a.accounts_locked, ...b.accounts_locked])].sort((x, y) => x - y);
  sum.rejected_references = [...a.rejected_references, ...b.rejected_references].sort((x, y) => x.line - y.line);
  return sum;
}

/** Takes the write locks of `accounts` in id order, waiting at most timeoutMs for each. */
export async function lockAccounts(tx: Tx, accounts: readonly number[], timeoutMs: number): Promise<void> {
  if (accounts.length === 0) return;
  await lockWithTimeout(tx, {
    what: `one of accounts ${accounts.join(', ')}`,
    timeoutMs,
    scope: 'transaction',
    wait: () => lockAccountsForWrite.run({ accountIds: [...accounts] }, tx),
    tryLock: async () => {
      const [busy] = await tryLockAccountsForWrite.run({ accountIds: [...accounts] }, tx);
      return busy ? `account ${busy.account_id}` : null;
    },
  });
}

interface CountQuery<K extends string> {
  run(params: void, db: Tx): Promise<Array<Record<K, number>>>;
}

async function mergeEntity(tx: Tx, insert: CountQuery<'inserted'>, update: CountQuery<'updated'>): Promise<WriteCounts> {
  const [inserted] = await insert.run(undefined, tx);
  const [updated] = await update.run(undefined, tx);
  return { inserted: inserted?.inserted ?? 0, updated: updated?.updated ?? 0 };
}

/**
 * The staged days of one table: unchanged ones discarded, changed ones updated, new
 * ones inserted; when no stored day of their campaigns (creatives) falls in their
 * range, all are new and only the insert runs (the discard and the update are two
 * joins with the stored table). The range and the entities are the writer's own
 * count of what it staged: asking the staged table took two scans of it (~75 ms per
 * 500,000 rows), the stored one one index probe per entity.
 */
async function mergeDays(
  writer: StagingWriter,
  table: 'campaign_daily_metrics' | 'creative_daily_metrics',
  merge: {
    hasStored: (range: { from: string; to: string }) => Promise<boolean>;
    discard: { run(params: void, db: Tx): Promise<unknown> };
    update: CountQuery<'updated'>;
    insert: CountQuery<'inserted'>;
  },
): Promise<WriteCounts> {
  const tx = writer.transaction;
  if (writer.rowsStaged(table) === 0) return { inserted: 0, updated: 0 };
  const range = writer.stagedDays(table);
  if (range && !(await merge.hasStored(range))) {
    const [inserted] = await merge.insert.run(undefined, tx);
    return { inserted: inserted?.inserted ?? 0, updated: 0 };
  }
  await merge.discard.run(undefined, tx);
  return mergeFacts(tx, merge.update, merge.insert);
}

async function mergeFacts(tx: Tx, update: CountQuery<'updated'>, insert: CountQuery<'inserted'>): Promise<WriteCounts> {
  const [updated] = await update.run(undefined, tx);
  const [inserted] = await insert.run(undefined, tx);
  return { inserted: inserted?.inserted ?? 0, updated: updated?.updated ?? 0 };
}

/** Mapped rows for writeBatch; every list optional. */
export interface Batch {
  accounts?: readonly AccountInput[] | undefined;
  campaigns?: readonly CampaignInput[] | undefined;
  creatives?: readonly CreativeInput[] | undefined;
  campaignDailyMetrics?: readonly CampaignDailyMetricInput[] | undefined;
  creativeDailyMetrics?: readonly CreativeDailyMetricInput[] | undefined;
  audienceDemographics?: readonly AudienceDemographicInput[] | undefined;
}

/**
 * Writes mapped rows of every table at once, atomically, under the accounts' write
 * locks (the ingest's locks): entities merge as upsertAccounts & co. do; daily
 * metrics and demographics replace their keys. Repeated keys fold in list order.
 * Rows go by COPY into staging and set-based merges; daily rows whose campaigns
 * or creatives have no stored day in the batch's range (a first load), with no
 * key repeated, go by COPY straight into their table instead. Throws
 * InvalidValueError (record `campaign_daily_metrics[i]`…), UnknownReferenceError
 * or LockTimeoutError, having written nothing. Given a pool, the days' metrics are
 * checked as they are written, after the locks and the reference checks (which then
 * fail first); given the caller's transaction, every value is checked before any
 * statement, so that a bad one leaves that transaction usable.
 */
export async function writeBatch(db: Transactable, batch: Batch, wait: WriteOptions = {}): Promise<StagedWriteCounts> {
  // The days' keys are checked before any database work (the locks, the range and
  // the repeats depend on them); in a transaction of its own, their metrics as each
  // day is written, while the server works on the days before it (half a second of a
  // 500,000-day first load taken off its critical path, measured): a bad value then
  // rolls that transaction back. In the caller's, everything first, as a bad value
  // must not abort it.
  const upFront = !startsTransaction(db);
  const campaignDays = checkAll(batch.campaignDailyMetrics, 'campaign_daily_metrics', upFront ? checkCampaignDailyMetric : checkCampaignDayKey);
  const creativeDays = checkAll(batch.creativeDailyMetrics, 'creative_daily_metrics', upFront ? checkCreativeDailyMetric : checkCreativeDayKey);
  const dayMetrics = <R extends DailyMetricValues>(table: 'campaign_daily_metrics' | 'creative_daily_metrics', row: R, index: number): R =>
    upFront ? row : checkDailyMetrics(row, `${table}[${index}]`);
  return atomically(db, async (tx) => {
    const writer = await StagingWriter.open(tx);
    const stage = async <R>(rows: readonly R[] | undefined, table: StagedTable, check: (row: R, record: string) => R, add: (row: R, line: number) => void) => {
      for (let index = 0; index < (rows?.length ?? 0); index++) {
        add(check(rows![index]!, `${table}[${index}]`), index);
        if (writer.shouldFlush) await writer.flush();
      }
    };
    await stage(batch.accounts, 'ad_accounts', checkAccount, (r, l) => writer.addAccount(r, l));
    await stage(batch.campaigns, 'campaigns', checkCampaign, (r, l) => writer.addCampaign(r, l));
    await stage(batch.creatives, 'creatives', checkCreative, (r, l) => writer.addCreative(r, l));
    await stage(batch.audienceDemographics, 'audience_demographics', checkDemographic, (r, l) => writer.addAudienceDemographic(r, l));
    for (const row of campaignDays) writer.reportedCampaigns.add(row.campaign_id);
    for (const row of creativeDays) writer.reportedCreatives.add(row.creative_id);

    let accounts: number[];
    try {
      ({ accounts } = await prepareStaged(writer, wait));
    } catch (error) {
      if (error instanceof UnknownReferenceError) throw inBatchTerms(error, campaignDays, creativeDays);
      throw error;
    }

    // Under the account locks nobody else writes these days: the direct path is safe.
    const direct: Partial<Record<StagedTable, WriteCounts>> = {};
    const campaignIds = [...writer.reportedCampaigns];
    let copyCampaignDays = false;
    if (campaignDays.length > 0) {
      const range = dateRange(campaignDays);
      const [stored] = await hasStoredCampaignDays.run({ campaignIds, ...range }, tx);
      if (!stored?.stored && !repeatsKey(campaignDays, (row) => row.campaign_id)) {
        copyCampaignDays = true;
        direct.campaign_daily_metrics = { inserted: campaignDays.length, updated: 0 };
      } else {
        campaignDays.forEach((row, index) => writer.addCampaignDailyMetric(dayMetrics('campaign_daily_metrics', row, index), index));
        await writer.drain();
        await settleStaged(writer, 'campaign_daily_metrics');
      }
    }
    let copyCreativeDays = false;
    if (creativeDays.length > 0) {
      const range = dateRange(creativeDays);
      const [stored] = await hasStoredCreativeDays.run({ creativeIds: [...writer.reportedCreatives], ...range }, tx);
      if (!stored?.stored && !repeatsKey(creativeDays, (row) => row.creative_id)) {
        copyCreativeDays = true;
        direct.creative_daily_metrics = { inserted: creativeDays.length, updated: 0 };
      } else {
        creativeDays.forEach((row, index) => writer.addCreativeDailyMetric(dayMetrics('creative_daily_metrics', row, index), index));
        await writer.drain();
        await settleStaged(writer, 'creative_daily_metrics');
      }
    }
    const counts = await mergeStaged(writer, accounts, direct);
    // After the merge, so that this write's campaigns and creatives are stored: each
    // day is copied with its parent's account, and nothing has to rewrite it.
    if (copyCampaignDays) {
      const accountOf = new Map<number, number | null>();
      for (const row of await listCampaignAccounts.run({ ids: campaignIds }, tx)) accountOf.set(row.id, row.account_id);
      await copyDailyRows(tx, 'campaign_daily_metrics', campaignDays, dayMetrics, (row) => row.campaign_id, (row) => accountOf.get(row.campaign_id) ?? null);
    }
    if (copyCreativeDays) {
      const accountOf = new Map<string, number | null>();
      for (const row of await listCreativeAccounts.run({ ids: [...writer.reportedCreatives] }, tx)) accountOf.set(row.id, row.account_id);
      await copyDailyRows(tx, 'creative_daily_metrics', creativeDays, dayMetrics, (row) => row.creative_id, (row) => accountOf.get(row.creative_id) ?? null);
    }
    return { ...counts, rejected_references: [] };
  });
}

function checkAll<R>(rows: readonly R[] | undefined, table: string, check: (row: R, record: string) => R): R[] {
  return (rows ?? []).map((row, index) => check(row, `${table}[${index}]`));
}

function dateRange(rows: ReadonlyArray<{ date: string }>): { from: string; to: string } {
  let from = rows[0]!.date;
  let to = from;
  for (const { date } of rows) {
    if (date < from) from = date;
    if (date > to) to = date;
  }
  return { from, to };
}

/** True when two rows share (entity, date). */
function repeatsKey<R extends { date: string }>(rows: readonly R[], entity: (row: R) => number | string): boolean {
  const keys = new KeySet();
  for (const row of rows) {
    keys.addDaily(entity(row), row.date);
    if (keys.repeated) return true;
  }
  return false;
}

const metricsOrZero = metricsCopyText('0');

/**
 * The COPY of daily rows straight into their table: the entity, the day, every
 * metric (none absent) and the parent's account, tab-separated (writeBatch's first
 * load, and an ingest's: src/ingest/direct.ts). A fixed statement of this module's
 * table and column names, no data.
 */
export function directCopySql(table: 'campaign_daily_metrics' | 'creative_daily_metrics'): string {
  const keyColumn = table === 'campaign_daily_metrics' ? 'campaign_id' : 'creative_id';
  return `COPY ${table} (${keyColumn}, date, ${METRIC_FIELDS.join(', ')}, account_id) FROM STDIN`;
}

/**
 * COPY of daily rows straight into their table, their keys checked; absent metrics
 * are written as 0.
 */
async function copyDailyRows<R extends DailyMetricValues & { date: string }>(
  tx: Tx,
  table: 'campaign_daily_metrics' | 'creative_daily_metrics',
  rows: readonly R[],
  /** The row with its metrics checked, as it is encoded (throwing abandons the COPY). */
  metrics: (table: 'campaign_daily_metrics' | 'creative_daily_metrics', row: R, index: number) => R,
  /** The row's parent: its campaign (a number) or creative (text) id. */
  parent: (row: R) => number | string,
  /** Each row's account (NULL as \N). */
  account: (row: R) => number | null,
): Promise<void> {
  // In the primary key's order (src/store/day-order.ts); each row still named by its index in the batch.
  const order = dayRowOrder(rows.length, (i) => parent(rows[i]!), (i) => rows[i]!.date);
  await copyRows(
    tx,
    directCopySql(table),
    order,
    (index) => {
      const r = rows[index]!;
      const id = parent(r);
      return `${typeof id === 'number' ? id : escapeText(id)}\t${r.date}\t${metricsOrZero(metrics(table, r, index))}\t${account(r) ?? '\\N'}\n`;
    },
    // Campaign rows are numbers, a date and a decimal; a creative id may be any text.
    table === 'campaign_daily_metrics',
  );
}

function inBatchTerms(
  error: UnknownReferenceError,
  campaignDays: readonly CampaignDailyMetricInput[],
  creativeDays: readonly CreativeDailyMetricInput[],
): UnknownReferenceError {
  const [table, field] = BATCH_REFERENCE[referenceKind(error.reference)];
  let line = error.line;
  // Daily rows are not staged before the check: find the first one in the batch.
  if (error.reference === 'campaign_daily_metric.campaign') line = campaignDays.findIndex((r) => String(r.campaign_id) === error.value);
  if (error.reference === 'creative_daily_metric.creative') line = creativeDays.findIndex((r) => r.creative_id === error.value);
  return new UnknownReferenceError(`${table}[${line}]`, field, error.value, line, error.reference);
}

const BATCH_REFERENCE: Record<ReferenceKind, [StagedTable, string]> = {
  'campaign.account': ['campaigns', 'account_id'],
  'creative.campaign': ['creatives', 'campaign_id'],
  'creative.account': ['creatives', 'account_id'],
  'campaign_daily_metric.campaign': ['campaign_daily_metrics', 'campaign_id'],
  'creative_daily_metric.creative': ['creative_daily_metrics', 'creative_id'],
  'audience_demographic.account': ['audience_demographics', 'account_id'],
};
