import { Command } from 'commander';
import { DEFAULT_MAX_LINE_BYTES, DEFAULT_WAIT_TIMEOUT_MS } from '../../ingest/defaults.js';
import type { IngestCommandOptions } from '../actions/ingest.js';
import { positiveInteger, seconds } from '../arguments.js';

export function ingestCommand(): Command {
  return new Command('ingest')
    .description('ingest LinkedIn Ads export files (NDJSON, plain or .gz), each file in one transaction')
    .argument('<files...>', 'export files')
    .option('--no-wait', 'fail at once when another ingest holds the account')
    .option('--wait-timeout <seconds>', `wait at most this long for another ingest (default ${DEFAULT_WAIT_TIMEOUT_MS / 1000})`, seconds)
    .option('--max-line-bytes <n>', 'longest line accepted', positiveInteger, DEFAULT_MAX_LINE_BYTES)
    .option('--skip-invalid', 'commit the valid lines; write each invalid one, with its reason, to the rejects file')
    .option('--rejects <file>', 'the rejects file of --skip-invalid, NDJSON (default: FILE.rejects.ndjson beside each input)')
    .addHelpText('after', '\nDATABASE_URL (migrated by its operators), else the embedded PostgreSQL (migrated first).\nExit 0 when every file was ingested, 1 when any failed.')
    .action(async (files: string[], options: IngestCommandOptions, command: Command) => {
      if (options.rejects && !options.skipInvalid) command.error('error: --rejects goes with --skip-invalid', { exitCode: 2 });
      await (await import('../actions/ingest.js')).ingestAction(files, options);
    });
}
