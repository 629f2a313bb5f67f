import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import pg from 'pg';
import { ISO_DATES } from './pool.js';

/** What node-pg-migrate reports for each migration it ran. */
export type MigrationRun = Awaited<ReturnType<typeof runner>>[number];

/** The migrations folder shipped with this package: the schema's source of truth. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));
export const MIGRATIONS_TABLE = 'pgmigrations';

export interface MigrateOptions {
  /** How many migrations to apply or revert (default: all pending when up, one when down). */
  count?: number | undefined;
  /** Receives node-pg-migrate's progress lines (default: discarded). */
  log?: ((line: string) => void) | undefined;
  /** Another migrations folder (tests); default MIGRATIONS_DIR. */
  dir?: string | undefined;
}

/**
 * Applies (`up`) or reverts (`down`) migrations on the database of `databaseUrl`,
 * each migration in its own transaction. Concurrent callers wait for each other
 * on node-pg-migrate's advisory lock instead of failing.
 */
export async function migrate(
  databaseUrl: string,
  direction: 'up' | 'down',
  options: MigrateOptions = {},
): Promise<MigrationRun[]> {
  const log = options.log ?? (() => {});
  return runner({
    databaseUrl: { connectionString: databaseUrl, options: ISO_DATES },
    dir: options.dir ?? MIGRATIONS_DIR,
    migrationsTable: MIGRATIONS_TABLE,
    direction,
    count: options.count ?? (direction === 'up' ? Infinity : 1),
    singleTransaction: false,
    checkOrder: true,
    // The lock id is the same on every database of a server: without 'wait', two
    // processes migrating two different databases of one server collide.
    advisoryLockMode: 'wait',
    verbose: false,
    logger: { debug: () => {}, info: log, warn: log, error: log },
  });
}

export interface MigrationState {
  name: string;
  /** When it was applied, or null while pending. */
  runOn: Date | null;
}

/** Every migration of MIGRATIONS_DIR, in order, with when it was applied to the database. */
export async function migrationStatus(databaseUrl: string): Promise<MigrationState[]> {
  const names = (await readdir(MIGRATIONS_DIR)).filter((file) => file.endsWith('.sql')).map((file) => file.slice(0, -4)).sort();
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 10_000, options: ISO_DATES });
  client.on('error', () => {}); // the awaited query reports the failure
  await client.connect();
  try {
    const table = await client.query<{ present: boolean }>(`select to_regclass($1) is not null as present`, [MIGRATIONS_TABLE]);
    const applied = new Map<string, Date>();
    if (table.rows[0]!.present) {
      // The table name is this module's constant, not input.
      for (const row of (await client.query<{ name: string; run_on: Date }>(`select name, run_on from ${MIGRATIONS_TABLE}`)).rows) applied.set(row.name, row.run_on);
    }
    return names.map((name) => ({ name, runOn: applied.get(name) ?? null }));
  } finally {
    await client.end();
  }
}
