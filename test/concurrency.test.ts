import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as assert from 'uvu/assert';
import { createPool } from '../src/db/pool.js';
import { retryOnConflict } from '../src/db/retry.js';
import { ingestFile } from '../src/ingest/ingest.js';
import { adsStore } from './helpers/cli.js';
import { contentChecksums, databaseSuite, emptyTables, freshDatabase } from './helpers/database.js';

/**
 * Eight ingests at once over overlapping accounts and days, three rounds: none
 * fails (no deadlock escapes), and the end state equals a serial run's. Two
 * `migrate up` processes at once on a new database: one waits, both succeed.
 */
const Concurrency = databaseSuite('concurrency');

const FILES = 8;
const ACCOUNTS = 4;
let scratch = '';
let files: string[] = [];

const dayOf = (i: number) => new Date(Date.UTC(2025, 0, 1 + i)).toISOString().slice(0, 10);
const range = (date: string) => {
  const [year, month, day] = date.split('-').map(Number);
  return { start: { year, month, day }, end: { year, month, day } };
};

/**
 * File i covers accounts i % 4 and (i + 1) % 4 and days 10·i … 10·i + 39 (the
 * files overlap in accounts, entities and days). Every value is a function of its
 * key alone, so every order of the same files ends in the same state.
 */
function exportFile(i: number): string {
  const lines: object[] = [];
  for (const a of [i % ACCOUNTS, (i + 1) % ACCOUNTS]) {
    const account = 700 + a;
    const accountUrn = `urn:li:sponsoredAccount:${account}`;
    lines.push({ adAccount: { id: account, name: `Account ${a}`, currency: 'USD' } });
    for (let c = 0; c < 3; c++) {
      const campaign = account * 10 + c;
      const creative = `urn:li:sponsoredCreative:${campaign * 10}`;
      lines.push({ adCampaign: { id: campaign, account: accountUrn, name: `Campaign ${campaign}`, status: 'ACTIVE' } });
      lines.push({ creative: { id: creative, campaign: `urn:li:sponsoredCampaign:${campaign}`, account: accountUrn, isServing: true } });
      for (let d = 10 * i; d < 10 * i + 40; d++) {
        const impressions = 100 + ((campaign * 31 + d * 17) % 500);
        lines.push({ adAnalytics: { dateRange: range(dayOf(d)), pivotValues: [`urn:li:sponsoredCampaign:${campaign}`], impressions, clicks: impressions % 13, costInLocalCurrency: `${impressions % 97}.${d % 10}5` }, pivot: 'CAMPAIGN' });
        lines.push({ adAnalytics: { dateRange: range(dayOf(d)), pivotValues: [creative], impressions, clicks: impressions % 13 }, pivot: 'CREATIVE' });
      }
    }
    for (let d = 10 * i; d < 10 * i + 40; d += 7) {
      for (let s = 1; s <= 3; s++) lines.push({ adAnalytics: { dateRange: range(dayOf(d)), pivotValues: [`urn:li:seniority:${s}`], impressions: (account + s + d) % 300 }, pivot: 'MEMBER_SENIORITY', account: accountUrn });
    }
  }
  return lines.map((line) => JSON.stringify(line)).join('\n');
}

Concurrency.before(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'ads-store-concurrency-'));
  files = await Promise.all(
    Array.from({ length: FILES }, async (_, i) => {
      const file = path.join(scratch, `part-${i}.ndjson`);
      await writeFile(file, exportFile(i));
      return file;
    }),
  );
});
Concurrency.after(() => rm(scratch, { recursive: true, force: true }));

Concurrency('8 concurrent overlapping ingests, 3 rounds: all succeed, and the end state equals a serial run', async ({ db, pool }) => {
  await emptyTables(pool);
  const wide = createPool(db.url, { max: 2 * FILES + 2 });
  try {
    for (let round = 0; round < 3; round++) {
      const results = await Promise.allSettled(files.map((file) => ingestFile(wide, file)));
      const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [`${files[i]}: ${(r.reason as Error).message}`] : []));
      assert.equal(failed, [], `round ${round + 1}`);
    }
  } finally {
    await wide.end();
  }
  const serial = await freshDatabase('concurrency_serial');
  try {
    for (const file of files) await ingestFile(serial.pool, file);
    // Every table but sync_log (3 rounds here, one there) holds the same content.
    const { sync_log: _serialLog, ...expected } = await contentChecksums(serial.pool);
    const { sync_log: _concurrentLog, ...actual } = await contentChecksums(pool);
    assert.equal(actual, expected);
    const { rows } = await pool.query(`select count(*) filter (where status = 'success') as ok, count(*) as n from sync_log`);
    assert.equal([rows[0].ok, rows[0].n], [3 * FILES, 3 * FILES]);
  } finally {
    await serial.drop();
  }
});

Concurrency('a deadlock or serialization failure is retried a bounded number of times; other errors are not', async () => {
  let calls = 0;
  const deadlock = Object.assign(new Error('deadlock detected'), { code: '40P01' });
  assert.is(await retryOnConflict(async () => (++calls < 3 ? Promise.reject(deadlock) : 'done')), 'done');
  assert.is(calls, 3);
  // Found through `cause` (an IngestError wraps the database error).
  const wrapped = new Error('ingest failed', { cause: Object.assign(new Error('could not serialize'), { code: '40001' }) });
  let attempts = 0;
  await retryOnConflict(async () => (attempts++, Promise.reject(wrapped)), { attempts: 3 }).catch((error) => assert.is(error, wrapped));
  assert.is(attempts, 3, 'gives up after 3');
  attempts = 0;
  await retryOnConflict(async () => (attempts++, Promise.reject(Object.assign(new Error('unique'), { code: '23505' })))).catch(() => {});
  assert.is(attempts, 1, 'anything else is not retried');
});

Concurrency('two `migrate up` processes at once on a new database: one waits, both succeed, each migration applied once', async () => {
  const db = await freshDatabase('concurrent_migrate', { migrated: false });
  try {
    const runs = await Promise.all([1, 2].map(() => adsStore(['migrate', 'up'], { DATABASE_URL: db.url })));
    for (const run of runs) assert.is(run.code, 0, run.stderr);
    const applied = runs.flatMap((run) => run.stdout.split('\n').filter((line) => line.startsWith('applied ')));
    const { rows } = await db.pool.query(`select name from pgmigrations order by id`);
    assert.equal(applied.map((line) => line.slice('applied '.length)).sort(), rows.map((r) => r.name).sort(), 'each applied by exactly one of them');
    assert.is(new Set(rows.map((r) => r.name)).size, rows.length);
  } finally {
    await db.drop();
  }
});

Concurrency.run();
