import * as assert from 'uvu/assert';
import { writeBatch } from '../src/store/apply.js';
import { runReport, splitRangeByWeeks } from '../src/reports/reports.js';
import { databaseSuite, emptyTables } from './helpers/database.js';

/**
 * The split reports (days, weeks, months, weeks, days) against the daily rows
 * summed directly, over many ranges: whatever the split, the sums are the same.
 */
const Ranges = databaseSuite('report-ranges');

const DAY_MS = 86_400_000;
const FIRST = Date.UTC(2023, 11, 1); // 2023-12-01 .. 2024-04-30, across a year's end and a leap day
const DAYS = 152;
const dayOf = (i: number) => new Date(FIRST + i * DAY_MS).toISOString().slice(0, 10);
const CREATIVES = ['urn:li:sponsoredCreative:1', 'urn:li:sponsoredCreative:2', 'urn:li:sponsoredCreative:3'];
const SEGMENTS = ['urn:li:seniority:1', 'urn:li:seniority:2', 'urn:li:seniority:3', 'urn:li:seniority:4'];

/** Deterministic ranges: every length class, both edges anywhere. */
function ranges(): Array<{ from: string; to: string }> {
  const out = [
    { from: '2023-12-01', to: '2024-04-30' },
    { from: '2024-02-29', to: '2024-02-29' },
    { from: '2024-01-01', to: '2024-01-31' },
    { from: '2023-12-31', to: '2024-01-01' },
    { from: '2024-01-29', to: '2024-02-04' }, // one Monday-first week across a month's end
  ];
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  while (out.length < 60) {
    const a = Math.floor(next() * DAYS);
    const b = Math.floor(next() * DAYS);
    out.push({ from: dayOf(Math.min(a, b)), to: dayOf(Math.max(a, b)) });
  }
  return out;
}

Ranges.before(async ({ pool }) => {
  await emptyTables(pool);
  await writeBatch(pool, {
    accounts: [{ id: 1 }],
    campaigns: [{ id: 10, account_id: 1 }, { id: 11, account_id: 1 }],
    campaignDailyMetrics: Array.from({ length: DAYS * 2 }, (_, i) => i)
      .filter((i) => i % 5 !== 1)
      .map((i) => ({ campaign_id: 10 + (i % 2), date: dayOf(Math.floor(i / 2)), impressions: 50 + (i % 41), clicks: i % 7, spend: `${i % 89}.${i % 10}3`, landing_page_clicks: i % 3 })),
    creatives: CREATIVES.map((id) => ({ id, campaign_id: 10, account_id: 1 })),
    // Every third creative-day and segment-day missing: gap days at every kind of edge.
    creativeDailyMetrics: Array.from({ length: DAYS * CREATIVES.length }, (_, i) => i)
      .filter((i) => i % 7 !== 3)
      .map((i) => ({ creative_id: CREATIVES[i % CREATIVES.length]!, date: dayOf(Math.floor(i / CREATIVES.length)), impressions: 100 + (i % 53), clicks: i % 11, spend: `${i % 97}.${i % 10}1`, conversions: i % 3, leads: i % 2 })),
    audienceDemographics: Array.from({ length: DAYS * SEGMENTS.length }, (_, i) => i)
      .filter((i) => i % 5 !== 2)
      .map((i) => ({ account_id: 1, pivot_type: 'seniority', segment: SEGMENTS[i % SEGMENTS.length]!, date_start: dayOf(Math.floor(i / SEGMENTS.length)), impressions: 10 + (i % 37), clicks: i % 4 })),
  });
});

Ranges('report_range_parts() covers each day of a range exactly once, with at most twelve days left to the daily rows', async ({ pool }) => {
  for (const range of ranges()) {
    const parts = await splitRangeByWeeks(pool, range);
    const covered: string[] = [];
    const days = (from: string, toExclusive: string, into = covered) => {
      for (let t = Date.parse(from); t < Date.parse(toExclusive); t += DAY_MS) into.push(new Date(t).toISOString().slice(0, 10));
    };
    const next = (date: string) => new Date(Date.parse(date) + DAY_MS).toISOString().slice(0, 10);
    days(parts.from, next(parts.headTo));
    days(parts.headWeeksFrom, parts.headWeeksTo);
    days(parts.monthsFrom, parts.monthsTo);
    days(parts.tailWeeksFrom, parts.tailWeeksTo);
    days(parts.tailFrom, next(parts.to));
    const expected: string[] = [];
    days(range.from, next(range.to), expected);
    assert.equal(covered.sort(), expected, JSON.stringify(range));
    const rawDays = [[parts.from, parts.headTo], [parts.tailFrom, parts.to]].reduce((n, [from, to]) => n + Math.max(0, (Date.parse(to!) - Date.parse(from!)) / DAY_MS + 1), 0);
    assert.ok(rawDays <= 12, `${JSON.stringify(range)}: ${rawDays} days read from the daily rows`);
  }
});

/** Rows with the named columns as bigint: report counts are exact bigints. */
function bigints<Row extends Record<string, unknown>>(rows: Row[], ...columns: string[]): Row[] {
  return rows.map((row) => ({ ...row, ...Object.fromEntries(columns.map((column) => [column, BigInt(row[column] as number)])) }));
}

Ranges('creatives and demographics over 60 ranges equal the daily rows summed directly', async ({ pool }) => {
  for (const range of ranges()) {
    const expectedCreatives = (
      await pool.query(
        `select cr.id as creative_id, coalesce(sum(m.impressions), 0)::bigint as impressions, coalesce(sum(m.clicks), 0)::bigint as clicks,
                coalesce(sum(m.spend), 0) as spend, coalesce(sum(m.conversions), 0)::bigint as conversions, coalesce(sum(m.leads), 0)::bigint as leads
         from creatives cr left join creative_daily_metrics m on m.creative_id = cr.id and m.date between $1 and $2
         group by cr.id order by 4 desc, cr.id collate "C"`,
        [range.from, range.to],
      )
    ).rows;
    const creatives = (await runReport(pool, 'creatives', { accountId: 1, ...range })) as Array<Record<string, unknown>>;
    assert.equal(
      creatives.map(({ creative_id, impressions, clicks, spend, conversions, leads }) => ({ creative_id, impressions, clicks, spend, conversions, leads })),
      bigints(expectedCreatives, 'impressions', 'clicks', 'conversions', 'leads'),
      `creatives ${JSON.stringify(range)}`,
    );
    const expectedSegments = (
      await pool.query(
        `select segment, sum(impressions)::bigint as impressions, sum(clicks)::bigint as clicks from audience_demographics
         where account_id = 1 and pivot_type = 'seniority' and date_start between $1 and $2
         group by segment order by 2 desc, segment`,
        [range.from, range.to],
      )
    ).rows;
    const segments = (await runReport(pool, 'demographics', { accountId: 1, pivot: 'seniority', ...range })) as Array<Record<string, unknown>>;
    assert.equal(segments.map(({ segment, impressions, clicks }) => ({ segment, impressions, clicks })), bigints(expectedSegments, 'impressions', 'clicks'), `demographics ${JSON.stringify(range)}`);
  }
});

Ranges('campaigns and compare over 60 ranges equal the daily rows summed directly', async ({ pool }) => {
  const sums = async (from: string, to: string) =>
    (
      await pool.query(
        `select c.id as campaign_id, coalesce(sum(m.impressions), 0)::bigint as impressions, coalesce(sum(m.clicks), 0)::bigint as clicks,
                coalesce(sum(m.spend), 0) as spend, coalesce(sum(m.landing_page_clicks), 0)::bigint as landing_page_clicks
         from campaigns c left join campaign_daily_metrics m on m.campaign_id = c.id and m.date between $1 and $2
         group by c.id order by c.id`,
        [from, to],
      )
    ).rows.map((row) => bigints([row], 'impressions', 'clicks', 'landing_page_clicks')[0]!);
  for (const range of ranges()) {
    const campaigns = (await runReport(pool, 'campaigns', { accountId: 1, ...range })) as Array<Record<string, unknown>>;
    assert.equal(
      campaigns.map(({ campaign_id, impressions, clicks, spend, landing_page_clicks }) => ({ campaign_id, impressions, clicks, spend, landing_page_clicks })).sort((a, b) => Number(a.campaign_id) - Number(b.campaign_id)),
      await sums(range.from, range.to),
      `campaigns ${JSON.stringify(range)}`,
    );
    const days = (Date.parse(range.to) - Date.parse(range.from)) / DAY_MS + 1;
    const previous = await sums(dayOf((Date.parse(range.from) - FIRST) / DAY_MS - days), dayOf((Date.parse(range.from) - FIRST) / DAY_MS - 1));
    const current = await sums(range.from, range.to);
    const compare = (await runReport(pool, 'compare', { accountId: 1, ...range })) as Array<Record<string, unknown>>;
    assert.equal(
      compare.map(({ campaign_id, impressions, impressions_prev, spend, spend_prev }) => ({ campaign_id, impressions, impressions_prev, spend, spend_prev })).sort((a, b) => Number(a.campaign_id) - Number(b.campaign_id)),
      current.map((row, i) => ({ campaign_id: row.campaign_id, impressions: row.impressions, impressions_prev: previous[i].impressions, spend: row.spend, spend_prev: previous[i].spend })),
      `compare ${JSON.stringify(range)}`,
    );
  }
});

Ranges('a segment whose periods in range were all deleted is not reported, though its rollup rows remain', async ({ pool }) => {
  const range = { from: '2024-01-01', to: '2024-03-31' };
  await writeBatch(pool, { audienceDemographics: [{ account_id: 1, pivot_type: 'seniority', segment: 'urn:li:seniority:9', date_start: '2024-02-14', impressions: 0, clicks: 0 }] });
  const before = (await runReport(pool, 'demographics', { accountId: 1, pivot: 'seniority', ...range })) as Array<{ segment: string }>;
  assert.ok(before.some((row) => row.segment === 'urn:li:seniority:9'), 'a stored period with zero counts is a segment of the range');
  await pool.query(`delete from audience_demographics where segment = 'urn:li:seniority:9'`);
  const after = (await runReport(pool, 'demographics', { accountId: 1, pivot: 'seniority', ...range })) as Array<{ segment: string }>;
  assert.not.ok(after.some((row) => row.segment === 'urn:li:seniority:9'));
});

Ranges.run();
