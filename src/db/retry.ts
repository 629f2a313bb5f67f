import { SQLSTATE, sqlState } from './sqlstate.js';

/**
 * Transactions that PostgreSQL aborted to break a deadlock (40P01) or a
 * serialization conflict (40001) are safe to run again from the start: nothing of
 * theirs was committed. The write path takes its locks in one global order, so
 * neither should happen; this is the bounded net under that claim.
 */
export const RETRYABLE_SQLSTATES: ReadonlySet<string> = new Set([SQLSTATE.DEADLOCK_DETECTED, SQLSTATE.SERIALIZATION_FAILURE]);

export interface RetryOptions {
  /** Runs at most this many times in all (default 4). */
  attempts?: number | undefined;
  /** Told before each new attempt. */
  onRetry?: ((error: unknown, attempt: number) => void) | undefined;
}

/** Whether a failure of a whole transaction may be run again from the start. */
export const isRetryable = (error: unknown): boolean => RETRYABLE_SQLSTATES.has(sqlState(error) ?? '');

/** Runs `work`, again after a short random pause when it fails with a retryable SQLSTATE: the one retry policy. */
export async function retryOnConflict<T>(work: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 4;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= attempts || !isRetryable(error)) throw error;
      options.onRetry?.(error, attempt);
      // Jitter keeps two retried transactions from meeting again in lock step.
      await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt + Math.random() * 100));
    }
  }
}
