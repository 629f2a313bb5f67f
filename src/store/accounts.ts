import type { Queryable } from '../db/queryable.js';
import { maybeOne } from '../db/queryable.js';
import type { Transactable } from '../db/transaction.js';
import {
  getAccountById,
  insertNewAccounts,
  listAccountsByIds,
  listAccountsByName,
  lockAccounts,
  updateAccounts,
  type IGetAccountByIdResult,
  type IUpdateAccountsParams,
} from '../generated/ad_accounts.queries.js';
import { checkBoolean, checkId, checkInstant, checkText } from '../values.js';
import { column, foldByKey, mergeEntities, presenceMask, type WriteCounts } from './merge.js';

export type Account = IGetAccountByIdResult;

/** An ad account to merge: an absent (undefined) field keeps the stored value, null clears it. */
export interface AccountInput {
  id: number;
  name?: string | null;
  status?: string | null;
  currency?: string | null;
  type?: string | null;
  is_test?: boolean | null;
  created_at?: Date | null;
}

/** Bit order of the presence mask; must match UpdateAccounts in sql/ad_accounts.sql. */
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

/**
 * Merges accounts atomically (see AccountInput). Repeated ids in the batch fold in
 * order. Throws InvalidValueError naming the row and field before writing anything.
 */
export async function upsertAccounts(db: Transactable, rows: readonly AccountInput[]): Promise<WriteCounts> {
  if (rows.length === 0) return { inserted: 0, updated: 0 };
  const merged = foldByKey(rows.map((row, index) => checkAccount(row, `ad_accounts[${index}]`)), (row) => row.id);
  const params: IUpdateAccountsParams = {
    ids: merged.map((row) => row.id),
    presence: merged.map((row) => presenceMask(row, ACCOUNT_FIELDS)),
    names: column(merged, (row) => row.name),
    statuses: column(merged, (row) => row.status),
    currencies: column(merged, (row) => row.currency),
    types: column(merged, (row) => row.type),
    isTests: column(merged, (row) => row.is_test),
    createdAts: column(merged, (row) => row.created_at),
  };
  return mergeEntities(db, params, { insertNew: insertNewAccounts, lock: lockAccounts, update: updateAccounts });
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
