import type { Queryable } from '../db/queryable.js';
import { SQLSTATE, sqlState } from '../db/sqlstate.js';
import { setLockTimeout, setSessionLockTimeout } from '../generated/locks.queries.js';
import { LockTimeoutError } from './errors.js';

/**
 * The one way this library waits for a lock: at most `timeoutMs`, or not at all
 * (0: `tryLock` once). The wait is bounded by PostgreSQL's lock_timeout (55P03),
 * set for the transaction (`scope: 'transaction'`, gone at its end) or for the
 * session and reset right after (a lock waited for outside any transaction).
 * Throws LockTimeoutError naming `what`.
 */
export async function lockWithTimeout(
  db: Queryable,
  lock: {
    what: string;
    timeoutMs: number;
    scope: 'transaction' | 'session';
    /** Takes the lock, waiting (bounded by lock_timeout). */
    wait: () => Promise<unknown>;
    /** Takes the lock if free; resolves to what is held by others (none: taken). */
    tryLock: () => Promise<string | null>;
  },
): Promise<void> {
  if (lock.timeoutMs <= 0) {
    const busy = await lock.tryLock();
    if (busy !== null) throw new LockTimeoutError(busy, 'no-wait');
    return;
  }
  const setTimeout = lock.scope === 'transaction' ? setLockTimeout : setSessionLockTimeout;
  await setTimeout.run({ timeout: `${lock.timeoutMs}ms` }, db);
  try {
    await lock.wait();
  } catch (error) {
    if (sqlState(error) === SQLSTATE.LOCK_NOT_AVAILABLE) throw new LockTimeoutError(lock.what, lock.timeoutMs);
    throw error;
  } finally {
    // A failed wait aborted the transaction: its setting ends with it (and a
    // statement now would fail), so only a session setting is reset.
    if (lock.scope === 'session') await setTimeout.run({ timeout: '0' }, db);
  }
  if (lock.scope === 'transaction') await setTimeout.run({ timeout: '0' }, db);
}
