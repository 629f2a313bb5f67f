import type { Queryable } from '../db/queryable.js';
import { maybeOne } from '../db/queryable.js';
import {
  getCampaignById,
  listCampaignsByAccount as listCampaignsByAccountQuery,
  listCampaignsByIds,
  type IGetCampaignByIdResult,
} from '../generated/campaigns.queries.js';
import { checkBoolean, checkDecimal, checkId, checkInstant, checkText } from '../values.js';

export type Campaign = IGetCampaignByIdResult;

/** A campaign to merge: an absent (undefined) field keeps the stored value, null clears it. Money is decimal text. */
export interface CampaignInput {
  id: number;
  account_id?: number | null | undefined;
  name?: string | null | undefined;
  status?: string | null | undefined;
  type?: string | null | undefined;
  daily_budget?: string | null | undefined;
  daily_budget_currency?: string | null | undefined;
  total_budget?: string | null | undefined;
  cost_type?: string | null | undefined;
  unit_cost?: string | null | undefined;
  bid_strategy?: string | null | undefined;
  creative_selection?: string | null | undefined;
  offsite_delivery_enabled?: boolean | null | undefined;
  audience_expansion_enabled?: boolean | null | undefined;
  campaign_group?: string | null | undefined;
  created_at?: Date | null | undefined;
}

/** Bit order of the presence mask; must match sql/staged_campaigns.sql. */
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
