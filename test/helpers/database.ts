import type pg from 'pg';
import { suite, type Test } from 'uvu';
import { createDatabase, dropDatabase, uniqueDatabaseName } from '../../src/db/databases.js';
import { migrate } from '../../src/db/migrate.js';
import { createPool } from '../../src/db/pool.js';

/** The server tests create their databases on: npm test's (test/run.ts) or DATABASE_URL's. */
export function testServerUrl(): string {
  const url = process.env.ADS_STORE_TEST_SERVER_URL ?? process.env.DATABASE_URL;
  if (!url) throw new Error('no test database server: run the tests with `npm test` (or set DATABASE_URL)');
  return url;
}

export interface TestDatabase {
  /** The fresh database's URL. */
  url: string;
  /** Its name on the server. */
  name: string;
  pool: pg.Pool;
  drop(): Promise<void>;
}

/** A new database on the test server, migrated up unless `migrated` is false. */
export async function freshDatabase(label: string, options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const serverUrl = testServerUrl();
  const name = uniqueDatabaseName(`ads_test_${label}`);
  const url = await createDatabase(serverUrl, name);
  if (options.migrated !== false) await migrate(url, 'up');
  // A hung statement fails the test instead of hanging the run (uvu has no test timeouts).
  const pool = createPool(url, { max: 4, statementTimeoutMs: 30_000 });
  return {
    url,
    name,
    pool,
    drop: async () => {
      await pool.end();
      await dropDatabase(serverUrl, name);
    },
  };
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

/** A uvu suite with its own fresh, migrated database, dropped after the suite. */
export function databaseSuite(name: string): Test<DbContext> {
  const test = suite<DbContext>(name, {} as DbContext);
  test.before(async (context) => {
    try {
      context.db = await freshDatabase(name);
      context.pool = context.db.pool;
    } catch (error) {
      failLoudly(`suite "${name}"`, error);
    }
  });
  test.after(async (context) => {
    await context.db?.drop();
  });
  return test;
}

/** Empties every table (tests of one file share a database; each test starts clean). */
export async function emptyTables(pool: pg.Pool): Promise<void> {
  await pool.query(
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

const DATA_TABLES = ['ad_accounts', 'campaigns', 'creatives', 'campaign_daily_metrics', 'creative_daily_metrics', 'audience_demographics'] as const;

/**
 * A checksum of every data table's full contents (every column, fetched_at
 * included), to prove a failed write left the database exactly as it was.
 */
export async function tableChecksums(pool: pg.Pool): Promise<Record<string, string>> {
  const sums: Record<string, string> = {};
  for (const table of DATA_TABLES) {
    // The table name comes from the constant list above, never from data.
    const { rows } = await pool.query<{ sum: string | null }>(
      `select md5(string_agg(t::text, E'\\n' order by t::text)) as sum, count(*) from ${table} t`,
    );
    sums[table] = rows[0]?.sum ?? 'empty';
  }
  return sums;
}
