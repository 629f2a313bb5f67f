import { embeddedPaths, useSharedEmbedded } from '../db/embedded.js';
import { migrate } from '../db/migrate.js';
import { maskUrl } from '../db/server.js';

/**
 * The database a CLI command works on: DATABASE_URL (or an explicit URL), else the
 * shared embedded server (src/db/embedded.ts) — never a throwaway container. It
 * says on stderr which one, with any password masked, and gives the embedded
 * server back when the command ends, also on Ctrl-C or SIGTERM.
 */
export interface CliDatabase {
  url: string;
}

type Cleanup = () => Promise<void>;
const cleanups = new Set<Cleanup>();
let signalled = false;

/** Runs the cleanups (release of the embedded server) once, then exits with 128 + signal. */
function onSignal(signal: NodeJS.Signals, code: number): void {
  if (signalled) return;
  signalled = true;
  process.stderr.write(`\nads-store: ${signal}: stopping\n`);
  void Promise.allSettled([...cleanups].map((cleanup) => cleanup())).then(() => process.exit(code));
}
process.once('SIGINT', () => onSignal('SIGINT', 130));
process.once('SIGTERM', () => onSignal('SIGTERM', 143));

/**
 * Runs `work` with the command's database. `url` overrides DATABASE_URL; `embedded`
 * forces the embedded server whatever DATABASE_URL says (the demo). The embedded
 * database is the CLI's own, so it is migrated first; a real one is migrated by its
 * operators (`ads-store migrate up`)
 * unless `migrateFirst` is set; `migrateFirst: false` skips it for the embedded one too.
 */
export async function withCliDatabase<T>(
  options: { url?: string; embedded?: boolean; migrateFirst?: boolean },
  work: (database: CliDatabase) => Promise<T>,
): Promise<T> {
  const url = options.embedded ? undefined : options.url ?? process.env.DATABASE_URL;
  if (url) {
    process.stderr.write(`database: ${options.url ? '--database-url' : 'DATABASE_URL'} ${maskUrl(url)}\n`);
    if (options.migrateFirst) await migrate(url, 'up');
    return work({ url });
  }
  const pending = useSharedEmbedded(embeddedPaths(), (line) => process.stderr.write(`${line}\n`));
  // A signal during start-up waits for the server, then gives it back.
  const cleanup: Cleanup = () => pending.then((server) => server.release());
  cleanups.add(cleanup);
  try {
    const server = await pending;
    process.stderr.write(`database: ${server.description}\n`);
    if (options.migrateFirst !== false) await migrate(server.url, 'up');
    return await work({ url: server.url });
  } finally {
    if (!signalled) {
      cleanups.delete(cleanup);
      await cleanup().catch((error) => process.stderr.write(`ads-store: could not stop the embedded server: ${(error as Error).message}\n`));
    }
  }
}
