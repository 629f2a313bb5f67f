import { AdsStoreError } from '../errors.js';

// The errors of the store's writes, apart from apply.ts so that locks.ts can throw them too.

/** A staged row refers to a parent that is neither in the write nor stored. */
export class UnknownReferenceError extends AdsStoreError {
  readonly code = 'UNKNOWN_REFERENCE';

  constructor(
    /** Where the row came from: `file:line`, `campaigns[3]`, … */
    readonly record: string,
    /** The field holding the reference, in the caller's terms. */
    readonly field: string,
    readonly value: string,
    /** The staged row's line (file line for ingests, list index for writeBatch). */
    readonly line: number,
    /** Which reference: 'campaign.account', 'creative.campaign', 'campaign_daily_metric.campaign', … */
    readonly reference: string,
  ) {
    super(`${record}: field ${field}: ${value}: no such ${reference.slice(reference.indexOf('.') + 1)} in this write or in the database`);
  }
}

/** Another writer holds an account's write lock past the wait allowed. */
export class LockTimeoutError extends AdsStoreError {
  readonly code = 'LOCK_TIMEOUT';

  constructor(
    /** What was locked: 'account 7', 'sync of account 7', … */
    readonly what: string,
    /** How long the write waited, or 'no-wait' when it was told not to. */
    readonly waitedMs: number | 'no-wait',
  ) {
    super(
      waitedMs === 'no-wait'
        ? `${what} is locked by another ingest (not waiting)`
        : `${what} is still locked by another ingest after waiting ${Math.round(waitedMs / 1000)} s`,
    );
  }
}
