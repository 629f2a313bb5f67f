import { embeddedPaths, useSharedEmbedded } from '../provision/embedded.js';
import { migrate, migrationStatus } from '../db/migrate.js';
import { maskUrl } from '../db/urls.js';
import { cleanups, type Cleanup } from './interrupt.js';

/**
 * The database a CLI command works on: DATABASE_URL (or an explicit URL), else the
 * shared embedded server (src/provision/embedded.ts) — never a throwaway container. It
 * says on stderr which one, with any password masked, and gives the embedded
 * server back when the command ends, also on Ctrl-C or SIGTERM.
 */
export interface CliDatabase {
  url: string;
}

/**
 * Runs `work` with the command's database. `url` overrides DATABASE_URL; `embedded`
 * forces the embedded server whatever DATABASE_URL says (the demo). The embedded
 * database is the CLI's own, so it is migrated first; a real one is migrated by its
 * operators (`ads-store migrate up`) unless `migrateFirst` is set, and must have the
 * current schema unless `anySchema` (the migrate command itself).
 * `migrateFirst: false` skips migrating the embedded one too.
 */
export async function withCliDatabase<T>(
  options: { url?: string | undefined; embedded?: boolean; migrateFirst?: boolean; anySchema?: boolean },
  work: (database: CliDatabase) => Promise<T>,
): Promise<T> {
  const url = options.embedded ? undefined : options.url ?? process.env['DATABASE_URL'];
  if (url) {
    process.stderr.write(`database: ${options.url ? '--database-url' : 'DATABASE_URL'} ${maskUrl(url)}\n`);
    if (options.migrateFirst) await migrate(url, 'up');
    else if (!options.anySchema) await requireCurrentSchema(url);
    return work({ url });
  }
  const pending = useSharedEmbedded(embeddedPaths(), (line) => process.stderr.write(`${line}\n`));
  // A forced exit during start-up waits for the server, then gives it back.
  const cleanup: Cleanup = () => pending.then((server) => server.release());
  cleanups.add(cleanup);
  try {
    const server = await pending;
    process.stderr.write(`database: ${server.description}\n`);
    if (options.migrateFirst !== false) await migrate(server.url, 'up');
    return await work({ url: server.url });
  } finally {
    cleanups.delete(cleanup);
    await cleanup().catch((error) => process.stderr.write(`ads-store: could not stop the embedded server: ${(error as Error).message}\n`));
  }
}

/** A database an operator manages must be migrated before ingest or report: say so instead of "relation does not exist". */
async function requireCurrentSchema(url: string): Promise<void> {
  const states = await migrationStatus(url);
  const pending = states.filter((state) => state.runOn === null).length;
  if (pending === states.length) throw new Error('no schema: run npm run migrate -- up (or ads-store migrate up)');
  if (pending > 0) {
    throw new Error(`the schema is ${pending} migration${pending === 1 ? '' : 's'} behind: run npm run migrate -- up (or ads-store migrate up)`);
  }
}
