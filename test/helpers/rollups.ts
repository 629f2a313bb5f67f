import type pg from 'pg';
import { reports } from '../../src/reports/reports.js';

/**
 * The rollups against their recomputation from the base tables: every rollup row
 * that differs (all-zero rows count as absent), and every day whose carried account
 * is not its parent's. Empty when everything is exact.
 */

const SUMS = 'impressions, clicks, spend, landing_page_clicks, conversions, leads';
const SUMMED = 'sum(impressions), sum(clicks), sum(spend), sum(landing_page_clicks), sum(conversions), sum(leads)';
const SUMMED_M = 'sum(m.impressions), sum(m.clicks), sum(m.spend), sum(m.landing_page_clicks), sum(m.conversions), sum(m.leads)';

/** Rollup rows that differ from the sums recomputed from the daily tables (all-zero rows count as absent). */
export async function drift(pool: pg.Pool): Promise<unknown[]> {
  const nonZero = `(impressions, clicks, spend, landing_page_clicks, conversions, leads) <> (0, 0, 0, 0, 0, 0)`;
  const pairs: Array<[string, string]> = [
    [
      `select 'account_daily' as rollup, account_id::text as key, date as period, ${SUMS} from account_daily_metrics where ${nonZero}`,
      `select 'account_daily', c.account_id::text, m.date, sum(m.impressions), sum(m.clicks), sum(m.spend), sum(m.landing_page_clicks), sum(m.conversions), sum(m.leads)
       from campaign_daily_metrics m join campaigns c on c.id = m.campaign_id where c.account_id is not null group by 1, 2, 3`,
    ],
    // Not a rollup, but what it is built from: each campaign day carries its campaign's account.
    [
      `select 'campaign_day_account', campaign_id::text, date, account_id from campaign_daily_metrics`,
      `select 'campaign_day_account', m.campaign_id::text, m.date, c.account_id from campaign_daily_metrics m left join campaigns c on c.id = m.campaign_id`,
    ],
    [
      `select 'campaign_weekly', campaign_id::text, week, ${SUMS} from campaign_weekly_metrics where ${nonZero}`,
      `select 'campaign_weekly', campaign_id::text, report_week(date), ${SUMMED} from campaign_daily_metrics group by 1, 2, 3`,
    ],
    [
      `select 'campaign_monthly', campaign_id::text, month, ${SUMS} from campaign_monthly_metrics where ${nonZero}`,
      `select 'campaign_monthly', campaign_id::text, date_trunc('month', date)::date, ${SUMMED} from campaign_daily_metrics group by 1, 2, 3`,
    ],
    // The creative rollups carry the creative's current account too.
    [
      `select 'creative_monthly', creative_id || ' ' || coalesce(account_id::text, '-'), month, ${SUMS} from creative_monthly_metrics where ${nonZero}`,
      `select 'creative_monthly', m.creative_id || ' ' || coalesce(min(c.account_id)::text, '-'), date_trunc('month', m.date)::date, ${SUMMED_M}
       from creative_daily_metrics m left join creatives c on c.id = m.creative_id group by 1, m.creative_id, 3`,
    ],
    [
      `select 'creative_weekly', creative_id || ' ' || coalesce(account_id::text, '-'), week, ${SUMS} from creative_weekly_metrics where ${nonZero}`,
      `select 'creative_weekly', m.creative_id || ' ' || coalesce(min(c.account_id)::text, '-'), report_week(m.date), ${SUMMED_M}
       from creative_daily_metrics m left join creatives c on c.id = m.creative_id group by 1, m.creative_id, 3`,
    ],
  ];
  // Demographics: (account, pivot, bucket, segment) → impressions, clicks.
  const demographic = (rollup: string, bucket: string, expression: string): [string, string] => [
    `select '${rollup}', account_id, pivot_type, ${bucket}, segment, periods, impressions, clicks from ${rollup} where (periods, impressions, clicks) <> (0, 0, 0)`,
    `select '${rollup}', account_id, pivot_type, ${expression}, segment, count(*), sum(impressions), sum(clicks) from audience_demographics group by 1, 2, 3, 4, 5`,
  ];
  pairs.push(
    // Not a rollup, but derived the same way: each creative day carries its creative's account.
    [
      `select 'creative_day_account', creative_id, date, account_id from creative_daily_metrics`,
      `select 'creative_day_account', m.creative_id, m.date, c.account_id from creative_daily_metrics m left join creatives c on c.id = m.creative_id`,
    ],
    demographic('audience_demographic_monthly', 'month', `date_trunc('month', date_start)::date`),
    demographic('audience_demographic_weekly', 'week', 'report_week(date_start)'),
  );
  const rows: unknown[] = [];
  for (const [actual, expected] of pairs) {
    rows.push(...(await pool.query(`(${actual} except ${expected}) union all (${expected} except ${actual})`)).rows);
  }
  return rows;
}

/** Ranges of the model's days (test/helpers/model.ts): across a month's end, whole weeks, edge days. */
const RANGES = [
  { from: '2025-01-22', to: '2025-02-09' },
  { from: '2025-01-27', to: '2025-02-02' },
  { from: '2025-01-30', to: '2025-01-31' },
];

/** Every report that the rollups serve, next to the same figures summed from the base rows. */
export async function reportsAgainstBase(pool: pg.Pool): Promise<Array<{ what: string; report: unknown; base: unknown }>> {
  const out: Array<{ what: string; report: unknown; base: unknown }> = [];
  const amount = (value: string | null) => (value === null ? '0' : String(Number(value))); // compare decimals by value
  for (const range of RANGES) {
    const accounts = (await reports.accounts(pool, range)).map((row) => `${row.account_id} ${row.impressions} ${row.clicks} ${amount(row.spend)}`).sort();
    const { rows } = await pool.query<{ line: string }>(
      `select a.id || ' ' || coalesce(sum(m.impressions), 0) || ' ' || coalesce(sum(m.clicks), 0) || ' ' || coalesce(sum(m.spend), 0)::float8 as line
       from ad_accounts a left join campaigns c on c.account_id = a.id left join campaign_daily_metrics m on m.campaign_id = c.id and m.date between $1 and $2
       group by a.id`,
      [range.from, range.to],
    );
    out.push({ what: `accounts ${range.from}..${range.to}`, report: accounts, base: rows.map((row) => row.line).sort() });
    for (const accountId of [1, 2, 3, 4]) {
      const creatives = (await reports.creatives(pool, { accountId, ...range })).map((row) => `${row.creative_id} ${row.impressions} ${row.clicks} ${amount(row.spend)}`).sort();
      const base = await pool.query<{ line: string }>(
        `select cr.id || ' ' || coalesce(sum(m.impressions), 0) || ' ' || coalesce(sum(m.clicks), 0) || ' ' || coalesce(sum(m.spend), 0)::float8 as line
         from creatives cr left join creative_daily_metrics m on m.creative_id = cr.id and m.date between $2 and $3
         where cr.account_id = $1 group by cr.id`,
        [accountId, range.from, range.to],
      );
      out.push({ what: `creatives of ${accountId} ${range.from}..${range.to}`, report: creatives, base: base.rows.map((row) => row.line).sort() });
    }
  }
  return out;
}
