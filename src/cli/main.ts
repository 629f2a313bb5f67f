import { parseArgs } from 'node:util';
import { createPool } from '../db/pool.js';
import { migrate } from '../db/migrate.js';
import { provideServer } from '../db/server.js';
import { DEFAULT_WAIT_TIMEOUT_MS, IngestError, ingestFiles } from '../ingest/ingest.js';
import { DEFAULT_MAX_LINE_BYTES } from '../ingest/lines.js';
import { PIVOT_TYPES, REPORT_FIELDS, REPORT_NAMES, ReportError, runReport, type ReportName, type ReportOptions } from '../reports/reports.js';
import { formatRows, OUTPUT_FORMATS, type OutputFormat } from './format.js';

/**
 * The ads-store command line. Exit status: 0 success, 1 failure, 2 usage error;
 * results on stdout, diagnostics on stderr.
 */

const USAGE = `Usage:
  ads-store ingest FILE... [--no-wait] [--wait-timeout SECONDS] [--max-line-bytes N]
  ads-store report NAME [--account ID] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--format json|csv|table]
                        [--campaign ID] [--pivot PIVOT] [--limit N]

ingest: LinkedIn Ads export files (NDJSON, plain or .gz), each file in one transaction.
  --no-wait               fail at once when another ingest holds the account
  --wait-timeout SECONDS  wait at most this long for another ingest (default ${DEFAULT_WAIT_TIMEOUT_MS / 1000})
  --max-line-bytes N      longest line accepted (default ${DEFAULT_MAX_LINE_BYTES})

report: NAME is one of ${REPORT_NAMES.join(', ')}.
  --account ID            the account (every report but accounts; optional for syncs)
  --from, --to            the inclusive date range (default: the 30 days ending today, UTC)
  --format                json (one array), csv or table (the default)
  --campaign ID           creatives and daily: one campaign only
  --pivot PIVOT           demographics: ${PIVOT_TYPES.join(', ')}
  --limit N               syncs: at most N rows, newest first (default 20)

Database: DATABASE_URL, else an embedded PostgreSQL kept in .ads-store/embedded.`;

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) throw new UsageError('a command is needed');
  if (command === '--help' || command === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (command === 'report') return report(rest);
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

async function report(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      account: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      format: { type: 'string', default: 'table' },
      campaign: { type: 'string' },
      pivot: { type: 'string' },
      limit: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('report takes one NAME');
  const name = positionals[0]!;
  if (!(REPORT_NAMES as readonly string[]).includes(name)) {
    throw new UsageError(`unknown report ${JSON.stringify(name)} (one of: ${REPORT_NAMES.join(', ')})`);
  }
  const format = values.format as OutputFormat;
  if (!OUTPUT_FORMATS.includes(format)) throw new UsageError(`--format takes json, csv or table, not ${JSON.stringify(values.format)}`);
  const options: ReportOptions = {
    ...(values.account !== undefined && { accountId: values.account }),
    ...(values.from !== undefined && { from: values.from }),
    ...(values.to !== undefined && { to: values.to }),
    ...(values.pivot !== undefined && { pivot: values.pivot }),
    ...(values.campaign !== undefined && { campaignId: positiveInteger(values.campaign, '--campaign')! }),
    ...(values.limit !== undefined && { limit: positiveInteger(values.limit, '--limit')! }),
  };

  const server = await provideServer({ containers: false });
  const pool = createPool(server.url, { max: 2 });
  try {
    if (server.source === 'embedded') await migrate(server.url, 'up');
    const rows = await runReport(pool, name, options);
    process.stdout.write(formatRows(rows, REPORT_FIELDS[name as ReportName], format));
    return 0;
  } catch (error) {
    if (error instanceof ReportError) {
      process.stderr.write(`ads-store: ${error.message}\n`);
      return 1;
    }
    throw error;
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
