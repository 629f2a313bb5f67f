import type { Queryable } from '../db/queryable.js';
import { maybeOne } from '../db/queryable.js';
import type { Transactable } from '../db/transaction.js';
import {
  getCampaignById,
  insertNewCampaigns,
  listCampaignsByAccount as listCampaignsByAccountQuery,
  listCampaignsByIds,
  lockCampaigns,
  updateCampaigns,
  type IGetCampaignByIdResult,
  type IUpdateCampaignsParams,
} from '../generated/campaigns.queries.js';
import { checkBoolean, checkDecimal, checkId, checkInstant, checkText } from '../values.js';
import { column, foldByKey, mergeEntities, presenceMask, type WriteCounts } from './merge.js';

export type Campaign = IGetCampaignByIdResult;

/** A campaign to merge: an absent (undefined) field keeps the stored value, null clears it. Money is decimal text. */
export interface CampaignInput {
  id: number;
  account_id?: number | null;
  name?: string | null;
  status?: string | null;
  type?: string | null;
  daily_budget?: string | null;
  daily_budget_currency?: string | null;
  total_budget?: string | null;
  cost_type?: string | null;
  unit_cost?: string | null;
  bid_strategy?: string | null;
  creative_selection?: string | null;
  offsite_delivery_enabled?: boolean | null;
  audience_expansion_enabled?: boolean | null;
  campaign_group?: string | null;
  created_at?: Date | null;
}

/** Bit order of the presence mask; must match UpdateCampaigns in sql/campaigns.sql. */
export const CAMPAIGN_FIELDS = [
  'account_id',
  'name',
  'status',
  'type',
  'daily_budget',
  'daily_budget_currency',
  'total_budget',
  'cost_type',
  'unit_cost',
  'bid_strategy',
  'creative_selection',
  'offsite_delivery_enabled',
  'audience_expansion_enabled',
  'campaign_group',
  'created_at',
] as const;

const TEXT_FIELDS = [
  'name',
  'status',
  'type',
  'daily_budget_currency',
  'cost_type',
  'bid_strategy',
  'creative_selection',
  'campaign_group',
] as const;
const DECIMAL_FIELDS = ['daily_budget', 'total_budget', 'unit_cost'] as const;
const BOOLEAN_FIELDS = ['offsite_delivery_enabled', 'audience_expansion_enabled'] as const;

/** The campaign with this id, or null. */
export async function getCampaign(db: Queryable, id: number): Promise<Campaign | null> {
  return maybeOne(await getCampaignById.run({ id }, db));
}

/** The campaigns with these ids, by id; unknown ids are left out. */
export async function listCampaigns(db: Queryable, ids: readonly number[]): Promise<Campaign[]> {
  return listCampaignsByIds.run({ ids: [...ids] }, db);
}

/** The account's campaigns, by id. */
export async function listCampaignsByAccount(db: Queryable, accountId: number): Promise<Campaign[]> {
  return listCampaignsByAccountQuery.run({ accountId }, db);
}

/**
 * Merges campaigns atomically (see CampaignInput). Repeated ids fold in order.
 * Throws InvalidValueError naming the row and field before writing anything; a
 * campaign whose account is stored nowhere fails at commit (23503).
 */
export async function upsertCampaigns(db: Transactable, rows: readonly CampaignInput[]): Promise<WriteCounts> {
  if (rows.length === 0) return { inserted: 0, updated: 0 };
  const merged = foldByKey(rows.map((row, index) => checkCampaign(row, `campaigns[${index}]`)), (row) => row.id);
  const params: IUpdateCampaignsParams = {
    ids: merged.map((row) => row.id),
    presence: merged.map((row) => presenceMask(row, CAMPAIGN_FIELDS)),
    accountIds: column(merged, (row) => row.account_id),
    names: column(merged, (row) => row.name),
    statuses: column(merged, (row) => row.status),
    types: column(merged, (row) => row.type),
    dailyBudgets: column(merged, (row) => row.daily_budget),
    dailyBudgetCurrencies: column(merged, (row) => row.daily_budget_currency),
    totalBudgets: column(merged, (row) => row.total_budget),
    costTypes: column(merged, (row) => row.cost_type),
    unitCosts: column(merged, (row) => row.unit_cost),
    bidStrategies: column(merged, (row) => row.bid_strategy),
    creativeSelections: column(merged, (row) => row.creative_selection),
    offsiteDeliveryEnabled: column(merged, (row) => row.offsite_delivery_enabled),
    audienceExpansionEnabled: column(merged, (row) => row.audience_expansion_enabled),
    campaignGroups: column(merged, (row) => row.campaign_group),
    createdAts: column(merged, (row) => row.created_at),
  };
  return mergeEntities(db, params, { insertNew: insertNewCampaigns, lock: lockCampaigns, update: updateCampaigns });
}

/** The row with its values checked (dates made canonical); throws InvalidValueError naming `record`. */
export function checkCampaign(row: CampaignInput, record: string): CampaignInput {
  checkId(row.id, record, 'id');
  if (row.account_id != null) checkId(row.account_id, record, 'account_id');
  for (const field of TEXT_FIELDS) if (row[field] != null) checkText(row[field], record, field);
  for (const field of DECIMAL_FIELDS) if (row[field] != null) checkDecimal(row[field], record, field);
  for (const field of BOOLEAN_FIELDS) if (row[field] != null) checkBoolean(row[field], record, field);
  if (row.created_at != null) checkInstant(row.created_at, record, 'created_at');
  return row;
}
