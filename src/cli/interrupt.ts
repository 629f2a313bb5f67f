/**
 * Ctrl-C and SIGTERM for every command. During work run by `stoppable` (an ingest)
 * the first signal aborts `interrupted`: the work stops, rolls back and records why;
 * the command then says "interrupted" and exits 130 / 143. Any other command, work
 * that does not unwind within the grace period, or a second signal: the registered
 * cleanups (the embedded server's lease) run and the process exits at once. Kept apart from database.ts so that
 * main.ts loads nothing heavy before a command is chosen.
 */

import { AdsStoreError } from '../errors.js';

/** Thrown (as the abort reason) when Ctrl-C or SIGTERM stops a command: exit 130 / 143. */
export class InterruptedError extends AdsStoreError {
  readonly code = 'INTERRUPTED';

  constructor(readonly exitCode: number) {
    super('interrupted');
  }
}

const interruption = new AbortController();
/** Aborted by Ctrl-C or SIGTERM: long work (an ingest) stops at once, rolls back, and records why. */
export const interrupted: AbortSignal = interruption.signal;

export type Cleanup = () => Promise<void>;
/** What a forced exit runs first: give the embedded server back. */
export const cleanups = new Set<Cleanup>();

// Work that has not unwound this long after a signal is abandoned: the server is
// given back and the process exits (an ingest cancels its statements within ms).
const GRACE_MS = 15_000;

// Work that stops by itself on `interrupted` (an ingest) is waited for; any other
// command (a report, a sample, a migration) is stopped at once.
let cooperating = 0;

/** Runs work that stops, rolls back and records why on `interrupted`: a signal waits for it. */
export async function stoppable<T>(work: () => Promise<T>): Promise<T> {
  cooperating += 1;
  try {
    return await work();
  } finally {
    cooperating -= 1;
  }
}

function onSignal(code: number): void {
  if (interrupted.aborted || cooperating === 0) return forceExit(code); // a second Ctrl-C: do not wait
  interruption.abort(new InterruptedError(code));
  setTimeout(() => forceExit(code), GRACE_MS).unref();
}
process.on('SIGINT', () => onSignal(130));
process.on('SIGTERM', () => onSignal(143));

function forceExit(code: number): void {
  process.stderr.write('ads-store: interrupted\n');
  void Promise.allSettled([...cleanups].map((cleanup) => cleanup())).then(() => process.exit(code));
}

/** Throws the interruption if Ctrl-C or SIGTERM came. */
export function throwIfInterrupted(): void {
  if (interrupted.aborted) throw interrupted.reason;
}

