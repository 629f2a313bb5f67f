import * as assert from 'uvu/assert';
import { upsertAccounts, upsertCampaignDailyMetrics, upsertCampaigns, upsertCreativeDailyMetrics, upsertCreatives } from '../src/store/upserts.js';
import {
  listCampaignDailyMetrics,
  listCreativeDailyMetrics,
  type CampaignDailyMetricInput,
} from '../src/store/metrics.js';
import { InvalidValueError } from '../src/values.js';
import { databaseSuite, emptyTables, rowVersions } from './helpers/database.js';

const Metrics = databaseSuite('metrics');
const CREATIVE = 'urn:li:sponsoredCreative:287513206';

Metrics.before.each(async ({ pool }) => {
  await emptyTables(pool);
  await upsertAccounts(pool, [{ id: 1 }]);
  await upsertCampaigns(pool, [{ id: 10, account_id: 1 }, { id: 11, account_id: 1 }]);
  await upsertCreatives(pool, [{ id: CREATIVE, campaign_id: 10, account_id: 1 }]);
});

const all = { from: '2000-01-01', to: '2100-01-01' };

Metrics('a daily row round-trips exact money, and ctr/cpc are derived from it', async ({ pool }) => {
  await upsertCampaignDailyMetrics(pool, [
    { campaign_id: 10, date: '2024-01-05', impressions: 165, clicks: 11, spend: '107.5300000000000335346', landing_page_clicks: 8,
      conversions: 1, likes: 2, comments: 3, shares: 4, follows: 5, leads: 6, opens: 7, sends: 9 },
  ]);
  const [row] = await listCampaignDailyMetrics(pool, { campaignId: 10, ...all });
  assert.equal({ ...row, fetched_at: null, ctr: null, cpc: null }, {
    campaign_id: 10, date: '2024-01-05', impressions: 165, clicks: 11, spend: '107.5300000000000335346',
    landing_page_clicks: 8, conversions: 1, likes: 2, comments: 3, shares: 4, follows: 5, leads: 6, opens: 7, sends: 9,
    video_views: 0, ctr: null, cpc: null, fetched_at: null,
  });
  assert.is(row!.ctr, 11 / 165);
  assert.is(row!.cpc, '9.7754545454545485031');
});

Metrics('"2024-1-05" and "2024-01-05" are one day, in one batch and across batches', async ({ pool }) => {
  const counts = await upsertCampaignDailyMetrics(pool, [
    { campaign_id: 10, date: '2024-1-05', impressions: 1 },
    { campaign_id: 10, date: '2024-01-05', clicks: 1 },
  ]);
  assert.equal(counts, { inserted: 1, updated: 0 });
  await upsertCampaignDailyMetrics(pool, [{ campaign_id: 10, date: '2024-01-5', impressions: 3, clicks: 1 }]);
  const rows = await listCampaignDailyMetrics(pool, { campaignId: 10, ...all });
  assert.equal(rows.map((r) => [r.date, r.impressions, r.clicks]), [['2024-01-05', 3, 1]]);
});

Metrics('rows of one key fold field by field (later wins); an absent metric is 0', async ({ pool }) => {
  await upsertCampaignDailyMetrics(pool, [
    { campaign_id: 10, date: '2024-02-01', impressions: 100, clicks: 5 },
    { campaign_id: 10, date: '2024-02-01', spend: '12.50', clicks: 6 },
  ]);
  const [row] = await listCampaignDailyMetrics(pool, { campaignId: 10, ...all });
  assert.equal([row!.impressions, row!.clicks, row!.spend, row!.leads, row!.sends], [100, 6, '12.50', 0, 0]);
});

Metrics('a later batch replaces the day (LinkedIn restates), absent metrics back to 0', async ({ pool }) => {
  await upsertCampaignDailyMetrics(pool, [{ campaign_id: 10, date: '2024-02-01', impressions: 100, leads: 4, spend: '1' }]);
  const counts = await upsertCampaignDailyMetrics(pool, [{ campaign_id: 10, date: '2024-02-01', impressions: 120 }]);
  assert.equal(counts, { inserted: 0, updated: 1 });
  const [row] = await listCampaignDailyMetrics(pool, { campaignId: 10, ...all });
  assert.equal([row!.impressions, row!.leads, row!.spend], [120, 0, '0']);
});

Metrics('re-sending identical rows writes no new row version', async ({ pool }) => {
  const rows: CampaignDailyMetricInput[] = Array.from({ length: 300 }, (_, i) => ({
    campaign_id: 10 + (i % 2), date: `2024-${String(1 + Math.floor(i / 60)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`,
    impressions: i * 10, clicks: i, spend: `${i}.25`,
  }));
  const first = await upsertCampaignDailyMetrics(pool, rows);
  assert.is(first.updated, 0);
  const before = await rowVersions(pool, 'campaign_daily_metrics');
  // Equal numerics in another spelling ("1.250" = "1.25") are the same value too.
  const respelled = rows.map((row) => ({ ...row, spend: `${row.spend}0` }));
  assert.equal(await upsertCampaignDailyMetrics(pool, respelled), { inserted: 0, updated: 0 });
  assert.equal(await rowVersions(pool, 'campaign_daily_metrics'), before);
});

Metrics('ranges are inclusive at both ends', async ({ pool }) => {
  await upsertCampaignDailyMetrics(pool, ['2024-03-09', '2024-03-10', '2024-03-11', '2024-03-12'].map((date) => ({ campaign_id: 10, date })));
  const rows = await listCampaignDailyMetrics(pool, { campaignId: 10, from: '2024-03-10', to: '2024-03-11' });
  assert.equal(rows.map((r) => r.date), ['2024-03-10', '2024-03-11']);
});

Metrics('a batch of 100,000 rows is one statement, far past the 65,535 bind-parameter limit', async ({ pool }) => {
  const rows: CampaignDailyMetricInput[] = [];
  for (let day = 0; rows.length < 100_000; day++) {
    const date = new Date(Date.UTC(1900, 0, 1 + day)).toISOString().slice(0, 10);
    rows.push({ campaign_id: 10, date, impressions: day, clicks: day % 7, spend: '0.01' });
    rows.push({ campaign_id: 11, date, impressions: day });
  }
  assert.equal(await upsertCampaignDailyMetrics(pool, rows), { inserted: 100_000, updated: 0 });
  const { rows: [count] } = await pool.query(`select count(*) as n, sum(spend) as spend from campaign_daily_metrics`);
  assert.equal(count, { n: 100_000, spend: '500.00' });
});

Metrics('creative rows: URN keys, the same rules', async ({ pool }) => {
  await upsertCreativeDailyMetrics(pool, [
    { creative_id: CREATIVE, date: '2024-1-1', impressions: 10, spend: '-2E-18' },
    { creative_id: CREATIVE, date: '2024-01-01', clicks: 2 },
  ]);
  const [row] = await listCreativeDailyMetrics(pool, { creativeId: CREATIVE, ...all });
  assert.equal([row!.date, row!.impressions, row!.clicks, row!.spend, row!.ctr], ['2024-01-01', 10, 2, '-0.000000000000000002', 0.2]);
});

Metrics('bad values name the row and field; nothing is written', async ({ pool }) => {
  const cases: [() => Promise<unknown>, RegExp][] = [
    [() => upsertCampaignDailyMetrics(pool, [{ campaign_id: 10, date: '2024-02-30' }]), /campaign_daily_metrics\[0\]: field date: "2024-02-30" is not a real calendar day/],
    [() => upsertCampaignDailyMetrics(pool, [{ campaign_id: 10, date: '2024/01/01' }]), /field date: "2024\/01\/01" is not a date/],
    [() => upsertCampaignDailyMetrics(pool, [{ campaign_id: 10, date: '2024-01-01' }, { campaign_id: 10, date: '2024-01-02', clicks: -1 }]), /campaign_daily_metrics\[1\]: field clicks: -1 is not a non-negative integer/],
    [() => upsertCampaignDailyMetrics(pool, [{ campaign_id: 10, date: '2024-01-01', spend: '1e' }]), /field spend: "1e" is not a decimal/],
    [() => upsertCampaignDailyMetrics(pool, [{ campaign_id: 10, date: '2024-01-01', impressions: 2 ** 53 }]), /field impressions: 9007199254740992/],
    [() => upsertCreativeDailyMetrics(pool, [{ creative_id: '', date: '2024-01-01' }]), /creative_daily_metrics\[0\]: field creative_id: "" is empty/],
  ];
  for (const [write, message] of cases) {
    try {
      await write();
      assert.unreachable(`should have thrown ${message}`);
    } catch (error) {
      assert.instance(error, InvalidValueError);
      assert.match((error as Error).message, message);
    }
  }
  assert.equal(await listCampaignDailyMetrics(pool, { campaignId: 10, ...all }), []);
});

Metrics('a metric row for an unknown campaign is rejected by the foreign key', async ({ pool }) => {
  try {
    await upsertCampaignDailyMetrics(pool, [{ campaign_id: 10, date: '2024-01-01' }, { campaign_id: 999, date: '2024-01-01' }]);
    assert.unreachable('should have thrown');
  } catch (error) {
    assert.is((error as { code?: string }).code, '23503');
  }
  assert.equal(await listCampaignDailyMetrics(pool, { campaignId: 10, ...all }), []);
});

Metrics.run();
