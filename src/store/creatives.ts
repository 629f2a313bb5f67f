import type { Queryable } from '../db/queryable.js';
import { maybeOne } from '../db/queryable.js';
import type { Transactable } from '../db/transaction.js';
import {
  getCreativeById,
  insertNewCreatives,
  listCreativesByAccount as listCreativesByAccountQuery,
  listCreativesByCampaign as listCreativesByCampaignQuery,
  listCreativesByIds,
  lockCreatives,
  updateCreatives,
  type IGetCreativeByIdResult,
  type IUpdateCreativesParams,
} from '../generated/creatives.queries.js';
import { arrayLiteral } from '../db/copy.js';
import { checkBoolean, checkId, checkInstant, checkText, InvalidValueError } from '../values.js';
import { column, foldByKey, mergeEntities, presenceMask, type WriteCounts } from './merge.js';

export type Creative = IGetCreativeByIdResult;

/**
 * A creative to merge: an absent (undefined) field keeps the stored value, null
 * clears it. `id` is the creative's URN; serving_hold_reasons null means none
 * (LinkedIn omits the field while the creative serves).
 */
export interface CreativeInput {
  id: string;
  campaign_id?: number | null;
  account_id?: number | null;
  intended_status?: string | null;
  is_serving?: boolean | null;
  content_reference?: string | null;
  content_name?: string | null;
  serving_hold_reasons?: readonly string[] | null;
  created_at?: Date | null;
  last_modified_at?: Date | null;
}

/** Bit order of the presence mask; must match UpdateCreatives in sql/creatives.sql. */
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

/**
 * Merges creatives atomically (see CreativeInput). Repeated URNs fold in order.
 * Throws InvalidValueError naming the row and field before writing anything.
 */
export async function upsertCreatives(db: Transactable, rows: readonly CreativeInput[]): Promise<WriteCounts> {
  if (rows.length === 0) return { inserted: 0, updated: 0 };
  const merged = foldByKey(rows.map((row, index) => checkCreative(row, `creatives[${index}]`)), (row) => row.id);
  const params: IUpdateCreativesParams = {
    ids: merged.map((row) => row.id),
    presence: merged.map((row) => presenceMask(row, CREATIVE_FIELDS)),
    campaignIds: column(merged, (row) => row.campaign_id),
    accountIds: column(merged, (row) => row.account_id),
    intendedStatuses: column(merged, (row) => row.intended_status),
    isServing: column(merged, (row) => row.is_serving),
    contentReferences: column(merged, (row) => row.content_reference),
    contentNames: column(merged, (row) => row.content_name),
    servingHoldReasons: column(merged, (row) => nullableArrayLiteral(row.serving_hold_reasons)),
    createdAts: column(merged, (row) => row.created_at),
    lastModifiedAts: column(merged, (row) => row.last_modified_at),
  };
  return mergeEntities(db, params, { insertNew: insertNewCreatives, lock: lockCreatives, update: updateCreatives });
}

/**
 * A text[] literal ('{"A","B"}'): unnest cannot take an array of arrays of
 * different lengths, so each row's reasons cross as one literal and are cast back.
 */
function nullableArrayLiteral(values: readonly string[] | null | undefined): string | null {
  return values == null ? null : arrayLiteral(values);
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
