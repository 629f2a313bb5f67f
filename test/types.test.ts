import * as assert from 'uvu/assert';
import { parseInt8 } from '../src/db/types.js';
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

Types.run();
