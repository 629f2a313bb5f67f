import * as assert from 'uvu/assert';
import { accountPage, costPer, money } from '../src/reports/html.js';
import { writeBatch } from '../src/store/apply.js';
import { databaseSuite, emptyTables } from './helpers/database.js';

const Html = databaseSuite('html');
Html.before.each(({ pool }) => emptyTables(pool));

Html('money is rounded half-up to cents on its digits, grouped, "0.00" for zero', () => {
  const cases: Array<[string, string]> = [
    ['0', '0.00'],
    ['0.000', '0.00'],
    ['0.004', '0.00'],
    ['0.005', '0.01'],
    ['2.994999', '2.99'],
    ['2.995', '3.00'],
    ['9.999', '10.00'],
    ['1234567.891', '1,234,567.89'],
    ['12.5', '12.50'],
    ['99999999999999999999.995', '100,000,000,000,000,000,000.00'],
    ['-2.995', '-3.00'],
    ['-0.004', '0.00'],
  ];
  for (const [amount, shown] of cases) assert.is(money(amount), shown, amount);
  assert.throws(() => money('1e3'), /not a decimal amount/);
});

Html('cost per click is spend ÷ clicks rounded half-up to cents, exactly', () => {
  assert.is(costPer('8.985', 3n), '3.00'); // 2.995 → 3.00 (a float says 2.9949999…)
  assert.is(costPer('10', 3n), '3.33');
  assert.is(costPer('20', 3n), '6.67');
  assert.is(costPer('0.01', 2n), '0.01'); // 0.005 → 0.01
  assert.is(costPer('0.01', 3n), '0.00');
  assert.is(costPer('5', 0n), '0.00');
  assert.is(costPer('123456789012345678.90', 1n), '123,456,789,012,345,678.90');
});

Html('the page shows spend and CPC rounded alike: 2.995 is 3.00 next to a CPC of 3.00; zero totals are 0.00', async ({ pool }) => {
  await writeBatch(pool, {
    accounts: [{ id: 1, name: 'One', currency: 'USD' }, { id: 2, name: 'Quiet' }],
    campaigns: [{ id: 10, account_id: 1, name: 'C' }, { id: 20, account_id: 2, name: 'Nothing' }],
    campaignDailyMetrics: [{ campaign_id: 10, date: '2025-03-03', impressions: 100, clicks: 1, spend: '2.995' }],
  });
  const range = { from: '2025-03-01', to: '2025-03-07' };
  const { html } = await accountPage(pool, { accountId: 1, ...range });
  assert.match(html, /<div class="label">Spend \(USD\)<\/div><div class="value">3\.00<\/div>/);
  assert.match(html, /<div class="label">CPC<\/div><div class="value">3\.00<\/div>/);
  const quiet = (await accountPage(pool, { accountId: 2, ...range })).html;
  assert.match(quiet, /<div class="label">Spend<\/div><div class="value">0\.00<\/div>/);
  assert.match(quiet, /<div class="label">CPC<\/div><div class="value">0\.00<\/div>/);
  assert.not.match(quiet, /0\.000/);
});

Html.run();
