import type { Queryable } from '../db/queryable.js';
import { maybeOne } from '../db/queryable.js';
import {
  getCreativeById,
  listCreativesByAccount as listCreativesByAccountQuery,
  listCreativesByCampaign as listCreativesByCampaignQuery,
  listCreativesByIds,
  type IGetCreativeByIdResult,
} from '../generated/creatives.queries.js';
import { checkBoolean, checkId, checkInstant, checkText, InvalidValueError } from '../values.js';

export type Creative = IGetCreativeByIdResult;

/**
 * A creative to merge: an absent (undefined) field keeps the stored value, null
 * clears it. `id` is the creative's URN; serving_hold_reasons null means none
 * (LinkedIn omits the field while the creative serves).
 */
export interface CreativeInput {
  id: string;
  campaign_id?: number | null | undefined;
  account_id?: number | null | undefined;
  intended_status?: string | null | undefined;
  is_serving?: boolean | null | undefined;
  content_reference?: string | null | undefined;
  content_name?: string | null | undefined;
  serving_hold_reasons?: readonly string[] | null | undefined;
  created_at?: Date | null | undefined;
  last_modified_at?: Date | null | undefined;
}

/** Bit order of the presence mask; must match sql/staged_creatives.sql. */
export const CREATIVE_FIELDS = [
  'campaign_id',
  'account_id',
  'intended_status',
  'is_serving',
  'content_reference',
  'content_name',
  'serving_hold_reasons',
  'created_at',
  'last_modified_at',
] as const;

/** The creative with this URN, or null. */
export async function getCreative(db: Queryable, id: string): Promise<Creative | null> {
  return maybeOne(await getCreativeById.run({ id }, db));
}

/** The creatives with these URNs, by URN; unknown ones are left out. */
export async function listCreatives(db: Queryable, ids: readonly string[]): Promise<Creative[]> {
  return listCreativesByIds.run({ ids: [...ids] }, db);
}

/** The campaign's creatives, by URN. */
export async function listCreativesByCampaign(db: Queryable, campaignId: number): Promise<Creative[]> {
  return listCreativesByCampaignQuery.run({ campaignId }, db);
}

/** The account's creatives, by URN. */
export async function listCreativesByAccount(db: Queryable, accountId: number): Promise<Creative[]> {
  return listCreativesByAccountQuery.run({ accountId }, db);
}

/** The row with its values checked (dates made canonical); throws InvalidValueError naming `record`. */
export function checkCreative(row: CreativeInput, record: string): CreativeInput {
  checkText(row.id, record, 'id');
  if (row.id === '') throw new InvalidValueError(record, 'id', row.id, 'is empty');
  if (row.campaign_id != null) checkId(row.campaign_id, record, 'campaign_id');
  if (row.account_id != null) checkId(row.account_id, record, 'account_id');
  for (const field of ['intended_status', 'content_reference', 'content_name'] as const) {
    if (row[field] != null) checkText(row[field], record, field);
  }
  if (row.is_serving != null) checkBoolean(row.is_serving, record, 'is_serving');
  if (row.serving_hold_reasons != null) {
    if (!Array.isArray(row.serving_hold_reasons)) {
      throw new InvalidValueError(record, 'serving_hold_reasons', row.serving_hold_reasons, 'is not an array of strings');
    }
    row.serving_hold_reasons.forEach((reason, i) => checkText(reason, record, `serving_hold_reasons[${i}]`));
  }
  if (row.created_at != null) checkInstant(row.created_at, record, 'created_at');
  if (row.last_modified_at != null) checkInstant(row.last_modified_at, record, 'last_modified_at');
  return row;
}
