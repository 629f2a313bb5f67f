import type { Queryable } from '../db/queryable.js';
import { maybeOne } from '../db/queryable.js';
import {
  getCreativeById,
  listCreativesByAccount as listCreativesByAccountQuery,
  listCreativesByCampaign as listCreativesByCampaignQuery,
  listCreativesByIds,
  type IGetCreativeByIdResult,
} from '../generated/creatives.queries.js';
import { checkKeyText, InvalidValueError } from '../values.js';
import { checkFields, CREATIVE_TABLE, type FieldValues } from './fields.js';
import { typedConnection } from '../db/typed-connection.js';

export { CREATIVE_FIELDS } from './fields.js';

export type Creative = IGetCreativeByIdResult;

/**
 * A creative to merge: an absent (undefined) field keeps the stored value, null
 * clears it. `id` is the creative's URN; serving_hold_reasons null means none
 * (LinkedIn omits the field while the creative serves).
 */
export interface CreativeInput extends FieldValues<typeof CREATIVE_TABLE, null> {
  id: string;
}

/** The creative with this URN, or null. */
export async function getCreative(db: Queryable, id: string): Promise<Creative | null> {
  return maybeOne(await getCreativeById.run({ id }, typedConnection(db)));
}

/** The creatives with these URNs, by URN; unknown ones are left out. */
export async function listCreatives(db: Queryable, ids: readonly string[]): Promise<Creative[]> {
  return listCreativesByIds.run({ ids: [...ids] }, typedConnection(db));
}

/** The campaign's creatives, by URN. */
export async function listCreativesByCampaign(db: Queryable, campaignId: number): Promise<Creative[]> {
  return listCreativesByCampaignQuery.run({ campaignId }, typedConnection(db));
}

/** The account's creatives, by URN. */
export async function listCreativesByAccount(db: Queryable, accountId: number): Promise<Creative[]> {
  return listCreativesByAccountQuery.run({ accountId }, typedConnection(db));
}

/** The row with its values checked (dates made canonical); throws InvalidValueError naming `record`. */
export function checkCreative(row: CreativeInput, record: string): CreativeInput {
  checkKeyText(row.id, record, 'id');
  if (row.id === '') throw new InvalidValueError(record, 'id', row.id, 'is empty');
  checkFields(row, CREATIVE_TABLE, record);
  return row;
}
