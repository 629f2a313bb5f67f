/**
 * `npm run bench:reports`: report latency at scale. Generates (once; kept in the
 * database ads_store_bench_reports, or BENCH_DATABASE) a year of data through the
 * write path: 10,037,000 creative-day and 2,007,400 campaign-day rows over 40
 * accounts, account 1 holding 6 % of them. Then, for account 1 and ranges of 30, 90
 * and 365 days, prints p50 and p95 of every report next to a baseline that reads
 * the account's raw rows of the range into Node and aggregates there.
 * BENCH_RUNS (default 20) timings per report and range, after 2 warm-ups.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { createDatabase, dropDatabase } from '../src/provision/databases.js';
import { migrate } from '../src/db/migrate.js';
import { createPool } from '../src/db/pool.js';
import { withDatabase } from '../src/db/urls.js';
import { provideServer } from '../src/provision/server.js';
import { runReport, type ReportName } from '../src/reports/reports.js';
import { writeBatch } from '../src/store/apply.js';
import type { AudienceDemographicInput } from '../src/store/demographics.js';
import type { CampaignDailyMetricInput, CreativeDailyMetricInput } from '../src/store/metrics.js';

const ACCOUNTS = 40;
const CAMPAIGNS = 5_500; // 5,500 × 365 = 2,007,500 campaign-days
const CREATIVES_PER_CAMPAIGN = 5; // 27,500 creatives × 365 = 10,037,500 creative-days
const BIG_SHARE = 0.06;
const END = '2025-12-31';
const DAYS = 365;
const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const DAY_MS = 86_400_000;
/** Segments per demographic pivot (LinkedIn drops the small ones; these are what it tends to return). */
const SEGMENTS_PER_PIVOT: Record<string, number> = { job_title: 400, seniority: 10, industry: 150, company_size: 9, job_function: 26, country: 80, region: 250, company: 600 };
const DEMOGRAPHIC_ROWS = Object.values(SEGMENTS_PER_PIVOT).reduce((a, b) => a + b) * (DAYS + 12 * (ACCOUNTS - 1));
const SYNC_RUNS_PER_ACCOUNT = (DAYS * 24) / 2;

const dayOf = (offset: number) => new Date(Date.parse(`${END}T00:00:00Z`) - (DAYS - 1 - offset) * DAY_MS).toISOString().slice(0, 10);
/** The account of campaign c (1-based): account 1 gets BIG_SHARE of them. */
const accountOf = (c: number) => (c <= CAMPAIGNS * BIG_SHARE ? 1 : 2 + ((c - 1) % (ACCOUNTS - 1)));
/** A deterministic pseudo-random integer for (a, b, salt). */
const noise = (a: number, b: number, salt: number) => (Math.imul(a * 2654435761 + b * 40503 + salt * 2246822519, 2246822507) >>> 0) % 1000;

async function generate(pool: pg.Pool): Promise<void> {
  const started = performance.now();
  await writeBatch(pool, {
    accounts: Array.from({ length: ACCOUNTS }, (_, i) => ({ id: i + 1, name: `Account ${i + 1}`, currency: i % 3 ? 'USD' : 'EUR', status: 'ACTIVE' })),
    campaigns: Array.from({ length: CAMPAIGNS }, (_, i) => ({ id: i + 1, account_id: accountOf(i + 1), name: `Campaign ${i + 1}`, status: 'ACTIVE', type: 'SPONSORED_UPDATES' })),
    creatives: Array.from({ length: CAMPAIGNS * CREATIVES_PER_CAMPAIGN }, (_, i) => {
      const campaign = 1 + Math.floor(i / CREATIVES_PER_CAMPAIGN);
      return { id: `urn:li:sponsoredCreative:${i + 1}`, campaign_id: campaign, account_id: accountOf(campaign), content_name: `Creative ${i + 1}` };
    }),
  });
  // A week of days per batch: ~530,000 rows, each batch a first load (COPY into the tables).
  for (let first = 0; first < DAYS; first += 7) {
    const campaignDays: CampaignDailyMetricInput[] = [];
    const creativeDays: CreativeDailyMetricInput[] = [];
    for (let offset = first; offset < Math.min(DAYS, first + 7); offset++) {
      const date = dayOf(offset);
      const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
      const season = weekday === 0 || weekday === 6 ? 0.6 : 1;
      for (let c = 1; c <= CAMPAIGNS; c++) {
        let campaignImpressions = 0, campaignClicks = 0, campaignCents = 0;
        for (let k = 0; k < CREATIVES_PER_CAMPAIGN; k++) {
          const creative = (c - 1) * CREATIVES_PER_CAMPAIGN + k + 1;
          const impressions = Math.round((200 + noise(creative, offset, 1)) * season);
          const clicks = Math.floor(impressions * (noise(creative, offset, 2) % 30) / 1000);
          const cents = clicks * (50 + (noise(creative, offset, 3) % 400));
          campaignImpressions += impressions; campaignClicks += clicks; campaignCents += cents;
          creativeDays.push({ creative_id: `urn:li:sponsoredCreative:${creative}`, date, impressions, clicks, spend: (cents / 100).toFixed(2), conversions: clicks % 3, leads: clicks % 5 === 0 ? 1 : 0 });
        }
        campaignDays.push({ campaign_id: c, date, impressions: campaignImpressions, clicks: campaignClicks, spend: (campaignCents / 100).toFixed(2), landing_page_clicks: Math.floor(campaignClicks / 2), conversions: campaignClicks % 7, leads: campaignClicks % 11 });
      }
    }
    await writeBatch(pool, { campaignDailyMetrics: campaignDays, creativeDailyMetrics: creativeDays });
    process.stderr.write(`\rgenerated ${Math.min(DAYS, first + 7)} of ${DAYS} days (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  }
  await pool.query('vacuum analyze');
  process.stderr.write(`\ngenerated in ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
}

/**
 * Demographics as LinkedIn reports them for a large advertiser: account 1 daily
 * periods, the others monthly, with as many segments per pivot as LinkedIn tends to
 * return (few seniorities, hundreds of job titles and companies), impressions
 * falling off with the segment's rank.
 */
async function generateDemographics(pool: pg.Pool): Promise<void> {
  const started = performance.now();
  await pool.query('truncate audience_demographics');
  for (let account = 1; account <= ACCOUNTS; account++) {
    const rows: AudienceDemographicInput[] = [];
    const periods = account === 1 ? Array.from({ length: DAYS }, (_, d) => dayOf(d)) : Array.from({ length: 12 }, (_, m) => `2025-${String(m + 1).padStart(2, '0')}-01`);
    for (const [p, [pivot, segments]] of Object.entries(SEGMENTS_PER_PIVOT).entries()) {
      for (const [i, dateStart] of periods.entries()) {
        for (let s = 0; s < segments; s++) {
          const impressions = Math.floor((account === 1 ? 4000 : 40_000) / (s + 1)) + noise(account * 8 + p, s, i);
          rows.push({ account_id: account, pivot_type: pivot, segment: `urn:li:${pivot}:${s}`, date_start: dateStart, impressions, clicks: Math.floor(impressions * (noise(s, i, p) % 20) / 1000) });
        }
      }
    }
    await writeBatch(pool, { audienceDemographics: rows });
  }
  await pool.query('vacuum analyze audience_demographics, audience_demographic_monthly, audience_demographic_weekly');
  process.stderr.write(`generated demographics in ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
}

/** A year of sync history: every account synced every two hours, one run in ten failed. */
async function generateSyncs(pool: pg.Pool): Promise<void> {
  await pool.query('truncate sync_log');
  await pool.query(
    `insert into sync_log (account_id, status, trigger, started_at, finished_at, campaigns_fetched, creatives_fetched, api_calls_made, errors)
     select a::text, case when (a + h) % 10 = 0 then 'failed' else 'success' end, 'scheduled',
            $1::timestamptz + h * interval '2 hours', $1::timestamptz + h * interval '2 hours' + interval '90 seconds',
            140, 700, 12, case when (a + h) % 10 = 0 then 'rate limited' end
     from generate_series(0, $2::int - 1) h cross join generate_series(1, $3::int) a
     order by h, a`,
    [`${dayOf(0)}T00:00:00Z`, SYNC_RUNS_PER_ACCOUNT, ACCOUNTS],
  );
  await pool.query('vacuum analyze sync_log');
}

async function withVacuum(url: string): Promise<void> {
  const pool = createPool(url, { max: 1, statementTimeoutMs: 0 });
  try {
    await pool.query('vacuum analyze');
  } finally {
    await pool.end();
  }
}

/** The baseline: the account's raw rows of the range read into Node and aggregated there. */
async function baseline(pool: pg.Pool, report: ReportName, range: { from: string; to: string }): Promise<unknown> {
  const sum = (rows: Array<Record<string, unknown>>, key: string) => {
    const groups = new Map<unknown, { impressions: number; clicks: number; spend: number }>();
    for (const row of rows) {
      const g = groups.get(row[key]) ?? { impressions: 0, clicks: 0, spend: 0 };
      g.impressions += Number(row.impressions); g.clicks += Number(row.clicks); g.spend += Number(row.spend);
      groups.set(row[key], g);
    }
    return groups;
  };
  const campaignRows = async (from: string) => (await pool.query(
    `select m.campaign_id, m.date, m.impressions, m.clicks, m.spend, m.conversions, m.leads from campaign_daily_metrics m
     join campaigns c on c.id = m.campaign_id where c.account_id = 1 and m.date between $1 and $2`, [from, range.to])).rows;
  switch (report) {
    case 'accounts':
      return sum((await pool.query(`select c.account_id, m.impressions, m.clicks, m.spend from campaign_daily_metrics m join campaigns c on c.id = m.campaign_id where m.date between $1 and $2`, [range.from, range.to])).rows, 'account_id');
    case 'campaigns': return sum(await campaignRows(range.from), 'campaign_id');
    case 'daily': return sum(await campaignRows(range.from), 'date');
    case 'compare': return sum(await campaignRows(new Date(Date.parse(range.from) - (Date.parse(range.to) - Date.parse(range.from) + DAY_MS)).toISOString().slice(0, 10)), 'campaign_id');
    case 'creatives':
      return sum((await pool.query(`select m.creative_id, m.impressions, m.clicks, m.spend from creative_daily_metrics m join creatives c on c.id = m.creative_id where c.account_id = 1 and m.date between $1 and $2`, [range.from, range.to])).rows, 'creative_id');
    case 'demographics':
      return sum((await pool.query(`select segment, impressions, clicks, 0 as spend from audience_demographics where account_id = 1 and pivot_type = 'job_title' and date_start between $1 and $2`, [range.from, range.to])).rows, 'segment');
    case 'syncs': // no date filter: the account's whole history, newest 20 kept
      return (await pool.query(`select * from sync_log where account_id = '1'`)).rows.sort((a, b) => b.id - a.id).slice(0, 20);
  }
}

async function time(runs: number, work: () => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  for (let i = 0; i < 2; i++) await work();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await work();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(runs * 0.5)]!, p95: times[Math.min(runs - 1, Math.ceil(runs * 0.95) - 1)]! };
}

async function main(): Promise<void> {
  const scratch = await mkdtemp(path.join(tmpdir(), 'ads-store-bench-reports-'));
  const server = await provideServer({ containers: false, embeddedDataDir: path.join(scratch, 'pg'), persistent: false });
  const name = process.env.BENCH_DATABASE ?? 'ads_store_bench_reports';
  let url = withDatabase(server.url, name);
  const admin = createPool(server.url, { max: 1 });
  try {
    const exists = (await admin.query('select 1 from pg_database where datname = $1', [name])).rowCount === 1;
    if (!exists) url = await createDatabase(server.url, name);
    // New migrations backfill rollups: vacuum them, as autovacuum would before long
    // (index-only scans need the visibility map).
    const applied = await migrate(url, 'up');
    if (applied.length > 0 && exists) await withVacuum(url);
    const pool = createPool(url, { max: 4, statementTimeoutMs: 0 });
    try {
      const rows = (await pool.query<{ n: number }>('select count(*) as n from creative_daily_metrics')).rows[0]!.n;
      if (rows === 0) await generate(pool);
      if ((await pool.query<{ n: number }>('select count(*) as n from audience_demographics')).rows[0]!.n !== DEMOGRAPHIC_ROWS) await generateDemographics(pool);
      if ((await pool.query<{ n: number }>('select count(*) as n from sync_log')).rows[0]!.n !== SYNC_RUNS_PER_ACCOUNT * ACCOUNTS) await generateSyncs(pool);
      const counts = (await pool.query(`select (select count(*) from creative_daily_metrics) as creative_days, (select count(*) from campaign_daily_metrics) as campaign_days,
        (select count(*) from creative_daily_metrics m join creatives c on c.id = m.creative_id where c.account_id = 1) as big_creative_days,
        (select count(*) from audience_demographics) as demographic_rows, (select count(*) from audience_demographics where account_id = 1 and pivot_type = 'job_title') as big_job_title_rows,
        (select count(*) from sync_log) as sync_rows`)).rows[0];
      const settings = await pool.query<{ name: string; setting: string }>(
        `select name, setting from pg_settings where name in ('server_version', 'shared_buffers', 'work_mem', 'effective_cache_size', 'max_parallel_workers_per_gather', 'jit', 'random_page_cost') order by name`,
      );
      console.log(`server: ${server.description}`);
      console.log(`settings: ${settings.rows.map((s) => `${s.name}=${s.setting}`).join(', ')}`);
      console.log(`rows: ${counts.creative_days} creative-days, ${counts.campaign_days} campaign-days; account 1: ${counts.big_creative_days} creative-days`);
      console.log(`      ${counts.demographic_rows} demographic rows (account 1, job_title: ${counts.big_job_title_rows}); ${counts.sync_rows} sync_log rows\n`);
      console.log('| report | days | p50 ms | p95 ms | baseline p50 ms | baseline p95 ms | × faster (p50) |');
      console.log('|---|---:|---:|---:|---:|---:|---:|');
      const reports: ReportName[] = ['accounts', 'campaigns', 'creatives', 'daily', 'demographics', 'compare', 'syncs'];
      for (const days of [30, 90, 365]) {
        const range = { from: new Date(Date.parse(`${END}T00:00:00Z`) - (days - 1) * DAY_MS).toISOString().slice(0, 10), to: END };
        for (const report of reports) {
          const options = { accountId: 1, ...range, ...(report === 'demographics' && { pivot: 'job_title' }), ...(report === 'syncs' && { from: undefined, to: undefined }) };
          const ours = await time(RUNS, () => runReport(pool, report, options));
          const base = await time(Math.max(3, Math.floor(RUNS / 4)), () => baseline(pool, report, range));
          console.log(`| ${report} | ${days} | ${ours.p50.toFixed(1)} | ${ours.p95.toFixed(1)} | ${base.p50.toFixed(1)} | ${base.p95.toFixed(1)} | ${(base.p50 / ours.p50).toFixed(1)} |`);
        }
      }
    } finally {
      await pool.end();
    }
  } finally {
    await admin.end();
    if (server.source === 'embedded') await dropDatabase(server.url, name).catch(() => {});
    await server.stop();
    await rm(scratch, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
