import * as assert from 'uvu/assert';
import { writeBatch } from '../src/store/apply.js';
import { finishSync, startSync } from '../src/store/syncs.js';
import { ReportError, reportRange, runReport, splitRangeByWeeks, REPORT_FIELDS } from '../src/reports/reports.js';
import { databaseSuite, emptyTables } from './helpers/database.js';

const Reports = databaseSuite('reports');
const A = 'urn:li:sponsoredCreative:2';
const B = 'urn:li:sponsoredCreative:10';
const C = 'urn:li:sponsoredCreative:3';
const march = { from: '2024-03-01', to: '2024-03-03' };

Reports.before(async ({ pool }) => {
  await emptyTables(pool);
  await writeBatch(pool, {
    accounts: [{ id: 1, name: 'Alpha', currency: 'USD', status: 'ACTIVE' }, { id: 2, name: 'Beta', currency: 'EUR', status: 'ACTIVE' }, { id: 3, name: 'Gamma' }],
    campaigns: [
      { id: 10, account_id: 1, name: 'C10', status: 'ACTIVE', type: 'SPONSORED_UPDATES', campaign_group: 'urn:li:sponsoredCampaignGroup:1' },
      { id: 11, account_id: 1, name: 'C11', status: 'PAUSED', type: 'TEXT_AD' },
      { id: 12, account_id: 1, name: 'C12 (no data)' },
      { id: 20, account_id: 2, name: 'C20' },
    ],
    creatives: [
      { id: A, campaign_id: 10, account_id: 1, content_name: 'A', intended_status: 'ACTIVE', is_serving: true },
      { id: B, campaign_id: 10, account_id: 1, content_name: 'B' },
      { id: C, campaign_id: 11, account_id: 1, content_name: 'C' },
    ],
    campaignDailyMetrics: [
      { campaign_id: 10, date: '2024-02-29', impressions: 500, clicks: 5, spend: '5.05', conversions: 1 },
      { campaign_id: 10, date: '2024-03-01', impressions: 1000, clicks: 10, spend: '10.10', conversions: 2, leads: 1 },
      // 2024-03-02 is a gap day for campaign 10.
      { campaign_id: 10, date: '2024-03-03', impressions: 3000, clicks: 20, spend: '20.20', landing_page_clicks: 4 },
      { campaign_id: 10, date: '2024-03-04', impressions: 9999, clicks: 99, spend: '99' },
      { campaign_id: 11, date: '2024-03-02', impressions: 100, clicks: 0, spend: '0.00000000000000001' },
      { campaign_id: 20, date: '2024-03-01', impressions: 7, clicks: 7, spend: '7' },
    ],
    creativeDailyMetrics: [
      { creative_id: A, date: '2024-03-01', impressions: 10, clicks: 1, spend: '1.5' },
      { creative_id: B, date: '2024-03-02', impressions: 20, clicks: 2, spend: '1.5', leads: 3 },
      { creative_id: B, date: '2024-03-04', impressions: 99, clicks: 9, spend: '9' },
    ],
    audienceDemographics: [
      { account_id: 1, pivot_type: 'seniority', segment: 'urn:li:seniority:4', date_start: '2024-03-01', date_end: '2024-03-01', impressions: 300, clicks: 3 },
      { account_id: 1, pivot_type: 'seniority', segment: 'urn:li:seniority:5', date_start: '2024-03-01', date_end: '2024-03-01', impressions: 100, clicks: 0 },
      { account_id: 1, pivot_type: 'seniority', segment: 'urn:li:seniority:4', date_start: '2024-03-02', date_end: '2024-03-02', impressions: 100, clicks: 1 },
      { account_id: 1, pivot_type: 'seniority', segment: 'urn:li:seniority:6', date_start: '2024-02-01', date_end: '2024-02-29', impressions: 5000 },
      { account_id: 1, pivot_type: 'country', segment: 'urn:li:geo:103644278', date_start: '2024-03-01', impressions: 10 },
    ],
  });
});

const ZEROS = { impressions: 0n, clicks: 0n, spend: '0', conversions: 0n, leads: 0n, ctr: 0, cpc: 0 };

Reports('accounts: every account, zeros included, ratios of the range sums, exact money, by spend', async ({ pool }) => {
  const rows = await runReport(pool, 'accounts', march);
  assert.equal(rows, [
    { account_id: 1, name: 'Alpha', currency: 'USD', status: 'ACTIVE', impressions: 4100n, clicks: 30n, spend: '30.30000000000000001', conversions: 2n, leads: 1n, ctr: 30 / 4100, cpc: 1.01 },
    { account_id: 2, name: 'Beta', currency: 'EUR', status: 'ACTIVE', impressions: 7n, clicks: 7n, spend: '7', conversions: 0n, leads: 0n, ctr: 1, cpc: 1 },
    { account_id: 3, name: 'Gamma', currency: null, status: null, ...ZEROS },
  ]);
  assert.equal(Object.keys(rows[0]!), [...REPORT_FIELDS.accounts]);
});

Reports('campaigns: zero-data campaigns kept; range edges inclusive', async ({ pool }) => {
  const rows = await runReport(pool, 'campaigns', { accountId: 1, ...march });
  assert.equal(rows, [
    { campaign_id: 10, name: 'C10', status: 'ACTIVE', type: 'SPONSORED_UPDATES', campaign_group: 'urn:li:sponsoredCampaignGroup:1', impressions: 4000n, clicks: 30n, spend: '30.30', landing_page_clicks: 4n, conversions: 2n, leads: 1n, ctr: 0.0075, cpc: 1.01 },
    { campaign_id: 11, name: 'C11', status: 'PAUSED', type: 'TEXT_AD', campaign_group: null, impressions: 100n, clicks: 0n, spend: '0.00000000000000001', landing_page_clicks: 0n, conversions: 0n, leads: 0n, ctr: 0, cpc: 0 },
    { campaign_id: 12, name: 'C12 (no data)', status: null, type: null, campaign_group: null, impressions: 0n, clicks: 0n, spend: '0', landing_page_clicks: 0n, conversions: 0n, leads: 0n, ctr: 0, cpc: 0 },
  ]);
  const oneDay = await runReport(pool, 'campaigns', { accountId: 1, from: '2024-03-04', to: '2024-03-04' });
  assert.equal(oneDay.map((r) => (r as { spend: string }).spend), ['99', '0', '0']);
});

Reports('creatives: ties on spend ordered by creative id as text; --campaign narrows', async ({ pool }) => {
  const rows = await runReport(pool, 'creatives', { accountId: 1, ...march });
  assert.equal(rows.map((r) => (r as { creative_id: string }).creative_id), [B, A, C]);
  assert.equal(rows[0], { creative_id: B, campaign_id: 10, content_name: 'B', intended_status: null, is_serving: null, impressions: 20n, clicks: 2n, spend: '1.5', conversions: 0n, leads: 3n, ctr: 0.1, cpc: 0.75 });
  assert.equal(rows[2], { creative_id: C, campaign_id: 11, content_name: 'C', intended_status: null, is_serving: null, ...ZEROS });
  const one = await runReport(pool, 'creatives', { accountId: 1, campaignId: 11, ...march });
  assert.equal(one.map((r) => (r as { creative_id: string }).creative_id), [C]);
});

Reports('daily: every day of the range, gap days as zeros; --campaign narrows', async ({ pool }) => {
  const rows = await runReport(pool, 'daily', { accountId: 1, ...march });
  assert.equal(rows, [
    { date: '2024-03-01', impressions: 1000n, clicks: 10n, spend: '10.10', conversions: 2n, leads: 1n, ctr: 0.01, cpc: 1.01 },
    { date: '2024-03-02', impressions: 100n, clicks: 0n, spend: '0.00000000000000001', conversions: 0n, leads: 0n, ctr: 0, cpc: 0 },
    { date: '2024-03-03', impressions: 3000n, clicks: 20n, spend: '20.20', conversions: 0n, leads: 0n, ctr: 20 / 3000, cpc: 1.01 },
  ]);
  const c10 = await runReport(pool, 'daily', { accountId: 1, campaignId: 10, ...march });
  assert.equal(c10[1], { date: '2024-03-02', ...ZEROS });
  const empty = await runReport(pool, 'daily', { accountId: 3, from: '2024-12-30', to: '2025-01-02' });
  assert.equal(empty.map((r) => (r as { date: string }).date), ['2024-12-30', '2024-12-31', '2025-01-01', '2025-01-02']);
});

Reports('demographics: periods starting in range summed per segment; shares of the reported impressions', async ({ pool }) => {
  const rows = await runReport(pool, 'demographics', { accountId: 1, pivot: 'seniority', ...march });
  assert.equal(rows, [
    { segment: 'urn:li:seniority:4', impressions: 400n, clicks: 4n, ctr: 0.01, share_pct: 80 },
    { segment: 'urn:li:seniority:5', impressions: 100n, clicks: 0n, ctr: 0, share_pct: 20 },
  ]);
  assert.equal(await runReport(pool, 'demographics', { accountId: 2, pivot: 'seniority', ...march }), []);
});

Reports('compare: the range against the equally long range just before it', async ({ pool }) => {
  const rows = await runReport(pool, 'compare', { accountId: 1, from: '2024-03-02', to: '2024-03-03' });
  assert.equal(rows, [
    { campaign_id: 10, name: 'C10', impressions: 3000n, impressions_prev: 1500n, clicks: 20n, clicks_prev: 15n, spend: '20.20', spend_prev: '15.15', ctr: 20 / 3000, ctr_prev: 0.01, cpc: 1.01, cpc_prev: 1.01 },
    { campaign_id: 11, name: 'C11', impressions: 100n, impressions_prev: 0n, clicks: 0n, clicks_prev: 0n, spend: '0.00000000000000001', spend_prev: '0', ctr: 0, ctr_prev: 0, cpc: 0, cpc_prev: 0 },
    { campaign_id: 12, name: 'C12 (no data)', impressions: 0n, impressions_prev: 0n, clicks: 0n, clicks_prev: 0n, spend: '0', spend_prev: '0', ctr: 0, ctr_prev: 0, cpc: 0, cpc_prev: 0 },
  ]);
});

Reports('syncs: newest first, per account or all, limited', async ({ pool }) => {
  const ids: number[] = [];
  for (const accountId of ['1', 'all', '1']) {
    const run = await startSync(pool, { accountId, trigger: 'manual' });
    await finishSync(pool, { id: run.id, status: 'success', campaignsFetched: 2 });
    ids.push(run.id);
  }
  const rows = await runReport(pool, 'syncs', { limit: 2 });
  assert.equal(rows.map((r) => (r as { id: number }).id), [ids[2], ids[1]]);
  assert.equal(Object.keys(rows[0]!), [...REPORT_FIELDS.syncs]);
  const one = await runReport(pool, 'syncs', { accountId: '1' });
  assert.equal(one.map((r) => (r as { account_id: string }).account_id), ['1', '1']);
});

Reports('asked wrongly: a clear ReportError, never an empty success', async ({ pool }) => {
  const cases: Array<[string, Parameters<typeof runReport>[2], RegExp]> = [
    ['campaigns', { accountId: 99, ...march }, /no account 99/],
    ['campaigns', { ...march }, /needs an account/],
    ['campaigns', { accountId: 1, from: '2024-03-05', to: '2024-03-01' }, /from 2024-03-05 is after to 2024-03-01/],
    ['campaigns', { accountId: 1, from: '2024-02-30' }, /not a real calendar day/],
    ['accounts', { to: '9999-12-31' }, /to 9999-12-31 is outside the days a report covers \(1970-01-01 to 2999-12-31\)/],
    ['compare', { accountId: 1, from: '0001-01-01', to: '2024-01-01' }, /from 0001-01-01 is outside the days a report covers/],
    ['campaigns', { accountId: '0x3E9' as unknown as number, ...march }, /"0x3E9" is not an account id/],
    ['daily', { accountId: 1, campaignId: 20, ...march }, /no campaign 20 in account 1/],
    ['demographics', { accountId: 1, ...march }, /needs a pivot/],
    ['demographics', { accountId: 1, pivot: 'age', ...march }, /unknown pivot "age"/],
    ['weekly', { accountId: 1 }, /unknown report "weekly"/],
  ];
  for (const [name, options, message] of cases) {
    try {
      await runReport(pool, name, options);
      assert.unreachable(`${name} ${JSON.stringify(options)}`);
    } catch (error) {
      assert.instance(error, ReportError);
      assert.match((error as Error).message, message);
    }
  }
});

Reports('ranges over whole months read the monthly rollups and the edge days, and sum the same', async ({ pool }) => {
  const span = { from: '2024-02-29', to: '2024-04-01' }; // head Feb 29, March whole, tail April 1
  const [c10] = await runReport(pool, 'campaigns', { accountId: 1, ...span });
  assert.equal(c10, { campaign_id: 10, name: 'C10', status: 'ACTIVE', type: 'SPONSORED_UPDATES', campaign_group: 'urn:li:sponsoredCampaignGroup:1', impressions: 14499n, clicks: 134n, spend: '134.35', landing_page_clicks: 4n, conversions: 3n, leads: 1n, ctr: 134 / 14499, cpc: 1.0026119402985075 });
  const [b] = await runReport(pool, 'creatives', { accountId: 1, ...span });
  assert.equal([b!.creative_id, b!.impressions, b!.spend], [B, 119n, '10.5']);
  const [accounts] = await runReport(pool, 'accounts', span);
  assert.equal([accounts!.impressions, accounts!.spend], [14599n, '134.35000000000000001']);
  const [compare] = await runReport(pool, 'compare', { accountId: 1, from: '2024-03-01', to: '2024-03-31' });
  assert.equal([compare!.impressions, compare!.impressions_prev], [13999n, 500n]);
});

Reports('report_range_parts(): whole months, whole weeks, edge days', async ({ pool }) => {
  const split = async (from: string, to: string) => {
    const p = await splitRangeByWeeks(pool, { from, to });
    return [p.headTo, p.headWeeksFrom, p.headWeeksTo, p.monthsFrom, p.monthsTo, p.tailWeeksFrom, p.tailWeeksTo, p.tailFrom];
  };
  // A leap day, then March whole, then one day of April (a Monday: no whole week).
  assert.equal(await split('2024-02-29', '2024-04-01'), ['2024-02-29', '2024-04-02', '2024-04-02', '2024-03-01', '2024-04-01', '2024-04-02', '2024-04-02', '2024-04-01']);
  assert.equal(await split('2024-03-01', '2024-03-31'), ['2024-02-29', '2024-04-01', '2024-04-01', '2024-03-01', '2024-04-01', '2024-04-01', '2024-04-01', '2024-04-01']);
  // No whole month: days, the Mondays' weeks, days.
  assert.equal(await split('2024-03-05', '2024-03-20'), ['2024-03-10', '2024-03-11', '2024-03-18', '2024-03-21', '2024-03-21', '2024-03-21', '2024-03-21', '2024-03-18']);
  // Across a year's end: December's last week part (the 30th, a Monday, and the 31st), January, February's first week part.
  assert.equal(await split('2024-12-15', '2025-02-10'), ['2024-12-15', '2024-12-16', '2025-01-01', '2025-01-01', '2025-02-01', '2025-02-01', '2025-02-10', '2025-02-10']);
});

Reports('the default range is the 30 days ending today (UTC)', () => {
  assert.equal(reportRange({ today: '2024-03-30' }), { from: '2024-03-01', to: '2024-03-30' });
  assert.equal(reportRange({ today: '2024-03-30', to: '2024-01-30' }), { from: '2024-01-01', to: '2024-01-30' });
});

Reports.run();
