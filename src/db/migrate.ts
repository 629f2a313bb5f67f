import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';

/** What node-pg-migrate reports for each migration it ran. */
export type MigrationRun = Awaited<ReturnType<typeof runner>>[number];

/** The migrations folder shipped with this package: the schema's source of truth. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));
export const MIGRATIONS_TABLE = 'pgmigrations';

export interface MigrateOptions {
  /** How many migrations to apply or revert (default: all pending when up, one when down). */
  count?: number;
  /** Receives node-pg-migrate's progress lines (default: discarded). */
  log?: (line: string) => void;
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
    databaseUrl,
    dir: MIGRATIONS_DIR,
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
