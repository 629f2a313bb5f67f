import * as assert from 'uvu/assert';
import { adsStore, startAdsStore, waitForStderr } from './helpers/cli.js';
import { databaseSuite, emptyTables } from './helpers/database.js';
import { buildDataset, startFakeLinkedIn, type FakeLinkedIn } from './helpers/fake-linkedin.js';
import { suiteScratch } from './helpers/scratch.js';

/** `ads-store sync` as a process, against the fake LinkedIn API of this process. */
const CliSync = databaseSuite<{ fake: FakeLinkedIn }>('cli-sync');
const scratch = suiteScratch(CliSync, 'ads-store-cli-sync-');
const data = buildDataset({ seed: 21, accounts: 2, campaignsPerAccount: 2, creativesPerCampaign: 2, from: '2025-05-01', to: '2025-05-20', hiddenAccounts: 1 });
const TOKEN = 'cli-secret-token-4242';

CliSync.before(async (context) => {
  context.fake = await startFakeLinkedIn({ dataset: data, accessTokens: [TOKEN], latencyMs: 5 });
});
CliSync.after(async ({ fake }) => {
  await fake.close();
});
CliSync.before.each(({ pool }) => emptyTables(pool));

const env = (fake: FakeLinkedIn, extra: Record<string, string | undefined> = {}) => ({
  LINKEDIN_API_BASE_URL: fake.baseUrl,
  LINKEDIN_OAUTH_TOKEN_URL: fake.tokenUrl,
  LINKEDIN_ACCESS_TOKEN: TOKEN,
  LINKEDIN_CLIENT_ID: undefined,
  LINKEDIN_CLIENT_SECRET: undefined,
  LINKEDIN_REFRESH_TOKEN: undefined,
  LINKEDIN_API_VERSION: undefined,
  ...extra,
});
const RANGE = ['--from', '2025-05-01', '--to', '2025-05-20'];

CliSync('sync stores each account it can read, reports the one it cannot, exits 1, and never prints the token', async ({ fake, pool, db }) => {
  const [hidden] = data.hiddenAccountIds;
  const accounts = [...data.readableAccountIds, hidden!].flatMap((id) => ['--account', String(id)]);
  const run = await adsStore(['sync', ...accounts, ...RANGE, '--trigger', 'cron'], { ...env(fake), DATABASE_URL: db.url });
  assert.is(run.code, 1, run.stderr);
  for (const id of data.readableAccountIds) assert.match(run.stdout, new RegExp(`^account ${id} 2025-05-01\\.\\.2025-05-20: 2 campaigns, 4 creatives, \\d+ requests, sync \\d+: ad_accounts \\+1`, 'm'));
  assert.match(run.stdout, new RegExp(`^account ${hidden} 2025-05-01\\.\\.2025-05-20: failed after 1 request, sync \\d+: the token cannot read this account \\(403 ACCESS_DENIED\\)$`, 'm'));
  assert.match(run.stderr, new RegExp(`account ${data.readableAccountIds[0]}: syncing 2025-05-01\\.\\.2025-05-20`));
  assert.not.ok((run.stdout + run.stderr).includes(TOKEN), 'the token is never printed');
  const { rows } = await pool.query(`select account_id, status, trigger from sync_log order by account_id`);
  assert.equal(rows, [...data.readableAccountIds.map((id) => ({ account_id: String(id), status: 'success', trigger: 'cron' })), { account_id: String(hidden), status: 'failed', trigger: 'cron' }]);
  assert.is((await pool.query(`select count(distinct account_id)::int as n from campaigns`)).rows[0].n, 2);
});

CliSync('an API version LinkedIn no longer serves names the setting to change', async ({ fake, db }) => {
  const run = await adsStore(['sync', '--account', String(data.readableAccountIds[0]), ...RANGE, '--api-version', '209901'], { ...env(fake), DATABASE_URL: db.url });
  assert.is(run.code, 1);
  assert.match(run.stdout, 'LinkedIn API version 209901 is not served (426 NONEXISTENT_VERSION): set --api-version or LINKEDIN_API_VERSION to a current version (YYYYMM)');
  const fromEnv = await adsStore(['sync', '--account', String(data.readableAccountIds[0]), ...RANGE], { ...env(fake, { LINKEDIN_API_VERSION: '209902' }), DATABASE_URL: db.url });
  assert.match(fromEnv.stdout, 'LinkedIn API version 209902 is not served');
  // Without --account the first request lists the accounts: its 426 says the same.
  const listing = await adsStore(['sync', ...RANGE, '--api-version', '209901'], { ...env(fake), DATABASE_URL: db.url });
  assert.is(listing.code, 1);
  assert.match(listing.stderr, 'ads-store: LinkedIn API version 209901 is not served (426 NONEXISTENT_VERSION): set --api-version or LINKEDIN_API_VERSION');
});

CliSync('--no-store --out writes the export without a database; ingest of it stores the accounts', async ({ fake, pool, db }) => {
  const file = `${await scratch()}/sync.ndjson`;
  // A database that does not exist: --no-store must not need one.
  const run = await adsStore(['sync', ...RANGE, '--no-store', '--out', file], { ...env(fake), DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
  assert.is(run.code, 0, run.stderr);
  assert.match(run.stdout, new RegExp(`^account ${data.readableAccountIds[1]} 2025-05-01\\.\\.2025-05-20: 2 campaigns, 4 creatives, \\d+ requests$`, 'm'));
  const ingest = await adsStore(['ingest', file], { DATABASE_URL: db.url });
  assert.is(ingest.code, 0, ingest.stderr);
  assert.match(ingest.stdout, /sync \d+ \(all\)/);
  assert.is((await pool.query(`select count(*)::int as n from creatives`)).rows[0].n, 8);
});

CliSync('usage errors exit 2: --no-store without --out or --from, an id that is not decimal, a bad pivot or version', async ({ fake, db }) => {
  for (const args of [
    ['--no-store', '--from', '2025-05-01'],
    ['--no-store', '--out', 'x.ndjson'],
    ['--account', '0x3E9'],
    ['--pivots', 'SENIORITY'],
    ['--api-version', '2026-01'],
    ['--from', '2025-05-20', '--to', '2025-05-01'],
  ]) {
    const run = await adsStore(['sync', ...args], { ...env(fake), DATABASE_URL: db.url });
    assert.is(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
  }
});

CliSync('without credentials sync says which variables to set, and exits 1', async ({ fake, db }) => {
  const run = await adsStore(['sync', ...RANGE], { ...env(fake, { LINKEDIN_ACCESS_TOKEN: undefined }), DATABASE_URL: db.url });
  assert.is(run.code, 1);
  assert.match(run.stderr, /no LinkedIn credentials/);
  assert.match(run.stderr, /LINKEDIN_ACCESS_TOKEN/);
});

CliSync('Ctrl-C during a sync exits 130; nothing of the running accounts is stored, their rows say interrupted', async ({ pool, db }) => {
  // The analytics are not answered until the sync has ended: no account can finish
  // fetching, and so none can commit, however long the signal takes to arrive.
  let answer!: () => void;
  const held = new Promise<void>((resolve) => (answer = resolve));
  const slow = await startFakeLinkedIn({
    dataset: data,
    accessTokens: [TOKEN],
    latencyMs: 400,
    beforeAnswer: (request) => (request.path === '/rest/adAnalytics' ? held : Promise.resolve()),
  });
  try {
    const started = startAdsStore(['sync', ...RANGE], { ...env(slow), DATABASE_URL: db.url });
    await waitForStderr(started, /syncing/);
    started.child.kill('SIGINT');
    const run = await started.done;
    assert.is(run.code, 130, run.stderr);
    assert.is((await pool.query(`select count(*)::int as n from campaigns`)).rows[0].n, 0);
    const { rows } = await pool.query(`select distinct status, errors from sync_log`);
    assert.equal(rows, [{ status: 'failed', errors: 'interrupted' }]);
  } finally {
    answer();
    await slow.close();
  }
});

CliSync.run();
