import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { embeddedPaths, embeddedStatus } from '../src/provision/embedded.js';
import { maskUrl, redactSecrets, withDatabase } from '../src/db/urls.js';
import { provideServer } from '../src/provision/server.js';

const Server = suite('server');

async function scratchDir(): Promise<string> {
  return mkdtemp(path.join(tmpdir(), 'ads-store-server-test-'));
}

async function select(url: string, sql: string): Promise<Record<string, unknown>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows[0];
  } finally {
    await client.end();
  }
}

Server('DATABASE_URL wins, and the password never appears in what it says', async () => {
  const lines: string[] = [];
  const server = await provideServer({
    env: { DATABASE_URL: 'postgres://ads:s3cret%21@db.example:6543/ads' },
    log: (line) => lines.push(line),
  });
  assert.is(server.source, 'DATABASE_URL');
  assert.is(server.url, 'postgres://ads:s3cret%21@db.example:6543/ads');
  assert.is(server.description, 'DATABASE_URL postgres://ads:***@db.example:6543/ads');
  assert.equal(lines, ['database: DATABASE_URL postgres://ads:***@db.example:6543/ads']);
  assert.not.match(lines.join('\n'), 's3cret');
  await server.stop(); // a no-op: this module never stops a server it did not start
});

Server('maskUrl hides passwords and never echoes what it cannot parse', () => {
  assert.is(maskUrl('postgres://u:p@h/d'), 'postgres://u:***@h/d');
  assert.is(maskUrl('postgres://u@h:5432/d'), 'postgres://u@h:5432/d');
  assert.is(maskUrl('host=h password=secret'), '<unparsable URL>');
  assert.is(withDatabase('postgres://u:p@h:1/postgres', 'other'), 'postgres://u:p@h:1/other');
});

Server('redactSecrets hides URL passwords, a connection string by its password, any other secret whole', () => {
  assert.is(redactSecrets('failed: postgres://u:pw1@h/d down'), 'failed: postgres://u:***@h/d down');
  assert.is(redactSecrets('password s3cret! refused', ['postgres://u:s3cret%21@h/d']), 'password *** refused');
  // A token with a colon is no URL: all of it goes, not its (absent) password.
  assert.is(redactSecrets('Bearer AQV:x-y.z rejected', ['AQV:x-y.z']), 'Bearer *** rejected');
  assert.is(redactSecrets('user postgres at h', ['postgres://postgres@h/d']), 'user postgres at h', 'no password: nothing to hide');
});

Server('without DATABASE_URL or containers: an embedded PostgreSQL that starts and stops', async () => {
  const dir = await scratchDir();
  const lines: string[] = [];
  const server = await provideServer({ env: {}, containers: false, embeddedDataDir: path.join(dir, 'pg'), persistent: false, log: (l) => lines.push(l) });
  try {
    assert.is(server.source, 'embedded');
    assert.match(lines.join('\n'), /^database: embedded PostgreSQL at 127\.0\.0\.1:\d+/m);
    assert.not.match(server.description, new URL(server.url).password);
    const row = await select(server.url, `select current_setting('server_version_num')::int as version`);
    assert.ok((row.version as number) >= 180000, `PostgreSQL 18 or later, got ${row.version}`);
  } finally {
    await server.stop();
  }
  try {
    await select(server.url, 'select 1');
    assert.unreachable('the server should be stopped');
  } catch (error) {
    assert.match(String((error as Error).message), /ECONNREFUSED|connect/);
  }
  await rm(dir, { recursive: true, force: true });
});

Server('a persistent embedded data folder keeps its data and password across restarts', async () => {
  const dir = await scratchDir();
  const dataDir = path.join(dir, 'pg');
  const first = await provideServer({ env: {}, containers: false, embeddedDataDir: dataDir, log: () => {} });
  try {
    await select(first.url, `create table kept as select 42 as id`);
  } finally {
    await first.stop();
  }
  const second = await provideServer({ env: {}, containers: false, embeddedDataDir: dataDir, log: () => {} });
  try {
    assert.equal(await select(second.url, 'select id from kept'), { id: 42 });
  } finally {
    await second.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

Server('with containers allowed: Testcontainers when a runtime answers, else embedded, saying why', async () => {
  const dir = await scratchDir();
  const lines: string[] = [];
  const server = await provideServer({ env: {}, embeddedDataDir: path.join(dir, 'pg'), persistent: false, log: (l) => lines.push(l) });
  try {
    if (server.source === 'embedded') {
      assert.match(lines[0]!, /^no container runtime \(.+\); using embedded PostgreSQL$/);
    } else {
      assert.is(server.source, 'testcontainers');
    }
    assert.equal(await select(server.url, 'select 1 as one'), { one: 1 });
  } finally {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

Server('a suite whose database setup fails fails the whole run (uvu alone would exit 0)', () => {
  const result = spawnSync(path.join('node_modules', '.bin', 'uvu'), ['-r', 'tsx', 'test/fixtures', 'failing-setup'], {
    env: { ...process.env, ADS_STORE_TEST_SERVER_URL: 'postgres://postgres@127.0.0.1:1/postgres', DATABASE_URL: '' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.is.not(result.status, 0);
  assert.match(result.stderr, /SETUP FAILED in suite "unreachable"/);
});

Server('without a data folder, the embedded server is the CLI\'s shared one: a lease while held, stopped when given back', async () => {
  const home = await scratchDir();
  const previous = process.env.ADS_STORE_HOME;
  process.env.ADS_STORE_HOME = home;
  try {
    const server = await provideServer({ env: {}, containers: false, log: () => {} });
    assert.is(server.source, 'embedded');
    // <home>/embedded, unless the postgres user cannot reach it (as root under a private TMPDIR): then where it links to.
    assert.ok(server.description.endsWith(`(data in ${embeddedPaths().dataDir})`), server.description);
    const during = await embeddedStatus(embeddedPaths());
    assert.equal([during.running, during.users], [true, [process.pid]]);
    assert.is((await select(server.url, 'select current_database() as db')).db, 'postgres');
    await server.stop();
    assert.is((await embeddedStatus(embeddedPaths())).running, false);
  } finally {
    if (previous === undefined) delete process.env.ADS_STORE_HOME;
    else process.env.ADS_STORE_HOME = previous;
    await rm(home, { recursive: true, force: true });
  }
});

Server.run();
