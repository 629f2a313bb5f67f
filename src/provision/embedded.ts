import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { dataLocation, freePort, initialiseCluster, locateCluster, startCluster, stopCluster } from './embedded-cluster.js';
import { SQLSTATE, sqlState } from '../db/sqlstate.js';
import { withDatabase } from '../db/urls.js';
import { createDatabase } from './databases.js';

export { freePort } from './embedded-cluster.js';

/**
 * The CLI's embedded PostgreSQL server (run as embedded-cluster.ts runs every
 * embedded server):
 *
 * - `useSharedEmbedded`: the CLI's server, kept under a data folder so data survives
 *   between commands. It runs detached (pg_ctl, in its own session: a Ctrl-C in the
 *   terminal that started it does not reach it). Each command holding it has a
 *   lease (a file named by its process id); the last command to release it stops
 *   it, unless `db start` pinned it. Leases of processes that no longer exist are
 *   ignored, so a killed command leaves nothing that keeps the server up forever.
 *   Starting, stopping and lease changes happen under one lock file.
 */

export interface EmbeddedPaths {
  /** The folder holding everything below (default `.ads-store`, or ADS_STORE_HOME). */
  root: string;
  /**
   * Where the PostgreSQL data is: `<root>/embedded`, or, as root when the postgres
   * user cannot reach that, the folder under /var/lib/linkedin-ads-store it links to
   * (embedded-cluster.ts).
   */
  dataDir: string;
  /** `<root>/embedded`: the data folder, or a link to it. */
  configuredDataDir: string;
  /** The superuser password, made once (mode 0600). */
  passwordFile: string;
  /** The server's output, opened by this process and handed to pg_ctl. */
  logFile: string;
  /** One file per command using the server, named by its pid. */
  usersDir: string;
  /** Present while `db start` keeps the server running. */
  pinnedFile: string;
}

/** The files of the shared server under `root`; `dataDir` follows the link a relocated data folder left. */
export function embeddedPaths(root = process.env['ADS_STORE_HOME'] || '.ads-store'): EmbeddedPaths {
  const absolute = path.resolve(root);
  const configuredDataDir = path.join(absolute, 'embedded');
  return {
    root: absolute,
    dataDir: dataLocation(configuredDataDir),
    configuredDataDir,
    passwordFile: path.join(absolute, 'embedded.password'),
    logFile: path.join(absolute, 'embedded.log'),
    usersDir: path.join(absolute, 'embedded.users'),
    pinnedFile: path.join(absolute, 'embedded.pinned'),
  };
}

/** The database the CLI keeps its data in, on the embedded server. */
export const EMBEDDED_DATABASE = 'ads_store';

export interface EmbeddedStatus {
  running: boolean;
  pid?: number | undefined;
  port?: number | undefined;
  /** Pids of the live commands using it. */
  users: number[];
  /** Kept running by `db start`. */
  pinned: boolean;
}

/** What the data folder says: whether its server runs, on which port, who uses it. */
export async function embeddedStatus(paths: EmbeddedPaths): Promise<EmbeddedStatus> {
  const users = await liveUsers(paths);
  const pinned = existsSync(paths.pinnedFile);
  let pidFile: string;
  try {
    pidFile = await readFile(path.join(paths.dataDir, 'postmaster.pid'), 'utf8');
  } catch {
    return { running: false, users, pinned };
  }
  // postmaster.pid: pid, data folder, start time, port, socket folder, listen address, …
  const lines = pidFile.split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  return alive(pid) ? { running: true, pid, port, users, pinned } : { running: false, users, pinned };
}

export interface SharedEmbedded {
  /** The CLI database's URL (password included: never print it; use `description`). */
  url: string;
  /** The same server's `postgres` database. */
  serverUrl: string;
  description: string;
  /** Gives the lease back; stops the server when no other command holds it and it is not pinned. */
  release(): Promise<void>;
}

/** Holds the shared embedded server, starting it if it is not running. */
export async function useSharedEmbedded(paths = embeddedPaths(), log: (line: string) => void = () => {}): Promise<SharedEmbedded> {
  const { port, password, dataDir } = await locked(paths, async () => {
    const { cluster, password } = await initialiseCluster(paths.configuredDataDir, paths.passwordFile);
    const current = { ...paths, dataDir: cluster.dataDir };
    let status = await embeddedStatus(current);
    if (!status.running) {
      await startCluster(cluster, { port: await freePort(), logFile: paths.logFile });
      status = await embeddedStatus(current);
      if (!status.running) throw new Error(`embedded PostgreSQL in ${cluster.dataDir} did not start: see ${paths.logFile}`);
      log(`started embedded PostgreSQL (pid ${status.pid})`);
    }
    await mkdir(paths.usersDir, { recursive: true });
    await writeFile(path.join(paths.usersDir, String(process.pid)), '');
    return { port: status.port!, password, dataDir: cluster.dataDir };
  });
  const serverUrl = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  let released = false;
  return {
    url: await ensureDatabase(serverUrl, EMBEDDED_DATABASE),
    serverUrl,
    description: `embedded PostgreSQL at 127.0.0.1:${port}/${EMBEDDED_DATABASE} (data in ${dataDir})`,
    release: async () => {
      if (released) return;
      released = true;
      await locked(paths, async () => {
        await rm(path.join(paths.usersDir, String(process.pid)), { force: true });
        const status = await embeddedStatus(paths);
        if (status.running && status.users.length === 0 && !status.pinned) {
          await stopServer(paths);
          log('stopped embedded PostgreSQL');
        }
      });
    },
  };
}

/** `db start`: starts the server if needed and keeps it running until `db stop`. */
export async function pinSharedEmbedded(paths = embeddedPaths(), log?: (line: string) => void): Promise<{ description: string; url: string }> {
  const server = await useSharedEmbedded(paths, log);
  await writeFile(paths.pinnedFile, '');
  await server.release();
  return { description: server.description, url: server.url };
}

/**
 * `db stop`: unpins the server and stops it, unless commands still use it (then the
 * last of them stops it). Resolves to the pids still using it.
 */
export async function stopSharedEmbedded(paths = embeddedPaths()): Promise<{ wasRunning: boolean; users: number[] }> {
  return locked(paths, async () => {
    await rm(paths.pinnedFile, { force: true });
    const status = await embeddedStatus(paths);
    if (status.running && status.users.length === 0) await stopServer(paths);
    return { wasRunning: status.running, users: status.users };
  });
}

async function locked<T>(paths: EmbeddedPaths, work: () => Promise<T>): Promise<T> {
  await mkdir(paths.root, { recursive: true });
  // Retries for up to ~2 minutes: another command may be initialising the data folder.
  const unlock = await lockfile.lock(paths.root, {
    lockfilePath: path.join(paths.root, 'embedded.lock'),
    stale: 20_000,
    retries: { retries: 600, minTimeout: 50, maxTimeout: 200, factor: 1.2 },
  });
  try {
    return await work();
  } finally {
    await unlock();
  }
}

async function liveUsers(paths: EmbeddedPaths): Promise<number[]> {
  let names: string[];
  try {
    names = await readdir(paths.usersDir);
  } catch {
    return [];
  }
  const users: number[] = [];
  for (const name of names) {
    const pid = Number(name);
    if (Number.isSafeInteger(pid) && alive(pid)) users.push(pid);
    else await rm(path.join(paths.usersDir, name), { force: true }); // a command that was killed
  }
  return users.sort((a, b) => a - b);
}

function alive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function stopServer(paths: EmbeddedPaths): Promise<void> {
  await stopCluster(await locateCluster(paths.configuredDataDir), 'fast');
}

/** The URL of `database` on the server, created if missing. */
async function ensureDatabase(serverUrl: string, database: string): Promise<string> {
  return createDatabase(serverUrl, database).catch((error: { code?: string }) => {
    if (sqlState(error) === SQLSTATE.DUPLICATE_DATABASE) return withDatabase(serverUrl, database); // it exists
    throw error;
  });
}
