import { ApiVersionError, LinkedInAuthError } from '../linkedin/api/errors.js';
import { LockTimeoutError } from '../store/apply.js';

/**
 * An error's message in the command line's words. The library's errors name domain
 * things; where the fix is one of this command's flags, the message says which.
 */
export function cliMessage(error: Error): string {
  const lock = [error, error.cause].find((e): e is LockTimeoutError => e instanceof LockTimeoutError);
  if (lock?.waitedMs === 'no-wait') return error.message.replace('(not waiting)', '(not waiting: --no-wait)');
  if (lock) return `${error.message} (--wait-timeout SECONDS waits longer)`;
  if (error instanceof LinkedInAuthError && error.missing) {
    return 'no LinkedIn credentials: set LINKEDIN_ACCESS_TOKEN, or LINKEDIN_CLIENT_ID, LINKEDIN_CLIENT_SECRET and LINKEDIN_REFRESH_TOKEN';
  }
  if (error instanceof ApiVersionError) {
    return `LinkedIn API version ${error.version} is not served (426 NONEXISTENT_VERSION): set --api-version or LINKEDIN_API_VERSION to a current version (YYYYMM)`;
  }
  return error.message;
}
