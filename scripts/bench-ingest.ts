/**
 * `npm run bench:ingest`: write-path speed against a plain COPY, in one process on
 * one server (DATABASE_URL, else embedded PostgreSQL with default settings).
 *
 * For N daily metric rows (default 500,000; BENCH_ROWS overrides) it times:
 *   - COPY of the rows into the specification's plain tables (primary and foreign
 *     keys only: the reference every ratio is also given against);
 *   - COPY of the rows into the empty campaign_daily_metrics (the baseline);
 *   - writeBatch() of the already-mapped rows (the service's bulk upsert, under
 *     the ingest's account locks): first load, identical re-write, 1 % changed;
 *   - ingestFile() of the same rows as an NDJSON export, end to end: the same three;
 * and prints rows/s, the ratios to both COPYs (higher is faster; each write's ratio
 * to the plain COPY is paired: a plain COPY is timed just before each of its runs),
 * and the row versions each write produced. Then it ingests a 1,000,000-line file in a child process and
 * prints that process's peak RSS. It measures the compiled package (dist/, built by
 * `npm run bench:ingest`), as a service runs it: from the sources, every parse worker
 * of an ingest would first compile its modules with tsx.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { copyFrom, copyRow } from '../dist/db/copy.js';
import { createDatabase, dropDatabase, uniqueDatabaseName } from '../dist/provision/databases.js';
import { migrate } from '../dist/db/migrate.js';
import { createPool } from '../dist/db/pool.js';
import { provideServer } from '../dist/provision/server.js';
import { ingestFile } from '../dist/ingest/ingest.js';
import { writeBatch } from '../dist/store/apply.js';
import type { CampaignDailyMetricInput } from '../dist/store/metrics.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 500_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const RSS_LINES = Number(process.env.BENCH_RSS_LINES ?? 1_000_000);
const ACCOUNTS = 10;
const CAMPAIGNS = 1_000;

/** The i-th row of a deterministic data set: CAMPAIGNS campaigns × consecutive days. */
function row(i: number, changed: boolean): CampaignDailyMetricInput {
  const day = Math.floor(i / CAMPAIGNS);
  const date = new Date(Date.UTC(2022, 0, 1 + day)).toISOString().slice(0, 10);
  const impressions = 1000 + ((i * 7919) % 50_000) + (changed && i % 100 === 0 ? 1 : 0);
  return {
    campaign_id: 1 + (i % CAMPAIGNS),
    date,
    impressions,
    clicks: impressions % 97,
    spend: `${(impressions % 9973) / 100}`,
    landing_page_clicks: impressions % 13,
    conversions: impressions % 5,
    likes: impressions % 7,
    comments: impressions % 3,
    shares: impressions % 2,
    follows: 0,
    leads: impressions % 11 === 0 ? 1 : 0,
    opens: 0,
    sends: 0,
  };
}

const METRIC_COLUMNS = ['impressions', 'clicks', 'spend', 'landing_page_clicks', 'conversions', 'likes', 'comments', 'shares', 'follows', 'leads', 'opens', 'sends'] as const;

function analyticsLine(r: CampaignDailyMetricInput): string {
  const [year, month, day] = r.date.split('-').map(Number);
  const d = { year, month, day };
  return JSON.stringify({
    adAnalytics: {
      dateRange: { start: d, end: d },
      pivotValues: [`urn:li:sponsoredCampaign:${r.campaign_id}`],
      impressions: r.impressions, clicks: r.clicks, costInLocalCurrency: r.spend, landingPageClicks: r.landing_page_clicks,
      externalWebsiteConversions: r.conversions, likes: r.likes, comments: r.comments, shares: r.shares, follows: r.follows,
      oneClickLeads: r.leads, opens: r.opens, sends: r.sends,
    },
    pivot: 'CAMPAIGN',
  });
}

async function writeFile(file: string, lines: number, changed: boolean): Promise<void> {
  const out = createWriteStream(file);
  for (let i = 0; i < lines; i++) {
    if (!out.write(`${analyticsLine(row(i, changed))}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  // On disk before any timing, so that the kernel's writing back of these files (hundreds
  // of MB) does not overlap the first COPYs and their WAL flushes (docs/benchmarks.md).
  const handle = await open(file, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * The reference: the specification's plain tables (a copy of ad_accounts, campaigns
 * and campaign_daily_metrics with their primary and foreign keys only: no rollup
 * triggers, no covering or extra indexes, no derived account column), in a schema of
 * their own, with the same campaigns.
 */
async function createPlainTables(pool: pg.Pool): Promise<void> {
  await pool.query(`
    create schema bench_plain;
    create table bench_plain.ad_accounts (like public.ad_accounts including defaults);
    alter table bench_plain.ad_accounts add primary key (id);
    create table bench_plain.campaigns (like public.campaigns including defaults);
    alter table bench_plain.campaigns add primary key (id),
      add foreign key (account_id) references bench_plain.ad_accounts (id) deferrable initially deferred;
    create table bench_plain.campaign_daily_metrics (like public.campaign_daily_metrics including defaults including generated);
    alter table bench_plain.campaign_daily_metrics drop column account_id, add primary key (campaign_id, date),
      add foreign key (campaign_id) references bench_plain.campaigns (id) deferrable initially deferred;
    insert into bench_plain.ad_accounts select * from public.ad_accounts;
    insert into bench_plain.campaigns select * from public.campaigns;`);
}

/**
 * A timed COPY of the rows into `table` (emptied first, after a checkpoint), in one
 * transaction: `values` gives each row's fields in the order of `columns`.
 */
async function timedCopy(
  pool: pg.Pool,
  table: string,
  columns: readonly string[],
  rows: CampaignDailyMetricInput[],
  values: (row: CampaignDailyMetricInput) => Array<string | number | undefined>,
): Promise<number> {
  // The table and columns are this script's constants, never data.
  await pool.query(`truncate ${table}`);
  await pool.query('checkpoint').catch(() => {});
  const client = await pool.connect();
  try {
    const chunks: string[] = [];
    let chunk = '';
    for (const r of rows) {
      chunk += copyRow(values(r));
      if (chunk.length > 65_536) (chunks.push(chunk), (chunk = ''));
    }
    chunks.push(chunk);
    const started = performance.now();
    await client.query('BEGIN');
    await copyFrom(client as never, `COPY ${table} (${columns.join(', ')}) FROM STDIN`, chunks);
    await client.query('COMMIT');
    return performance.now() - started;
  } finally {
    client.release();
  }
}

/** The baseline: COPY into this project's campaign_daily_metrics, with each day's account as the write path copies it (the campaign's, see setup). */
const copyBaseline = (pool: pg.Pool, rows: CampaignDailyMetricInput[]) =>
  timedCopy(pool, 'campaign_daily_metrics', ['campaign_id', 'date', ...METRIC_COLUMNS, 'account_id'], rows, (r) => [
    r.campaign_id, r.date, ...METRIC_COLUMNS.map((c) => r[c]), 1 + ((r.campaign_id - 1) % ACCOUNTS),
  ]);

/** The reference: the same rows into the specification's plain table, as its schema would take them. */
const plainCopy = (pool: pg.Pool, rows: CampaignDailyMetricInput[]) =>
  timedCopy(pool, 'bench_plain.campaign_daily_metrics', ['campaign_id', 'date', ...METRIC_COLUMNS], rows, (r) => [
    r.campaign_id, r.date, ...METRIC_COLUMNS.map((c) => r[c]),
  ]);

async function currentXid(pool: pg.Pool): Promise<string> {
  return (await pool.query<{ xid: string }>('select txid_current()::text as xid')).rows[0]!.xid;
}

/** Live row versions of campaign_daily_metrics written by transactions after `xid`. */
async function versionsSince(pool: pg.Pool, xid: string): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    `select count(*) as n from campaign_daily_metrics where xmin::text::bigint > $1::bigint`,
    [xid],
  );
  return rows[0]!.n;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const medianOf = (measures: Measure[]) => [...measures].sort((a, b) => a.ms - b.ms)[Math.floor(measures.length / 2)]!;

interface Measure {
  path: string;
  scenario: string;
  ms: number;
  versions: number;
  /** The plain COPY timed just before this write: its reference. */
  plainMs: number;
}

async function measure(pool: pg.Pool, pathName: string, scenario: string, plainMs: number, write: () => Promise<unknown>): Promise<Measure> {
  await pool.query('vacuum analyze campaign_daily_metrics');
  // Each timing starts from a checkpoint, as each COPY baseline does (needs superuser; skipped otherwise).
  await pool.query('checkpoint').catch(() => {});
  const xid = await currentXid(pool);
  const started = performance.now();
  await write();
  const ms = performance.now() - started;
  return { path: pathName, scenario, ms, versions: await versionsSince(pool, xid), plainMs };
}

/** A write's ratio to the plain COPY: the median of its runs' ratios, each to the plain COPY timed just before it. */
const pairedRatio = (measures: Measure[]) => median(measures.map((m) => m.plainMs / m.ms));

async function main(): Promise<void> {
  const scratch = await mkdtemp(path.join(tmpdir(), 'ads-store-bench-'));
  const server = await provideServer({ containers: false, embeddedDataDir: path.join(scratch, 'pg'), persistent: false });
  const database = uniqueDatabaseName('ads_store_bench');
  const url = await createDatabase(server.url, database);
  const pool = createPool(url, { max: 4, statementTimeoutMs: 0 });
  try {
    await migrate(url, 'up');
    const settings = await pool.query<{ name: string; setting: string }>(
      `select name, setting from pg_settings where name in ('server_version', 'shared_buffers', 'work_mem', 'maintenance_work_mem',
        'synchronous_commit', 'fsync', 'wal_level', 'max_wal_size', 'temp_buffers') order by name`,
    );
    console.log(`server: ${server.description}`);
    console.log(`settings: ${settings.rows.map((s) => `${s.name}=${s.setting}`).join(', ')}`);
    console.log(`rows: ${ROWS} campaign-day rows over ${CAMPAIGNS} campaigns in ${ACCOUNTS} accounts\n`);

    await writeBatch(pool, {
      accounts: Array.from({ length: ACCOUNTS }, (_, i) => ({ id: i + 1, name: `Account ${i + 1}` })),
      campaigns: Array.from({ length: CAMPAIGNS }, (_, i) => ({ id: i + 1, account_id: 1 + (i % ACCOUNTS) })),
    });
    // One array of mapped rows in memory at a time (built outside the timings), so
    // that the bench's own heap does not slow the garbage collector of the writes.
    const mapped = (changed: boolean) => Array.from({ length: ROWS }, (_, i) => row(i, changed));
    const first = path.join(scratch, 'first.ndjson');
    const changedFile = path.join(scratch, 'changed.ndjson');
    await writeFile(first, ROWS, false);
    await writeFile(changedFile, ROWS, true);

    await createPlainTables(pool);
    const plains: number[] = [];
    const copies: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      plains.push(await plainCopy(pool, mapped(false)));
      copies.push(await copyBaseline(pool, mapped(false)));
    }
    const plainMs = median(plains);
    const copyMs = median(copies);
    const copyRatio = median(plains.map((plain, i) => plain / copies[i]!));
    const results: Array<Measure & { ratio: number }> = [];
    const references: number[] = [...plains];

    // Each scenario runs RUNS times and reports its median. Before each timing the table
    // is settled as production tables are (VACUUM ANALYZE: hint bits and statistics set,
    // no autovacuum starting mid-run) and a checkpoint is taken, as before each COPY.
    // Each timed run is paired with a plain COPY timed just before it, and its ratio is
    // the median of its runs' ratios to those: this machine's speed drifts over the
    // minutes a bench takes (plain COPYs of 3.9-4.8 s on one day), and a reference timed
    // minutes earlier moved the ratios with it (writeBatch 0.54-0.82 for one commit).
    // prepare(changed) builds the write's input outside the timing and returns the timed
    // write; the reference's rows are built and dropped before it (one array at a time).
    const reference = async () => {
      const ms = await plainCopy(pool, mapped(false));
      references.push(ms);
      return ms;
    };
    type Prepare = (changed: boolean) => () => Promise<unknown>;
    const paths: Array<[string, Prepare]> = [
      ['bulk upsert (writeBatch)', (changed) => {
        const rows = mapped(changed);
        return () => writeBatch(pool, { campaignDailyMetrics: rows });
      }],
      ['end to end (ingestFile)', (changed) => () => ingestFile(pool, changed ? changedFile : first)],
    ];
    const summary = (measures: Measure[]) => ({ ...medianOf(measures), ratio: pairedRatio(measures) });
    for (const [name, prepare] of paths) {
      const firstLoads: Measure[] = [];
      for (let run = 0; run < RUNS; run++) {
        await pool.query('truncate campaign_daily_metrics');
        const plain = await reference();
        firstLoads.push(await measure(pool, name, 'first load', plain, prepare(false)));
      }
      results.push(summary(firstLoads));
      const identical: Measure[] = [];
      for (let run = 0; run < RUNS; run++) {
        const plain = await reference();
        identical.push(await measure(pool, name, 'identical re-ingest', plain, prepare(false)));
      }
      results.push(summary(identical));
      const changed: Measure[] = [];
      for (let run = 0; run < RUNS; run++) {
        const plain = await reference();
        changed.push(await measure(pool, name, '1% changed', plain, prepare(true)));
        await prepare(false)(); // back to the original rows, untimed
      }
      results.push(summary(changed));
    }

    const rate = (ms: number) => Math.round((ROWS / ms) * 1000);
    console.log(`COPY into the plain tables (the reference): ${plainMs.toFixed(0)} ms, ${rate(plainMs)} rows/s`);
    console.log(`COPY into this project's empty table: ${copyMs.toFixed(0)} ms, ${rate(copyMs)} rows/s, ${copyRatio.toFixed(2)} × the plain COPY`);
    console.log(`(medians of ${RUNS}, alternated; each figure below is a median of ${RUNS} too, and its × plain COPY`);
    console.log(` the median of its runs' ratios to a plain COPY timed just before each: ${references.length} plain COPYs, ${Math.min(...references).toFixed(0)}-${Math.max(...references).toFixed(0)} ms)\n`);
    console.log('| path | write | ms | rows/s | × plain COPY | × COPY | row versions written |');
    console.log('|---|---|---:|---:|---:|---:|---:|');
    for (const r of results) {
      console.log(`| ${r.path} | ${r.scenario} | ${r.ms.toFixed(0)} | ${rate(r.ms)} | ${r.ratio.toFixed(2)} | ${(copyMs / r.ms).toFixed(2)} | ${r.versions} |`);
    }

    await pool.query('truncate campaign_daily_metrics');
    const big = path.join(scratch, 'rss.ndjson');
    await writeFile(big, RSS_LINES, false);
    const child = spawnSync(process.execPath, [path.join('scripts', 'bench-ingest-rss.mjs'), url, big], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    if (child.status !== 0) throw new Error(`the RSS run failed: ${child.stdout}`);
    console.log(`\n${child.stdout.trim()}`);
  } finally {
    await pool.end();
    await dropDatabase(server.url, database).catch(() => {});
    await server.stop();
    await rm(scratch, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
