import * as assert from 'uvu/assert';
import { suite } from 'uvu';
import { createPool } from '../src/db/pool.js';
import { runReport } from '../src/reports/reports.js';
import { writeBatch } from '../src/store/apply.js';
import { adsStore } from './helpers/cli.js';
import { freshDatabase, grantAppRole, type TestDatabase } from './helpers/database.js';
import { writeExport } from './helpers/fixtures.js';

/**
 * scripts/app-role.sql: a member of ads_store_app reads and writes every table —
 * the bulk write path's temporary staging tables and the rollup triggers included —
 * and cannot change the schema. (CI also runs the ingest and report test files as
 * that role: ADS_STORE_TEST_ROLE=app.)
 */
const LeastPrivilege = suite<{ db?: TestDatabase; appUrl: string }>('least-privilege', { appUrl: '' });

LeastPrivilege.before(async (context) => {
  context.db = await freshDatabase('least_privilege');
  context.appUrl = await grantAppRole(context.db.adminUrl);
});
LeastPrivilege.after(async ({ db }) => db?.drop());

LeastPrivilege('the application role writes through the bulk path, ingests and reports', async ({ appUrl }) => {
  const app = createPool(appUrl, { max: 4 });
  try {
    const { rows } = await app.query(`select current_user as user, rolsuper from pg_roles where rolname = current_user`);
    assert.equal(rows[0], { user: 'ads_store_test_app', rolsuper: false });
    await writeBatch(app, {
      accounts: [{ id: 1, name: 'One' }],
      campaigns: [{ id: 10, account_id: 1 }],
      campaignDailyMetrics: [{ campaign_id: 10, date: '2025-03-01', impressions: 100, clicks: 4, spend: '2.50' }],
    });
    // A second write of the same days goes through the staging tables (CREATE TEMP TABLE).
    await writeBatch(app, { campaignDailyMetrics: [{ campaign_id: 10, date: '2025-03-01', impressions: 120, clicks: 4, spend: '2.50' }] });
    const [campaign] = await runReport(app, 'campaigns', { accountId: 1, from: '2025-03-01', to: '2025-03-31' });
    assert.is(campaign!.impressions, 120n);
  } finally {
    await app.end();
  }
  const file = await writeExport('least-privilege.ndjson', [{ adAccount: { id: 2, name: 'Two' } }, { sync: { accountId: '2' } }]);
  const ingest = await adsStore(['ingest', file], { DATABASE_URL: appUrl });
  assert.is(ingest.code, 0, ingest.stderr);
  const status = await adsStore(['migrate', 'status'], { DATABASE_URL: appUrl });
  assert.is(status.code, 0, status.stderr);
  assert.match(status.stdout, /^applied /);
});

LeastPrivilege('the application role cannot change the schema, truncate, or rewrite the migration history', async ({ appUrl }) => {
  const app = createPool(appUrl, { max: 1 });
  try {
    const attempts = [
      'create table intruder (id int)',
      'alter table campaigns add column intruder int',
      'drop table sync_log',
      'create index intruder_idx on campaigns (name)',
      'truncate campaign_daily_metrics',
      'drop trigger campaign_daily_metrics_roll_up_insert on campaign_daily_metrics',
      'create function intruder() returns int language sql return 1',
      `delete from pgmigrations`,
      `alter table campaign_daily_metrics disable trigger all`,
    ];
    for (const sql of attempts) {
      try {
        await app.query(sql);
        assert.unreachable(`${sql} must fail`);
      } catch (error) {
        assert.match((error as { code?: string }).code ?? '', /^(42501|42P01)$/, `${sql}: ${(error as Error).message}`);
      }
    }
  } finally {
    await app.end();
  }
});

LeastPrivilege.run();
