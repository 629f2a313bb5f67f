import { LockTimeoutError } from '../store/apply.js';

/**
 * An error's message in the command line's words. The library's errors name domain
 * things; where the fix is one of this command's flags, the message says which.
 */
export function cliMessage(error: Error): string {
  const lock = [error, error.cause].find((e): e is LockTimeoutError => e instanceof LockTimeoutError);
  if (lock?.waitedMs === 'no-wait') return error.message.replace('(not waiting)', '(not waiting: --no-wait)');
  if (lock) return `${error.message} (--wait-timeout SECONDS waits longer)`;
  return error.message;
}
