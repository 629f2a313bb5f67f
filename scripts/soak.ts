/**
 * `npm run soak`: the rollups' model test (test/rollups-model.test.ts) for longer, with
 * a random seed: a fresh database on DATABASE_URL's server (else an embedded one),
 * the seeded workload from SOAK_SESSIONS sessions (default 4), SOAK_TRANSACTIONS each
 * (default 1500), then every rollup against its recomputation and every report
 * against the base rows. Prints the seed first, and again on a failure: rerun with
 * SOAK_SEED=<seed> to replay the same choices.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createDatabase, dropDatabase, uniqueDatabaseName } from '../src/provision/databases.js';
import { migrate } from '../src/db/migrate.js';
import { createPool } from '../src/db/pool.js';
import { provideServer } from '../src/provision/server.js';
import { runModel, seedModel } from '../test/helpers/model.js';
import { drift, reportsAgainstBase } from '../test/helpers/rollups.js';

const seed = Number(process.env['SOAK_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
const sessions = Number(process.env['SOAK_SESSIONS'] ?? 4);
const transactions = Number(process.env['SOAK_TRANSACTIONS'] ?? 1500);
console.log(`soak: seed ${seed}, ${sessions} sessions × ${transactions} transactions`);

const scratch = await mkdtemp(path.join(tmpdir(), 'ads-store-soak-'));
const server = await provideServer({ embeddedDataDir: path.join(scratch, 'pg'), persistent: false, containers: false });
const name = uniqueDatabaseName('ads_soak');
const url = await createDatabase(server.url, name);
const pool = createPool(url, { max: sessions + 4 });
let failed = false;
try {
  await migrate(url, 'up');
  await seedModel(pool, seed);
  const started = performance.now();
  const run = await runModel(pool, { seed, transactions, sessions });
  console.log(`${JSON.stringify(run)} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const rows = await drift(pool);
  if (rows.length > 0) {
    failed = true;
    console.log(`DRIFT (seed ${seed}): ${rows.length} rollup rows differ from their base rows, the first: ${JSON.stringify(rows.slice(0, 5))}`);
  }
  for (const { what, report, base } of await reportsAgainstBase(pool)) {
    if (JSON.stringify(report) !== JSON.stringify(base)) {
      failed = true;
      console.log(`REPORT DIFFERS (seed ${seed}): ${what}\n  report ${JSON.stringify(report)}\n  base   ${JSON.stringify(base)}`);
    }
  }
} catch (error) {
  failed = true;
  console.log(`FAILED (seed ${seed}): ${error instanceof Error ? error.stack : String(error)}`);
} finally {
  await pool.end();
  await dropDatabase(server.url, name).catch(() => {});
  await server.stop();
  await rm(scratch, { recursive: true, force: true });
}
console.log(failed ? `soak failed: seed ${seed}` : `soak passed: seed ${seed}`);
process.exit(failed ? 1 : 0);
