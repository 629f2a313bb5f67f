import { Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_WAIT_TIMEOUT_MS } from '../../ingest/defaults.js';
import type { SyncCommandOptions } from '../actions/sync.js';
import { id, isoDate, positiveInteger, seconds } from '../arguments.js';


export function syncCommand(): Command {
  return new Command('sync')
    .description('fetch accounts from the LinkedIn Marketing API and store them, each account in one transaction')
    .option('--account <id...>', 'the accounts to sync (default: every account the token can read)', collectIds)
    .option('--from <date>', 'first day, YYYY-MM-DD (default: the last successful sync minus --lookback)', isoDate)
    .option('--to <date>', 'last day, YYYY-MM-DD (default: yesterday, UTC)', isoDate)
    .option('--lookback <days>', 'days fetched again before the last successful sync (LinkedIn restates recent days)', nonNegativeInteger, 30)
    .option('--pivots <pivots>', 'demographic pivots, comma-separated (default: the eight MEMBER_* pivots the store keeps)', pivotList)
    .option('--trigger <name>', 'sync_log.trigger of each account\'s row (e.g. cron)', 'manual')
    .option('--out <file>', 'also write what was fetched as an export file that ingest reads (.gz: gzip)')
    .option('--no-store', 'fetch and write --out only; store nothing (needs --from)')
    .addOption(new Option('--api-version <yyyymm>', 'the LinkedIn-Version header').env('LINKEDIN_API_VERSION').argParser(apiVersion))
    .option('--concurrency <n>', 'requests in flight at once (default 3)', positiveInteger)
    .option('--no-wait', 'fail an account at once when another sync or ingest holds it')
    .option('--wait-timeout <seconds>', `wait at most this long for another sync or ingest of an account (default ${DEFAULT_WAIT_TIMEOUT_MS / 1000})`, seconds)
    .addHelpText(
      'after',
      [
        '',
        'Credentials: LINKEDIN_ACCESS_TOKEN, or LINKEDIN_CLIENT_ID + LINKEDIN_CLIENT_SECRET + LINKEDIN_REFRESH_TOKEN',
        '(exchanged for an access token when there is none or it is rejected). LINKEDIN_API_BASE_URL overrides',
        'https://api.linkedin.com/rest/. Tokens never appear in output, errors or the sync log.',
        'DATABASE_URL (migrated by its operators), else the embedded PostgreSQL (migrated first).',
        'Exit 0 when every account was synced, 1 when any failed.',
      ].join('\n'),
    )
    .action(async (options: SyncCommandOptions, command: Command) => {
      if (!options.store && !options.out) command.error('error: --no-store needs --out (there would be nothing to show for the sync)', { exitCode: 2 });
      if (!options.store && !options.from) command.error('error: --no-store needs --from (without the database there is no last sync to start from)', { exitCode: 2 });
      if (options.from && options.to && options.from > options.to) command.error(`error: --from ${options.from} is after --to ${options.to}`, { exitCode: 2 });
      await (await import('../actions/sync.js')).syncAction(options);
    });
}

function collectIds(text: string, previous: number[] | undefined): number[] {
  return [...(previous ?? []), id(text)];
}

function nonNegativeInteger(text: string): number {
  if (text === '0') return 0;
  return positiveInteger(text);
}

function pivotList(text: string): string[] {
  const pivots = text.split(',').map((pivot) => pivot.trim().toUpperCase());
  for (const pivot of pivots) {
    if (!/^MEMBER_[A-Z_0-9]+$/.test(pivot)) throw new InvalidArgumentError(`${JSON.stringify(pivot)} is not a MEMBER_* pivot`);
  }
  return pivots;
}

function apiVersion(text: string): string {
  if (!/^\d{6}$/.test(text)) throw new InvalidArgumentError(`${JSON.stringify(text)} is not a LinkedIn API version (YYYYMM)`);
  return text;
}
