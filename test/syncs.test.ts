import * as assert from 'uvu/assert';
import {
  finishSync,
  getRunningSyncFor,
  getSync,
  listSyncs,
  startSync,
  SyncAlreadyRunningError,
} from '../src/store/syncs.js';
import { databaseSuite, emptyTables } from './helpers/database.js';

const Syncs = databaseSuite('syncs');
Syncs.before.each(({ pool }) => emptyTables(pool));

Syncs('a sync goes from running to success with its counts', async ({ pool }) => {
  const run = await startSync(pool, { accountId: '508720451', trigger: 'manual' });
  assert.equal([run.status, run.finished_at, run.campaigns_fetched, run.trigger], ['running', null, 0, 'manual']);
  assert.is((await getRunningSyncFor(pool, '508720451'))!.id, run.id);
  const done = await finishSync(pool, { id: run.id, status: 'success', campaignsFetched: 3, creativesFetched: 7, apiCallsMade: 17 });
  assert.equal([done!.status, done!.campaigns_fetched, done!.creatives_fetched, done!.api_calls_made], ['success', 3, 7, 17]);
  assert.instance(done!.finished_at, Date);
  assert.is(await getRunningSyncFor(pool, '508720451'), null);
  // Finishing twice changes nothing.
  assert.is(await finishSync(pool, { id: run.id, status: 'failed', errors: 'late' }), null);
  assert.is((await getSync(pool, run.id))!.status, 'success');
});

Syncs('one running sync per account_id value; "all" is a value of its own', async ({ pool }) => {
  const first = await startSync(pool, { accountId: '1' });
  try {
    await startSync(pool, { accountId: '1' });
    assert.unreachable('a second running sync for one account');
  } catch (error) {
    assert.instance(error, SyncAlreadyRunningError);
    assert.match((error as Error).message, 'a sync for account 1 is already running');
  }
  await startSync(pool, { accountId: 'all' });
  await startSync(pool, { accountId: '2' });
  await finishSync(pool, { id: first.id, status: 'failed', errors: 'connection lost' });
  const again = await startSync(pool, { accountId: '1' });
  assert.ok(again.id > first.id);
  assert.is((await getSync(pool, first.id))!.errors, 'connection lost');
});

Syncs('the history lists newest first, per account or all, with a limit', async ({ pool }) => {
  for (const accountId of ['1', '2', '1', 'all', '1']) {
    const run = await startSync(pool, { accountId });
    await finishSync(pool, { id: run.id, status: 'success' });
  }
  assert.equal((await listSyncs(pool)).map((r) => [r.id, r.account_id]), [[5, '1'], [4, 'all'], [3, '1'], [2, '2'], [1, '1']]);
  assert.equal((await listSyncs(pool, { accountId: '1', limit: 2 })).map((r) => r.id), [5, 3]);
  try {
    await listSyncs(pool, { limit: 0 });
    assert.unreachable('a limit of 0');
  } catch (error) {
    assert.match((error as Error).message, /field limit: 0/);
  }
});

Syncs.run();
