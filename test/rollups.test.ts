import * as assert from 'uvu/assert';
import { withTransaction } from '../src/db/transaction.js';
import { writeBatch } from '../src/store/apply.js';
import { upsertAccounts, upsertCampaignDailyMetrics, upsertCampaigns, upsertCreativeDailyMetrics, upsertCreatives } from '../src/store/upserts.js';
import { databaseSuite, emptyTables } from './helpers/database.js';
import { drift } from './helpers/rollups.js';

const Rollups = databaseSuite('rollups');
Rollups.before.each(({ pool }) => emptyTables(pool));

const day = (i: number) => new Date(Date.UTC(2024, 0, 25 + i)).toISOString().slice(0, 10); // across a month's end

Rollups('report_week is the Monday-first week clipped to its month', async ({ pool }) => {
  const { rows } = await pool.query(
    `select d::date::text as day, report_week(d::date)::text as week from generate_series('2025-09-28'::date, '2025-10-07'::date, interval '1 day') d`,
  );
  assert.equal(
    rows.map((r) => `${r.day}>${r.week}`),
    ['2025-09-28>2025-09-22', '2025-09-29>2025-09-29', '2025-09-30>2025-09-29', '2025-10-01>2025-10-01', '2025-10-02>2025-10-01',
     '2025-10-03>2025-10-01', '2025-10-04>2025-10-01', '2025-10-05>2025-10-01', '2025-10-06>2025-10-06', '2025-10-07>2025-10-06'],
  );
});

Rollups('first loads, restatements and identical writes keep every rollup equal to its daily sums', async ({ pool }) => {
  await writeBatch(pool, {
    accounts: [{ id: 1 }, { id: 2 }],
    campaigns: [{ id: 10, account_id: 1 }, { id: 11, account_id: 1 }, { id: 20, account_id: 2 }],
    creatives: [{ id: 'urn:li:sponsoredCreative:1', campaign_id: 10, account_id: 1 }],
    campaignDailyMetrics: Array.from({ length: 30 }, (_, i) => ({ campaign_id: [10, 11, 20][i % 3]!, date: day(Math.floor(i / 3)), impressions: 100 + i, clicks: i, spend: `${i}.01`, leads: i % 2 })),
    creativeDailyMetrics: Array.from({ length: 10 }, (_, i) => ({ creative_id: 'urn:li:sponsoredCreative:1', date: day(i), impressions: 10 * i, clicks: i, spend: '0.000000000000000001' })),
  });
  assert.equal(await drift(pool), []);
  const { rows } = await pool.query(`select count(*) as n from campaign_monthly_metrics`);
  assert.is(rows[0].n, 6, 'three campaigns × two months');
  // A restatement of some days (staged update path), and an identical re-write.
  await writeBatch(pool, { campaignDailyMetrics: [{ campaign_id: 10, date: day(0), impressions: 1 }, { campaign_id: 11, date: day(9), impressions: 5, spend: '-2E-18' }] });
  await writeBatch(pool, { campaignDailyMetrics: [{ campaign_id: 10, date: day(0), impressions: 1 }] });
  assert.equal(await drift(pool), []);
});

Rollups('demographic rollups follow first loads, restatements, deletes and TRUNCATE', async ({ pool }) => {
  const segments = ['urn:li:seniority:1', 'urn:li:seniority:2', 'urn:li:seniority:3'];
  await writeBatch(pool, {
    accounts: [{ id: 1 }],
    audienceDemographics: Array.from({ length: 30 }, (_, i) => ({
      account_id: 1, pivot_type: i % 2 ? 'seniority' : 'industry', segment: segments[i % 3]!, date_start: day(Math.floor(i / 3)), impressions: 100 + i, clicks: i,
    })),
  });
  assert.equal(await drift(pool), []);
  await writeBatch(pool, { audienceDemographics: [{ account_id: 1, pivot_type: 'industry', segment: segments[0]!, date_start: day(0), impressions: 5, clicks: 1 }] });
  await pool.query(`delete from audience_demographics where date_start = $1`, [day(4)]);
  assert.equal(await drift(pool), []);
  await pool.query(`truncate audience_demographics`);
  const { rows } = await pool.query(`select (select count(*) from audience_demographic_monthly) + (select count(*) from audience_demographic_weekly) as n`);
  assert.is(rows[0].n, 0);
});

Rollups('days stored before their campaign, and a campaign moving account, count for the right account', async ({ pool }) => {
  await withTransaction(pool, async (tx) => {
    await upsertCampaignDailyMetrics(tx, [{ campaign_id: 30, date: '2024-03-01', impressions: 7, clicks: 1, spend: '1' }]);
    await upsertCampaigns(tx, [{ id: 30, account_id: 3 }]);
    await upsertAccounts(tx, [{ id: 3 }, { id: 4 }]);
  });
  assert.equal(await drift(pool), []);
  await upsertCampaigns(pool, [{ id: 30, account_id: 4 }]);
  assert.equal(await drift(pool), []);
  const { rows } = await pool.query(`select account_id, impressions from account_daily_metrics where impressions <> 0`);
  assert.equal(rows, [{ account_id: 4, impressions: 7 }]);
  await upsertCampaigns(pool, [{ id: 30, account_id: null }]);
  assert.equal(await drift(pool), []);
});

Rollups('creative days stored before their creative, and a creative moving account: the rollups follow its account', async ({ pool }) => {
  await writeBatch(pool, { accounts: [{ id: 1 }, { id: 2 }], campaigns: [{ id: 10, account_id: 1 }] });
  await withTransaction(pool, async (tx) => {
    await upsertCreativeDailyMetrics(tx, [{ creative_id: 'urn:li:sponsoredCreative:5', date: '2024-03-01', impressions: 7 }]);
    await upsertCreatives(tx, [{ id: 'urn:li:sponsoredCreative:5', campaign_id: 10, account_id: 1 }]);
  });
  assert.equal(await drift(pool), []);
  await upsertCreatives(pool, [{ id: 'urn:li:sponsoredCreative:5', account_id: 2 }]);
  assert.equal(await drift(pool), []);
  const { rows } = await pool.query(`select account_id from creative_weekly_metrics union all select account_id from creative_monthly_metrics`);
  assert.equal(rows, [{ account_id: 2 }, { account_id: 2 }]);
});

Rollups('plain SQL deletes and updates, and TRUNCATE, keep them too', async ({ pool }) => {
  await writeBatch(pool, {
    accounts: [{ id: 1 }],
    campaigns: [{ id: 10, account_id: 1 }],
    creatives: [{ id: 'urn:li:sponsoredCreative:1', campaign_id: 10, account_id: 1 }],
    campaignDailyMetrics: Array.from({ length: 10 }, (_, i) => ({ campaign_id: 10, date: day(i), impressions: i, spend: '2.5' })),
    creativeDailyMetrics: Array.from({ length: 10 }, (_, i) => ({ creative_id: 'urn:li:sponsoredCreative:1', date: day(i), clicks: i })),
  });
  await pool.query(`delete from campaign_daily_metrics where date > $1`, [day(5)]);
  await pool.query(`update creative_daily_metrics set clicks = clicks * 2 where date < $1`, [day(3)]);
  await pool.query(`delete from creative_daily_metrics where date = $1`, [day(7)]);
  // A writer that does not set the day's account: the trigger fills it.
  await pool.query(`insert into creative_daily_metrics (creative_id, date, impressions) values ('urn:li:sponsoredCreative:1', '2024-06-01', 3)`);
  assert.equal(await drift(pool), []);
  await pool.query(`truncate campaign_daily_metrics, creative_daily_metrics`);
  const { rows } = await pool.query(`select (select count(*) from account_daily_metrics) + (select count(*) from campaign_monthly_metrics) + (select count(*) from campaign_weekly_metrics) + (select count(*) from creative_monthly_metrics) + (select count(*) from creative_weekly_metrics) as n`);
  assert.is(rows[0].n, 0);
});

Rollups('the rollup triggers work from a session with an empty search_path (a restore), through the schema they were made in', async ({ db, pool }) => {
  await writeBatch(pool, { accounts: [{ id: 1 }], campaigns: [{ id: 10, account_id: 1 }], creatives: [{ id: 'urn:li:sponsoredCreative:1', campaign_id: 10, account_id: 1 }] });
  const client = await pool.connect();
  try {
    await client.query(`set search_path = ''`);
    const schema = client.escapeIdentifier((await pool.query<{ schema: string }>('select current_schema() as schema')).rows[0]!.schema);
    await client.query(`insert into ${schema}.campaign_daily_metrics (campaign_id, date, impressions, clicks, spend) values (10, $1, 5, 1, 1.5), (10, $2, 7, 2, 2.5)`, [day(0), day(9)]);
    await client.query(`insert into ${schema}.creative_daily_metrics (creative_id, date, impressions) values ('urn:li:sponsoredCreative:1', $1, 3)`, [day(1)]);
    await client.query(`insert into ${schema}.audience_demographics (account_id, pivot_type, segment, date_start, impressions) values (1, 'seniority', 'urn:li:seniority:3', $1, 4)`, [day(2)]);
    await client.query(`update ${schema}.campaigns set account_id = 1 where id = 10`);
    await client.query(`delete from ${schema}.campaign_daily_metrics where date = $1`, [day(9)]);
  } finally {
    client.release(true);
  }
  assert.equal(await drift(pool), []);
  const { rows } = await pool.query<{ fn: string; config: string[] | null }>(
    `select p.oid::regprocedure::text as fn, p.proconfig as config from pg_proc p join pg_language l on l.oid = p.prolang
     where p.pronamespace = current_schema()::regnamespace and l.lanname = 'plpgsql' order by 1`,
  );
  assert.ok(rows.length >= 5, db.name);
  for (const { fn, config } of rows) assert.ok(config?.some((setting) => setting.startsWith('search_path=')), `${fn} has no pinned search_path: ${JSON.stringify(config)}`);
});

Rollups.run();
