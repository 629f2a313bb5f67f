import * as assert from 'uvu/assert';
import { databaseSuite } from './helpers/database.js';
import { runModel, seedModel } from './helpers/model.js';
import { drift, reportsAgainstBase } from './helpers/rollups.js';

/**
 * The model test: a seeded random workload from three concurrent sessions (plain SQL,
 * COPY, TRUNCATE, writable CTEs, moves and re-keys, writeBatch, ingests whose days may
 * go straight into their tables; commits and rollbacks)
 * leaves every rollup equal to its recomputation from the base tables, and every
 * report equal to a direct aggregate over them. CI runs a fixed seed; `npm run soak`
 * runs longer with a random one (scripts/soak.ts).
 */
const Model = databaseSuite('rollups_model');

const SEED = 20261129;
Model(`a random concurrent workload (seed ${SEED}) leaves every rollup and report equal to the base rows`, async ({ pool }) => {
  await seedModel(pool, SEED);
  const run = await runModel(pool, { seed: SEED, transactions: 400, sessions: 3 });
  assert.ok(run.committed > 600, JSON.stringify(run));
  assert.ok(run.ingests > 10 && run.directRows > 0, `ingests, some of their days straight in: ${JSON.stringify(run)}`);
  assert.equal(await drift(pool), [], `drift after ${JSON.stringify(run)}`);
  for (const { what, report, base } of await reportsAgainstBase(pool)) assert.equal(report, base, what);
});

Model.run();
