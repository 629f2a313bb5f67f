import type pg from 'pg';
import { isPool } from './queryable.js';
import { retryOnConflict } from './retry.js';
import { typedConnection } from './typed-connection.js';

declare const inTransaction: unique symbol;

/** A client inside a transaction that withTransaction opened; it commits or rolls back. */
export type Tx = pg.PoolClient & { readonly [inTransaction]: true };

/**
 * Where a multi-statement write may run: a pool (the function opens its own
 * transaction) or a Tx (the caller's transaction makes it atomic with the rest).
 * A bare client is not accepted: nothing would make its statements atomic.
 */
export type Transactable = pg.Pool | Tx;

export interface TransactionOptions {
  /** Runs after a retryable failure at most this many times more (default 3). */
  retries?: number | undefined;
  isolation?: 'read committed' | 'repeatable read' | 'serializable' | undefined;
}

/**
 * Runs `work` in one transaction on a client of `pool`: COMMIT when it resolves,
 * ROLLBACK when it throws (the error is rethrown). A serialization failure or a
 * deadlock reruns `work` from the start (retryOnConflict: the one retry policy);
 * `work` must therefore have no side effects outside the database.
 */
export async function withTransaction<T>(
  pool: pg.Pool,
  work: (tx: Tx) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  return retryOnConflict(async () => {
    const client = typedConnection(await pool.connect());
    let broken = false;
    try {
      await client.query(options.isolation ? `BEGIN ISOLATION LEVEL ${isolationSql(options.isolation)}` : 'BEGIN');
      const result = await work(client as Tx);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true; // the connection itself failed: do not return it to the pool
      }
      throw error;
    } finally {
      client.release(broken);
    }
  }, { attempts: (options.retries ?? 3) + 1 });
}

/**
 * Opens a transaction on a client the caller holds, for work that keeps its
 * connection across steps it orders itself (an ingest stages while it reads, then
 * merges): the caller ends it with commit() or rollback(). withTransaction is the
 * way for everything else.
 */
export async function begin(client: pg.PoolClient): Promise<Tx> {
  const tx = typedConnection(client);
  await tx.query('BEGIN');
  return tx as Tx;
}

/** Commits a transaction opened by begin(). */
export async function commit(tx: Tx): Promise<void> {
  await tx.query('COMMIT');
}

/**
 * Rolls back whatever transaction the client has open (begin()'s, or none yet: a
 * no-op); false when the connection itself is broken.
 */
export async function rollback(client: pg.PoolClient): Promise<boolean> {
  try {
    await client.query('ROLLBACK');
    return true;
  } catch {
    return false;
  }
}

/** Runs `work` atomically: in the caller's transaction when given a Tx, else in a new one. */
export function atomically<T>(db: Transactable, work: (tx: Tx) => Promise<T>): Promise<T> {
  return isPool(db) ? withTransaction(db, work) : work(db);
}

/** True when atomically() starts a transaction of its own for `db` (a pool), false in the caller's. */
export function startsTransaction(db: Transactable): boolean {
  return isPool(db);
}

function isolationSql(level: NonNullable<TransactionOptions['isolation']>): string {
  // A closed set of literals, never user data: the only SQL this module builds.
  return { 'read committed': 'READ COMMITTED', 'repeatable read': 'REPEATABLE READ', serializable: 'SERIALIZABLE' }[level];
}

