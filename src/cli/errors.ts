import { ApiVersionError, LinkedInAuthError } from '../linkedin/api/errors.js';
import { LockTimeoutError } from '../store/apply.js';

/**
 * An error's message in the command line's words. The library's errors name domain
 * things; where the fix is one of this command's flags, the message says which.
 */
export function cliMessage(error: Error): string {
  // The error itself, or one it wraps (an ingest's lock timeout, a sync that could not list its accounts).
  const chain: unknown[] = [];
  for (let e: unknown = error; e instanceof Error && chain.length < 5; e = e.cause) chain.push(e);
  const lock = chain.find((e): e is LockTimeoutError => e instanceof LockTimeoutError);
  if (lock?.waitedMs === 'no-wait') return error.message.replace('(not waiting)', '(not waiting: --no-wait)');
  if (lock) return `${error.message} (--wait-timeout SECONDS waits longer)`;
  const version = chain.find((e): e is ApiVersionError => e instanceof ApiVersionError);
  if (version) {
    return `LinkedIn API version ${version.version} is not served (426 NONEXISTENT_VERSION): set --api-version or LINKEDIN_API_VERSION to a current version (YYYYMM)`;
  }
  if (error instanceof LinkedInAuthError && error.missing) {
    return 'no LinkedIn credentials: set LINKEDIN_ACCESS_TOKEN, or LINKEDIN_CLIENT_ID, LINKEDIN_CLIENT_SECRET and LINKEDIN_REFRESH_TOKEN';
  }
  return error.message;
}
