import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import pg from 'pg';
import * as assert from 'uvu/assert';
import { adsStore, startAdsStore, waitForStderr } from './helpers/cli.js';
import { testServerUrl, until } from './helpers/database.js';

/**
 * The CLI without DATABASE_URL: the shared embedded server under ADS_STORE_HOME
 * (a temporary folder per test here). Started when a command needs it, stopped by
 * the last command using it, kept by `db start` until `db stop`; Ctrl-C leaves no
 * server, lease or lock behind; `demo` runs end to end.
 */
const Embedded = suite<{ home: string }>('cli-embedded', { home: '' });

Embedded.before.each(async (context) => {
  context.home = await mkdtemp(path.join(tmpdir(), 'ads-store-home-'));
});
Embedded.after.each(async ({ home }) => {
  await adsStore(['db', 'stop'], env(home)); // whatever a failed test left running
  await rm(home, { recursive: true, force: true });
});

const env = (home: string) => ({ DATABASE_URL: undefined, ADS_STORE_HOME: home });
/** Nothing left: no server process for the folder, no lease, no lock. */
async function assertNothingLeft(home: string): Promise<void> {
  assert.not.ok(existsSync(path.join(home, 'embedded', 'postmaster.pid')), 'the server was stopped');
  assert.not.ok(existsSync(path.join(home, 'embedded.lock')), 'no lock left');
  assert.equal(existsSync(path.join(home, 'embedded.users')) ? await readdir(path.join(home, 'embedded.users')) : [], [], 'no lease left');
}

Embedded('db start keeps the server between commands until db stop; db status says so', async ({ home }) => {
  assert.match((await adsStore(['db', 'status'], env(home))).stdout, /^stopped/);
  const start = await adsStore(['db', 'start'], env(home));
  assert.is(start.code, 0, start.stderr);
  assert.match(start.stdout, /running: embedded PostgreSQL at 127\.0\.0\.1:\d+\/ads_store/);
  assert.match(start.stdout, /url: postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/ads_store/);
  const password = (await readFile(path.join(home, 'embedded.password'), 'utf8')).trim();
  assert.not.ok(start.stdout.includes(password) || start.stderr.includes(password), 'the password is never printed');
  assert.match((await adsStore(['db', 'status'], env(home))).stdout, /^running: pid \d+, 127\.0\.0\.1:\d+, .*kept running by db start/);
  const report = await adsStore(['report', 'accounts', '--format', 'json'], env(home));
  assert.is(report.code, 0, report.stderr);
  assert.is(report.stdout.trim(), '[]');
  assert.match(report.stderr, /^database: embedded PostgreSQL at 127\.0\.0\.1:\d+\/ads_store/m);
  assert.not.match(report.stderr, /started|stopped/, 'the running server was used and left running');
  assert.match((await adsStore(['db', 'status'], env(home))).stdout, /^running/);
  assert.is((await adsStore(['db', 'stop'], env(home))).stdout, 'stopped\n');
  assert.match((await adsStore(['db', 'status'], env(home))).stdout, /^stopped/);
  await assertNothingLeft(home);
});

Embedded('commands at once share one server: one starts it, the last to finish stops it', async ({ home }) => {
  const file = path.join(home, 'big.ndjson');
  assert.is((await adsStore(['sample', '--accounts', '30', '--days', '365', '--end', '2025-12-31', '--out', file])).code, 0);
  // A long ingest holds the server; two reports start while it runs and end before it.
  const ingest = startAdsStore(['ingest', file], env(home));
  const serverLine = /database: embedded PostgreSQL at (127\.0\.0\.1:\d+\/\w+)/;
  await waitForStderr(ingest, serverLine);
  // The ingest cannot end before the reports: once it has written its running sync row
  // (its migrations done), sync_log is held in SHARE mode, which its closing write waits for.
  const [, address] = serverLine.exec(ingest.stderr())!;
  const password = (await readFile(path.join(home, 'embedded.password'), 'utf8')).trim();
  const holder = new pg.Client({ connectionString: `postgres://postgres:${encodeURIComponent(password)}@${address}` });
  await holder.connect();
  let reports: Awaited<ReturnType<typeof adsStore>>[];
  try {
    await until(holder, `select count(*)::int as n from pg_tables where tablename = 'sync_log'`, 'the ingest created sync_log');
    await until(holder, `select count(*)::int as n from sync_log where status = 'running'`, 'the ingest wrote its running sync row');
    await holder.query('begin');
    await holder.query('lock table sync_log in share mode');
    assert.is(ingest.child.exitCode, null, 'the ingest is still running');
    reports = await Promise.all([1, 2].map(() => adsStore(['report', 'accounts', '--format', 'csv'], env(home))));
    await holder.query('commit');
  } finally {
    await holder.end();
  }
  for (const run of reports) {
    assert.is(run.code, 0, run.stderr);
    assert.not.match(run.stderr, /started|stopped/, 'they used the running server and left it running');
  }
  const long = await ingest.done;
  assert.is(long.code, 0, long.stderr);
  assert.match(long.stderr, /started embedded PostgreSQL[\s\S]*stopped embedded PostgreSQL/);
  assert.is(new Set([long, ...reports].map((run) => /127\.0\.0\.1:\d+/.exec(run.stderr)?.[0])).size, 1, 'one server');
  await assertNothingLeft(home);
});

Embedded('Ctrl-C during an ingest: exit 130, the server stopped, no lease or lock left; data survives for the next command', async ({ home }) => {
  const file = path.join(home, 'big.ndjson');
  assert.is((await adsStore(['sample', '--accounts', '30', '--days', '365', '--end', '2025-12-31', '--out', file])).code, 0);
  const small = path.join(home, 'small.ndjson');
  assert.is((await adsStore(['sample', '--accounts', '1', '--days', '10', '--end', '2025-12-31', '--out', small])).code, 0);
  assert.is((await adsStore(['ingest', small], env(home))).code, 0);

  const ingest = startAdsStore(['ingest', file], env(home));
  await waitForStderr(ingest, /database: embedded/);
  await new Promise((resolve) => setTimeout(resolve, 300)); // well inside the ingest (~3 s)
  ingest.child.kill('SIGINT');
  const run = await ingest.done;
  assert.is(run.code, 130, run.stderr);
  await assertNothingLeft(home);
  // The data folder kept what was committed before; the interrupted file rolled back as a whole.
  const accounts = await adsStore(['report', 'accounts', '--format', 'json', '--from', '2025-12-22', '--to', '2025-12-31'], env(home));
  assert.is(accounts.code, 0, accounts.stderr);
  assert.is(JSON.parse(accounts.stdout).length, 1);
  await assertNothingLeft(home);
});

Embedded('demo: sample, migrations, ingest, a printed summary and an HTML page, in the embedded database even with DATABASE_URL set', async ({ home }) => {
  const run = await adsStore(['demo', '--accounts', '2', '--days', '60'], { DATABASE_URL: testServerUrl(), ADS_STORE_HOME: home });
  assert.is(run.code, 0, run.stderr);
  assert.match(run.stderr, /^database: embedded PostgreSQL/m);
  assert.not.match(run.stderr, /DATABASE_URL/);
  assert.match(run.stdout, /^Accounts, \d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d$/m);
  assert.match(run.stdout, /^Top campaigns of account \d+ by spend$/m);
  assert.match(run.stdout, /^Last sync$[\s\S]*│ success │ sample/m);
  const page = /^HTML report of account \d+: (.+)$/m.exec(run.stdout)?.[1];
  assert.ok(page && page.startsWith(home));
  assert.match(await readFile(page, 'utf8'), /<svg id="daily-chart"/);
  await assertNothingLeft(home);
  // Run again: the same sample re-ingests without changes.
  const again = await adsStore(['demo', '--accounts', '2', '--days', '60'], env(home));
  assert.is(again.code, 0, again.stderr);
  // The sample ends yesterday (UTC): across midnight the second run covers another day.
  const range = (stdout: string) => /^Accounts, (.+)$/m.exec(stdout)?.[1];
  if (range(again.stdout) === range(run.stdout)) assert.match(again.stdout, /campaign_daily_metrics \+0 ~0/);
  else assert.match(again.stdout, /campaign_daily_metrics \+\d+ ~\d+/);
});

Embedded.run();
