import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { checkCount, checkDate, checkDecimal, checkId, fromEpochMs, InvalidValueError, isoDate } from '../src/values.js';

const Values = suite('values');

Values('dates: unpadded forms are canonicalised; impossible days are refused', () => {
  assert.is(checkDate('2024-1-05', 'r', 'date'), '2024-01-05');
  assert.is(checkDate('2024-01-5', 'r', 'date'), '2024-01-05');
  assert.is(checkDate('2024-02-29', 'r', 'date'), '2024-02-29');
  assert.is(isoDate(2023, 2, 29), null);
  assert.is(isoDate(2024, 13, 1), null);
  assert.is(isoDate(2024, 4, 31), null);
  assert.is(isoDate(0, 1, 1), null);
  assert.is(isoDate(99, 1, 1), '0099-01-01');
  for (const bad of ['2024-02-30', '2024-1-5T00:00', ' 2024-01-05', '20240105', '2024-001-05', 20240105]) {
    assert.throws(() => checkDate(bad, 'line 3', 'date'), (e: unknown) => e instanceof InvalidValueError && e.field === 'date' && e.record === 'line 3');
  }
});

Values('decimals: exact text, exponents allowed, floats and junk refused', () => {
  for (const good of ['0', '-2E-18', '107.5300000000000335346', '1.', '.5', '+3', '1e5']) {
    assert.is(checkDecimal(good, 'r', 'spend'), good);
  }
  for (const bad of ['', 'NaN', 'Infinity', '1,5', '1e', '0x10', '1 ', 1.5, null]) {
    assert.throws(() => checkDecimal(bad, 'r', 'spend'), /field spend/);
  }
});

Values('ids and counts: safe integers only', () => {
  assert.is(checkId(Number.MAX_SAFE_INTEGER, 'r', 'id'), Number.MAX_SAFE_INTEGER);
  assert.is(checkCount(0, 'r', 'clicks'), 0);
  for (const bad of [0, -1, 1.5, 2 ** 53, Number.NaN, '5', 5n]) assert.throws(() => checkId(bad, 'r', 'id'), /field id/);
  for (const bad of [-1, 0.5, Infinity, '1']) assert.throws(() => checkCount(bad, 'r', 'clicks'), /field clicks/);
});

Values('epoch milliseconds become the same instant', () => {
  assert.is(fromEpochMs(1692360339000, 'r', 'createdAt').toISOString(), '2023-08-18T12:05:39.000Z');
  assert.is(fromEpochMs(0, 'r', 'createdAt').getTime(), 0);
  for (const bad of [1.5, '1692360339000', 9e15 * 10, null]) assert.throws(() => fromEpochMs(bad, 'r', 'createdAt'), /field createdAt/);
});

Values('an error names the record, the field and the value', () => {
  try {
    checkCount(-3, 'export.ndjson:12', 'impressions');
    assert.unreachable();
  } catch (error) {
    assert.is((error as Error).message, 'export.ndjson:12: field impressions: -3 is not a non-negative integer');
  }
});

Values.run();
