import type { Queryable } from '../db/queryable.js';
import { maybeOne, one } from '../db/queryable.js';
import {
  failStaleRunningSync as failStaleRunningSyncQuery,
  finishSync as finishSyncQuery,
  getRunningSync,
  getLastSyncedRange as getLastSyncedRangeQuery,
  insertFailedSync,
  getSyncById,
  listSyncs as listSyncsQuery,
  startSync as startSyncQuery,
  type IGetSyncByIdResult,
} from '../generated/sync_log.queries.js';
import { checkCount, InvalidValueError } from '../values.js';
import { AdsStoreError } from '../errors.js';
import { SQLSTATE, sqlState } from '../db/sqlstate.js';
import { typedConnection } from '../db/typed-connection.js';

export type SyncRun = IGetSyncByIdResult;
export type SyncStatus = 'running' | 'success' | 'failed';
/** The days a sync fetched from the API (inclusive, YYYY-MM-DD). */
export interface SyncRange {
  from: string;
  to: string;
}

/** Thrown when a sync is started for an account_id value that already has one running. */
export class SyncAlreadyRunningError extends AdsStoreError {
  readonly code = 'SYNC_ALREADY_RUNNING';

  constructor(readonly accountId: string) {
    super(`a sync for account ${accountId} is already running`);
  }
}

/** Records a new running sync. Throws SyncAlreadyRunningError when one runs for accountId. */
export async function startSync(
  db: Queryable,
  run: { accountId: string; trigger?: string | null | undefined; range?: SyncRange | undefined },
): Promise<SyncRun> {
  if (run.accountId === '') throw new InvalidValueError('sync_log', 'account_id', run.accountId, 'is empty');
  try {
    return one(await startSyncQuery.run({ accountId: run.accountId, trigger: run.trigger ?? null, dateFrom: run.range?.from ?? null, dateTo: run.range?.to ?? null }, typedConnection(db)));
  } catch (error) {
    const { constraint } = error as { constraint?: string };
    if (sqlState(error) === SQLSTATE.UNIQUE_VIOLATION && constraint === 'sync_log_one_running_idx') {
      throw new SyncAlreadyRunningError(run.accountId);
    }
    throw error;
  }
}

/** Ends a running sync as 'success' or 'failed'; resolves to null when it was not running. */
export async function finishSync(
  db: Queryable,
  run: {
    id: number;
    status: Exclude<SyncStatus, 'running'>;
    campaignsFetched?: number | undefined;
    creativesFetched?: number | undefined;
    apiCallsMade?: number | undefined;
    errors?: string | null | undefined;
  },
): Promise<SyncRun | null> {
  const record = `sync_log ${run.id}`;
  return maybeOne(
    await finishSyncQuery.run(
      {
        id: run.id,
        status: run.status,
        campaignsFetched: checkCount(run.campaignsFetched ?? 0, record, 'campaigns_fetched'),
        creativesFetched: checkCount(run.creativesFetched ?? 0, record, 'creatives_fetched'),
        apiCallsMade: checkCount(run.apiCallsMade ?? 0, record, 'api_calls_made'),
        errors: run.errors ?? null,
      },
      typedConnection(db),
    ),
  );
}

/**
 * Marks failed the running sync of an account_id value whose writer is gone; only
 * the holder of that value's sync lock may call it (a live writer would hold it).
 * Resolves to the ids it ended.
 */
export async function failStaleRunningSyncs(db: Queryable, accountId: string): Promise<number[]> {
  return (await failStaleRunningSyncQuery.run({ accountId }, typedConnection(db))).map((row) => row.id);
}

/** Records a sync that failed before it could run (bad input, a lock wait that timed out). */
export async function recordFailedSync(
  db: Queryable,
  run: { accountId: string; trigger?: string | null | undefined; apiCallsMade?: number | undefined; errors: string; range?: SyncRange | undefined },
): Promise<SyncRun> {
  const apiCallsMade = checkCount(run.apiCallsMade ?? 0, `sync_log of ${run.accountId}`, 'api_calls_made');
  return one(
    await insertFailedSync.run(
      { accountId: run.accountId, trigger: run.trigger ?? null, apiCallsMade, errors: run.errors, dateFrom: run.range?.from ?? null, dateTo: run.range?.to ?? null },
      typedConnection(db),
    ),
  );
}

/** The sync with this id, or null. */
export async function getSync(db: Queryable, id: number): Promise<SyncRun | null> {
  return maybeOne(await getSyncById.run({ id }, typedConnection(db)));
}

/** The running sync of this account_id value ('all' included), or null. */
export async function getRunningSyncFor(db: Queryable, accountId: string): Promise<SyncRun | null> {
  return maybeOne(await getRunningSync.run({ accountId }, typedConnection(db)));
}

/** The last day the newest successful API sync of this account_id value fetched, and the day it ran; or null. */
export async function getLastSyncedRange(db: Queryable, accountId: string): Promise<{ dateTo: string; ranOn: string } | null> {
  return maybeOne(await getLastSyncedRangeQuery.run({ accountId }, typedConnection(db)));
}

/** Syncs newest first, at most `limit` (default 20), of one account_id value or of all. */
export async function listSyncs(
  db: Queryable,
  query: { accountId?: string | null; limit?: number } = {},
): Promise<SyncRun[]> {
  const limit = query.limit ?? 20;
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new InvalidValueError('sync_log query', 'limit', limit, 'is not a positive integer');
  }
  return listSyncsQuery.run({ accountId: query.accountId ?? null, limit }, typedConnection(db));
}
