import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as assert from 'uvu/assert';
import { writeBatch } from '../src/store/apply.js';
import { listSyncs } from '../src/store/syncs.js';
import { adsStore, startAdsStore, waitForStderr } from './helpers/cli.js';
import { databaseSuite, emptyTables, freshDatabase } from './helpers/database.js';
import { poll } from './helpers/poll.js';

/**
 * What a newcomer runs into first: usage errors exit 2 before any database work,
 * an unmigrated database says how to migrate, a missing file records no sync, and
 * Ctrl-C stops an ingest cleanly.
 */
const Usage = databaseSuite('cli_usage');
Usage.before.each(({ pool }) => emptyTables(pool));

Usage('every malformed option value or missing required option exits 2, naming it, with nothing written', async ({ db, pool }) => {
  await writeBatch(pool, { accounts: [{ id: 1001 }] });
  const cases: Array<[string[], RegExp]> = [
    [['report', 'campaigns', '--account', 'abc'], /--account.*"abc" is not an id/],
    [['report', 'campaigns', '--account', '0x3E9'], /"0x3E9" is not an id/],
    [['report', 'campaigns', '--account', '1e3'], /"1e3" is not an id/],
    [['report', 'campaigns', '--account', '1001', '--from', '2025/12/01'], /--from.*"2025\/12\/01" is not a date/],
    [['report', 'campaigns', '--account', '1001', '--to', '2025-02-30'], /--to.*"2025-02-30" is not a date/],
    [['report', 'campaigns'], /campaigns needs --account ID/],
    [['report', 'accounts', '--to', '9999-12-31'], /--to.*"9999-12-31" is outside the days a report covers \(1970-01-01 to 2999-12-31\)/],
    [['report', 'compare', '--account', '1001', '--from', '0001-01-01', '--to', '2025-01-01'], /--from.*"0001-01-01" is outside the days a report covers/],
    [['report', 'daily', '--account', 'all'], /daily needs one account id, not "all"/],
    [['report', 'demographics', '--account', '1001'], /demographics needs --pivot/],
    [['report', 'creatives', '--account', '1001', '--campaign', 'x'], /--campaign.*"x" is not an id/],
    [['report', '--format', 'html'], /needs --account ID/],
    [['report', 'syncs', '--limit', '0'], /--limit.*"0" is not a positive integer/],
    [['report', 'campaigns', '--account', '1001', '--limit', '3'], /--limit goes with the syncs report/],
    [['sample', '--end', '31.12.2025'], /--end.*is not a date/],
    [['ingest', '--wait-timeout', 'soon', 'x.ndjson'], /--wait-timeout.*is not a number of seconds/],
    [['ingest'], /missing required argument 'files'/],
  ];
  for (const [args, message] of cases) {
    const run = await adsStore(args, { DATABASE_URL: db.url });
    assert.is(run.code, 2, `${args.join(' ')}: exit ${run.code}\n${run.stderr}`);
    assert.match(run.stderr, message, args.join(' '));
    assert.is(run.stdout, '', args.join(' '));
  }
  assert.equal(await listSyncs(pool), []);
});

Usage('a database that was never migrated: "no schema: run npm run migrate -- up", exit 1', async () => {
  const bare = await freshDatabase('cli_usage_bare', { migrated: false });
  try {
    for (const args of [['report', 'accounts'], ['ingest', 'missing.ndjson']]) {
      const run = await adsStore(args, { DATABASE_URL: bare.url });
      assert.is(run.code, 1, `${args.join(' ')}\n${run.stderr}`);
      assert.match(run.stderr, /^ads-store: no schema: run npm run migrate -- up/m, args.join(' '));
      assert.not.match(run.stderr, /relation .* does not exist/);
    }
    const tables = await bare.pool.query<{ n: number }>(`select count(*)::int as n from pg_tables where schemaname = 'public'`);
    assert.is(tables.rows[0]!.n, 0, 'nothing was created');
  } finally {
    await bare.drop();
  }
});

Usage('a misspelled input file fails before any sync row is written; the other files are ingested', async ({ db, pool }) => {
  const home = await mkdtemp(path.join(tmpdir(), 'ads-store-usage-'));
  try {
    const good = path.join(home, 'good.ndjson');
    await writeFile(good, `${JSON.stringify({ adAccount: { id: 1002 } })}\n`);
    const run = await adsStore(['ingest', path.join(home, 'god.ndjson'), good], { DATABASE_URL: db.url });
    assert.is(run.code, 1, run.stderr);
    assert.match(run.stderr, /god\.ndjson: no such file/);
    assert.equal((await listSyncs(pool)).map((sync) => [sync.account_id, sync.status]), [['1002', 'success']]);
  } finally {
    await rm(home, { recursive: true, force: true });
  }
});

Usage('Ctrl-C during an ingest says "interrupted", exits 130, rolls the file back and leaves no running sync row', async ({ db, pool }) => {
  const home = await mkdtemp(path.join(tmpdir(), 'ads-store-usage-'));
  try {
    const file = path.join(home, 'big.ndjson');
    assert.is((await adsStore(['sample', '--accounts', '20', '--days', '365', '--end', '2025-12-31', '--out', file])).code, 0);
    let interruptions = 0;
    for (const delayMs of [200, 1500]) {
      // Early: while the file is read and staged; later: at the lock or the merge.
      const ingest = startAdsStore(['ingest', file], { DATABASE_URL: db.url });
      await waitForStderr(ingest, /^database: /m);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      ingest.child.kill('SIGINT');
      const run = await ingest.done;
      if (run.code === 0) continue; // finished before the signal: nothing to check at this delay
      assert.is(run.code, 130, run.stderr);
      assert.match(run.stderr, /^ads-store: interrupted$/m);
      assert.not.match(run.stderr, /ingest failed|57P01|57014/);
      const syncs = await listSyncs(pool);
      assert.equal(syncs.filter((sync) => sync.status === 'running'), [], 'no running sync row');
      assert.ok(syncs.length <= 1, JSON.stringify(syncs)); // none when stopped before the ingest began
      const rows = await pool.query<{ n: number }>('select (select count(*) from ad_accounts) + (select count(*) from campaign_daily_metrics) as n');
      if (syncs[0]?.status === 'success') {
        // The signal came after the commit: the file is in, whole.
        assert.ok(Number(rows.rows[0]!.n) > 0, 'a successful sync has its rows');
        await emptyTables(pool);
        continue;
      }
      if (syncs[0]) assert.match(syncs[0].errors ?? '', /interrupted/, `the sync log: ${JSON.stringify(syncs)}\n${run.stderr}`);
      assert.is(Number(rows.rows[0]!.n), 0, 'the interrupted file rolled back as a whole');
      interruptions += 1;
      await emptyTables(pool);
    }
    assert.ok(interruptions >= 1, 'at least the early signal came while the ingest ran');
  } finally {
    await rm(home, { recursive: true, force: true });
  }
});

Usage('Ctrl-C during a command that is not an ingest stops it at once: "interrupted", exit 130', async () => {
  const home = await mkdtemp(path.join(tmpdir(), 'ads-store-usage-'));
  try {
    const out = path.join(home, 'huge.ndjson');
    const sample = startAdsStore(['sample', '--accounts', '2000', '--days', '365', '--out', out]);
    // Once the sample writes, the command's modules are loaded and its Ctrl-C handler is
    // in place: a fixed delay could signal a child still loading, which Node's default kills.
    await poll(async () => ((await stat(out).catch(() => null))?.size ?? 0) > 0, () => `the sample never wrote: ${sample.stderr()}`);
    sample.child.kill('SIGINT');
    const run = await sample.done;
    assert.is(run.code, 130, run.stderr);
    assert.match(run.stderr, /^ads-store: interrupted$/m);
    assert.not.match(run.stderr, /^sample \d{4}-/m, 'it stopped before writing the whole sample (it did not wait for the ingest grace period either)');
  } finally {
    await rm(home, { recursive: true, force: true });
  }
});

Usage.run();
