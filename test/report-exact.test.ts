import * as assert from 'uvu/assert';
import { reports } from '../src/reports/reports.js';
import { writeBatch } from '../src/store/apply.js';
import { adsStore } from './helpers/cli.js';
import { databaseSuite } from './helpers/database.js';

/** Sums past 2^53 stay exact: bigint in the typed rows, every digit in the CLI's JSON and CSV. */
const Exact = databaseSuite('report_exact');

const MAX = Number.MAX_SAFE_INTEGER; // 2^53 − 1: the largest count a row may hold
const range = { from: '2025-03-01', to: '2025-03-31' };

Exact.before(async ({ pool }) => {
  await writeBatch(pool, {
    accounts: [{ id: 1 }],
    campaigns: [{ id: 10, account_id: 1, name: 'Huge' }],
    creatives: [{ id: 'urn:li:sponsoredCreative:1', campaign_id: 10, account_id: 1 }],
    campaignDailyMetrics: [1, 2, 3].map((day) => ({ campaign_id: 10, date: `2025-03-0${day}`, impressions: MAX, clicks: MAX, spend: '1' })),
    creativeDailyMetrics: [1, 2, 3].map((day) => ({ creative_id: 'urn:li:sponsoredCreative:1', date: `2025-03-0${day}`, impressions: MAX })),
    audienceDemographics: [1, 2, 3].map((day) => ({ account_id: 1, pivot_type: 'seniority', segment: 'urn:li:seniority:3', date_start: `2025-03-0${day}`, impressions: MAX })),
  });
});

const SUM = 3n * BigInt(MAX); // 27021597764222973, not a JavaScript number

Exact('every report sums counts past 2^53 exactly, as bigint', async ({ pool }) => {
  assert.is((await reports.accounts(pool, range))[0]!.impressions, SUM);
  assert.is((await reports.campaigns(pool, { accountId: 1, ...range }))[0]!.clicks, SUM);
  assert.is((await reports.creatives(pool, { accountId: 1, ...range }))[0]!.impressions, SUM);
  assert.is((await reports.demographics(pool, { accountId: 1, pivot: 'seniority', ...range }))[0]!.impressions, SUM);
  assert.is((await reports.compare(pool, { accountId: 1, ...range }))[0]!.impressions, SUM);
  const daily = await reports.daily(pool, { accountId: 1, from: '2025-03-01', to: '2025-03-03' });
  assert.equal(daily.map((row) => row.impressions), [BigInt(MAX), BigInt(MAX), BigInt(MAX)]);
});

Exact('the CLI writes every digit: a JSON number and a CSV field', async ({ db }) => {
  const json = await adsStore(['report', 'campaigns', '--account', '1', '--from', range.from, '--to', range.to, '--format', 'json'], { DATABASE_URL: db.url });
  assert.is(json.code, 0, json.stderr);
  assert.match(json.stdout, new RegExp(`"impressions": ${SUM},`));
  assert.match(json.stdout, new RegExp(`"clicks": ${SUM},`));
  assert.is(JSON.parse(json.stdout)[0].campaign_id, 10);
  const csv = await adsStore(['report', 'accounts', '--from', range.from, '--to', range.to, '--format', 'csv'], { DATABASE_URL: db.url });
  assert.is(csv.code, 0, csv.stderr);
  assert.match(csv.stdout, new RegExp(`^1,,,,${SUM},`, 'm'));
});

Exact.run();
