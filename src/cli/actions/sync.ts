import cliProgress from 'cli-progress';
import { createPool } from '../../db/pool.js';
import { redactSecrets } from '../../db/urls.js';
import { DEFAULT_WAIT_TIMEOUT_MS } from '../../ingest/defaults.js';
import { syncAccounts, syncPoolSize, type AccountSyncEvent, type AccountSyncResult, type SyncOptions } from '../../sync/sync.js';
import { withCliDatabase } from '../database.js';
import { cliMessage } from '../errors.js';
import { interrupted, stoppable, throwIfInterrupted } from '../interrupt.js';
import { writtenPerTable } from './ingest.js';

/** The sync command's options, as commander parsed them. */
export interface SyncCommandOptions {
  account?: number[] | undefined;
  from?: string | undefined;
  to?: string | undefined;
  lookback: number;
  pivots?: string[] | undefined;
  trigger?: string | undefined;
  out?: string | undefined;
  store: boolean;
  apiVersion?: string | undefined;
  concurrency?: number | undefined;
  wait: boolean;
  waitTimeout?: number | undefined;
}

export async function syncAction(options: SyncCommandOptions): Promise<void> {
  const run = async (url: string | null) => stoppable(() => syncAll(url, options));
  const failed = options.store ? await withCliDatabase({}, ({ url }) => run(url)) : await run(null);
  throwIfInterrupted();
  if (failed > 0) process.exitCode = 1;
}

/** The CLI's pool at most, whatever --concurrency: more accounts than it holds then store in turns. */
const MAX_SYNC_CONNECTIONS = 21;

/** Syncs with a progress bar per account; prints a line per account; resolves to the number that failed. */
async function syncAll(url: string | null, options: SyncCommandOptions): Promise<number> {
  // Every account under way stores at once, up to a bound a server's default max_connections (100) leaves room beside.
  const pool = url ? createPool(url, { max: Math.min(syncPoolSize(options.concurrency), MAX_SYNC_CONNECTIONS) }) : null;
  const progress = syncProgress();
  const syncOptions: SyncOptions = {
    accounts: options.account,
    from: options.from,
    to: options.to,
    lookbackDays: options.lookback,
    pivots: options.pivots,
    trigger: options.trigger ?? null,
    store: options.store,
    out: options.out,
    apiVersion: options.apiVersion, // commander read LINKEDIN_API_VERSION and checked its form
    concurrency: options.concurrency,
    waitTimeoutMs: options.wait === false ? 0 : Math.round((options.waitTimeout ?? DEFAULT_WAIT_TIMEOUT_MS / 1000) * 1000),
    signal: interrupted,
    onProgress: (p) => progress.update(p.accountId, p.done, p.planned),
    onAccount: (event) => progress.account(event),
  };
  try {
    const results = await syncAccounts(pool, syncOptions);
    progress.stop();
    for (const result of results) process.stdout.write(`${describe(result)}\n`);
    return results.filter((result) => result.status === 'failed').length;
  } finally {
    progress.stop();
    await pool?.end();
  }
}

function describe(result: AccountSyncResult): string {
  const head = `account ${result.accountId} ${result.from}..${result.to}`;
  const calls = `${result.apiCallsMade} request${result.apiCallsMade === 1 ? '' : 's'}`;
  if (result.status === 'failed') {
    const message = cliMessage(result.error!);
    return `${head}: failed after ${calls}${result.syncId === null ? '' : `, sync ${result.syncId}`}: ${redactSecrets(message)}`;
  }
  if (result.upToDate) return `account ${result.accountId}: up to date, its days up to ${result.to} synced already (nothing fetched)`;
  const written = result.counts ? `: ${writtenPerTable(result.counts)}` : '';
  return `${head}: ${result.campaignsFetched} campaigns, ${result.creativesFetched} creatives, ${calls}${result.syncId === null ? '' : `, sync ${result.syncId}`}${written}`;
}

/**
 * Progress on stderr: on a terminal a bar per account (requests answered of those
 * planned so far, which grows as pages and windows are found); otherwise a line per
 * account as it starts and ends, so logs stay readable.
 */
function syncProgress(stream: NodeJS.WriteStream = process.stderr) {
  const tty = stream.isTTY === true;
  const multi = tty ? new cliProgress.MultiBar({ stream, format: 'account {account} [{bar}] {value}/{total} requests', hideCursor: true, clearOnComplete: false }, cliProgress.Presets.shades_classic) : null;
  const bars = new Map<number, cliProgress.SingleBar>();
  let stopped = false;
  return {
    account(event: AccountSyncEvent) {
      if (event.state === 'started') {
        if (multi) bars.set(event.accountId, multi.create(1, 0, { account: event.accountId }));
        else stream.write(`account ${event.accountId}: syncing ${event.from}..${event.to}\n`);
      } else if (!multi) {
        stream.write(`account ${event.accountId}: ${event.result.status} (${event.result.apiCallsMade} requests)\n`);
      }
    },
    update(accountId: number, done: number, planned: number) {
      const bar = bars.get(accountId);
      if (!bar) return;
      bar.setTotal(Math.max(1, planned));
      bar.update(done);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      multi?.stop();
    },
  };
}
