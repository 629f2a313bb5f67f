import { AdsStoreError } from '../../errors.js';

/** A request LinkedIn refused or could not answer (after the retries it deserved). */
export class LinkedInApiError extends AdsStoreError {
  readonly code = 'LINKEDIN_API';

  constructor(
    message: string,
    /** The HTTP status, or 0 when no response came (a network error). */
    readonly status: number,
    /** LinkedIn's error code from the body (e.g. ACCESS_DENIED), when it sent one. */
    readonly apiCode: string | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The API version sent is not (or no longer) served: 426 NONEXISTENT_VERSION. */
export class ApiVersionError extends AdsStoreError {
  readonly code = 'LINKEDIN_API_VERSION';

  constructor(readonly version: string) {
    super(`LinkedIn API version ${version} is not served (426 NONEXISTENT_VERSION): choose a current monthly version (apiVersion, YYYYMM)`);
  }
}

/**
 * The daily call limit is spent (a 429 naming the DAY limit). Retrying before the
 * reset only spends more of tomorrow's: nothing is retried, and the sync says when
 * it can resume.
 */
export class DailyQuotaError extends AdsStoreError {
  readonly code = 'LINKEDIN_DAILY_QUOTA';

  constructor(readonly resumesAt: Date) {
    super(`the LinkedIn API's daily call limit is spent; it resets at ${resumesAt.toISOString().replace('.000', '')} (00:00 UTC)`);
  }
}

/** No credentials, or credentials refused (401 after a refresh, a refresh grant that failed). */
export class LinkedInAuthError extends AdsStoreError {
  readonly code = 'LINKEDIN_AUTH';

  constructor(
    message: string,
    /** True when no credentials were given at all. */
    readonly missing = false,
  ) {
    super(message);
  }
}
