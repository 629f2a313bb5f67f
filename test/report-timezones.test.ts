import * as assert from 'uvu/assert';
import pg from 'pg';
import { createPool } from '../src/db/pool.js';
import { migrationStatus } from '../src/db/migrate.js';
import { REPORT_NAMES, runReport, type ReportName } from '../src/reports/reports.js';
import { writeBatch } from '../src/store/apply.js';
import { databaseSuite } from './helpers/database.js';

/**
 * Reports answer in dates, whatever the database's TimeZone: the same rows in zones
 * where DST starts at midnight (that midnight does not exist) and in the zone that
 * skipped a whole day, as in UTC.
 */
const ZONES = [
  'America/Santiago', // DST from 2022-09-11 00:00 (to 01:00)
  'America/Sao_Paulo', // DST from 2018-11-04 00:00
  'Pacific/Apia', // skipped 2011-12-30 altogether
];
const SPANS = [
  ['2011-12-20', '2012-01-10'],
  ['2018-10-25', '2018-11-12'],
  ['2022-09-01', '2022-09-20'],
] as const;
const RANGES = [
  { from: '2011-12-28', to: '2012-01-02' },
  { from: '2011-12-01', to: '2012-01-31' },
  { from: '2018-11-03', to: '2018-11-05' },
  { from: '2018-10-29', to: '2018-11-30' },
  { from: '2022-09-09', to: '2022-09-13' },
  { from: '2022-08-29', to: '2022-10-02' },
  { from: '2011-01-01', to: '2022-12-31' },
];
const CREATIVE = 'urn:li:sponsoredCreative:1';

function days(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

const Zones = databaseSuite('report_timezones');

Zones.before(async ({ pool }) => {
  const all = SPANS.flatMap(([from, to]) => days(from, to));
  await writeBatch(pool, {
    accounts: [{ id: 1, name: 'One' }],
    campaigns: [{ id: 10, account_id: 1, name: 'Ten' }],
    creatives: [{ id: CREATIVE, campaign_id: 10, account_id: 1 }],
    campaignDailyMetrics: all.map((date, i) => ({ campaign_id: 10, date, impressions: 100 + i, clicks: i % 5, spend: `${i}.25` })),
    creativeDailyMetrics: all.map((date, i) => ({ creative_id: CREATIVE, date, impressions: 50 + i, clicks: i % 3, spend: `${i}.5` })),
    audienceDemographics: all.map((date, i) => ({ account_id: 1, pivot_type: 'seniority', segment: `urn:li:seniority:${i % 4}`, date_start: date, date_end: date, impressions: 10 + i, clicks: i % 2 })),
  });
});

/** Every report but syncs over every range, on a new pool whose sessions use the database's TimeZone. */
async function everyReport(url: string): Promise<Record<string, unknown>> {
  const pool = createPool(url, { max: 1 });
  try {
    const zone = (await pool.query<{ zone: string }>('select current_setting($1) as zone', ['TimeZone'])).rows[0]!.zone;
    const results: Record<string, unknown> = { zone };
    for (const range of RANGES) {
      for (const name of REPORT_NAMES.filter((report): report is Exclude<ReportName, 'syncs'> => report !== 'syncs')) {
        results[`${name} ${range.from}..${range.to}`] = await runReport(pool, name, { accountId: 1, pivot: 'seniority', ...range });
      }
    }
    return results;
  } finally {
    await pool.end();
  }
}

Zones('every report gives the same rows in zones with a midnight DST change or a skipped day as in UTC', async ({ db }) => {
  // As the database's owner (the tests may run as the least-privilege role); the zones are constants of this file.
  const admin = createPool(db.adminUrl, { max: 1 });
  const setZone = (zone: string) => admin.query(`alter database ${db.name} set timezone = '${zone}'`);
  try {
    await setZone('UTC');
    const { zone: utc, ...expected } = await everyReport(db.url);
    assert.is(utc, 'UTC');
    for (const range of RANGES) {
      const daily = expected[`daily ${range.from}..${range.to}`] as Array<{ date: string }>;
      assert.equal(daily.map((row) => row.date), days(range.from, range.to), `daily ${range.from}..${range.to} in UTC`);
    }
    for (const zone of ZONES) {
      await setZone(zone);
      const { zone: seen, ...actual } = await everyReport(db.url);
      assert.is(seen, zone);
      for (const [key, rows] of Object.entries(expected)) assert.equal(actual[key], rows, `${key} in ${zone}`);
    }
  } finally {
    await setZone('UTC');
    await admin.end();
  }
});

Zones('under a DateStyle other than ISO, every report gives the same rows and the schema reads as migrated', async ({ db }) => {
  const admin = createPool(db.adminUrl, { max: 1 });
  const setStyle = (style: string) => admin.query(`alter database ${db.name} set datestyle = '${style}'`);
  try {
    const { zone, ...expected } = await everyReport(db.url);
    await setStyle('SQL, DMY');
    const seen = new pg.Client({ connectionString: db.url });
    await seen.connect();
    assert.is((await seen.query(`select current_date::text ~ '/' as sql_style`)).rows[0].sql_style, true, 'the database answers in SQL style');
    await seen.end();
    const { zone: same, ...actual } = await everyReport(db.url);
    assert.is(same, zone);
    for (const [key, rows] of Object.entries(expected)) assert.equal(actual[key], rows, `${key} in SQL, DMY`);
    assert.equal((await migrationStatus(db.url)).filter((migration) => migration.runOn === null), [], 'every migration read as applied');
  } finally {
    await admin.query(`alter database ${db.name} reset datestyle`);
    await admin.end();
  }
});

Zones.run();
