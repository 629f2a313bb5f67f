import * as assert from 'uvu/assert';
import { withTransaction } from '../src/db/transaction.js';
import { getAccount } from '../src/store/accounts.js';
import { LockTimeoutError, UnknownReferenceError, writeBatch, type Batch } from '../src/store/apply.js';
import { getCampaign } from '../src/store/campaigns.js';
import { getCreative } from '../src/store/creatives.js';
import { listAudienceDemographics } from '../src/store/demographics.js';
import { listCampaignDailyMetrics, listCreativeDailyMetrics } from '../src/store/metrics.js';
import { InvalidValueError } from '../src/values.js';
import { databaseSuite, emptyTables, rowVersions } from './helpers/database.js';

const Batches = databaseSuite('batch');
Batches.before.each(({ pool }) => emptyTables(pool));

const CREATIVE = 'urn:li:sponsoredCreative:287513206';
const all = { from: '2000-01-01', to: '2100-01-01' };

function sample(): Batch {
  return {
    // Children before parents, as an export may list them.
    campaignDailyMetrics: [
      { campaign_id: 10, date: '2024-1-5', impressions: 100, clicks: 4, spend: '12.50' },
      { campaign_id: 10, date: '2024-01-06', impressions: 50 },
      { campaign_id: 10, date: '2024-01-05', spend: '13.00', leads: 1 }, // folds into the first
    ],
    creativeDailyMetrics: [{ creative_id: CREATIVE, date: '2024-01-05', impressions: 100, clicks: 4, spend: '-2E-18' }],
    creatives: [{ id: CREATIVE, campaign_id: 10, account_id: 1, serving_hold_reasons: ['A', 'B'] }],
    campaigns: [{ id: 10, account_id: 1, name: 'Brand', daily_budget: '100', daily_budget_currency: 'USD' }],
    accounts: [{ id: 1, name: 'Account', currency: 'USD' }],
    audienceDemographics: [
      { account_id: 1, pivot_type: 'seniority', segment: 'urn:li:seniority:4', date_start: '2024-01-01', date_end: '2024-01-31', impressions: 30 },
      { account_id: 1, pivot_type: 'seniority', segment: 'urn:li:seniority:5', date_start: '2024-01-01', date_end: '2024-01-31', impressions: 10 },
    ],
  };
}

Batches('a first write inserts every table; repeated keys fold, later fields win', async ({ pool }) => {
  const counts = await writeBatch(pool, sample());
  assert.equal(counts.campaign_daily_metrics, { inserted: 2, updated: 0 });
  assert.equal(counts.ad_accounts, { inserted: 1, updated: 0 });
  assert.equal([counts.campaigns_described, counts.creatives_described, counts.accounts_locked], [1, 1, [1]]);
  const days = await listCampaignDailyMetrics(pool, { campaignId: 10, ...all });
  assert.equal(days.map((d) => [d.date, d.impressions, d.clicks, d.spend, d.leads]), [
    ['2024-01-05', 100, 4, '13.00', 1],
    ['2024-01-06', 50, 0, '0', 0],
  ]);
  assert.equal((await getCreative(pool, CREATIVE))!.serving_hold_reasons, ['A', 'B']);
  const [creativeDay] = await listCreativeDailyMetrics(pool, { creativeId: CREATIVE, ...all });
  assert.is(creativeDay!.spend, '-0.000000000000000002');
  const shares = await listAudienceDemographics(pool, { accountId: 1, pivotType: 'seniority', ...all });
  assert.equal(shares.map((s) => s.share_pct), [75, 25]);
});

Batches('re-writing identical data writes nothing: zero counts, same row versions', async ({ pool }) => {
  await writeBatch(pool, sample());
  const tables = ['ad_accounts', 'campaigns', 'creatives', 'campaign_daily_metrics', 'creative_daily_metrics', 'audience_demographics'] as const;
  const before = await Promise.all(tables.map((t) => rowVersions(pool, t)));
  const counts = await writeBatch(pool, sample());
  for (const table of tables) assert.equal(counts[table], { inserted: 0, updated: 0 }, table);
  assert.equal(await Promise.all(tables.map((t) => rowVersions(pool, t))), before);
});

Batches('a changed day is replaced, absent metrics back to 0; absent entity fields kept', async ({ pool }) => {
  await writeBatch(pool, sample());
  const counts = await writeBatch(pool, {
    campaignDailyMetrics: [{ campaign_id: 10, date: '2024-01-05', impressions: 120 }],
    campaigns: [{ id: 10, name: 'Renamed', daily_budget: null, daily_budget_currency: null }],
  });
  assert.equal(counts.campaign_daily_metrics, { inserted: 0, updated: 1 });
  assert.equal(counts.campaigns, { inserted: 0, updated: 1 });
  const [day] = await listCampaignDailyMetrics(pool, { campaignId: 10, from: '2024-01-05', to: '2024-01-05' });
  assert.equal([day!.impressions, day!.clicks, day!.spend, day!.leads], [120, 0, '0', 0]);
  const campaign = await getCampaign(pool, 10);
  assert.equal([campaign!.name, campaign!.account_id, campaign!.daily_budget, campaign!.daily_budget_currency], ['Renamed', 1, null, null]);
  assert.is((await getAccount(pool, 1))!.name, 'Account');
});

Batches('an unknown parent names the row and field; nothing is written', async ({ pool }) => {
  const batch = sample();
  batch.campaignDailyMetrics = [...batch.campaignDailyMetrics!, { campaign_id: 999, date: '2024-01-01' }];
  try {
    await writeBatch(pool, batch);
    assert.unreachable('should have thrown');
  } catch (error) {
    assert.instance(error, UnknownReferenceError);
    assert.is((error as Error).message, 'campaign_daily_metrics[3]: field campaign_id: 999: no such campaign in this write or in the database');
  }
  assert.is(await getAccount(pool, 1), null);
});

Batches('an invalid value names the row and field; nothing is written', async ({ pool }) => {
  const batch = sample();
  batch.creatives = [{ id: CREATIVE, campaign_id: 10, account_id: 1, created_at: new Date(NaN) }];
  try {
    await writeBatch(pool, batch);
    assert.unreachable('should have thrown');
  } catch (error) {
    assert.instance(error, InvalidValueError);
    assert.match((error as Error).message, /^creatives\[0\]: field created_at: Invalid Date/);
  }
  assert.is(await getAccount(pool, 1), null);
});

Batches('a text an index cannot hold (an account name, a creative id, a segment) names its row and field; nothing is written', async ({ pool }) => {
  const long = 'é'.repeat(501); // 1,002 bytes of UTF-8
  const cases: Array<[Parameters<typeof writeBatch>[1], RegExp]> = [
    [{ ...sample(), accounts: [{ id: 1, name: long }] }, /^ad_accounts\[0\]: field name: ".*…" is 1002 bytes long \(UTF-8\), over the 1000 an index key holds here$/],
    [{ ...sample(), creatives: [{ id: long, campaign_id: 10, account_id: 1 }] }, /^creatives\[0\]: field id: .* is 1002 bytes long/],
    [{ ...sample(), audienceDemographics: [{ account_id: 1, pivot_type: 'seniority', segment: long, date_start: '2025-01-01' }] }, /^audience_demographics\[0\]: field segment: .* is 1002 bytes long/],
  ];
  for (const [batch, message] of cases) {
    try {
      await writeBatch(pool, batch);
      assert.unreachable('should have thrown');
    } catch (error) {
      assert.instance(error, InvalidValueError);
      assert.match((error as Error).message, message, (error as Error).message);
    }
  }
  assert.is(await getAccount(pool, 1), null);
  await writeBatch(pool, { ...sample(), accounts: [{ id: 1, name: 'é'.repeat(500) }] }); // 1,000 bytes: held
});

Batches('a bad metric found while a first load is sent names its row and field; nothing is written, the connection stays usable', async ({ pool }) => {
  await writeBatch(pool, { accounts: [{ id: 1 }], campaigns: [{ id: 10, account_id: 1 }, { id: 20, account_id: 1 }] });
  const day = (i: number) => new Date(Date.UTC(2000, 0, 1 + i)).toISOString().slice(0, 10);
  // Over a megabyte of days (sent before the last is encoded), then a spend that is not a number.
  const days = Array.from({ length: 30_000 }, (_, i) => ({ campaign_id: i % 2 === 0 ? 10 : 20, date: day(Math.floor(i / 2)), impressions: i, spend: '1.25' }));
  days.push({ campaign_id: 10, date: day(20_000), impressions: 1, spend: 'ten' });
  for (const [batch, record] of [
    [{ campaignDailyMetrics: days, accounts: [{ id: 1, name: 'renamed' }] }, 'campaign_daily_metrics[30000]'],
    // The same value where the days go through staging (a restatement) fails the same way.
    [{ campaignDailyMetrics: [{ campaign_id: 10, date: day(0), impressions: 7 }, { campaign_id: 10, date: day(1), spend: 'ten' }] }, 'campaign_daily_metrics[1]'],
  ] as const) {
    // A hang detector, not a speed target: a COPY left open would hold its connection
    // (and the ROLLBACK behind it) until the pool's 30 s statement timeout.
    const connections = pool.totalCount;
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      writeBatch(pool, batch).then(() => 'written', (error: unknown) => error),
      new Promise((resolve) => (timer = setTimeout(resolve, 20_000, 'stuck'))),
    ]);
    clearTimeout(timer);
    assert.instance(outcome, InvalidValueError);
    assert.match((outcome as Error).message, new RegExp(`^${record.replace(/[[\]]/g, '\\$&')}: field spend: "ten"`));
    // Its ROLLBACK succeeded: the connection went back to the pool (a broken one is dropped).
    assert.is(pool.totalCount, connections);
    if (record.endsWith('[1]')) continue;
    await writeBatch(pool, { campaignDailyMetrics: [{ campaign_id: 10, date: day(0), impressions: 5 }] });
  }
  assert.is((await getAccount(pool, 1))!.name, null);
  assert.equal((await listCampaignDailyMetrics(pool, { campaignId: 10, ...all })).map((r) => r.impressions), [5]);
  assert.equal(await listCampaignDailyMetrics(pool, { campaignId: 20, ...all }), []);
  // In the caller's transaction every value is checked first: the transaction stays usable.
  await withTransaction(pool, async (tx) => {
    try {
      await writeBatch(tx, { campaignDailyMetrics: [{ campaign_id: 20, date: day(0), impressions: 3 }, { campaign_id: 20, date: day(1), spend: 'ten' }] });
      assert.unreachable('should have thrown');
    } catch (error) {
      assert.instance(error, InvalidValueError);
    }
    await writeBatch(tx, { campaignDailyMetrics: [{ campaign_id: 20, date: day(0), impressions: 3 }] });
  });
  assert.equal((await listCampaignDailyMetrics(pool, { campaignId: 20, ...all })).map((r) => r.impressions), [3]);
});

Batches('a write waits for the account lock another holds; no-wait fails at once', async ({ pool }) => {
  await writeBatch(pool, sample());
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let locked!: () => void;
  const isLocked = new Promise<void>((resolve) => (locked = resolve));
  const holder = withTransaction(pool, async (tx) => {
    await writeBatch(tx, { accounts: [{ id: 1, name: 'held' }] });
    locked();
    await held;
  });
  await isLocked;
  try {
    await writeBatch(pool, { accounts: [{ id: 1, name: 'second' }] }, { timeoutMs: 0 });
    assert.unreachable('no-wait should fail');
  } catch (error) {
    assert.instance(error, LockTimeoutError);
    assert.match((error as Error).message, 'account 1 is locked by another ingest');
  }
  try {
    await writeBatch(pool, { accounts: [{ id: 1, name: 'third' }] }, { timeoutMs: 200 });
    assert.unreachable('the wait should time out');
  } catch (error) {
    assert.instance(error, LockTimeoutError);
  }
  const waiting = writeBatch(pool, { accounts: [{ id: 1, name: 'last' }] }, { timeoutMs: 10_000 });
  setTimeout(release, 100);
  await holder;
  await waiting;
  assert.is((await getAccount(pool, 1))!.name, 'last');
});

Batches('concurrent overlapping writes all succeed and agree with a serial run', async ({ pool }) => {
  await writeBatch(pool, { accounts: [{ id: 1 }, { id: 2 }], campaigns: [{ id: 10, account_id: 1 }, { id: 20, account_id: 2 }] });
  const day = (i: number) => new Date(Date.UTC(2024, 0, 1 + i)).toISOString().slice(0, 10);
  const batches: Batch[] = Array.from({ length: 6 }, (_, writer) => ({
    campaignDailyMetrics: Array.from({ length: 200 }, (_, i) => ({
      campaign_id: i % 2 === 0 ? 10 : 20,
      date: day(Math.floor(i / 2)),
      impressions: writer * 1000 + i,
    })).reverse(),
  }));
  await Promise.all(batches.map((batch) => writeBatch(pool, batch)));
  // Each batch replaces the same keys entirely: the end state is one of the batches, whole.
  const rows = [...(await listCampaignDailyMetrics(pool, { campaignId: 10, ...all })), ...(await listCampaignDailyMetrics(pool, { campaignId: 20, ...all }))];
  const writers = new Set(rows.map((r) => Math.floor(r.impressions / 1000)));
  assert.is(rows.length, 200);
  assert.is(writers.size, 1, 'every row from the same (last) writer');
});

Batches.run();
