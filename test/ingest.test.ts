import { spawn } from 'node:child_process';
import * as assert from 'uvu/assert';
import { lockAccountsForWrite, lockSync, unlockSync } from '../src/generated/locks.queries.js';
import { IngestError, ingestFile, ingestFiles } from '../src/ingest/ingest.js';
import { getAccount } from '../src/store/accounts.js';
import { getCampaign } from '../src/store/campaigns.js';
import { getCreative } from '../src/store/creatives.js';
import { listAudienceDemographics } from '../src/store/demographics.js';
import { listCampaignDailyMetrics, listCreativeDailyMetrics } from '../src/store/metrics.js';
import { getSync, listSyncs } from '../src/store/syncs.js';
import { databaseSuite, emptyTables, rowVersions, tableChecksums } from './helpers/database.js';
import { exportLinesOf, responseElements, writeExport } from './helpers/fixtures.js';

const Ingest = databaseSuite('ingest');
Ingest.before.each(({ pool }) => emptyTables(pool));

const all = { from: '2000-01-01', to: '2100-01-01' };
const ACCOUNT = 'urn:li:sponsoredAccount:508720451';

async function expectFailure(promise: Promise<unknown>, message: RegExp | string): Promise<IngestError> {
  try {
    await promise;
  } catch (error) {
    assert.instance(error, IngestError);
    assert.match((error as Error).message, message);
    return error as IngestError;
  }
  assert.unreachable(`expected failure ${message}`);
  throw new Error('unreachable');
}

Ingest('the real captures load: entities, daily metrics, demographics, exact values', async ({ pool }) => {
  const file = await writeExport('06fb371b.ndjson', exportLinesOf('06fb371b'));
  const result = await ingestFile(pool, file);
  assert.equal(result.counts.ad_accounts, { inserted: 3, updated: 0 });
  assert.equal(result.counts.campaigns, { inserted: 3, updated: 0 });
  assert.equal(result.counts.creatives, { inserted: 3, updated: 0 });
  assert.equal(result.counts.campaign_daily_metrics, { inserted: 2, updated: 0 });
  assert.equal(result.counts.audience_demographics, { inserted: 8, updated: 0 });
  assert.is(result.accountId, 'all'); // three accounts named, no sync line

  const account = await getAccount(pool, 508720451);
  assert.equal([account!.name, account!.currency, account!.is_test, account!.created_at!.toISOString()], ['Jean’s Ad Account', 'USD', false, '2021-06-14T10:09:22.000Z']);
  const campaign = await getCampaign(pool, 252074216);
  assert.equal(
    [campaign!.account_id, campaign!.status, campaign!.cost_type, campaign!.bid_strategy, campaign!.campaign_group, campaign!.created_at!.toISOString()],
    [508720451, 'COMPLETED', 'CPM', 'MAX_REACH', 'urn:li:sponsoredCampaignGroup:616471656', '2023-08-18T12:05:38.000Z'],
  );
  const creative = await getCreative(pool, 'urn:li:sponsoredCreative:287513206');
  assert.equal(creative!.serving_hold_reasons, ['CAMPAIGN_END_DATE_HOLD', 'CAMPAIGN_STOPPED', 'CAMPAIGN_GROUP_END_DATE_HOLD', 'CAMPAIGN_GROUP_TOTAL_BUDGET_HOLD']);
  assert.equal([creative!.created_at!.getTime(), creative!.content_reference], [1692360339000, 'urn:li:share:6823991265126957056']);

  const days = await listCampaignDailyMetrics(pool, { campaignId: 252074216, ...all });
  // Airbyte cast costs to JSON numbers; each is kept in its shortest decimal form.
  assert.equal(days.map((d) => [d.date, d.impressions, d.clicks, d.spend]), [
    ['2023-08-25', 19464, 106, '99.99999999999996'],
    ['2023-08-26', 1, 0, '-0.000000000000000002'],
  ]);
  const seniority = await listAudienceDemographics(pool, { accountId: 508720451, pivotType: 'seniority', ...all });
  assert.equal(seniority.map((s) => [s.segment, s.impressions, s.clicks, s.share_pct]), [['urn:li:seniority:4', 3762, 25, 100]]);
  const companySize = await listAudienceDemographics(pool, { accountId: 508720451, pivotType: 'company_size', ...all });
  assert.equal(companySize.map((s) => s.segment), ['SIZE_2_TO_10']);
});

Ingest('a later capture restates days, fills a name, and regroups demographic shares', async ({ pool }) => {
  await ingestFile(pool, await writeExport('first.ndjson', exportLinesOf('06fb371b')));
  const result = await ingestFile(pool, await writeExport('second.ndjson', exportLinesOf('680b8dee')));
  assert.equal(result.counts.creatives, { inserted: 0, updated: 1 });
  // 2023-08-25 came back without impressions: the restated day has 0, as the spec's default says.
  const [restated] = await listCampaignDailyMetrics(pool, { campaignId: 252074216, from: '2023-08-25', to: '2023-08-25' });
  assert.equal([restated!.impressions, restated!.clicks, restated!.spend], [0, 106, '100']);
  const creative = await getCreative(pool, 'urn:li:sponsoredCreative:287513206');
  assert.equal([creative!.content_name, creative!.intended_status], ['Creative Airbyte name', 'ACTIVE']);
  const seniority = await listAudienceDemographics(pool, { accountId: 508720451, pivotType: 'seniority', ...all });
  const total = 3762 + 1166 + 1340;
  assert.equal(seniority.map((s) => [s.segment, s.share_pct]), [
    ['urn:li:seniority:4', (3762 * 100) / total],
    ['urn:li:seniority:5', (1340 * 100) / total],
    ['urn:li:seniority:6', (1166 * 100) / total],
  ]);
});

Ingest('the oldest capture: legacy creatives are refused by line; its analytics attach to stored entities', async ({ pool }) => {
  await ingestFile(pool, await writeExport('first.ndjson', exportLinesOf('06fb371b')));
  const lines = exportLinesOf('ab528885');
  await expectFailure(ingestFile(pool, await writeExport('legacy.ndjson', lines)), /legacy\.ndjson:5: field creative\.id: 136324456 is not a urn:li:sponsoredCreative:<id> URN/);
  const withoutLegacy = lines.filter((line) => !('creative' in line));
  const result = await ingestFile(pool, await writeExport('legacy-analytics.ndjson', withoutLegacy));
  assert.equal(result.counts.campaign_daily_metrics, { inserted: 2, updated: 0 });
  const days = await listCreativeDailyMetrics(pool, { creativeId: 'urn:li:sponsoredCreative:133813726', ...all });
  assert.equal(days.map((d) => [d.date, d.spend]), [['2021-08-08', '6.4600000000000021'], ['2021-08-11', '12.4700000000000025']]);
});

Ingest('response bodies fetched in metric chunks merge on (dateRange, pivotValues); repeated keys: later wins', async ({ pool }) => {
  const campaignLines = [1, 2, 3].flatMap((n) => responseElements('ad_campaign_analytics', n as 1 | 2 | 3).map((element) => ({ adAnalytics: element, pivot: 'CAMPAIGN' })));
  const countryLines = [1, 2, 3].flatMap((n) =>
    responseElements('ad_member_country_analytics', n as 1 | 2 | 3).map((element) => ({ adAnalytics: element, pivot: 'MEMBER_COUNTRY_V2', account: 'urn:li:sponsoredAccount:9' })),
  );
  const file = await writeExport('responses.ndjson', [
    ...campaignLines,
    ...countryLines,
    { adCampaign: { id: 123, account: 'urn:li:sponsoredAccount:9' } },
    { adAccount: { id: 9, name: 'Placeholder' } },
  ]);
  const result = await ingestFile(pool, file);
  assert.is(result.accountId, '9');
  const days = await listCampaignDailyMetrics(pool, { campaignId: 123, ...all });
  // No costInLocalCurrency in these bodies (only costInUsd): spend stays 0.
  assert.equal(days.map((d) => [d.date, d.impressions, d.clicks, d.spend]), [
    ['2023-01-02', 19090, 100, '0'],
    ['2023-01-03', 20210, 408, '0'],
    ['2023-01-04', 20210, 408, '0'],
    ['2023-01-05', 19090, 100, '0'],
  ]);
  const countries = await listAudienceDemographics(pool, { accountId: 9, pivotType: 'country', ...all });
  assert.equal(countries.map((c) => [c.date_start, c.date_end, c.segment, c.impressions, c.clicks]), [
    ['2021-01-01', '2021-01-01', 'urn:li:sponsoredCreative:1', 19464, 0],
    ['2021-01-02', '2023-01-02', 'urn:li:sponsoredCreative:1', 1, 0],
    ['2023-01-02', '2023-01-02', 'urn:li:sponsoredCreative:1', 0, 106],
  ]);
});

Ingest('videoViews, a metric added after the specification (README, "Adding a column"), is stored, 0 when absent, refused when negative', async ({ pool }) => {
  const analytics = (day: number, extra: object) => ({
    pivot: 'CAMPAIGN',
    adAnalytics: { dateRange: { start: { year: 2025, month: 3, day }, end: { year: 2025, month: 3, day } }, pivotValues: ['urn:li:sponsoredCampaign:123'], impressions: 10, ...extra },
  });
  const file = await writeExport('video-views.ndjson', [
    { adAccount: { id: 9 } },
    { adCampaign: { id: 123, account: 'urn:li:sponsoredAccount:9' } },
    analytics(1, { videoViews: 37 }),
    analytics(2, {}),
  ]);
  await ingestFile(pool, file);
  const days = await listCampaignDailyMetrics(pool, { campaignId: 123, from: '2025-03-01', to: '2025-03-02' });
  assert.equal(days.map((d) => [d.date, d.video_views]), [['2025-03-01', 37], ['2025-03-02', 0]]);
  const bad = await writeExport('video-views-bad.ndjson', [analytics(3, { videoViews: -1 })]);
  await expectFailure(ingestFile(pool, bad), /video-views-bad\.ndjson:1: field adAnalytics\.videoViews: -1/);
});

Ingest('a partial element keeps stored values; a null clears them', async ({ pool }) => {
  await ingestFile(pool, await writeExport('full.ndjson', exportLinesOf('06fb371b')));
  const file = await writeExport('partial.ndjson', [
    { adCampaign: { id: 252074216, status: 'ARCHIVED' } },
    { adCampaign: { id: 168387646, dailyBudget: null } },
  ]);
  await ingestFile(pool, file);
  const kept = await getCampaign(pool, 252074216);
  assert.equal([kept!.status, kept!.name, kept!.daily_budget, kept!.unit_cost, kept!.account_id], ['ARCHIVED', 'Brand awareness - Aug 21, 2023', '100', '49.85', 508720451]);
  const cleared = await getCampaign(pool, 168387646);
  assert.equal([cleared!.daily_budget, cleared!.daily_budget_currency, cleared!.unit_cost === null], [null, null, false]);
});

Ingest('re-ingesting the same file writes no new row versions and reports nothing written', async ({ pool }) => {
  const file = await writeExport('same.ndjson.gz', exportLinesOf('06fb371b'));
  await ingestFile(pool, file);
  const tables = ['ad_accounts', 'campaigns', 'creatives', 'campaign_daily_metrics', 'creative_daily_metrics', 'audience_demographics'] as const;
  const before = await Promise.all(tables.map((t) => rowVersions(pool, t)));
  const again = await ingestFile(pool, file);
  for (const table of tables) assert.equal(again.counts[table], { inserted: 0, updated: 0 }, table);
  assert.equal(await Promise.all(tables.map((t) => rowVersions(pool, t))), before);
});

Ingest('a bad line leaves the database exactly as it was and a failed sync row says why', async ({ pool }) => {
  await ingestFile(pool, await writeExport('base.ndjson', exportLinesOf('06fb371b')));
  const before = await tableChecksums(pool);
  const lines: Array<Record<string, unknown> | string> = [
    ...exportLinesOf('680b8dee'),
    { adAnalytics: { dateRange: { start: { year: 2023, month: 8, day: 27 }, end: { year: 2023, month: 8, day: 27 } }, pivotValues: ['urn:li:sponsoredCampaign:252074216'], clicks: -1 }, pivot: 'CAMPAIGN' },
    { sync: { accountId: '508720451', trigger: 'manual', apiCallsMade: 3 } },
  ];
  const badLine = lines.length - 1; // the analytics line before the sync line
  const error = await expectFailure(
    ingestFile(pool, await writeExport('bad.ndjson', lines)),
    new RegExp(`bad\\.ndjson:${badLine}: field adAnalytics\\.clicks: -1 is not a non-negative integer`),
  );
  assert.equal(await tableChecksums(pool), before);
  const row = await getSync(pool, error.syncId!);
  assert.equal([row!.status, row!.account_id, row!.errors], ['failed', 'all', error.message]);
});

Ingest('a parent that exists neither in the file nor in the database is named by its line', async ({ pool }) => {
  const file = await writeExport('orphan.ndjson', [
    { adAccount: { id: 1 } },
    { adCampaign: { id: 10, account: 'urn:li:sponsoredAccount:1' } },
    '',
    { creative: { id: 'urn:li:sponsoredCreative:5', campaign: 'urn:li:sponsoredCampaign:77', account: 'urn:li:sponsoredAccount:1' } },
  ]);
  const error = await expectFailure(
    ingestFile(pool, file),
    /orphan\.ndjson:4: field creative\.campaign: urn:li:sponsoredCampaign:77: no such campaign in this write or in the database/,
  );
  assert.is((await getSync(pool, error.syncId!))!.account_id, '1');
  assert.is(await getAccount(pool, 1), null);
});

Ingest('lines over the byte limit fail unless the limit is raised; gzip is read transparently', async ({ pool }) => {
  const long = { adAccount: { id: 1, type: 'x'.repeat(2000) } };
  const file = await writeExport('long.ndjson.gz', [{ adAccount: { id: 2 } }, long]);
  await expectFailure(ingestFile(pool, file, { maxLineBytes: 1000 }), /long\.ndjson\.gz:2: field line is longer than 1000 bytes/);
  const result = await ingestFile(pool, file, { maxLineBytes: 4000 });
  assert.is(result.counts.ad_accounts.inserted, 2);
  assert.is((await getAccount(pool, 1))!.type!.length, 2000);
});

Ingest('sync_log: the sync line decides account_id, trigger and api calls; counts are distinct entities', async ({ pool }) => {
  const file = await writeExport('synced.ndjson', [
    { sync: { accountId: 'all', trigger: 'scheduled', apiCallsMade: 17 } },
    { adAccount: { id: 1 } },
    { adCampaign: { id: 10, account: 'urn:li:sponsoredAccount:1' } },
    { adCampaign: { id: 10, name: 'again' } },
    { adCampaign: { id: 11, account: 'urn:li:sponsoredAccount:1' } },
  ]);
  const result = await ingestFile(pool, file);
  const row = await getSync(pool, result.syncId);
  assert.equal(
    [row!.account_id, row!.status, row!.trigger, row!.api_calls_made, row!.campaigns_fetched, row!.creatives_fetched, row!.errors],
    ['all', 'success', 'scheduled', 17, 2, 0, null],
  );
  assert.instance(row!.finished_at, Date);
  // The repeated campaign element applied in line order: its name added, its account kept.
  const campaign = await getCampaign(pool, 10);
  assert.equal([campaign!.name, campaign!.account_id], ['again', 1]);
  await expectFailure(ingestFile(pool, await writeExport('two-syncs.ndjson', [{ sync: { accountId: '1' } }, { sync: { accountId: '1' } }])), /two-syncs\.ndjson:2: a second sync line/);
});

Ingest('a stale running row (its ingest died) is marked failed by the next ingest of that account', async ({ pool }) => {
  await pool.query(`insert into sync_log (account_id, status) values ('1', 'running')`);
  const result = await ingestFile(pool, await writeExport('after-crash.ndjson', [{ adAccount: { id: 1 } }]));
  const [latest, stale] = await listSyncs(pool, { accountId: '1' });
  assert.is(latest!.id, result.syncId);
  assert.equal([stale!.status, stale!.errors], ['failed', 'stale: the ingest that started this sync ended without finishing it']);
});

Ingest('an ingest process killed mid-ingest blocks nothing: the next ingest marks its row failed', async ({ pool, db }) => {
  await ingestFile(pool, await writeExport('entities.ndjson', [{ adAccount: { id: 1 } }, { adCampaign: { id: 10, account: 'urn:li:sponsoredAccount:1' } }]));
  const file = await writeExport('killed.ndjson', [
    { adAnalytics: { dateRange: { start: { year: 2024, month: 1, day: 1 }, end: { year: 2024, month: 1, day: 1 } }, pivotValues: ['urn:li:sponsoredCampaign:10'], impressions: 5 }, pivot: 'CAMPAIGN' },
    { sync: { accountId: '1' } },
  ]);
  // Hold account 1's write lock, so that the child stops inside its merge, its sync row 'running'.
  const holder = await pool.connect();
  await holder.query('begin');
  await lockAccountsForWrite.run({ accountIds: [1] }, holder);
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/ingest-child.ts', db.url, file], { stdio: 'ignore' });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  try {
    let running: number | undefined;
    for (let waited = 0; waited < 60_000 && running === undefined; waited += 20) {
      running = (await pool.query<{ id: number }>(`select id from sync_log where status = 'running'`)).rows[0]?.id;
      if (running === undefined) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.ok(running !== undefined, 'the child ingest reached its merge');
    child.kill('SIGKILL');
    await exited;
    await holder.query('commit');
    const result = await ingestFile(pool, await writeExport('after.ndjson', [{ adAccount: { id: 1, name: 'after the crash' } }]));
    const crashed = await getSync(pool, running!);
    assert.equal([crashed!.status, crashed!.errors], ['failed', 'stale: the ingest that started this sync ended without finishing it']);
    assert.is((await getSync(pool, result.syncId))!.status, 'success');
    // The killed ingest's rows rolled back with its connection.
    assert.equal(await listCampaignDailyMetrics(pool, { campaignId: 10, ...all }), []);
    assert.is((await getAccount(pool, 1))!.name, 'after the crash');
  } finally {
    child.kill('SIGKILL');
    await holder.query('rollback').catch(() => {});
    holder.release();
  }
});

Ingest('a second ingest of an account waits for the first, or fails at once with no-wait', async ({ pool }) => {
  await ingestFile(pool, await writeExport('base.ndjson', [{ adAccount: { id: 1 } }]));
  const holder = await pool.connect();
  try {
    // Hold account 1's sync lock as a running ingest would.
    await lockSync.run({ accountId: '1' }, holder);
    const file = await writeExport('second.ndjson', [{ adAccount: { id: 1, name: 'second' } }]);
    await expectFailure(ingestFile(pool, file, { waitTimeoutMs: 0 }), 'sync of account 1 is locked by another ingest (not waiting)');
    await expectFailure(ingestFile(pool, file, { waitTimeoutMs: 300 }), 'sync of account 1 is still locked by another ingest after waiting 0 s');
    const waiting = ingestFile(pool, file, { waitTimeoutMs: 20_000 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await unlockSync.run({ accountId: '1' }, holder);
    await waiting;
    assert.is((await getAccount(pool, 1))!.name, 'second');
  } finally {
    holder.release();
  }
});

Ingest('two concurrent overlapping ingests both succeed and end as one of the serial orders', async ({ pool }) => {
  const base = [{ adAccount: { id: 1 } }, { adAccount: { id: 2 } }, { adCampaign: { id: 10, account: 'urn:li:sponsoredAccount:1' } }, { adCampaign: { id: 20, account: 'urn:li:sponsoredAccount:2' } }];
  await ingestFile(pool, await writeExport('base.ndjson', base));
  const dayLine = (campaign: number, i: number, impressions: number) => ({
    adAnalytics: { dateRange: { start: { year: 2024, month: 1 + Math.floor(i / 28), day: 1 + (i % 28) }, end: { year: 2024, month: 1 + Math.floor(i / 28), day: 1 + (i % 28) } }, pivotValues: [`urn:li:sponsoredCampaign:${campaign}`], impressions },
    pivot: 'CAMPAIGN',
  });
  const a = await writeExport('a.ndjson', [...Array.from({ length: 100 }, (_, i) => dayLine(10, i, 1000 + i)), ...Array.from({ length: 100 }, (_, i) => dayLine(20, i, 1000 + i)), { adCampaign: { id: 10, name: 'A' } }]);
  const b = await writeExport('b.ndjson', [...Array.from({ length: 100 }, (_, i) => dayLine(20, 99 - i, 2000 + i)).reverse(), ...Array.from({ length: 100 }, (_, i) => dayLine(10, i, 2000 + i)), { adCampaign: { id: 10, name: 'B' } }]);
  const snapshot = async () => ({
    name: (await getCampaign(pool, 10))!.name,
    days: [...(await listCampaignDailyMetrics(pool, { campaignId: 10, ...all })), ...(await listCampaignDailyMetrics(pool, { campaignId: 20, ...all }))].map((d) => [d.campaign_id, d.date, d.impressions]),
  });
  const serial: unknown[] = [];
  for (const order of [[a, b], [b, a]]) {
    await ingestFiles(pool, order);
    serial.push(await snapshot());
  }
  for (let round = 0; round < 3; round++) {
    const results = await Promise.all([ingestFile(pool, a), ingestFile(pool, b)]);
    assert.is(results.length, 2);
    const state = await snapshot();
    assert.ok(serial.some((s) => JSON.stringify(s) === JSON.stringify(state)), 'the end state is one of the serial orders');
  }
});

Ingest('a missing file fails with its name before any sync row is written (nothing ran)', async ({ pool }) => {
  const error = await expectFailure(ingestFile(pool, '/nonexistent/export.ndjson'), /^\/nonexistent\/export\.ndjson: no such file$/);
  assert.is(error.syncId, null);
  assert.equal(await listSyncs(pool), []);
});

Ingest('several files: each on its own; one failing does not undo the others', async ({ pool }) => {
  const good = await writeExport('good.ndjson', [{ adAccount: { id: 1 } }]);
  const bad = await writeExport('bad.ndjson', [{ adAccount: { id: 2 } }, '{"adAccount": {"id": 3}']);
  const later = await writeExport('later.ndjson', [{ adAccount: { id: 4 } }]);
  const results = await ingestFiles(pool, [good, bad, later]);
  assert.equal(results.map((r) => r instanceof IngestError), [false, true, false]);
  assert.match((results[1] as IngestError).message, /bad\.ndjson:2: field line is not valid JSON/);
  assert.equal([await getAccount(pool, 1), await getAccount(pool, 2), await getAccount(pool, 4)].map((a) => a?.id ?? null), [1, null, 4]);
});

Ingest.run();
