import { appendFile, writeFile } from 'node:fs/promises';
import { createPool } from '../../db/pool.js';
import { redactSecrets } from '../../db/urls.js';
import { DEFAULT_WAIT_TIMEOUT_MS } from '../../ingest/defaults.js';
import { IngestError, ingestFile, type IngestResult } from '../../ingest/ingest.js';
import type { StagedWriteCounts } from '../../store/apply.js';
import { withCliDatabase } from '../database.js';
import { interrupted, stoppable, throwIfInterrupted } from '../interrupt.js';
import { fileProgress } from '../progress.js';
import { cliMessage } from '../errors.js';

export interface IngestCommandOptions {
  wait: boolean;
  waitTimeout?: number | undefined;
  maxLineBytes: number;
  skipInvalid?: boolean | undefined;
  rejects?: string | undefined;
}

export async function ingestAction(files: string[], options: IngestCommandOptions): Promise<void> {
  const failed = await withCliDatabase({}, async ({ url }) => stoppable(() => ingestAll(url, files, options)));
  if (failed > 0) process.exitCode = 1;
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
          signal: interrupted,
        });
      } catch (error) {
        progress.stop();
        throwIfInterrupted(); // Ctrl-C: no further files, and no "ingest failed" for this one
        if (!(error instanceof IngestError)) throw error;
        failed += 1;
        process.stderr.write(`ingest failed: ${redactSecrets(cliMessage(error))}\n`);
        continue;
      }
      progress.stop();
      process.stdout.write(`${result.file}: ${result.lines} lines, sync ${result.syncId} (${result.accountId}): ${writtenPerTable(result.counts)}\n`);
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

/** "table +inserted ~updated" for every table a write touched. */
export function writtenPerTable(counts: StagedWriteCounts): string {
  return Object.entries(counts)
    .filter(([, value]) => typeof value === 'object' && value !== null && !Array.isArray(value))
    .map(([table, value]) => `${table} +${(value as { inserted: number }).inserted} ~${(value as { updated: number }).updated}`)
    .join(', ');
}
