import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ingestFile } from '../src/ingest/ingest.js';
import { writeBatch, type Batch } from '../src/store/apply.js';
import { DayBuckets, dayRowOrder } from '../src/store/day-order.js';
import { databaseSuite, emptyTables, physicalDayOrder as physicalOrder } from './helpers/database.js';
import { writeExport } from './helpers/fixtures.js';

// Days come from LinkedIn and its exports day by day; the direct paths copy them in
// their primary key's order, parent then day (src/store/day-order.ts), which costs
// the server less. What is stored is the same either way: these tests check the order
// the rows reached their table in (their physical order, as COPY appends them).

test('the order is by parent, numbers by value and text by code units, then by day, stably', () => {
  const parents = [10, 9, 10, 9, 10, 100];
  const days = [2, 1, 1, 2, 1, 0];
  // Rows 2 and 4 are the same parent and day: they keep their order.
  assert.equal([...dayRowOrder(parents.length, (i) => parents[i]!, (i) => days[i]!)], [1, 3, 2, 4, 0, 5]);
  const creatives = ['urn:li:sponsoredCreative:9', 'urn:li:sponsoredCreative:10', 'urn:li:sponsoredCreative:9'];
  const dates = ['2025-01-02', '2025-01-01', '2025-01-01'];
  assert.equal([...dayRowOrder(creatives.length, (i) => creatives[i]!, (i) => dates[i]!)], [1, 2, 0]);
  assert.equal([...dayRowOrder(0, () => 1, () => 1)], []);
});

test('buckets give their rows by parent, then day, sorting the days of a parent that came out of order', () => {
  const buckets = new DayBuckets();
  const write = (parent: number, day: number) => {
    const row = `${parent}\t${new Date(Date.UTC(2025, 0, day)).toISOString().slice(0, 10)}\t${day * 10}\n`;
    const bucket = buckets.open(parent, day, row.length);
    bucket.end += bucket.buffer.write(row, bucket.end, 'latin1');
  };
  // Day by day, and parent 10's window of days 1-2 again after its days 3-4 (a window split and fetched again).
  for (const day of [3, 4]) for (const parent of [10, 9]) write(parent, day);
  for (const day of [1, 2]) write(10, day);
  for (let i = 0; i < 100; i++) write(100, i + 1); // a bucket that grows
  assert.is(buckets.rows, 106);
  const lines = buckets.take().toString('latin1').split('\n');
  assert.equal(lines.slice(0, 6), ['9\t2025-01-03\t30', '9\t2025-01-04\t40', '10\t2025-01-01\t10', '10\t2025-01-02\t20', '10\t2025-01-03\t30', '10\t2025-01-04\t40']);
  assert.is(lines.length, 107);
  assert.is(buckets.rows, 0);
  assert.is(buckets.take().length, 0);
});

test.run();

const Order = databaseSuite('day-order');
Order.before.each(({ pool }) => emptyTables(pool));

const CAMPAIGNS = [12, 3, 7];
const CREATIVES = CAMPAIGNS.flatMap((campaign_id) => [1, 2].map((k) => ({ id: `urn:li:sponsoredCreative:${campaign_id}${k}`, campaign_id })));
const DATES = Array.from({ length: 20 }, (_, d) => `2025-03-${String(d + 1).padStart(2, '0')}`);

function parents(): Batch {
  return {
    accounts: [{ id: 1, name: 'Account' }],
    campaigns: CAMPAIGNS.map((id) => ({ id, account_id: 1 })),
    creatives: CREATIVES.map((creative) => ({ ...creative, account_id: 1 })),
  };
}

Order('a first writeBatch copies its days in key order, whatever order the batch gives them', async ({ pool }) => {
  await writeBatch(pool, parents());
  const counts = await writeBatch(pool, {
    // Day by day, as LinkedIn answers.
    campaignDailyMetrics: DATES.flatMap((date) => CAMPAIGNS.map((campaign_id) => ({ campaign_id, date, impressions: 10 }))),
    creativeDailyMetrics: DATES.flatMap((date) => CREATIVES.map(({ id }) => ({ creative_id: id, date, impressions: 5 }))),
  });
  assert.is(counts.campaign_daily_metrics.inserted, 60);
  assert.is(counts.creative_daily_metrics.inserted, 120);
  for (const table of ['campaign_daily_metrics', 'creative_daily_metrics'] as const) {
    const { written, sorted } = await physicalOrder(pool, table);
    assert.equal(written, sorted, table);
    assert.is(written.length, table === 'campaign_daily_metrics' ? 60 : 120);
  }
  assert.equal((await physicalOrder(pool, 'campaign_daily_metrics')).written.slice(0, 2), ['3 2025-03-01', '3 2025-03-02'], 'campaigns by number');
});

Order('an ingest\'s days written straight in reach their tables in key order', async ({ pool }) => {
  await writeBatch(pool, parents());
  const range = (date: string) => {
    const [year, month, day] = date.split('-').map(Number);
    return { start: { year, month, day }, end: { year, month, day } };
  };
  const file = await writeExport('day-order.ndjson', [
    ...DATES.flatMap((date) => CAMPAIGNS.map((c) => ({ adAnalytics: { dateRange: range(date), pivotValues: [`urn:li:sponsoredCampaign:${c}`], impressions: 10 }, pivot: 'CAMPAIGN' }))),
    ...DATES.flatMap((date) => CREATIVES.map(({ id }) => ({ adAnalytics: { dateRange: range(date), pivotValues: [id], impressions: 5 }, pivot: 'CREATIVE' }))),
  ]);
  const result = await ingestFile(pool, file, { parseWorkers: 1 });
  assert.is(result.directRows, 180, 'every day went straight in');
  for (const table of ['campaign_daily_metrics', 'creative_daily_metrics'] as const) {
    const { written, sorted } = await physicalOrder(pool, table);
    assert.equal(written, sorted, table);
  }
});

Order.run();
