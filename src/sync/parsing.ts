import type { Writable } from 'node:stream';
import { ParsePool } from '../ingest/parse-pool.js';
import type { ParseFailure } from '../ingest/parse-worker.js';
import { LinkedInApiError } from '../linkedin/api/errors.js';
import type { AnalyticsParser, AnalyticsResponse, ParsedAnalytics } from '../linkedin/api/pull.js';
import type { EncodedRows, StagingWriter } from '../store/staged.js';
import { InvalidValueError } from '../values.js';

/**
 * Analytics bodies at least this large go to a worker by default (SyncOptions.parseWorkers):
 * a smaller one parses here in under ~2 ms, less than handing it over costs.
 */
export const WORKER_MIN_BYTES = 256 << 10;

/** Where an account's analytics go once parsed; `after` runs once its rows are staged. */
export interface AnalyticsTarget {
  /** The account's current writer (a new one after each merged part), or null when not storing. */
  writer: () => StagingWriter | null;
  /** Stages a response's rows (some days may go straight into their tables). */
  add: (rows: EncodedRows) => Promise<void>;
  /** The account's --out part, or null. */
  archive: Writable | null;
  /** Numbers the next `count` elements of the account (their staging `line`): the first one. */
  number: (count: number) => number;
  after: () => Promise<void>;
}

/**
 * The parse workers of a sync: large analytics responses (up to 15,000 elements)
 * are parsed, mapped and encoded on a worker thread (src/ingest/parse-worker.ts,
 * the ingest's worker and mapping), so that this thread, which starts the requests,
 * is never held up by one: on a busy 2-core machine, parsing here delayed each
 * next request by the parse under way. Started on first use; close() stops them.
 */
export class AnalyticsParsing {
  private pool: ParsePool | null = null;

  /** workers: 0 parses every body here; a number parses every body on that many workers; undefined, bodies of WORKER_MIN_BYTES or more on one. */
  constructor(private readonly workers: number | undefined) {}

  /** The parser of one account's analytics (AccountPull's parseAnalytics hook). */
  parser(accountId: number, target: AnalyticsTarget) {
    return async (body: ArrayBuffer, response: AnalyticsResponse, here: AnalyticsParser): Promise<ParsedAnalytics> => {
      const pool = this.poolFor(body.byteLength);
      if (!pool) return here(body, response);
      // Each element gets a number of its own: one emitted holds fewer than cap.
      const firstLine = target.number(response.cap);
      const record = `LinkedIn account ${accountId}, adAnalytics ${response.pivot} ${response.window.from}..${response.window.to}`;
      const writer = target.writer();
      const result = await pool.analytics({
        kind: 'analytics',
        body,
        pivot: response.pivot,
        account: response.account,
        cap: response.cap,
        stage: writer !== null,
        archive: target.archive !== null,
        firstLine,
        record,
      });
      if (result.failure) throw failureError(result.failure, record);
      return {
        elements: result.elements,
        emit: async () => {
          if (result.archive) target.archive!.write(result.archive);
          // The writer of now: a part may have been merged while this body was parsed.
          if (result.rows) await target.add(result.rows);
          await target.after();
        },
      };
    };
  }

  async close(): Promise<void> {
    await this.pool?.close();
  }

  private poolFor(bytes: number): ParsePool | null {
    if (this.workers === 0 || (this.workers === undefined && bytes < WORKER_MIN_BYTES)) return null;
    return (this.pool ??= new ParsePool(this.workers ?? 1));
  }
}

/** A worker's failure as the error the same element fails with when mapped here. */
function failureError(failure: ParseFailure, record: string): Error {
  const { invalid } = failure;
  if (invalid) return new InvalidValueError(invalid.record, invalid.field, invalid.value, invalid.reason);
  if (failure.line === 0) return new LinkedInApiError(`${record}: the response is not valid JSON (${failure.message})`, 200, null);
  return new Error(`${record}, element ${failure.line}: ${failure.message}`);
}
