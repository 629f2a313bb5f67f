import type { Queryable } from '../db/queryable.js';
import { maybeOne } from '../db/queryable.js';
import {
  getCampaignById,
  listCampaignsByAccount as listCampaignsByAccountQuery,
  listCampaignsByIds,
  type IGetCampaignByIdResult,
} from '../generated/campaigns.queries.js';
import { checkId } from '../values.js';
import { CAMPAIGN_TABLE, checkFields, type FieldValues } from './fields.js';
import { typedConnection } from '../db/typed-connection.js';

export { CAMPAIGN_FIELDS } from './fields.js';

export type Campaign = IGetCampaignByIdResult;

/** A campaign to merge: an absent (undefined) field keeps the stored value, null clears it. Money is decimal text. */
export interface CampaignInput extends FieldValues<typeof CAMPAIGN_TABLE, null> {
  id: number;
}

/** The campaign with this id, or null. */
export async function getCampaign(db: Queryable, id: number): Promise<Campaign | null> {
  return maybeOne(await getCampaignById.run({ id }, typedConnection(db)));
}

/** The campaigns with these ids, by id; unknown ids are left out. */
export async function listCampaigns(db: Queryable, ids: readonly number[]): Promise<Campaign[]> {
  return listCampaignsByIds.run({ ids: [...ids] }, typedConnection(db));
}

/** The account's campaigns, by id. */
export async function listCampaignsByAccount(db: Queryable, accountId: number): Promise<Campaign[]> {
  return listCampaignsByAccountQuery.run({ accountId }, typedConnection(db));
}

/** The row with its values checked (dates made canonical); throws InvalidValueError naming `record`. */
export function checkCampaign(row: CampaignInput, record: string): CampaignInput {
  checkId(row.id, record, 'id');
  checkFields(row, CAMPAIGN_TABLE, record);
  return row;
}
