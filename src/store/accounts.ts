import type { Queryable } from '../db/queryable.js';
import { maybeOne } from '../db/queryable.js';
import {
  getAccountById,
  listAccountsByIds,
  listAccountsByName,
  type IGetAccountByIdResult,
} from '../generated/ad_accounts.queries.js';
import { checkId } from '../values.js';
import { ACCOUNT_TABLE, checkFields, type FieldValues } from './fields.js';
import { typedConnection } from '../db/typed-connection.js';

export { ACCOUNT_FIELDS } from './fields.js';

export type Account = IGetAccountByIdResult;

/** An ad account to merge: an absent (undefined) field keeps the stored value, null clears it. */
export interface AccountInput extends FieldValues<typeof ACCOUNT_TABLE, null> {
  id: number;
}

/** The account with this id, or null. */
export async function getAccount(db: Queryable, id: number): Promise<Account | null> {
  return maybeOne(await getAccountById.run({ id }, typedConnection(db)));
}

/** The accounts with these ids, by id; unknown ids are left out. */
export async function listAccounts(db: Queryable, ids: readonly number[]): Promise<Account[]> {
  return listAccountsByIds.run({ ids: [...ids] }, typedConnection(db));
}

/** Every account, ordered by name (unnamed last), then id. */
export async function listAccountsOrderedByName(db: Queryable): Promise<Account[]> {
  return listAccountsByName.run(undefined, typedConnection(db));
}

/** The row with its values checked (dates made canonical); throws InvalidValueError naming `record`. */
export function checkAccount(row: AccountInput, record: string): AccountInput {
  checkId(row.id, record, 'id');
  checkFields(row, ACCOUNT_TABLE, record);
  return row;
}
