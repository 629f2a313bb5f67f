import * as assert from 'uvu/assert';
import { upsertAccounts, upsertAudienceDemographics } from '../src/store/upserts.js';
import { listAudienceDemographics, } from '../src/store/demographics.js';
import { InvalidValueError } from '../src/values.js';
import { databaseSuite, emptyTables } from './helpers/database.js';

const Demographics = databaseSuite('demographics');
Demographics.before.each(async ({ pool }) => {
  await emptyTables(pool);
  await upsertAccounts(pool, [{ id: 1 }, { id: 2 }]);
});

const seniority = { accountId: 1, pivotType: 'seniority', from: '2024-01-01', to: '2024-12-31' };

Demographics('share_pct is each segment\'s percentage of its group, recomputed when the group changes', async ({ pool }) => {
  await upsertAudienceDemographics(pool, [
    { account_id: 1, pivot_type: 'seniority', segment: 'urn:li:seniority:4', date_start: '2024-01-01', date_end: '2024-01-31', impressions: 300, clicks: 3 },
    { account_id: 1, pivot_type: 'seniority', segment: 'urn:li:seniority:5', date_start: '2024-01-01', date_end: '2024-01-31', impressions: 100 },
    // Another group (other period) and another pivot: shares are computed apart.
    { account_id: 1, pivot_type: 'seniority', segment: 'urn:li:seniority:4', date_start: '2024-02-01', impressions: 50 },
    { account_id: 1, pivot_type: 'company_size', segment: 'SIZE_2_TO_10', date_start: '2024-01-01', impressions: 7 },
  ]);
  let rows = await listAudienceDemographics(pool, seniority);
  assert.equal(rows.map((r) => [r.date_start, r.segment, r.share_pct, r.ctr]), [
    ['2024-01-01', 'urn:li:seniority:4', 75, 0.01],
    ['2024-01-01', 'urn:li:seniority:5', 25, 0],
    ['2024-02-01', 'urn:li:seniority:4', 100, 0],
  ]);
  // A new segment in January changes the shares of the segments already stored.
  await upsertAudienceDemographics(pool, [
    { account_id: 1, pivot_type: 'seniority', segment: 'urn:li:seniority:6', date_start: '2024-01-01', impressions: 600 },
  ]);
  rows = await listAudienceDemographics(pool, seniority);
  assert.equal(rows.map((r) => [r.date_start, r.segment, r.share_pct]), [
    ['2024-01-01', 'urn:li:seniority:6', 60],
    ['2024-01-01', 'urn:li:seniority:4', 30],
    ['2024-01-01', 'urn:li:seniority:5', 10],
    ['2024-02-01', 'urn:li:seniority:4', 100],
  ]);
  const [companySize] = await listAudienceDemographics(pool, { ...seniority, pivotType: 'company_size' });
  assert.is(companySize!.share_pct, 100);
});

Demographics('a group without impressions has shares of 0', async ({ pool }) => {
  await upsertAudienceDemographics(pool, [
    { account_id: 2, pivot_type: 'country', segment: 'urn:li:geo:103644278', date_start: '2024-03-01', impressions: 0, clicks: 0 },
  ]);
  const [row] = await listAudienceDemographics(pool, { ...seniority, accountId: 2, pivotType: 'country' });
  assert.equal([row!.share_pct, row!.ctr], [0, 0]);
});

Demographics('rows of one key fold (later wins) and dates are canonical', async ({ pool }) => {
  const counts = await upsertAudienceDemographics(pool, [
    { account_id: 1, pivot_type: 'seniority', segment: 's', date_start: '2024-1-1', impressions: 5 },
    { account_id: 1, pivot_type: 'seniority', segment: 's', date_start: '2024-01-01', clicks: 1 },
  ]);
  assert.equal(counts, { inserted: 1, updated: 0 });
  const [row] = await listAudienceDemographics(pool, seniority);
  assert.equal([row!.impressions, row!.clicks], [5, 1]);
});

Demographics('a bad row names its field; a period ending before it starts is refused', async ({ pool }) => {
  for (const [row, message] of [
    [{ account_id: 1, pivot_type: 'seniority', segment: 's', date_start: '2024-02-01', date_end: '2024-01-31' }, /field date_end: "2024-01-31" is before date_start 2024-02-01/],
    [{ account_id: 1, pivot_type: '', segment: 's', date_start: '2024-02-01' }, /field pivot_type: "" is empty/],
    [{ account_id: 1, pivot_type: 'seniority', segment: 's', date_start: '2024-02-01', impressions: -3 }, /field impressions: -3/],
  ] as const) {
    try {
      await upsertAudienceDemographics(pool, [row]);
      assert.unreachable('should have thrown');
    } catch (error) {
      assert.instance(error, InvalidValueError);
      assert.match((error as Error).message, message);
    }
  }
  assert.equal(await listAudienceDemographics(pool, seniority), []);
});

Demographics.run();
