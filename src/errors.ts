/**
 * The one base of every error this library throws on purpose. `code` is stable:
 * programs branch on it (the CLI maps it to an exit code and to its own flags'
 * words), while messages may improve. Errors name domain things (a record, a
 * field, an account), never a command-line flag.
 */
export abstract class AdsStoreError extends Error {
  /** Stable identifier of the kind of failure, e.g. 'INVALID_VALUE'. */
  abstract readonly code: AdsStoreErrorCode;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export type AdsStoreErrorCode =
  | 'INVALID_VALUE'
  | 'UNKNOWN_REFERENCE'
  | 'LOCK_TIMEOUT'
  | 'SYNC_ALREADY_RUNNING'
  | 'INGEST_FAILED'
  | 'REPORT_INVALID'
  | 'CARDINALITY'
  | 'EMBEDDED_UNAVAILABLE'
  | 'INTERRUPTED'
  | 'LINKEDIN_API'
  | 'LINKEDIN_API_VERSION'
  | 'LINKEDIN_DAILY_QUOTA'
  | 'LINKEDIN_AUTH'
  | 'SYNC_FAILED';

/** True for an error of this library (whatever realm or copy of the package threw it). */
export function isAdsStoreError(error: unknown): error is AdsStoreError {
  return error instanceof AdsStoreError;
}
