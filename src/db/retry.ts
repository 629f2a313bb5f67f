/**
 * Transactions that PostgreSQL aborted to break a deadlock (40P01) or a
 * serialization conflict (40001) are safe to run again from the start: nothing of
 * theirs was committed. The write path takes its locks in one global order, so
 * neither should happen; this is the bounded net under that claim.
 */
export const RETRYABLE_SQLSTATES = new Set(['40P01', '40001']);

export interface RetryOptions {
  /** Runs at most this many times in all (default 4). */
  attempts?: number | undefined;
  /** Told before each new attempt. */
  onRetry?: ((error: unknown, attempt: number) => void) | undefined;
}

/** The SQLSTATE of an error, or of the error it wraps (`cause`). */
export function sqlState(error: unknown): string | undefined {
  for (let e = error as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) return e.code;
  }
  return undefined;
}

/** Runs `work`, again after a short random pause when it fails with a retryable SQLSTATE. */
export async function retryOnConflict<T>(work: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 4;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= attempts || !RETRYABLE_SQLSTATES.has(sqlState(error) ?? '')) throw error;
      options.onRetry?.(error, attempt);
      // Jitter keeps two retried transactions from meeting again in lock step.
      await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt + Math.random() * 100));
    }
  }
}
