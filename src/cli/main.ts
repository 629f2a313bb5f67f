import { parseArgs } from 'node:util';
import { createPool } from '../db/pool.js';
import { migrate } from '../db/migrate.js';
import { provideServer } from '../db/server.js';
import { DEFAULT_WAIT_TIMEOUT_MS, IngestError, ingestFiles } from '../ingest/ingest.js';
import { DEFAULT_MAX_LINE_BYTES } from '../ingest/lines.js';

/**
 * The ads-store command line. Exit status: 0 success, 1 failure, 2 usage error;
 * results on stdout, diagnostics on stderr.
 */

const USAGE = `Usage: ads-store ingest FILE... [--no-wait] [--wait-timeout SECONDS] [--max-line-bytes N]

Ingests LinkedIn Ads export files (NDJSON, plain or .gz), each file in one transaction.
  --no-wait               fail at once when another ingest holds the account
  --wait-timeout SECONDS  wait at most this long for another ingest (default ${DEFAULT_WAIT_TIMEOUT_MS / 1000})
  --max-line-bytes N      longest line accepted (default ${DEFAULT_MAX_LINE_BYTES})

Database: DATABASE_URL, else an embedded PostgreSQL kept in .ads-store/embedded.`;

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) throw new UsageError('a command is needed');
  if (command === '--help' || command === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (command !== 'ingest') throw new UsageError(`unknown command: ${command}`);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      'no-wait': { type: 'boolean', default: false },
      'wait-timeout': { type: 'string' },
      'max-line-bytes': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('ingest needs at least one FILE');
  const waitTimeoutMs = values['no-wait'] ? 0 : seconds(values['wait-timeout'], DEFAULT_WAIT_TIMEOUT_MS);
  const maxLineBytes = positiveInteger(values['max-line-bytes'], '--max-line-bytes') ?? DEFAULT_MAX_LINE_BYTES;

  const server = await provideServer({ containers: false });
  const pool = createPool(server.url, { max: 4 });
  try {
    // The embedded database is this CLI's own: keep its schema current. A real
    // database is migrated by its operators (npm run migrate -- up).
    if (server.source === 'embedded') await migrate(server.url, 'up');
    const results = await ingestFiles(pool, positionals, { waitTimeoutMs, maxLineBytes });
    let failed = 0;
    for (const result of results) {
      if (result instanceof IngestError) {
        failed += 1;
        process.stderr.write(`ingest failed: ${result.message}\n`);
        continue;
      }
      const written = Object.entries(result.counts)
        .filter(([, value]) => typeof value === 'object' && value !== null && !Array.isArray(value))
        .map(([table, value]) => `${table} +${(value as { inserted: number }).inserted} ~${(value as { updated: number }).updated}`)
        .join(', ');
      process.stdout.write(`${result.file}: ${result.lines} lines, sync ${result.syncId} (${result.accountId}): ${written}\n`);
    }
    return failed === 0 ? 0 : 1;
  } finally {
    await pool.end();
    await server.stop();
  }
}

function seconds(text: string | undefined, fallbackMs: number): number {
  const value = text === undefined ? undefined : Number(text);
  if (value === undefined) return fallbackMs;
  if (!Number.isFinite(value) || value < 0) throw new UsageError(`--wait-timeout takes seconds (a number ≥ 0), not ${JSON.stringify(text)}`);
  return Math.round(value * 1000);
}

function positiveInteger(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value <= 0) throw new UsageError(`${flag} takes a positive integer, not ${JSON.stringify(text)}`);
  return value;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`ads-store: ${(error as Error).message}\n${usage ? `\n${USAGE}\n` : ''}`);
    process.exitCode = usage ? 2 : 1;
  },
);
