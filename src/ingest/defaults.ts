/** Defaults of an ingest, apart from its code so that the CLI's help needs nothing heavy. */

/** How long an ingest waits for another ingest of the same account (ms). */
export const DEFAULT_WAIT_TIMEOUT_MS = 300_000;
/** The longest line accepted (bytes). */
export const DEFAULT_MAX_LINE_BYTES = 1 << 20;
