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

Values('decimals that numeric cannot store, or the rollups cannot sum, are refused (PostgreSQL fails them with 22003)', () => {
  for (const good of ['1e131051', '9.9e131051', '1e-16383', '0e999999', '0.01e131053', '00001e131051']) {
    assert.is(checkDecimal(good, 'r', 'spend'), good);
  }
  for (const bad of ['1e131052', '1e-16384', '0.5e-16383', '10e-16384', '0.01e131054', '1e99999999999999999999', `1${'0'.repeat(131_052)}`]) {
    assert.throws(() => checkDecimal(bad, 'r', 'spend'), /field spend: .* is outside the range of a stored amount/);
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
  assert.is(fromEpochMs(-210_866_803_200_000, 'r', 'createdAt').toISOString(), '-004713-11-24T00:00:00.000Z');
  // Before 4713 BC: a JavaScript Date, but no timestamptz.
  for (const bad of [1.5, '1692360339000', 9e15 * 10, null, -210_866_803_200_001, -8.64e15]) assert.throws(() => fromEpochMs(bad, 'r', 'createdAt'), /field createdAt/);
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
