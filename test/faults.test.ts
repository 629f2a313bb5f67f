import { createWriteStream } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import type pg from 'pg';
import * as assert from 'uvu/assert';
import { freePort, initialiseCluster, startCluster, stopCluster } from '../src/provision/embedded-cluster.js';
import { migrate } from '../src/db/migrate.js';
import { createPool } from '../src/db/pool.js';
import { IngestError, ingestFile } from '../src/ingest/ingest.js';
import { writeSample } from '../src/sample/sample.js';
import { listSyncs } from '../src/store/syncs.js';
import { databaseSuite, emptyTables, tableChecksums } from './helpers/database.js';

/**
 * Faults in the middle of an ingest: its connection killed, a statement over
 * statement_timeout, an exhausted pool, and the server restarting between ingests.
 * Each time the ingest fails with a clear error, every table holds what it held
 * before (checksums), its sync_log row ends 'failed', no 'error' event escapes (the
 * process would die), and the same ingest succeeds when run again.
 */
const Faults = databaseSuite('faults');

let scratch = '';
let base = '';
let big = '';
Faults.before(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'ads-store-faults-'));
  base = await sample('base.ndjson', { accounts: 2, days: 30, end: '2025-05-31', seed: 'base' });
  // Overlaps base (same ids, later days and restated ones): a failure must undo updates too.
  big = await sample('big.ndjson', { accounts: 8, days: 180, end: '2025-06-30', seed: 'base' });
});
Faults.after(() => rm(scratch, { recursive: true, force: true }));
Faults.before.each(async ({ pool }) => {
  await emptyTables(pool);
  await ingestFile(pool, base);
});

async function sample(name: string, options: Parameters<typeof writeSample>[1]): Promise<string> {
  const file = path.join(scratch, name);
  const out = createWriteStream(file);
  await writeSample(out, options);
  out.end();
  await finished(out);
  return file;
}

/** The fault's ingest: fails with `message`; afterwards the tables are as before and its sync row is not 'success'. */
async function expectCleanFailure(pool: pg.Pool, run: () => Promise<unknown>, message: RegExp): Promise<void> {
  const before = await tableChecksums(pool);
  const syncsBefore = (await listSyncs(pool)).length;
  try {
    await run();
    assert.unreachable('the ingest should have failed');
  } catch (error) {
    assert.instance(error, IngestError);
    assert.match((error as Error).message, message);
  }
  assert.equal(await tableChecksums(pool), before, 'every table as it was');
  const syncs = await listSyncs(pool);
  // A row was recorded unless the fault took the recording connection too; never a success.
  assert.ok(syncs.length <= syncsBefore + 1 && syncs.slice(0, syncs.length - syncsBefore).every((s) => s.status !== 'success'));
}

/** Runs the same ingest again: it succeeds, and no row is left 'running'. */
async function expectRerunSucceeds(pool: pg.Pool, file = big): Promise<void> {
  const result = await ingestFile(pool, file);
  assert.ok(result.counts.campaign_daily_metrics.inserted > 0);
  const statuses = (await listSyncs(pool, { limit: 100 })).map((s) => s.status);
  assert.is(statuses[0], 'success');
  assert.not.ok(statuses.includes('running'), `no sync left running: ${statuses}`);
  assert.ok(statuses.slice(1).includes('failed'), 'the fault left a failed row');
}

Faults('the connection killed (pg_terminate_backend) mid-ingest', async ({ db, pool }) => {
  const victim = createPool(db.url, { max: 4, applicationName: 'ads-store-fault-victim' });
  try {
    let killed = false;
    await expectCleanFailure(pool, () =>
      ingestFile(victim, big, {
        onProgress: ({ lines }) => {
          if (killed || lines < 10_000) return; // the first progress report
          killed = true;
          // The admin pool kills every backend of the victim pool, halfway through the file.
          void pool.query(`select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'ads-store-fault-victim' and datname = current_database()`);
        },
      }),
      /terminating connection|connection|Connection terminated/i,
    );
    assert.ok(killed);
  } finally {
    await victim.end();
  }
  await expectRerunSucceeds(pool);
});

Faults('a statement over statement_timeout (its table locked by another session)', async ({ db, pool }) => {
  // Long enough for every other statement of the ingest, its failed sync_log row's
  // included, on a loaded machine; the held lock makes the one it waits on time out.
  const impatient = createPool(db.url, { max: 4, statementTimeoutMs: 3_000 });
  const holder = await pool.connect();
  try {
    await holder.query('begin');
    await holder.query('lock table campaign_daily_metrics in access exclusive mode');
    // expectCleanFailure reads the tables: through the holder, which owns the lock.
    await expectCleanFailure(
      { query: holder.query.bind(holder) } as unknown as pg.Pool,
      () => ingestFile(impatient, big),
      /statement timeout/,
    );
  } finally {
    await holder.query('rollback');
    holder.release();
    await impatient.end();
  }
  const [failed] = await listSyncs(pool);
  assert.equal([failed?.status, /statement timeout/.test(failed?.errors ?? '')], ['failed', true]);
  await expectRerunSucceeds(pool);
});

Faults('the pool exhausted: no connection within connectionTimeout', async ({ db, pool }) => {
  const small = createPool(db.url, { max: 2, connectionTimeoutMs: 300 });
  const held = [await small.connect(), await small.connect()];
  try {
    await expectCleanFailure(pool, () => ingestFile(small, big), /timeout exceeded when trying to connect/);
    // One connection free is not enough either: an ingest needs two (data, sync lock).
    held.pop()!.release();
    await expectCleanFailure(pool, () => ingestFile(small, big), /timeout exceeded when trying to connect/);
  } finally {
    for (const client of held) client.release();
  }
  // The failed ingests gave their connections back.
  assert.is(small.totalCount - small.idleCount, 0);
  await small.end();
  await expectRerunSucceeds(pool);
});

Faults('the server restarting between two ingests (pooled connections all broken)', async () => {
  // A server of this test's own, restarted on the same port, run the project's one
  // way (initdb + pg_ctl: as root from where the postgres user can reach it).
  const folder = await mkdtemp(path.join(tmpdir(), 'ads-store-restart-'));
  await chmod(folder, 0o755); // as root, the server runs as the postgres user
  const port = await freePort();
  const { cluster, password } = await initialiseCluster(path.join(folder, 'data'), path.join(folder, 'data.password'));
  const server = {
    start: () => startCluster(cluster, { port, logFile: path.join(folder, 'data.log') }),
    stop: () => stopCluster(cluster),
  };
  await server.start();
  const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  await migrate(url, 'up');
  const pool = createPool(url, { max: 4, onIdleError: () => {} });
  try {
    await ingestFile(pool, base);
    await pool.query('select 1'); // an idle connection in the pool when the server goes
    const before = await tableChecksums(pool);
    await server.stop();
    // While it is down: a clean failure, nothing recorded (no connection), nothing changed.
    try {
      await ingestFile(pool, big);
      assert.unreachable('no server, no ingest');
    } catch (error) {
      assert.instance(error, IngestError);
      assert.match((error as Error).message, /big\.ndjson: no database connection: .*ECONNREFUSED/);
    }
    await server.start();
    assert.equal(await tableChecksums(pool), before);
    // Back up: the pool replaced its dead connections; the ingest goes through.
    const result = await ingestFile(pool, big);
    assert.ok(result.counts.campaign_daily_metrics.inserted > 0);
    assert.equal((await listSyncs(pool)).map((s) => s.status), ['success', 'success']);
  } finally {
    await pool.end();
    await server.stop();
    await rm(folder, { recursive: true, force: true });
  }
});

Faults.run();
