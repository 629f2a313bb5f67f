import type pg from 'pg';
import { AdsStoreError } from '../errors.js';

/**
 * Anything that runs one statement: a pool, a pooled client or a plain client.
 * It satisfies pgtyped's IDatabaseConnection, so generated queries run on it.
 */
export type Queryable = pg.Pool | pg.PoolClient | pg.Client;

/** True for a pool, false for a client. */
export function isPool(db: Queryable): db is pg.Pool {
  // pg.Pool has totalCount; a client does not.
  return 'totalCount' in db;
}

/** Thrown when a query returns a different number of rows than its caller requires. */
export class CardinalityError extends AdsStoreError {
  readonly code = 'CARDINALITY';

  constructor(
    readonly expected: string,
    readonly actual: number,
  ) {
    super(`expected ${expected} row, got ${actual}`);
  }
}

/** The only row; throws CardinalityError when there are none or several. */
export function one<T>(rows: readonly T[]): T {
  if (rows.length !== 1) throw new CardinalityError('exactly one', rows.length);
  return rows[0]!;
}

/** The only row or null; throws CardinalityError when there are several. */
export function maybeOne<T>(rows: readonly T[]): T | null {
  if (rows.length > 1) throw new CardinalityError('at most one', rows.length);
  return rows[0] ?? null;
}
