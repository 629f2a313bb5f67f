import pg from 'pg';
import * as assert from 'uvu/assert';
import { withTransaction } from '../src/db/transaction.js';
import { parseInt8 } from '../src/db/types.js';
import { getAccount } from '../src/store/accounts.js';
import { writeBatch } from '../src/store/apply.js';
import { finishSync, getLastSyncedRange, getSync, startSync } from '../src/store/syncs.js';
import { databaseSuite } from './helpers/database.js';

const Types = databaseSuite('types');

Types('int8 arrives as a number up to 2^53 - 1, exactly', async ({ pool }) => {
  const { rows } = await pool.query(`select 9007199254740991::int8 as max, -9007199254740991::int8 as min, 0::int8 as zero`);
  assert.equal(rows[0], { max: Number.MAX_SAFE_INTEGER, min: -Number.MAX_SAFE_INTEGER, zero: 0 });
});

Types('an int8 beyond 2^53 is an error, not a rounded number', async ({ pool }) => {
  try {
    await pool.query(`select 9007199254740993::int8 as id`);
    assert.unreachable('should have thrown');
  } catch (error) {
    assert.instance(error, RangeError);
    assert.match((error as Error).message, '9007199254740993');
  }
  // The connection is still usable afterwards.
  assert.equal((await pool.query('select 1::int8 as one')).rows, [{ one: 1 }]);
  assert.throws(() => parseInt8('-9007199254740992'), RangeError);
});

Types('int8[] elements are parsed the same way, NULL elements kept', async ({ pool }) => {
  const { rows } = await pool.query(`select array[1, null, 9007199254740991]::int8[] as ids`);
  assert.equal(rows[0].ids, [1, null, Number.MAX_SAFE_INTEGER]);
  try {
    await pool.query(`select array[1, 9007199254740992]::int8[] as ids`);
    assert.unreachable('should have thrown');
  } catch (error) {
    assert.instance(error, RangeError);
  }
});

Types('numeric arrives as its exact decimal text', async ({ pool }) => {
  const { rows } = await pool.query(
    `select '107.5300000000000335346'::numeric as long, '-2E-18'::numeric as tiny, '0.10'::numeric as scaled,
            array['1.1', null]::numeric[] as list`,
  );
  assert.equal(rows[0], { long: '107.5300000000000335346', tiny: '-0.000000000000000002', scaled: '0.10', list: ['1.1', null] });
});

Types('date arrives as YYYY-MM-DD text, and no time zone moves it', async ({ pool }) => {
  const original = process.env.TZ;
  try {
    for (const zone of ['UTC', 'America/New_York', 'Pacific/Kiritimati', 'Pacific/Pago_Pago']) {
      process.env.TZ = zone;
      const { rows } = await pool.query(
        `select '2024-03-10'::date as dst_day, $1::date as param, array['2024-01-05'::date] as list`,
        ['2024-1-05'],
      );
      assert.equal(rows[0], { dst_day: '2024-03-10', param: '2024-01-05', list: ['2024-01-05'] }, zone);
    }
  } finally {
    if (original === undefined) delete process.env.TZ;
    else process.env.TZ = original;
  }
});

Types('timestamptz arrives as the same instant, whatever the time zones', async ({ pool }) => {
  const original = process.env.TZ;
  try {
    process.env.TZ = 'America/New_York';
    await pool.query(`set time zone 'Asia/Kolkata'`); // one pooled session only; the value must not matter
    const instant = new Date(1692360339000);
    const { rows } = await pool.query(`select $1::timestamptz as at, to_timestamp(1692360339.000) as from_epoch`, [instant]);
    assert.is(rows[0].at.getTime(), 1692360339000);
    assert.is(rows[0].from_epoch.getTime(), 1692360339000);
  } finally {
    if (original === undefined) delete process.env.TZ;
    else process.env.TZ = original;
  }
});

/** A pool as a service makes its own: pg's default parsers (bigint as text, date as a local Date). */
async function withServicePool(url: string, use: (pool: pg.Pool) => Promise<void>): Promise<void> {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  try {
    await use(pool);
  } finally {
    await pool.end();
  }
}

Types("a service's own pool: what the library returns has its declared types, the service's own queries keep pg's", async ({ db }) => {
  await withServicePool(db.url, async (pool) => {
    const counts = await writeBatch(pool, { accounts: [{ id: 701 }], campaigns: [{ id: 7011, account_id: 701 }] });
    assert.equal([counts.ad_accounts, counts.campaigns, counts.accounts_locked], [{ inserted: 1, updated: 0 }, { inserted: 1, updated: 0 }, [701]]);
    assert.is((await getAccount(pool, 701))?.id, 701);
    const run = await startSync(pool, { accountId: '701', range: { from: '2025-01-01', to: '2025-01-31' } });
    assert.is(typeof run.id, 'number');
    await finishSync(pool, { id: run.id, status: 'success' });
    assert.is((await getSync(pool, run.id))?.id, run.id);
    assert.equal((await getLastSyncedRange(pool, '701'))?.dateTo, '2025-01-31');
    // The service's pool itself is not changed: its own statements parse as pg does.
    const { rows } = await pool.query(`select 7::int8 as n, '2025-01-01'::date as d`);
    assert.is(rows[0].n, '7');
    assert.instance(rows[0].d, Date);
  });
});

Types("a first load through a service's own pool copies each day with its campaign's account, none rewritten", async ({ db }) => {
  await withServicePool(db.url, async (pool) => {
    await writeBatch(pool, { accounts: [{ id: 702 }], campaigns: [{ id: 7021, account_id: 702 }, { id: 7022, account_id: 702 }] });
    const days = ['2025-02-01', '2025-02-02', '2025-02-03'].flatMap((date) => [7021, 7022].map((campaign_id) => ({ campaign_id, date, impressions: 10 })));
    const written = await withTransaction(pool, async (tx) => {
      await writeBatch(tx, { campaignDailyMetrics: days });
      // Before the commit, this transaction's own counts: a day copied without its
      // account would be inserted, then updated by the rollup trigger.
      return (await tx.query(`select n_tup_ins as inserted, n_tup_upd as updated from pg_stat_xact_user_tables where relname = 'campaign_daily_metrics'`)).rows[0];
    });
    assert.equal(written, { inserted: 6, updated: 0 });
    const { rows } = await pool.query(`select count(*)::int as n from campaign_daily_metrics where campaign_id in (7021, 7022) and account_id = 702`);
    assert.is(rows[0].n, 6);
  });
});

Types.run();
