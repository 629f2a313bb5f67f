import type { PreparedQuery } from '@pgtyped/runtime';
import { atomically, type Transactable } from '../db/transaction.js';

/**
 * Rows with the same key in one batch, folded in batch order: a later row's
 * present (not undefined) fields win, its absent ones keep the earlier values.
 * Returned sorted by key, the order every write takes its row locks in.
 */
export function foldByKey<R extends object>(rows: readonly R[], keyOf: (row: R) => string | number): R[] {
  const folded = new Map<string | number, R>();
  for (const row of rows) {
    const key = keyOf(row);
    const earlier = folded.get(key);
    folded.set(key, earlier ? overlay(earlier, row) : { ...row });
  }
  return [...folded.entries()].sort(([a], [b]) => compareKeys(a, b)).map(([, row]) => row);
}

function overlay<R extends object>(earlier: R, later: R): R {
  const merged = { ...earlier } as Record<string, unknown>;
  for (const [field, value] of Object.entries(later)) if (value !== undefined) merged[field] = value;
  return merged as R;
}

/** Numbers numerically, strings by code unit (PostgreSQL's "C" order of ASCII URNs). */
export function compareKeys(a: string | number, b: string | number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The presence mask the Update* queries read: bit i is set when fields[i] is
 * present in the row (not undefined). Present-with-null means "clear it".
 */
export function presenceMask<R extends object>(row: R, fields: readonly (keyof R)[]): number {
  let mask = 0;
  fields.forEach((field, bit) => {
    if (row[field] !== undefined) mask |= 1 << bit;
  });
  return mask;
}

/** pgtyped types array elements as non-null; PostgreSQL arrays hold NULL elements fine. */
export function column<R, T>(rows: readonly R[], pick: (row: R) => T | null | undefined): T[] {
  return rows.map((row) => pick(row) ?? null) as T[];
}

export interface MergeQueries<P> {
  insertNew: PreparedQuery<P, { inserted: number }>;
  lock: PreparedQuery<P, unknown>;
  update: PreparedQuery<P, { updated: number }>;
}

export interface WriteCounts {
  inserted: number;
  updated: number;
}

/**
 * The three steps of an entity merge, atomically: insert the new keys, lock the
 * stored rows in key order, update the present fields that differ. Correct under
 * concurrent writers without any lock of the caller's: a key another transaction
 * inserts meanwhile is merged into, not overwritten.
 */
export async function mergeEntities<P>(db: Transactable, params: P, queries: MergeQueries<P>): Promise<WriteCounts> {
  return atomically(db, async (tx) => {
    const [insertedRow] = await queries.insertNew.run(params, tx);
    await queries.lock.run(params, tx);
    const [updatedRow] = await queries.update.run(params, tx);
    return { inserted: insertedRow?.inserted ?? 0, updated: updatedRow?.updated ?? 0 };
  });
}
