import { appendFile, writeFile } from 'node:fs/promises';
import { Command } from 'commander';
import { createPool } from '../../db/pool.js';
import { redactSecrets } from '../../db/server.js';
import { DEFAULT_WAIT_TIMEOUT_MS, IngestError, ingestFile, type IngestResult } from '../../ingest/ingest.js';
import { DEFAULT_MAX_LINE_BYTES } from '../../ingest/lines.js';
import { withCliDatabase } from '../database.js';
import { positiveInteger, seconds } from '../arguments.js';
import { fileProgress } from '../progress.js';

export interface IngestCommandOptions {
  wait: boolean;
  waitTimeout?: number;
  maxLineBytes: number;
  skipInvalid?: boolean;
  rejects?: string;
}

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
      const failed = await withCliDatabase({}, async ({ url }) => ingestAll(url, files, options));
      if (failed > 0) process.exitCode = 1;
    });
}

/** Ingests the files one by one with progress; prints a summary per file; resolves to the number that failed. */
export async function ingestAll(url: string, files: readonly string[], options: IngestCommandOptions): Promise<number> {
  const pool = createPool(url, { max: 4 });
  let failed = 0;
  let rejectsStarted = false;
  try {
    for (const file of files) {
      const progress = await fileProgress(file);
      let result: IngestResult;
      try {
        result = await ingestFile(pool, file, {
          waitTimeoutMs: options.wait === false ? 0 : Math.round((options.waitTimeout ?? DEFAULT_WAIT_TIMEOUT_MS / 1000) * 1000),
          maxLineBytes: options.maxLineBytes,
          onProgress: (p) => progress.update(p),
          skipInvalid: options.skipInvalid ?? false,
        });
      } catch (error) {
        progress.stop();
        if (!(error instanceof IngestError)) throw error;
        failed += 1;
        process.stderr.write(`ingest failed: ${redactSecrets(error.message)}\n`);
        continue;
      }
      progress.stop();
      process.stdout.write(`${result.file}: ${result.lines} lines, sync ${result.syncId} (${result.accountId}): ${writtenPerTable(result)}\n`);
      if (options.skipInvalid) {
        const target = options.rejects ?? `${file}.rejects.ndjson`;
        // One JSON object per rejected line; several inputs with one --rejects append to it.
        const text = result.rejected.map((r) => `${JSON.stringify({ file, line: r.line, reason: r.reason, text: r.text })}\n`).join('');
        if (options.rejects && rejectsStarted) await appendFile(target, text);
        else await writeFile(target, text);
        rejectsStarted = true;
        process.stdout.write(`${file}: ${result.rejected.length} invalid line${result.rejected.length === 1 ? '' : 's'} skipped → ${target}\n`);
      }
    }
  } finally {
    await pool.end();
  }
  return failed;
}

/** "table +inserted ~updated" for every table the ingest wrote. */
export function writtenPerTable(result: IngestResult): string {
  return Object.entries(result.counts)
    .filter(([, value]) => typeof value === 'object' && value !== null && !Array.isArray(value))
    .map(([table, value]) => `${table} +${(value as { inserted: number }).inserted} ~${(value as { updated: number }).updated}`)
    .join(', ');
}
