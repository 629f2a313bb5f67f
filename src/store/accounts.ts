import type { Queryable } from '../db/queryable.js';
import { maybeOne } from '../db/queryable.js';
import {
  getAccountById,
  listAccountsByIds,
  listAccountsByName,
  type IGetAccountByIdResult,
} from '../generated/ad_accounts.queries.js';
import { checkBoolean, checkId, checkInstant, checkText } from '../values.js';

export type Account = IGetAccountByIdResult;

/** An ad account to merge: an absent (undefined) field keeps the stored value, null clears it. */
export interface AccountInput {
  id: number;
  name?: string | null | undefined;
  status?: string | null | undefined;
  currency?: string | null | undefined;
  type?: string | null | undefined;
  is_test?: boolean | null | undefined;
  created_at?: Date | null | undefined;
}

/** Bit order of the presence mask; must match sql/staged_ad_accounts.sql. */
export const ACCOUNT_FIELDS = ['name', 'status', 'currency', 'type', 'is_test', 'created_at'] as const;

/** The account with this id, or null. */
export async function getAccount(db: Queryable, id: number): Promise<Account | null> {
  return maybeOne(await getAccountById.run({ id }, db));
}

/** The accounts with these ids, by id; unknown ids are left out. */
export async function listAccounts(db: Queryable, ids: readonly number[]): Promise<Account[]> {
  return listAccountsByIds.run({ ids: [...ids] }, db);
}

/** Every account, ordered by name (unnamed last), then id. */
export async function listAccountsOrderedByName(db: Queryable): Promise<Account[]> {
  return listAccountsByName.run(undefined, db);
}

/** The row with its values checked (dates made canonical); throws InvalidValueError naming `record`. */
export function checkAccount(row: AccountInput, record: string): AccountInput {
  checkId(row.id, record, 'id');
  for (const field of ['name', 'status', 'currency', 'type'] as const) {
    if (row[field] != null) checkText(row[field], record, field);
  }
  if (row.is_test != null) checkBoolean(row.is_test, record, 'is_test');
  if (row.created_at != null) checkInstant(row.created_at, record, 'created_at');
  return row;
}
