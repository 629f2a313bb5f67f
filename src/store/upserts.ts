import type { Transactable } from '../db/transaction.js';
import type { AccountInput } from './accounts.js';
import { writeBatch, type Batch, type WriteOptions } from './apply.js';
import type { CampaignInput } from './campaigns.js';
import type { CreativeInput } from './creatives.js';
import type { AudienceDemographicInput } from './demographics.js';
import type { CampaignDailyMetricInput, CreativeDailyMetricInput } from './metrics.js';
import type { StagedTable, WriteCounts } from './staged.js';

/**
 * One table's bulk upsert: writeBatch with that table's rows (staged by COPY, merged
 * under the accounts' write locks, so concurrent writers queue instead of
 * deadlocking). References are left to the deferred foreign keys, so a transaction
 * may write children first and parents in a later call; writeBatch checks them
 * up front instead. An empty list is a no-op that never touches the database.
 */
async function upsert(db: Transactable, table: StagedTable, batch: Batch, rows: number, options: WriteOptions): Promise<WriteCounts> {
  if (rows === 0) return { inserted: 0, updated: 0 };
  return (await writeBatch(db, batch, { references: 'defer', ...options }))[table];
}

/** Merges accounts (absent fields keep, null clears); InvalidValueError names row and field. */
export const upsertAccounts = (db: Transactable, rows: readonly AccountInput[], options: WriteOptions = {}) =>
  upsert(db, 'ad_accounts', { accounts: rows }, rows.length, options);

/** Merges campaigns (absent fields keep, null clears); InvalidValueError names row and field. */
export const upsertCampaigns = (db: Transactable, rows: readonly CampaignInput[], options: WriteOptions = {}) =>
  upsert(db, 'campaigns', { campaigns: rows }, rows.length, options);

/** Merges creatives (absent fields keep, null clears); InvalidValueError names row and field. */
export const upsertCreatives = (db: Transactable, rows: readonly CreativeInput[], options: WriteOptions = {}) =>
  upsert(db, 'creatives', { creatives: rows }, rows.length, options);

/** Replaces (campaign_id, date) rows; repeated keys fold field by field; absent metrics are 0. */
export const upsertCampaignDailyMetrics = (db: Transactable, rows: readonly CampaignDailyMetricInput[], options: WriteOptions = {}) =>
  upsert(db, 'campaign_daily_metrics', { campaignDailyMetrics: rows }, rows.length, options);

/** Replaces (creative_id, date) rows; repeated keys fold field by field; absent metrics are 0. */
export const upsertCreativeDailyMetrics = (db: Transactable, rows: readonly CreativeDailyMetricInput[], options: WriteOptions = {}) =>
  upsert(db, 'creative_daily_metrics', { creativeDailyMetrics: rows }, rows.length, options);

/** Replaces demographic rows and recomputes share_pct of every group touched. */
export const upsertAudienceDemographics = (db: Transactable, rows: readonly AudienceDemographicInput[], options: WriteOptions = {}) =>
  upsert(db, 'audience_demographics', { audienceDemographics: rows }, rows.length, options);
