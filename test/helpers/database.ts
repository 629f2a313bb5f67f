import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { suite, type Test } from 'uvu';
import { createDatabase, dropDatabase, uniqueDatabaseName } from '../../src/provision/databases.js';
import { migrate } from '../../src/db/migrate.js';
import { createPool } from '../../src/db/pool.js';
import { poll } from './poll.js';

/** The server tests create their databases on: npm test's (test/run.ts) or DATABASE_URL's. */
export function testServerUrl(): string {
  const url = process.env.ADS_STORE_TEST_SERVER_URL ?? process.env.DATABASE_URL;
  if (!url) throw new Error('no test database server: run the tests with `npm test` (or set DATABASE_URL)');
  return url;
}

export interface TestDatabase {
  /** The fresh database's URL: as the application role when ADS_STORE_TEST_ROLE=app. */
  url: string;
  /** Its URL as the server's (admin) user. */
  adminUrl: string;
  /** Its name on the server. */
  name: string;
  pool: pg.Pool;
  drop(): Promise<void>;
}

/** The least-privilege script (scripts/app-role.sql), and the login role the tests use with it. */
export const APP_ROLE_SCRIPT = fileURLToPath(new URL('../../scripts/app-role.sql', import.meta.url));
export const TEST_APP_LOGIN = { user: 'ads_store_test_app', password: 'test-app-password' };

/** The pools of the tests' own role, to their admin pool (emptyTables truncates as admin). */
const adminPools = new WeakMap<pg.Pool, pg.Pool>();

/**
 * A new database on the test server, migrated up unless `migrated` is false. With
 * ADS_STORE_TEST_ROLE=app the suite runs as the least-privilege role: the database
 * is migrated as admin, scripts/app-role.sql applied, and `url` and `pool` log in as
 * a member of ads_store_app.
 */
export async function freshDatabase(label: string, options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const serverUrl = testServerUrl();
  const name = uniqueDatabaseName(`ads_test_${label}`);
  const adminUrl = await createDatabase(serverUrl, name);
  if (options.migrated !== false) await migrate(adminUrl, 'up');
  const asApp = process.env.ADS_STORE_TEST_ROLE === 'app' && options.migrated !== false;
  const url = asApp ? await grantAppRole(adminUrl) : adminUrl;
  // A hung statement fails the test instead of hanging the run (uvu has no test timeouts).
  const pool = createPool(url, { max: 4, statementTimeoutMs: 30_000 });
  const admin = asApp ? createPool(adminUrl, { max: 1 }) : pool;
  adminPools.set(pool, admin);
  return {
    url,
    adminUrl,
    name,
    pool,
    drop: async () => {
      await pool.end();
      if (admin !== pool) await admin.end();
      await dropDatabase(serverUrl, name);
    },
  };
}

/** Applies scripts/app-role.sql to the database and resolves to its URL as the test's app login. */
export async function grantAppRole(adminUrl: string): Promise<string> {
  const admin = createPool(adminUrl, { max: 1 });
  try {
    await admin.query(await readFile(APP_ROLE_SCRIPT, 'utf8'));
    // Cluster-wide: made once, kept (its password is this constant, never a secret).
    await admin.query(`do $$ begin
      if not exists (select from pg_roles where rolname = '${TEST_APP_LOGIN.user}') then
        create role ${TEST_APP_LOGIN.user} login password '${TEST_APP_LOGIN.password}' in role ads_store_app;
      end if;
    end $$`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.username = TEST_APP_LOGIN.user;
  url.password = TEST_APP_LOGIN.password;
  return url.toString();
}

/**
 * uvu swallows an error thrown in a `before` hook and exits 0 (lukeed/uvu#60): say
 * it on stderr and force a non-zero exit, so a failed setup cannot pass unseen.
 */
export function failLoudly(where: string, error: unknown): never {
  process.stderr.write(`\nSETUP FAILED in ${where}: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.on('exit', () => {
    process.exitCode = 1;
  });
  throw error;
}

export interface DbContext {
  db: TestDatabase;
  pool: pg.Pool;
}

/**
 * A uvu suite with its own fresh, migrated database, dropped after the suite.
 * `Extra` types what the suite's own `before` hooks add to the context. Every
 * `before` hook of the suite, the suite's own too, fails loudly (failLoudly): uvu
 * would count its tests as failed and print nothing about why.
 */
export function databaseSuite<Extra extends object = Record<never, never>>(name: string): Test<DbContext & Extra> {
  const test = suite<DbContext & Extra>(name, {} as DbContext & Extra);
  const register = test.before;
  const guarded = ((handler: (context: DbContext & Extra) => unknown) =>
    register(async (context) => {
      try {
        await handler(context);
      } catch (error) {
        failLoudly(`suite "${name}"`, error);
      }
    })) as typeof test.before;
  guarded.each = register.each;
  test.before = guarded;
  test.before(async (context) => {
    context.db = await freshDatabase(name);
    context.pool = context.db.pool;
  });
  test.after(async (context) => {
    await context.db?.drop();
  });
  return test;
}

/** Empties every table (tests of one file share a database; each test starts clean). */
export async function emptyTables(pool: pg.Pool): Promise<void> {
  await (adminPools.get(pool) ?? pool).query(
    'truncate sync_log, audience_demographics, creative_daily_metrics, campaign_daily_metrics, creatives, campaigns, ad_accounts restart identity',
  );
}

/**
 * The physical version of every row of a table (xmin and ctid): equal before and
 * after a write exactly when that write made no new row version.
 */
export async function rowVersions(pool: pg.Pool, table: 'ad_accounts' | 'campaigns' | 'creatives' | 'campaign_daily_metrics' | 'creative_daily_metrics' | 'audience_demographics'): Promise<string[]> {
  // The table name comes from the closed union above, never from data.
  const { rows } = await pool.query<{ version: string }>(
    `select xmin::text || ' ' || ctid::text as version from ${table} order by 1`,
  );
  return rows.map((row) => row.version);
}

const DATA_TABLES = [
  'ad_accounts', 'campaigns', 'creatives', 'campaign_daily_metrics', 'creative_daily_metrics', 'audience_demographics',
  'account_daily_metrics', 'campaign_monthly_metrics', 'campaign_weekly_metrics', 'creative_monthly_metrics', 'creative_weekly_metrics',
  'audience_demographic_monthly', 'audience_demographic_weekly',
] as const;

/**
 * A checksum of every data table's full contents (every column, fetched_at
 * included), the rollups too, to prove a failed write left the database exactly as
 * it was. sync_log is not among them: a failed ingest adds its 'failed' row.
 */
export async function tableChecksums(pool: pg.Pool): Promise<Record<string, string>> {
  return checksums(pool, DATA_TABLES, 't::text');
}

/**
 * Like tableChecksums, with every table (sync_log included) compared by content
 * only: fetched_at, sync times and ids differ between two databases given the same
 * writes, so they are left out.
 */
export async function contentChecksums(pool: pg.Pool): Promise<Record<string, string>> {
  return checksums(pool, [...DATA_TABLES, 'sync_log'], `(to_jsonb(t) - 'fetched_at' - 'id' - 'started_at' - 'finished_at')::text`);
}

/** md5 of each table's rows as `row` renders them, in a fixed order. */
async function checksums(pool: pg.Pool, tables: readonly string[], row: string): Promise<Record<string, string>> {
  const sums: Record<string, string> = {};
  for (const table of tables) {
    // Table names and the row expression are this module's constants, never data.
    const { rows } = await pool.query<{ sum: string | null }>(
      `select md5(string_agg(r, E'\\n' order by r)) as sum from (select ${row} as r from ${table} t) rows`,
    );
    sums[table] = rows[0]?.sum ?? 'empty';
  }
  return sums;
}

/** Resolves once `query` (one row, a count `n`) counts something, asked every 20 ms; throws `what` after 30 s. */
export async function until(client: pg.ClientBase, query: string, what: string): Promise<void> {
  await poll(async () => (await client.query<{ n: number }>(query)).rows[0]!.n > 0, () => `never happened: ${what}`);
}

/**
 * Resolves once a session waits for this client's own (its locks or an uncommitted key).
 * Asked of pg_locks, which is read anew at each query: pg_stat_activity keeps the
 * sessions it saw first for the rest of the client's transaction.
 */
export const someoneWaitsFor = (client: pg.ClientBase, what: string) =>
  until(client, 'select count(*)::int as n from pg_locks where not granted and pg_backend_pid() = any (pg_blocking_pids(pid))', what);

/** A daily table's keys in the order its rows were written (COPY appends them), and in the key's order. */
export async function physicalDayOrder(pool: pg.Pool, table: 'campaign_daily_metrics' | 'creative_daily_metrics') {
  // Creative ids in byte order, whatever the database's collation: the order the library sorts them in.
  const [parent, parentOrder] = table === 'campaign_daily_metrics' ? ['campaign_id', 'campaign_id'] : ['creative_id', 'creative_id collate "C"'];
  const { rows } = await pool.query<{ written: string[]; sorted: string[] }>(
    `select array_agg(${parent} || ' ' || date order by ctid) as written,
            array_agg(${parent} || ' ' || date order by ${parentOrder}, date) as sorted
     from ${table}`,
  );
  return rows[0]!;
}
