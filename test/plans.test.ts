import * as assert from 'uvu/assert';
import type { Queryable } from '../src/db/queryable.js';
import { REPORT_NAMES, runReport } from '../src/reports/reports.js';
import { databaseSuite } from './helpers/database.js';

/**
 * The reports' plans on realistic tables: a year of days for 1,000 campaigns
 * (365,000 campaign-days), a quarter for 5,000 creatives (450,000 creative-days), daily demographics, a sync history, with
 * statistics. Every report statement is run under EXPLAIN with the parameters the
 * report gives it, and no metrics table, rollup or sync_log may be read by a
 * sequential scan: the reports are index-driven.
 */
const Plans = databaseSuite('plans');

const METRICS_TABLES = new Set([
  'campaign_daily_metrics', 'creative_daily_metrics', 'audience_demographics', 'sync_log',
  'account_daily_metrics', 'campaign_monthly_metrics', 'creative_monthly_metrics', 'creative_weekly_metrics',
  'audience_demographic_monthly', 'audience_demographic_weekly',
]);

Plans.before(async ({ pool }) => {
  // Plain SQL: the triggers keep the rollups as for any writer.
  await pool.query(`insert into ad_accounts (id, name) select a, 'Account ' || a from generate_series(1, 5) a`);
  await pool.query(`insert into campaigns (id, account_id, name) select c, 1 + c % 5, 'Campaign ' || c from generate_series(1, 1000) c`);
  await pool.query(`insert into creatives (id, campaign_id, account_id) select 'urn:li:sponsoredCreative:' || k, 1 + k % 1000, 1 + (1 + k % 1000) % 5 from generate_series(1, 5000) k`);
  await pool.query(`insert into campaign_daily_metrics (campaign_id, date, impressions, clicks, spend)
                    select c, d::date, 100 + c % 50, c % 7, (c % 13) * 1.25 from generate_series(1, 1000) c, generate_series('2025-01-01'::date, '2025-12-31', '1 day') d`);
  await pool.query(`insert into creative_daily_metrics (creative_id, date, impressions, clicks, spend)
                    select 'urn:li:sponsoredCreative:' || k, d::date, 20 + k % 50, k % 3, (k % 11) * 0.5 from generate_series(1, 5000) k, generate_series('2025-01-01'::date, '2025-03-31', '1 day') d`);
  await pool.query(`insert into audience_demographics (account_id, pivot_type, segment, date_start, date_end, impressions, clicks)
                    select a, 'job_title', 'urn:li:title:' || s, d::date, d::date, 1000 / s, s % 5
                    from generate_series(1, 5) a, generate_series(1, 100) s, generate_series('2025-01-01'::date, '2025-12-31', '1 day') d`);
  await pool.query(`insert into sync_log (account_id, status, trigger, started_at, finished_at)
                    select (1 + h % 5)::text, 'success', 'scheduled', '2025-01-01'::timestamptz + h * interval '1 hour', '2025-01-01'::timestamptz + h * interval '1 hour' + interval '1 minute'
                    from generate_series(0, 8759) h`);
  await pool.query('vacuum analyze');
});

/** A connection that runs each statement under EXPLAIN first, keeping the plan, then for real. */
function explaining(db: Queryable, plans: unknown[]): Queryable {
  return {
    query: async (query: string | { text: string; values?: unknown[] }, values?: unknown[]) => {
      const [text, bound] = typeof query === 'string' ? [query, values] : [query.text, query.values];
      const { rows } = await db.query(`explain (format json) ${text}`, bound);
      plans.push(rows[0]['QUERY PLAN'][0].Plan);
      return db.query(query as string, values);
    },
  } as unknown as Queryable;
}

/** Every (node type, relation) pair of a plan tree. */
function scans(plan: Record<string, unknown>, into: Array<[string, string]> = []): Array<[string, string]> {
  if (typeof plan['Relation Name'] === 'string') into.push([plan['Node Type'] as string, plan['Relation Name']]);
  for (const child of (plan.Plans as Array<Record<string, unknown>> | undefined) ?? []) scans(child, into);
  return into;
}

/** What each range reads besides the account rollup and sync_log: 30 days is Dec 2-31, 90 days Oct 3-Dec 31, 365 days the whole year. */
const EXPECTED: Record<number, string[]> = {
  30: ['campaign_daily_metrics', 'creative_weekly_metrics', 'creative_daily_metrics', 'audience_demographic_weekly', 'audience_demographics'],
  90: ['campaign_monthly_metrics', 'campaign_daily_metrics', 'creative_monthly_metrics', 'creative_weekly_metrics', 'creative_daily_metrics', 'audience_demographic_monthly', 'audience_demographic_weekly'],
  365: ['campaign_monthly_metrics', 'creative_monthly_metrics', 'audience_demographic_monthly'],
};

for (const days of [30, 90, 365]) {
  Plans(`every report over ${days} days reads the metrics tables and rollups through indexes only`, async ({ pool }) => {
    const from = new Date(Date.parse('2025-12-31') - (days - 1) * 86_400_000).toISOString().slice(0, 10);
    const reached = new Set<string>();
    for (const report of REPORT_NAMES) {
      const plans: unknown[] = [];
      await runReport(explaining(pool, plans), report, { accountId: 1, from, to: '2025-12-31', pivot: 'job_title' });
      for (const [node, relation] of plans.flatMap((plan) => scans(plan as Record<string, unknown>))) {
        if (!METRICS_TABLES.has(relation)) continue;
        assert.ok(/^(Index Scan|Index Only Scan|Bitmap Heap Scan)$/.test(node), `${report} over ${days} days: ${node} on ${relation}`);
        reached.add(relation);
      }
    }
    // The check is not vacuous: the reports read these, by index (parts whose bounds are
    // empty for the range are planned away, so each range reads its own set).
    for (const relation of ['account_daily_metrics', 'sync_log', ...EXPECTED[days]!]) assert.ok(reached.has(relation), `${relation} read over ${days} days`);
  });
}

Plans.run();
