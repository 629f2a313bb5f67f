import type pg from 'pg';
import * as assert from 'uvu/assert';
import type { Queryable } from '../src/db/queryable.js';
import { createPool } from '../src/db/pool.js';
import { REPORT_NAMES, runReport } from '../src/reports/reports.js';
import { databaseSuite } from './helpers/database.js';

/**
 * The reports' plans on realistic tables: a year of days for 1,000 campaigns
 * (365,000 campaign-days), a quarter for 5,000 creatives (450,000 creative-days), daily demographics, a sync history, with
 * statistics. Every report statement is run under EXPLAIN with the parameters the
 * report gives it, and no metrics table, rollup or sync_log may be read by a
 * sequential scan: the reports are index-driven.
 *
 * Nothing here may depend on the run or the machine:
 * - the load takes about 13 s (PostgreSQL 15) and 17 s (embedded 18) on this 2-core
 *   machine; under load its biggest statement went past the pools' 30 s statement
 *   timeout, the `before` hook failed, and uvu counted the tests as failed without a
 *   word (lukeed/uvu#60): "3 plans tests failed with no message, then passed on a
 *   rerun". Three runs at once on the embedded server all failed so, at the insert of
 *   the 450,000 creative-days. The load now has a timeout of its own (and that insert
 *   is 2 to 3 times faster), and databaseSuite reports a failed `before` hook;
 * - the statistics: ANALYZE reads a random sample of 30,000 rows of a bigger table,
 *   so estimates and costs changed from run to run, and with autovacuum on (a fresh
 *   install, the embedded server; not this machine's PostgreSQL 15) an autovacuum
 *   ANALYZE could replace ours at any time. Autovacuum is off for these tables and
 *   ANALYZE reads every row (statistics target 10,000: samples of up to 3,000,000
 *   rows): two runs print the same EXPLAIN output, costs included;
 * - the server's configuration: the reports are planned on a session with every
 *   planner setting at PostgreSQL's built-in default (pg_settings.boot_val).
 */
const Plans = databaseSuite('plans');

/** The tables whose every read by a report must go through an index. */
const METRICS_TABLES = new Set([
  'campaign_daily_metrics', 'creative_daily_metrics', 'audience_demographics', 'sync_log',
  'account_daily_metrics', 'campaign_monthly_metrics', 'campaign_weekly_metrics', 'creative_monthly_metrics', 'creative_weekly_metrics',
  'audience_demographic_monthly', 'audience_demographic_weekly',
]);
/** The rest of the schema: entities (a few rows per account), the ingest's staging templates, the migrations' log. */
const OTHER_TABLES = /^(ad_accounts|campaigns|creatives|staged_\w+|pgmigrations)$/;

/** Settings that change plans: PostgreSQL's "Query Tuning" settings and these. */
const PLANNER_SETTINGS_SQL = `
  select name, boot_val from pg_settings
  where (category like 'Query Tuning%' or name in ('work_mem', 'hash_mem_multiplier', 'max_parallel_workers_per_gather'))
    and context = 'user'`;

Plans.before(async ({ db }) => {
  // As the database's owner (also with ADS_STORE_TEST_ROLE=app: VACUUM and ANALYZE skip,
  // with a mere warning, a table the role does not own), on one session, with a timeout
  // of its own (see above).
  const admin = createPool(db.adminUrl, { max: 1, statementTimeoutMs: 5 * 60_000 });
  try {
    const client = await admin.connect();
    try {
      await client.query(`do $$
        declare t record;
        begin
          for t in select tablename from pg_tables where schemaname = current_schema() loop
            execute format('alter table %I set (autovacuum_enabled = false)', t.tablename);
          end loop;
        end $$`);
      // Plain SQL: the triggers keep the rollups as for any writer.
      await client.query(`insert into ad_accounts (id, name) select a, 'Account ' || a from generate_series(1, 5) a`);
      await client.query(`insert into campaigns (id, account_id, name) select c, 1 + c % 5, 'Campaign ' || c from generate_series(1, 1000) c`);
      await client.query(`insert into creatives (id, campaign_id, account_id) select 'urn:li:sponsoredCreative:' || k, 1 + k % 1000, 1 + (1 + k % 1000) % 5 from generate_series(1, 5000) k`);
      await client.query(`insert into campaign_daily_metrics (campaign_id, date, impressions, clicks, spend)
                          select c, d::date, 100 + c % 50, c % 7, (c % 13) * 1.25 from generate_series(1, 1000) c, generate_series('2025-01-01'::date, '2025-12-31', '1 day') d`);
      // With its creative's account, as the write path stores a day: without it the fill
      // trigger (…creative-days-by-account.sql) rewrites all 450,000 rows, which took
      // 15 s instead of 6 s (PostgreSQL 15) and 27 s instead of 8 s (embedded 18).
      await client.query(`insert into creative_daily_metrics (creative_id, account_id, date, impressions, clicks, spend)
                          select 'urn:li:sponsoredCreative:' || k, 1 + (1 + k % 1000) % 5, d::date, 20 + k % 50, k % 3, (k % 11) * 0.5
                          from generate_series(1, 5000) k, generate_series('2025-01-01'::date, '2025-03-31', '1 day') d`);
      await client.query(`insert into audience_demographics (account_id, pivot_type, segment, date_start, date_end, impressions, clicks)
                          select a, 'job_title', 'urn:li:title:' || s, d::date, d::date, 1000 / s, s % 5
                          from generate_series(1, 5) a, generate_series(1, 100) s, generate_series('2025-01-01'::date, '2025-12-31', '1 day') d`);
      await client.query(`insert into sync_log (account_id, status, trigger, started_at, finished_at)
                          select (1 + h % 5)::text, 'success', 'scheduled', '2025-01-01'::timestamptz + h * interval '1 hour', '2025-01-01'::timestamptz + h * interval '1 hour' + interval '1 minute'
                          from generate_series(0, 8759) h`);
      // Every row of every table read, not a random sample: the same statistics each run.
      await client.query('set default_statistics_target = 10000');
      await client.query('vacuum analyze');
      const { rows } = await client.query<{ table: string }>(
        `select t as table from unnest($1::text[]) t
         where not exists (select from pg_stats s where s.schemaname = current_schema() and s.tablename = t)`,
        [[...METRICS_TABLES]],
      );
      if (rows.length > 0) throw new Error(`vacuum analyze left tables without statistics: ${rows.map((row) => row.table).join(', ')}`);
    } finally {
      client.release();
    }
  } finally {
    await admin.end();
  }
});

/**
 * Runs `work` on one session of the pool whose planner settings are PostgreSQL's
 * built-in defaults: SET on the session beats the server's, the database's and the
 * role's settings. The session is closed afterwards, so its settings go with it.
 */
async function withPlannerDefaults<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    for (const { name, boot_val } of (await client.query<{ name: string; boot_val: string }>(PLANNER_SETTINGS_SQL)).rows) {
      await client.query('select set_config($1, $2, false)', [name, boot_val]);
    }
    return await work(client);
  } finally {
    client.release(true);
  }
}

interface Statement {
  text: string;
  values: unknown[] | undefined;
  plan: PlanNode;
}
interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

/** A connection that runs each statement under EXPLAIN first, keeping the plan, then for real. */
function explaining(db: pg.PoolClient, statements: Statement[]): Queryable {
  return {
    query: async (query: string | { text: string; values?: unknown[] }, values?: unknown[]) => {
      const [text, bound] = typeof query === 'string' ? [query, values] : [query.text, query.values];
      const { rows } = await db.query(`explain (format json) ${text}`, bound);
      statements.push({ text, values: bound, plan: rows[0]['QUERY PLAN'][0].Plan });
      return db.query(query as string, values);
    },
  } as unknown as Queryable;
}

/** Every scan of a table in a plan tree: its node type, table and index (if any). */
function scans(plan: PlanNode, into: Array<{ node: string; relation: string; index?: string }> = []) {
  if (typeof plan['Relation Name'] === 'string') {
    into.push({ node: plan['Node Type'], relation: plan['Relation Name'], ...(plan['Index Name'] ? { index: plan['Index Name'] } : {}) });
  }
  for (const child of plan.Plans ?? []) scans(child, into);
  return into;
}

/** The statement's plan as EXPLAIN prints it, indented for a failure message. */
async function explainText(db: pg.PoolClient, statement: Statement): Promise<string> {
  const { rows } = await db.query<{ 'QUERY PLAN': string }>(`explain ${statement.text}`, statement.values);
  return rows.map((row) => `      ${row['QUERY PLAN']}`).join('\n');
}

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

/**
 * Fails with `message` unless `ok`. uvu prints a failure's message and then its stack
 * minus the first line, so a multi-line message (EXPLAIN output) would be printed
 * twice: the stack keeps only the frames.
 */
function check(ok: boolean, message: string): void {
  if (ok) return;
  const error = new Error(message);
  const frames = (error.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line));
  error.stack = [`Error: ${message.split('\n')[0]}`, ...frames].join('\n');
  throw error;
}

Plans('every table of the schema is either checked for index reads or named as not a metrics table', async ({ pool }) => {
  const { rows } = await pool.query<{ table: string }>(`select tablename as table from pg_tables where schemaname = current_schema() order by 1`);
  const unknown = rows.map((row) => row.table).filter((table) => !METRICS_TABLES.has(table) && !OTHER_TABLES.test(table));
  const missing = [...METRICS_TABLES].filter((table) => !rows.some((row) => row.table === table));
  assert.equal(unknown, [], `tables neither in METRICS_TABLES nor in OTHER_TABLES (a new rollup?): ${unknown.join(', ')}`);
  assert.equal(missing, [], `METRICS_TABLES names tables the schema does not have: ${missing.join(', ')}`);
});

Plans('every report is planned with PostgreSQL\'s built-in planner settings', async ({ pool }) => {
  const { rows } = await withPlannerDefaults(pool, (client) =>
    client.query<{ name: string; setting: string; boot_val: string }>(
      `select name, setting, boot_val from pg_settings where name in (select name from (${PLANNER_SETTINGS_SQL}) s) and setting is distinct from boot_val`,
    ),
  );
  assert.equal(rows, [], `planner settings differ from the built-in defaults: ${rows.map((row) => `${row.name}=${row.setting} (default ${row.boot_val})`).join(', ')}`);
});

/** What each range reads besides the account rollup and sync_log: 30 days is Dec 2-31, 90 days Oct 3-Dec 31, 365 days the whole year. */
const EXPECTED: Record<number, string[]> = {
  30: ['campaign_daily_metrics', 'campaign_weekly_metrics', 'creative_weekly_metrics', 'creative_daily_metrics', 'audience_demographic_weekly', 'audience_demographics'],
  90: ['campaign_monthly_metrics', 'campaign_weekly_metrics', 'campaign_daily_metrics', 'creative_monthly_metrics', 'creative_weekly_metrics', 'creative_daily_metrics', 'audience_demographic_monthly', 'audience_demographic_weekly'],
  365: ['campaign_monthly_metrics', 'campaign_weekly_metrics', 'creative_monthly_metrics', 'audience_demographic_monthly'],
};

for (const days of [30, 90, 365]) {
  Plans(`every report over ${days} days reads the metrics tables and rollups through indexes only`, async ({ pool }) => withPlannerDefaults(pool, async (client) => {
    const from = new Date(Date.parse('2025-12-31') - (days - 1) * 86_400_000).toISOString().slice(0, 10);
    const range = `over ${days} days (${from}..2025-12-31)`;
    const reached = new Set<string>();
    const read: string[] = [];
    const violations: string[] = [];
    for (const report of REPORT_NAMES) {
      const statements: Statement[] = [];
      try {
        await runReport(explaining(client, statements), report, { accountId: 1, from, to: '2025-12-31', pivot: 'job_title' });
      } catch (error) {
        throw new Error(`report ${report} ${range} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
      for (const [i, statement] of statements.entries()) {
        const found = scans(statement.plan);
        read.push(`${report} #${i + 1}: ${found.map((scan) => `${scan.node} on ${scan.relation}${scan.index ? ` using ${scan.index}` : ''}`).join(', ') || '(no table)'}`);
        for (const scan of found) {
          if (!METRICS_TABLES.has(scan.relation)) continue;
          if (/^(Index Scan|Index Only Scan|Bitmap Heap Scan)$/.test(scan.node)) {
            reached.add(scan.relation);
            continue;
          }
          violations.push(
            `report ${report} ${range}, statement ${i + 1}: "${scan.node}" on ${scan.relation}\n` +
              `    statement: ${oneLine(statement.text)}\n    parameters: ${JSON.stringify(statement.values)}\n    plan:\n${await explainText(client, statement)}`,
          );
        }
      }
    }
    check(violations.length === 0, `a metrics table, rollup or sync_log read without an index:\n${violations.join('\n\n')}`);
    // The check is not vacuous: the reports read these, by index (parts whose bounds are
    // empty for the range are planned away, so each range reads its own set).
    const unread = ['account_daily_metrics', 'sync_log', ...EXPECTED[days]!].filter((relation) => !reached.has(relation));
    check(unread.length === 0, `no report ${range} read ${unread.join(', ')}; the reports' statements read:\n  ${read.join('\n  ')}`);
  }));
}

Plans.run();
