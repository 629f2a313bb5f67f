import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { migrate, MIGRATIONS_DIR } from '../src/db/migrate.js';
import { runReport } from '../src/reports/reports.js';
import { writeBatch } from '../src/store/apply.js';
import { failLoudly, freshDatabase, tableChecksums, type TestDatabase } from './helpers/database.js';

// The specification's tables (the module specification, README "Type mapping") with the PostgreSQL types
// chosen for them (README, "Type mapping"): every column, in order.
const SPEC: Record<string, Record<string, string>> = {
  ad_accounts: {
    id: 'bigint', name: 'text', status: 'text', currency: 'text', type: 'text', is_test: 'boolean',
    created_at: 'timestamp with time zone', fetched_at: 'timestamp with time zone',
  },
  campaigns: {
    id: 'bigint', account_id: 'bigint', name: 'text', status: 'text', type: 'text', daily_budget: 'numeric',
    daily_budget_currency: 'text', total_budget: 'numeric', cost_type: 'text', unit_cost: 'numeric',
    bid_strategy: 'text', creative_selection: 'text', offsite_delivery_enabled: 'boolean',
    audience_expansion_enabled: 'boolean', campaign_group: 'text', created_at: 'timestamp with time zone',
    fetched_at: 'timestamp with time zone',
  },
  creatives: {
    id: 'text', campaign_id: 'bigint', account_id: 'bigint', intended_status: 'text', is_serving: 'boolean',
    content_reference: 'text', content_name: 'text', serving_hold_reasons: 'text[]',
    created_at: 'timestamp with time zone', last_modified_at: 'timestamp with time zone',
    fetched_at: 'timestamp with time zone',
  },
  // Beyond the specification: the day's account (kept equal to its parent's), and
  // LinkedIn's videoViews (…video-views.sql, the README's "Adding a column").
  campaign_daily_metrics: { ...metricsColumns('campaign_id', 'bigint'), account_id: 'bigint', video_views: 'bigint' },
  creative_daily_metrics: { ...metricsColumns('creative_id', 'text'), account_id: 'bigint', video_views: 'bigint' },
  audience_demographics: {
    account_id: 'bigint', pivot_type: 'text', segment: 'text', date_start: 'date', impressions: 'bigint',
    clicks: 'bigint', ctr: 'double precision', share_pct: 'double precision', date_end: 'date',
    fetched_at: 'timestamp with time zone',
  },
  sync_log: {
    id: 'bigint', account_id: 'text', started_at: 'timestamp with time zone',
    finished_at: 'timestamp with time zone', status: 'text', trigger: 'text', campaigns_fetched: 'bigint',
    creatives_fetched: 'bigint', api_calls_made: 'bigint', errors: 'text', date_from: 'date', date_to: 'date',
  },
};

function metricsColumns(key: string, keyType: string): Record<string, string> {
  const columns: Record<string, string> = { [key]: keyType, date: 'date' };
  for (const count of ['impressions', 'clicks']) columns[count] = 'bigint';
  columns.spend = 'numeric';
  for (const count of ['landing_page_clicks', 'conversions', 'likes', 'comments', 'shares', 'follows', 'leads', 'opens', 'sends']) {
    columns[count] = 'bigint';
  }
  return { ...columns, ctr: 'double precision', cpc: 'numeric', fetched_at: 'timestamp with time zone' };
}

// Tables beyond the specification (README, "Beyond the specification"): the staging
// templates (staged_*) and the report rollups.
const ROLLUPS = `('account_daily_metrics', 'campaign_monthly_metrics', 'creative_monthly_metrics', 'creative_weekly_metrics', 'campaign_weekly_metrics', 'audience_demographic_monthly', 'audience_demographic_weekly')`;

const PRIMARY_KEYS: Record<string, string[]> = {
  ad_accounts: ['id'],
  campaigns: ['id'],
  creatives: ['id'],
  campaign_daily_metrics: ['campaign_id', 'date'],
  creative_daily_metrics: ['creative_id', 'date'],
  audience_demographics: ['account_id', 'pivot_type', 'segment', 'date_start'],
  sync_log: ['id'],
};

const FOREIGN_KEYS = [
  'campaigns(account_id) -> ad_accounts(id)',
  'creatives(campaign_id) -> campaigns(id)',
  'creatives(account_id) -> ad_accounts(id)',
  'campaign_daily_metrics(campaign_id) -> campaigns(id)',
  'creative_daily_metrics(creative_id) -> creatives(id)',
  'audience_demographics(account_id) -> ad_accounts(id)',
  // Exactly the specification's: a day's account is kept equal to its parent's by
  // statement triggers (…days-follow-parents-by-statement.sql), not by a key.
].sort();

/** Everything in the public schema except node-pg-migrate's own table: what `down` must remove. */
async function schemaObjects(db: TestDatabase): Promise<string[]> {
  const { rows } = await db.pool.query<{ object: string }>(`
    select c.relkind::text || ' ' || c.relname as object
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relname not like 'pgmigrations%'
    union all
    select 'type ' || t.typname from pg_type t join pg_namespace n on n.oid = t.typnamespace
    where n.nspname = 'public' and t.typname not like '%pgmigrations%'
    union all
    select 'function ' || p.proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname = 'public'
    order by 1`);
  return rows.map((row) => row.object);
}

const Migrations = suite<{ db: TestDatabase }>('migrations', {} as { db: TestDatabase });

Migrations.before(async (context) => {
  try {
    context.db = await freshDatabase('migrations', { migrated: false });
  } catch (error) {
    failLoudly('suite "migrations"', error);
  }
});
Migrations.after(async ({ db }) => db?.drop());

Migrations('up, down, up: down removes everything up made, and up works again', async ({ db }) => {
  const before = await schemaObjects(db);
  assert.equal(before, []);
  const applied = await migrate(db.url, 'up');
  assert.ok(applied.length >= 1);
  assert.ok((await schemaObjects(db)).length > 7);
  await migrate(db.url, 'down', { count: applied.length });
  assert.equal(await schemaObjects(db), before);
  await migrate(db.url, 'up');
  const { rows } = await db.pool.query<{ n: number }>(
    `select count(*)::int as n from pg_tables where schemaname = 'public' and tablename <> 'pgmigrations'`,
  );
  assert.is(rows[0]!.n, 7 + 6 + 7); // the seven tables, six staging templates, seven rollups
});

Migrations('up again with nothing pending changes nothing', async ({ db }) => {
  const before = await schemaObjects(db);
  assert.equal(await migrate(db.url, 'up'), []);
  assert.equal(await schemaObjects(db), before);
});

Migrations('every table has exactly the specification columns, with the chosen types', async ({ db }) => {
  const { rows } = await db.pool.query<{ table_name: string; column_name: string; type: string }>(`
    select c.relname as table_name, a.attname as column_name, format_type(a.atttypid, a.atttypmod) as type
    from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind = 'r' and c.relname <> 'pgmigrations' and c.relname not like 'staged\_%' and c.relname not in ${ROLLUPS}
      and a.attnum > 0 and not a.attisdropped
    order by c.relname, a.attnum`);
  const actual: Record<string, Record<string, string>> = {};
  for (const row of rows) (actual[row.table_name] ??= {})[row.column_name] = row.type;
  assert.equal(actual, SPEC);
  for (const [table, columns] of Object.entries(SPEC)) {
    assert.equal(Object.keys(actual[table]!), Object.keys(columns), `column order of ${table}`);
  }
});

Migrations('primary keys are the specification ones', async ({ db }) => {
  const { rows } = await db.pool.query<{ table_name: string; columns: string[] }>(`
    select c.conrelid::regclass::text as table_name,
           array(select a.attname from unnest(c.conkey) with ordinality k(attnum, i)
                 join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.attnum order by k.i)::text[] as columns
    from pg_constraint c where c.contype = 'p' and c.connamespace = 'public'::regnamespace
      and c.conrelid::regclass::text <> 'pgmigrations' and c.conrelid::regclass::text not in ${ROLLUPS}`);
  const actual = Object.fromEntries(rows.map((row) => [row.table_name, row.columns]));
  assert.equal(actual, PRIMARY_KEYS);
});

Migrations('foreign keys are the specification ones, deferrable initially deferred, each with an index', async ({ db }) => {
  const { rows } = await db.pool.query<{ fk: string; deferrable: boolean; deferred: boolean; indexed: boolean }>(`
    select c.conrelid::regclass::text
             || '(' || (select string_agg(a.attname, ', ' order by k.n) from unnest(c.conkey) with ordinality k (attnum, n)
                        join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.attnum) || ') -> '
             || c.confrelid::regclass::text
             || '(' || (select string_agg(a.attname, ', ' order by k.n) from unnest(c.confkey) with ordinality k (attnum, n)
                        join pg_attribute a on a.attrelid = c.confrelid and a.attnum = k.attnum) || ')' as fk,
           c.condeferrable as deferrable, c.condeferred as deferred,
           exists (select 1 from pg_index i where i.indrelid = c.conrelid and i.indkey[0] = c.conkey[1]) as indexed
    from pg_constraint c
    where c.contype = 'f' and c.connamespace = 'public'::regnamespace
    order by 1`);
  assert.equal(rows.map((row) => row.fk), FOREIGN_KEYS);
  for (const row of rows) {
    assert.ok(row.deferrable && row.deferred, `${row.fk} is deferrable initially deferred`);
    assert.ok(row.indexed, `${row.fk} has an index led by its column`);
  }
});

Migrations('a sync part checks every foreign key at once (sql/staged_checks.sql CheckForeignKeysNow names them all)', async ({ db }) => {
  const sql = await readFile(path.join(import.meta.dirname, '..', 'sql', 'staged_checks.sql'), 'utf8');
  const statement = /@name CheckForeignKeysNow \*\/\s*set constraints ([^;]+) immediate;/.exec(sql)?.[1];
  assert.ok(statement, 'CheckForeignKeysNow is a set constraints … immediate statement');
  const named = statement!.split(',').map((name) => name.trim()).sort();
  const { rows } = await db.pool.query<{ name: string }>(
    `select conname as name from pg_constraint where contype = 'f' and connamespace = 'public'::regnamespace order by 1`,
  );
  assert.equal(named, rows.map((row) => row.name));
});

Migrations('counts and money default to 0 and are NOT NULL; sync_log.id is an identity', async ({ db }) => {
  const { rows } = await db.pool.query<{ column: string; notnull: boolean; default: string | null }>(`
    select c.relname || '.' || a.attname as column, a.attnotnull as notnull, pg_get_expr(d.adbin, d.adrelid) as default
    from pg_attribute a join pg_class c on c.oid = a.attrelid
    left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
    where c.relnamespace = 'public'::regnamespace and a.attnum > 0 and a.attgenerated = ''
      and c.relkind = 'r' and c.relname not like 'staged\_%' and c.relname not in ${ROLLUPS}
      and (a.attname in ('impressions', 'clicks', 'spend', 'landing_page_clicks', 'conversions', 'likes', 'comments',
                         'shares', 'follows', 'leads', 'opens', 'sends', 'video_views', 'campaigns_fetched', 'creatives_fetched',
                         'api_calls_made'))`);
  assert.ok(rows.length >= 2 * 12 + 2 + 3);
  for (const row of rows) assert.equal([row.column, row.notnull, row.default], [row.column, true, '0']);
  const identity = await db.pool.query(
    `select attidentity from pg_attribute where attrelid = 'sync_log'::regclass and attname = 'id'`,
  );
  assert.is(identity.rows[0].attidentity, 'a');
});

Migrations('ctr and cpc are generated from the counts, 0 when the denominator is 0', async ({ db }) => {
  const client = await db.pool.connect();
  try {
    await client.query('begin');
    await client.query(`insert into ad_accounts (id) values (1)`);
    await client.query(`insert into campaigns (id, account_id) values (10, 1)`);
    await client.query(`insert into campaign_daily_metrics (campaign_id, date, impressions, clicks, spend)
                        values (10, '2024-01-01', 200, 3, '1.50'), (10, '2024-01-02', 0, 0, '2.00')`);
    const { rows } = await client.query(`select date, ctr, cpc from campaign_daily_metrics order by date`);
    assert.equal(rows, [
      { date: '2024-01-01', ctr: 0.015, cpc: '0.50000000000000000000' },
      { date: '2024-01-02', ctr: 0, cpc: '0' },
    ]);
    await client.query(`insert into audience_demographics (account_id, pivot_type, segment, date_start, impressions, clicks)
                        values (1, 'seniority', 'urn:li:seniority:4', '2024-01-01', 0, 0)`);
    const demographics = await client.query(`select ctr from audience_demographics`);
    assert.is(demographics.rows[0].ctr, 0);
    try {
      await client.query(`update campaign_daily_metrics set ctr = 1`);
      assert.unreachable('a generated column cannot be written');
    } catch (error) {
      assert.is((error as { code?: string }).code, '428C9');
    }
  } finally {
    await client.query('rollback');
    client.release();
  }
});

Migrations('sync_log: status is checked and one running row per account_id value', async ({ db }) => {
  await db.pool.query(`insert into sync_log (account_id, status) values ('1', 'running'), ('all', 'running')`);
  await assertSqlState(db, `insert into sync_log (account_id, status) values ('1', 'running')`, '23505');
  await assertSqlState(db, `insert into sync_log (account_id, status, finished_at) values ('2', 'done', now())`, '23514');
  await db.pool.query(`insert into sync_log (account_id, status, finished_at) values ('1', 'failed', now())`);
  await db.pool.query(`truncate sync_log`);
});

Migrations('foreign keys are checked at commit, so parents may come after children', async ({ db }) => {
  const client = await db.pool.connect();
  try {
    await client.query('begin');
    await client.query(`insert into creatives (id, campaign_id, account_id) values ('urn:li:sponsoredCreative:1', 20, 2)`);
    await client.query(`insert into campaigns (id, account_id) values (20, 2)`);
    await client.query(`insert into ad_accounts (id) values (2)`);
    await client.query('commit');
    await client.query('begin');
    await client.query(`insert into campaigns (id, account_id) values (21, 999)`);
    try {
      await client.query('commit');
      assert.unreachable('commit with a dangling reference');
    } catch (error) {
      assert.is((error as { code?: string }).code, '23503');
    }
  } finally {
    client.release();
  }
  await db.pool.query('truncate ad_accounts, campaigns, creatives cascade');
});

Migrations('the staging templates refuse every write (sessions write temporary copies)', async ({ db }) => {
  await assertSqlState(db, `insert into staged_ad_accounts (line, presence, id) values (1, 0, 1)`, '23514');
  await assertSqlState(
    db,
    `insert into staged_campaign_daily_metrics (line, presence, campaign_id, date) values (1, 0, 1, '2024-01-01')`,
    '23514',
  );
});

async function assertSqlState(db: TestDatabase, sql: string, state: string): Promise<void> {
  try {
    await db.pool.query(sql);
  } catch (error) {
    assert.is((error as { code?: string }).code, state, sql);
    return;
  }
  assert.unreachable(`expected ${state}: ${sql}`);
}

Migrations('a migration failing midway leaves the schema and the history as they were', async () => {
  const db = await freshDatabase('migration_fails');
  const folder = await mkdtemp(path.join(tmpdir(), 'ads-store-migrations-'));
  try {
    await cp(MIGRATIONS_DIR, folder, { recursive: true });
    await writeFile(
      path.join(folder, '29991231000000000_fails-midway.sql'),
      '-- Up Migration\ncreate table half_made (id int);\nalter table campaigns add column half_made int;\nselect 1 / 0;\n-- Down Migration\ndrop table half_made;\n',
    );
    const before = await schemaObjects(db);
    const history = (await db.pool.query('select name from pgmigrations order by id')).rows;
    try {
      await migrate(db.url, 'up', { dir: folder });
      assert.unreachable('the migration divides by zero');
    } catch (error) {
      assert.match((error as Error).message, /division by zero/);
    }
    assert.equal(await schemaObjects(db), before);
    const { rows } = await db.pool.query(`select count(*) as n from information_schema.columns where table_name = 'campaigns' and column_name = 'half_made'`);
    assert.is(rows[0].n, 0);
    assert.equal((await db.pool.query('select name from pgmigrations order by id')).rows, history);
  } finally {
    await rm(folder, { recursive: true, force: true });
    await db.drop();
  }
});

Migrations('down and up again on a populated database keep the data and rebuild the rollups', async () => {
  const db = await freshDatabase('migration_populated');
  try {
    await writeBatch(db.pool, {
      accounts: [{ id: 1, name: 'One' }],
      campaigns: [{ id: 10, account_id: 1 }],
      creatives: [{ id: 'urn:li:sponsoredCreative:1', campaign_id: 10, account_id: 1 }],
      campaignDailyMetrics: Array.from({ length: 60 }, (_, i) => ({ campaign_id: 10, date: new Date(Date.UTC(2025, 0, 1 + i)).toISOString().slice(0, 10), impressions: 10 + i, clicks: i % 3, spend: `${i}.5` })),
      creativeDailyMetrics: Array.from({ length: 60 }, (_, i) => ({ creative_id: 'urn:li:sponsoredCreative:1', date: new Date(Date.UTC(2025, 0, 1 + i)).toISOString().slice(0, 10), impressions: 5 + i })),
      audienceDemographics: [{ account_id: 1, pivot_type: 'seniority', segment: 'urn:li:seniority:3', date_start: '2025-01-06', impressions: 40 }],
    });
    const range = { accountId: 1, from: '2025-01-03', to: '2025-02-27' };
    const reports = async () => Promise.all((['campaigns', 'creatives', 'daily', 'demographics', 'compare'] as const).map((name) => runReport(db.pool, name, { ...range, pivot: 'seniority' })));
    const before = { sums: await tableChecksums(db.pool), reports: await reports() };
    // Down to the tables and staging templates (the rollups and report indexes go), then up.
    const applied = (await db.pool.query<{ n: number }>('select count(*) as n from pgmigrations')).rows[0]!.n;
    const reverted = await migrate(db.url, 'down', { count: applied - 2 });
    assert.is(reverted.length, applied - 2);
    const reapplied = await migrate(db.url, 'up');
    assert.is(reapplied.length, applied - 2);
    assert.equal(await reports(), before.reports);
    const after = await tableChecksums(db.pool);
    for (const table of ['ad_accounts', 'campaigns', 'creatives', 'campaign_daily_metrics', 'creative_daily_metrics', 'audience_demographics']) {
      assert.is(after[table], before.sums[table], `${table} kept`);
    }
  } finally {
    await db.drop();
  }
});

Migrations.run();
