import { createWriteStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import pg from 'pg';
import * as assert from 'uvu/assert';
import { lockAccountsForWrite, lockSync, unlockSync } from '../src/generated/locks.queries.js';
import { ingestFile, type IngestOptions, type IngestResult } from '../src/ingest/ingest.js';
import { writeSample } from '../src/sample/sample.js';
import { contentChecksums, databaseSuite, emptyTables, someoneWaitsFor, until } from './helpers/database.js';
import { writeExport } from './helpers/fixtures.js';

// An ingest with parse workers writes the days of stored campaigns and creatives
// that have no day stored straight into their tables (src/ingest/direct.ts). These
// tests check that it stores exactly what staging alone stores, and that it gives
// the direct path up, reading the file again through staging, whenever it would
// otherwise wait for a lock while holding others, or fold a repeated day.
const Direct = databaseSuite('ingest-direct');
Direct.before.each(({ pool }) => emptyTables(pool));

const STAGING_ONLY: IngestOptions = { parseWorkers: 0 };
const WORKERS: IngestOptions = { parseWorkers: 2 };

interface SampleFiles {
  /** The whole export: each account's entities, then its analytics; the sync line last. */
  whole: string;
  lines: string[];
  /** The accounts, campaigns and creatives. */
  entities: string;
  /** Every analytics line (days and demographics) and the sync line ('all'). */
  days: string;
  /** The days file's lines. */
  dayLines: string[];
}

/** A sample export (3 accounts, ~7,000 lines, ~2.5 MB) split into its entities and the rest. */
async function sampleFiles(name: string): Promise<SampleFiles> {
  const whole = await writeExport(`${name}.ndjson`, []);
  const out = createWriteStream(whole);
  await writeSample(out, { accounts: 3, days: 120, end: '2024-06-30', seed: 'direct' });
  out.end();
  await once(out, 'finish');
  const lines = (await readFile(whole, 'utf8')).split('\n').filter((line) => line !== '');
  const isEntity = (line: string) => /^\{"(adAccount|adCampaign|creative)"/.test(line);
  const entities = await writeExport(`${name}.entities.ndjson`, lines.filter(isEntity));
  const dayLines = lines.filter((line) => !isEntity(line));
  return { whole, lines, entities, days: await writeExport(`${name}.days.ndjson`, dayLines), dayLines };
}

const comparable = (result: IngestResult) => ({ lines: result.lines, accountId: result.accountId, counts: result.counts, rejected: result.rejected });

/** What staging alone stores for the files, ingested in order; the database is emptied after. */
async function stagedOnly(pool: pg.Pool, files: string[]): Promise<{ results: IngestResult[]; tables: Record<string, string> }> {
  const results: IngestResult[] = [];
  for (const file of files) results.push(await ingestFile(pool, file, STAGING_ONLY));
  const tables = await contentChecksums(pool);
  await emptyTables(pool);
  return { results, tables };
}

async function syncStatuses(pool: pg.Pool): Promise<string[]> {
  return (await pool.query<{ status: string }>('select status from sync_log order by id')).rows.map((row) => row.status);
}

/** The days file's ingest gave the direct path up: staging alone stored what it stores, and one sync was recorded for it. */
async function assertReadAgainThroughStaging(pool: pg.Pool, result: IngestResult, expected: { results: IngestResult[]; tables: Record<string, string> }) {
  assert.is(result.directRows, 0);
  assert.equal(comparable(result), comparable(expected.results[1]!));
  assert.equal(await contentChecksums(pool), expected.tables);
  assert.equal(await syncStatuses(pool), ['success', 'success'], 'the abandoned attempt recorded nothing');
}

/** Runs `work` with a connection of another session, closed after it (its locks with it). */
async function inOtherSession<T>(pool: pg.Pool, work: (other: pg.PoolClient) => Promise<T>): Promise<T> {
  const other = await pool.connect();
  try {
    return await work(other);
  } finally {
    other.release(true);
  }
}

/** Resolves once some other session waits for an advisory lock (an ingest waiting for one of its locks). */
const someoneWaits = (client: pg.PoolClient) =>
  until(client, "select count(*)::int as n from pg_locks where locktype = 'advisory' and not granted and pid <> pg_backend_pid()", 'an ingest waits for a lock');

Direct('the days of stored parents without days go straight in, and store exactly what staging stores', async ({ pool }) => {
  const { entities, days } = await sampleFiles('direct-same');
  // The days twice: the second time every day is stored, and all of them go through staging (restated days).
  const expected = await stagedOnly(pool, [entities, days, days]);
  assert.ok(expected.results.every((r) => r.directRows === 0));

  await ingestFile(pool, entities, WORKERS);
  const first = await ingestFile(pool, days, WORKERS);
  const again = await ingestFile(pool, days, WORKERS);
  const dayRows = expected.results[1]!.counts.campaign_daily_metrics.inserted + expected.results[1]!.counts.creative_daily_metrics.inserted;
  assert.ok(dayRows > 5_000, 'the sample has thousands of days');
  assert.is(first.directRows, dayRows, 'every day of the first load went straight in');
  assert.is(again.directRows, 0, 'stored days are restated through staging');
  assert.equal(comparable(first), comparable(expected.results[1]!));
  assert.equal(comparable(again), comparable(expected.results[2]!));
  assert.equal(await contentChecksums(pool), expected.tables);
});

Direct('the parents in the file itself are merged before their days, which then go straight in too', async ({ pool }) => {
  const { whole, lines } = await sampleFiles('direct-whole');
  // More than a batch of lines without days (the demographics again), then a campaign
  // line again, renamed: it is merged at the end, after the early merge of its first
  // line, and still described once.
  const campaign = JSON.parse(lines.find((line) => line.startsWith('{"adCampaign"'))!) as { adCampaign: { id: number } };
  const renamed = JSON.stringify({ adCampaign: { id: campaign.adCampaign.id, name: 'renamed at the end' } });
  const demographics = lines.filter((line) => line.includes('"pivot":"MEMBER_'));
  const padding = Array.from({ length: 6 }, () => demographics).flat();
  assert.ok(padding.join('\n').length > 1 << 20, 'more than a batch of lines');
  const file = await writeExport('direct-whole.renamed.ndjson', [...lines.slice(0, -1), ...padding, renamed, lines.at(-1)!]);
  const expected = await stagedOnly(pool, [file]);
  const result = await ingestFile(pool, file, WORKERS);
  const counts = expected.results[0]!.counts;
  assert.is(result.directRows, counts.campaign_daily_metrics.inserted + counts.creative_daily_metrics.inserted);
  // Merged early, then renamed at the end: inserted, and updated too (one transaction,
  // two merges, as a sync's parts count); staging alone folds the two lines into one insert.
  assert.equal(result.counts.campaigns, { inserted: counts.campaigns.inserted, updated: 1 });
  assert.equal(counts.campaigns.updated, 0);
  assert.equal(comparable(result), comparable({ ...expected.results[0]!, counts: { ...counts, campaigns: result.counts.campaigns } }));
  assert.equal(await contentChecksums(pool), expected.tables, 'the sync_log row too: campaigns_fetched counts each campaign once');
});

Direct('a parent whose own parent comes later in the file keeps its days staged', async ({ pool }) => {
  const { lines } = await sampleFiles('direct-late-account');
  // The first account's line moved to the end: its campaigns cannot be merged before their days.
  const account = lines.findIndex((line) => line.startsWith('{"adAccount"'));
  const moved = [...lines.slice(0, account), ...lines.slice(account + 1, -1), lines[account]!, lines.at(-1)!];
  const file = await writeExport('direct-late-account.moved.ndjson', moved);
  const expected = await stagedOnly(pool, [file]);
  const result = await ingestFile(pool, file, WORKERS);
  const counts = expected.results[0]!.counts;
  assert.ok(result.directRows < counts.campaign_daily_metrics.inserted + counts.creative_daily_metrics.inserted, 'some days were staged');
  assert.equal(comparable(result), comparable(expected.results[0]!));
  assert.equal(await contentChecksums(pool), expected.tables);
});

Direct('a day the file repeats gives the direct path up: the file is read again through staging, recording one sync', async ({ pool }) => {
  const { entities, dayLines } = await sampleFiles('direct-repeat');
  // A campaign day again near the end, partial: the fold keeps the first line's other metrics.
  const first = dayLines.find((line) => line.includes('"pivot":"CAMPAIGN"'))!;
  const element = JSON.parse(first) as { adAnalytics: Record<string, unknown> };
  const repeated = JSON.stringify({
    adAnalytics: { dateRange: element.adAnalytics['dateRange'], pivotValues: element.adAnalytics['pivotValues'], impressions: 4_242 },
    pivot: 'CAMPAIGN',
  });
  const days = await writeExport('direct-repeat.days-repeated.ndjson', [...dayLines.slice(0, -1), repeated, dayLines.at(-1)!]);
  const expected = await stagedOnly(pool, [entities, days]);

  await ingestFile(pool, entities, WORKERS);
  await assertReadAgainThroughStaging(pool, await ingestFile(pool, days, WORKERS), expected);
});

Direct('an account another writer holds gives the direct path up, and the file waits for it through staging', async ({ pool }) => {
  const { entities, days } = await sampleFiles('direct-busy');
  const expected = await stagedOnly(pool, [entities, days]);
  await ingestFile(pool, entities, WORKERS);
  const [account] = (await pool.query<{ id: number }>('select min(id)::int as id from ad_accounts')).rows.map((r) => r.id);
  const result = await inOtherSession(pool, async (other) => {
    await other.query('begin');
    await lockAccountsForWrite.run({ accountIds: [account!] }, other);
    const ingest = ingestFile(pool, days, WORKERS);
    await someoneWaits(other);
    await other.query('commit');
    return ingest;
  });
  await assertReadAgainThroughStaging(pool, result, expected);
});

Direct('a day a plain-SQL writer stores after the direct path decided gives it up: the file is read again through staging', async ({ pool }) => {
  const { entities, days, dayLines } = await sampleFiles('direct-plain-sql');
  // The whole days file (its first COPY fails while later lines are parsed) and a few of
  // its lines (the one COPY, at the end, fails: its error must not be another statement's).
  const few = await writeExport('direct-plain-sql.few.ndjson', [...dayLines.filter((l) => l.includes('"pivot":"CAMPAIGN"')).slice(0, 40), dayLines.at(-1)!]);
  const line = JSON.parse(dayLines.find((l) => l.includes('"pivot":"CAMPAIGN"'))!) as {
    adAnalytics: { pivotValues: string[]; dateRange: { start: { year: number; month: number; day: number } } };
  };
  const campaign = Number(line.adAnalytics.pivotValues[0]!.split(':').pop());
  const { year, month, day } = line.adAnalytics.dateRange.start;
  for (const file of [days, few]) {
    const expected = await stagedOnly(pool, [entities, file]);
    await ingestFile(pool, entities, WORKERS);
    const result = await inOtherSession(pool, async (other) => {
      // Not committed yet when the ingest looks: the campaign has no day stored, so its
      // days go straight in, and the COPY waits on this one's key.
      await other.query('begin');
      await other.query('insert into campaign_daily_metrics (campaign_id, date, impressions) values ($1, make_date($2, $3, $4), 1)', [campaign, year, month, day]);
      const ingest = ingestFile(pool, file, WORKERS);
      await someoneWaitsFor(other, 'the direct COPY waits for the uncommitted day');
      await other.query('commit');
      return ingest;
    });
    // As staging alone, but for that day, which the file replaced (updated, not inserted).
    const staged = expected.results[1]!.counts.campaign_daily_metrics;
    assert.equal(result.counts.campaign_daily_metrics, { inserted: staged.inserted - 1, updated: 1 });
    await assertReadAgainThroughStaging(pool, { ...result, counts: expected.results[1]!.counts }, expected);
    await emptyTables(pool);
  }
});

Direct('holding account locks, the direct path never waits for the sync lock: its holder may take those accounts', async ({ pool }) => {
  const { entities, days } = await sampleFiles('direct-sync-lock');
  const expected = await stagedOnly(pool, [entities, days]);
  await ingestFile(pool, entities, WORKERS);
  const accounts = (await pool.query<{ id: number }>('select id::int as id from ad_accounts order by id')).rows.map((r) => r.id);
  // Another ingest of the same account_id value ('all', the file's sync line): it holds the
  // sync lock, and then wants an account's write lock, which the direct path holds.
  const result = await inOtherSession(pool, async (other) => {
    await lockSync.run({ accountId: 'all' }, other);
    const ingest = ingestFile(pool, days, WORKERS);
    // The ingest waits for the sync lock: on the direct path holding its accounts'
    // locks, this would wait on it in turn, a cycle PostgreSQL cannot see (two connections).
    await someoneWaits(other);
    await other.query('begin');
    await other.query("set local lock_timeout = '20s'");
    // Waiting on the direct path's accounts: it must give them up rather than wait for this sync lock.
    for (const account of accounts) await lockAccountsForWrite.run({ accountIds: [account] }, other);
    await other.query('commit');
    await unlockSync.run({ accountId: 'all' }, other);
    return ingest;
  });
  await assertReadAgainThroughStaging(pool, result, expected);
});

Direct.run();
