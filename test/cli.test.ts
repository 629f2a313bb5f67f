import * as assert from 'uvu/assert';
import { lockSync } from '../src/generated/locks.queries.js';
import { getAccount } from '../src/store/accounts.js';
import { writeBatch } from '../src/store/apply.js';
import { listSyncs } from '../src/store/syncs.js';
import { adsStore } from './helpers/cli.js';
import { databaseSuite, emptyTables } from './helpers/database.js';
import { writeExport } from './helpers/fixtures.js';

const Cli = databaseSuite('cli');
Cli.before.each(({ pool }) => emptyTables(pool));

Cli('ingest FILE... writes each file and prints what it wrote; exit 0', async ({ db, pool }) => {
  const first = await writeExport('cli-1.ndjson', [{ adAccount: { id: 1, name: 'One' } }, { sync: { accountId: '1', trigger: 'manual' } }]);
  const second = await writeExport('cli-2.ndjson.gz', [{ adAccount: { id: 2, name: 'Two' } }]);
  const run = await adsStore(['ingest', first, second], { DATABASE_URL: db.url });
  assert.is(run.code, 0, run.stderr);
  assert.match(run.stdout, /cli-1\.ndjson: 2 lines, sync \d+ \(1\): ad_accounts \+1 ~0/);
  assert.match(run.stdout, /cli-2\.ndjson\.gz: 1 lines, sync \d+ \(2\): ad_accounts \+1 ~0/);
  assert.match(run.stderr, /^database: DATABASE_URL postgres:\/\//m);
  assert.equal([(await getAccount(pool, 1))?.name, (await getAccount(pool, 2))?.name], ['One', 'Two']);
});

Cli('a bad file: exit 1, the reason on stderr naming file, line and field; other files still ingested', async ({ db, pool }) => {
  const bad = await writeExport('cli-bad.ndjson', [{ adAccount: { id: 1 } }, { adAccount: { id: 'two' } }]);
  const good = await writeExport('cli-good.ndjson', [{ adAccount: { id: 3 } }]);
  const run = await adsStore(['ingest', bad, good], { DATABASE_URL: db.url });
  assert.is(run.code, 1);
  assert.match(run.stderr, /ingest failed: .*cli-bad\.ndjson:2: field adAccount\.id: "two" is not a positive integer/);
  assert.match(run.stdout, /cli-good\.ndjson: 1 lines/);
  assert.equal([await getAccount(pool, 1), (await getAccount(pool, 3))?.id], [null, 3]);
  assert.equal((await listSyncs(pool)).map((s) => s.status), ['success', 'failed']);
});

Cli('--max-line-bytes raises the line limit', async ({ db }) => {
  const file = await writeExport('cli-long.ndjson', [{ adAccount: { id: 1, type: 'x'.repeat(3000) } }]);
  const refused = await adsStore(['ingest', '--max-line-bytes', '1000', file], { DATABASE_URL: db.url });
  assert.is(refused.code, 1);
  assert.match(refused.stderr, /cli-long\.ndjson:1: field line is longer than 1000 bytes/);
  const accepted = await adsStore(['ingest', '--max-line-bytes', '4000', file], { DATABASE_URL: db.url });
  assert.is(accepted.code, 0, accepted.stderr);
});

Cli('--no-wait fails at once while another ingest holds the account; --wait-timeout waits that long', async ({ db, pool }) => {
  const file = await writeExport('cli-wait.ndjson', [{ adAccount: { id: 7 } }]);
  const holder = await pool.connect();
  try {
    await lockSync.run({ accountId: '7' }, holder);
    const noWait = await adsStore(['ingest', '--no-wait', file], { DATABASE_URL: db.url });
    assert.is(noWait.code, 1);
    assert.match(noWait.stderr, /sync of account 7 is locked by another ingest \(not waiting: --no-wait\)/);
    const timedOut = await adsStore(['ingest', '--wait-timeout', '0.5', file], { DATABASE_URL: db.url });
    assert.is(timedOut.code, 1);
    assert.match(timedOut.stderr, /still locked by another ingest after waiting/);
  } finally {
    await holder.query(`select pg_advisory_unlock_all()`);
    holder.release();
  }
});

Cli('usage errors exit 2 with the usage on stderr; --help exits 0', async ({ db }) => {
  for (const args of [[], ['ingest'], ['frobnicate'], ['ingest', '--wait-timeout', 'soon', 'x.ndjson'], ['ingest', '--bogus', 'x.ndjson']]) {
    const run = await adsStore(args, { DATABASE_URL: db.url });
    assert.is(run.code, 2, args.join(' '));
  }
  const help = await adsStore(['ingest', '--help'], { DATABASE_URL: db.url });
  assert.is(help.code, 0);
  assert.match(help.stdout, /Usage: ads-store ingest \[options\] <files\.\.\.>/);
  assert.match(help.stdout, /--wait-timeout <seconds>/);
});

Cli('report NAME --format json|csv|table prints the report alone on stdout; JSON keeps money as strings', async ({ db, pool }) => {
  await writeBatch(pool, {
    accounts: [{ id: 1, name: 'Alpha', currency: 'USD' }],
    campaigns: [{ id: 10, account_id: 1, name: 'Brand, "quoted"' }],
    campaignDailyMetrics: [{ campaign_id: 10, date: '2024-03-01', impressions: 200, clicks: 3, spend: '107.5300000000000335346' }],
  });
  const range = ['--from', '2024-03-01', '--to', '2024-03-02'];
  const json = await adsStore(['report', 'campaigns', '--account', '1', ...range, '--format', 'json'], { DATABASE_URL: db.url });
  assert.is(json.code, 0, json.stderr);
  const rows = JSON.parse(json.stdout);
  assert.equal(rows, [{
    campaign_id: 10, name: 'Brand, "quoted"', status: null, type: null, campaign_group: null, impressions: 200, clicks: 3,
    spend: '107.5300000000000335346', landing_page_clicks: 0, conversions: 0, leads: 0, ctr: 0.015, cpc: 35.84333333333335,
  }]);
  const csv = await adsStore(['report', 'daily', '--account', '1', ...range, '--format', 'csv'], { DATABASE_URL: db.url });
  assert.is(csv.code, 0, csv.stderr);
  assert.is(csv.stdout, 'date,impressions,clicks,spend,conversions,leads,ctr,cpc\n2024-03-01,200,3,107.5300000000000335346,0,0,0.015,35.84333333333335\n2024-03-02,0,0,0,0,0,0,0\n');
  const table = await adsStore(['report', 'accounts', ...range], { DATABASE_URL: db.url });
  assert.is(table.code, 0, table.stderr);
  assert.match(table.stdout, /account_id.*name.*currency/);
  assert.match(table.stdout, /Alpha/);
});

Cli('report asked wrongly: a clear error and a non-zero exit', async ({ db }) => {
  const unknownAccount = await adsStore(['report', 'campaigns', '--account', '99'], { DATABASE_URL: db.url });
  assert.is(unknownAccount.code, 1);
  assert.match(unknownAccount.stderr, /no account 99/);
  assert.is(unknownAccount.stdout, '');
  const backwards = await adsStore(['report', 'daily', '--account', '1', '--from', '2024-03-02', '--to', '2024-03-01'], { DATABASE_URL: db.url });
  assert.is(backwards.code, 1);
  const unknownReport = await adsStore(['report', 'weekly', '--account', '1'], { DATABASE_URL: db.url });
  assert.is(unknownReport.code, 2);
  assert.match(unknownReport.stderr, /'weekly' is invalid for argument 'name'\. Allowed choices are accounts, campaigns/);
  const unknownPivot = await adsStore(['report', 'demographics', '--account', '1', '--pivot', 'shoe_size'], { DATABASE_URL: db.url });
  assert.is(unknownPivot.code, 2);
  assert.match(unknownPivot.stderr, /'shoe_size' is invalid\. Allowed choices are job_title/);
  const badFormat = await adsStore(['report', 'accounts', '--format', 'xml'], { DATABASE_URL: db.url });
  assert.is(badFormat.code, 2);
});

Cli.run();
