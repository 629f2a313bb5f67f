import * as assert from 'uvu/assert';
import { reports } from '../src/reports/reports.js';
import { writeBatch } from '../src/store/apply.js';
import { ingestFile } from '../src/ingest/ingest.js';
import { writeFile } from 'node:fs/promises';
import { removeScratch, scratchFolder } from './helpers/scratch.js';
import { databaseSuite, emptyTables } from './helpers/database.js';
import { drift } from './helpers/rollups.js';

/**
 * The account rollup under writers that are not this library: plain SQL in one
 * transaction, one statement writing a parent and its days, a day re-keyed, a move
 * held open while an ingest restates the campaign. Each report must equal the base
 * rows: campaign days summed by their campaign's current account.
 * (Accounts 1001/1002; campaigns 2001 → 1001 and 2002 → 1002; 2025-01-01..12 at
 * 100 impressions and 1.00 a day each.)
 */
const Writers = databaseSuite('rollup_writers');

const range = { from: '2025-01-01', to: '2025-01-31' };
const DAYS = Array.from({ length: 12 }, (_, i) => `2025-01-${String(i + 1).padStart(2, '0')}`);

Writers.before.each(async ({ pool }) => {
  await emptyTables(pool);
  await writeBatch(pool, {
    accounts: [{ id: 1001 }, { id: 1002 }],
    campaigns: [{ id: 2001, account_id: 1001 }, { id: 2002, account_id: 1002 }],
    campaignDailyMetrics: DAYS.flatMap((date) => [2001, 2002].map((campaign_id) => ({ campaign_id, date, impressions: 100, spend: '1.00' }))),
    creatives: [{ id: CREATIVE_1, campaign_id: 2001, account_id: 1001 }, { id: CREATIVE_2, campaign_id: 2002, account_id: 1002 }],
    creativeDailyMetrics: DAYS.flatMap((date) => [CREATIVE_1, CREATIVE_2].map((creative_id) => ({ creative_id, date, impressions: 10, spend: '0.10' }))),
  });
});

const CREATIVE_1 = 'urn:li:sponsoredCreative:3001';
const CREATIVE_2 = 'urn:li:sponsoredCreative:3002';

/** The creatives report of an account over `days`, next to its creatives' days summed directly. */
async function creativesAgainstBase(pool: import('pg').Pool, accountId: number, days: { from: string; to: string }): Promise<{ report: string[]; base: string[] }> {
  const report = (await reports.creatives(pool, { accountId, ...days })).map((row) => `${row.creative_id}: ${row.impressions}`);
  const { rows } = await pool.query<{ line: string }>(
    `select cr.id || ': ' || coalesce(sum(m.impressions), 0) as line
     from creatives cr left join creative_daily_metrics m on m.creative_id = cr.id and m.date between $2 and $3
     where cr.account_id = $1 group by cr.id order by coalesce(sum(m.spend), 0) desc, cr.id collate "C"`,
    [accountId, days.from, days.to],
  );
  return { report, base: rows.map((row) => row.line) };
}

/** The accounts report's figures next to the base rows summed directly, per account. */
async function accountsAgainstBase(pool: import('pg').Pool, days = range): Promise<{ report: string[]; base: string[] }> {
  const report = (await reports.accounts(pool, days)).map((row) => `${row.account_id}: ${row.impressions} ${row.spend}`);
  const { rows } = await pool.query<{ line: string }>(
    `select a.id || ': ' || coalesce(sum(m.impressions), 0) || ' ' || coalesce(sum(m.spend), 0) as line
     from ad_accounts a left join campaigns c on c.account_id = a.id left join campaign_daily_metrics m on m.campaign_id = c.id and m.date between $1 and $2
     group by a.id order by coalesce(sum(m.spend), 0) desc, a.id`,
    [days.from, days.to],
  );
  return { report, base: rows.map((row) => row.line) };
}

/** "12.00" and "12" are one amount (a sum of no rows is 0, of rows that cancel out 0.00). */
const sameScale = (lines: string[]) => lines.map((line) => line.replace(/(\d)\.(\d*?)0*$/, (_, whole: string, fraction: string) => (fraction ? `${whole}.${fraction}` : whole)));

async function assertExact(pool: import('pg').Pool, expected: string[], days = range): Promise<void> {
  const { report, base } = await accountsAgainstBase(pool, days);
  assert.equal(sameScale(report), sameScale(base), 'the accounts report equals the base rows');
  assert.equal(sameScale(report), sameScale(expected));
}

Writers('a campaign deleted and stored again in one transaction (keys deferred) keeps its days counted once', async ({ pool }) => {
  const client = await pool.connect();
  try {
    await client.query('begin');
    await client.query('delete from campaigns where id = 2001');
    await client.query('insert into campaigns (id, account_id) values (2001, 1001)');
    await client.query('commit');
  } finally {
    client.release();
  }
  await assertExact(pool, ['1001: 1200 12.00', '1002: 1200 12.00']);
});

Writers('one statement writing a campaign and its first day (a writable CTE) counts the day once', async ({ pool }) => {
  await pool.query(`with c as (insert into campaigns (id, account_id) values (2003, 1001) returning id)
                    insert into campaign_daily_metrics (campaign_id, date, impressions, spend) select id, '2025-01-13', 100, 1 from c`);
  await assertExact(pool, ['1001: 1300 13.00', '1002: 1200 12.00']);
});

Writers('one statement moving a campaign and updating its days counts each day once, on the new account', async ({ pool }) => {
  await pool.query(`with moved as (update campaigns set account_id = 1002 where id = 2001 returning id)
                    update campaign_daily_metrics set impressions = impressions + 1 where campaign_id in (select id from moved)`);
  await assertExact(pool, ['1002: 2412 24.00', '1001: 0 0.00']);
});

Writers('a day re-keyed to another campaign by plain SQL counts for that campaign\'s account', async ({ pool }) => {
  await pool.query(`insert into campaigns (id, account_id) values (2003, 1002)`);
  await pool.query(`update campaign_daily_metrics set campaign_id = 2003 where campaign_id = 2001 and date = '2025-01-05'`);
  await assertExact(pool, ['1002: 1300 13.00', '1001: 1100 11.00']);
});

Writers('a campaign with no account: its days count nowhere until it gets one, then for that account', async ({ pool }) => {
  await pool.query(`insert into campaigns (id) values (2004)`);
  await pool.query(`insert into campaign_daily_metrics (campaign_id, date, impressions, spend) values (2004, '2025-01-02', 50, 0.5)`);
  await assertExact(pool, ['1001: 1200 12.00', '1002: 1200 12.00']);
  await pool.query(`update campaigns set account_id = 1001 where id = 2004`);
  await assertExact(pool, ['1001: 1250 12.50', '1002: 1200 12.00']);
});

Writers('a plain-SQL move held open while an ingest restates that campaign: the restated sums land on the new account', async ({ pool }) => {
  const mover = await pool.connect();
  try {
    await mover.query('begin');
    await mover.query('update campaigns set account_id = 1001 where id = 2002');
    // The restatement waits for the move's row locks (its days were cascaded), then writes on the moved rows.
    const restated = writeBatch(pool, { campaignDailyMetrics: DAYS.map((date) => ({ campaign_id: 2002, date, impressions: 200, spend: '2.00' })) });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await mover.query('commit');
    await restated;
  } finally {
    mover.release();
  }
  await assertExact(pool, ['1001: 3600 36.00', '1002: 0 0.00']);
});

Writers('a creative day re-keyed to another creative by plain SQL counts for that creative, in its account, on edge days and whole months', async ({ pool }) => {
  await pool.query(`insert into creatives (id, campaign_id, account_id) values ('urn:li:sponsoredCreative:3003', 2002, 1002)`);
  await pool.query(`update creative_daily_metrics set creative_id = 'urn:li:sponsoredCreative:3003' where creative_id = $1 and date = '2025-01-05'`, [CREATIVE_1]);
  for (const days of [{ from: '2025-01-05', to: '2025-01-05' }, { from: '2025-01-03', to: '2025-01-08' }, range]) {
    for (const accountId of [1001, 1002]) {
      const { report, base } = await creativesAgainstBase(pool, accountId, days);
      assert.equal(report, base, `creatives of ${accountId}, ${days.from}..${days.to}`);
    }
  }
  assert.equal((await creativesAgainstBase(pool, 1002, { from: '2025-01-05', to: '2025-01-05' })).report, [`${CREATIVE_2}: 10`, 'urn:li:sponsoredCreative:3003: 10']);
});

Writers('a creative moved to another account by plain SQL takes its days and their sums along', async ({ pool }) => {
  await pool.query(`update creatives set account_id = 1002, campaign_id = 2002 where id = $1`, [CREATIVE_1]);
  for (const days of [{ from: '2025-01-05', to: '2025-01-06' }, range]) {
    for (const accountId of [1001, 1002]) {
      const { report, base } = await creativesAgainstBase(pool, accountId, days);
      assert.equal(report, base, `creatives of ${accountId}, ${days.from}..${days.to}`);
    }
  }
  assert.equal((await creativesAgainstBase(pool, 1002, range)).report, [`${CREATIVE_1}: 120`, `${CREATIVE_2}: 120`]);
});

/** Every creatives report of both accounts equals their creatives' days, on edge days and over the month, and no rollup drifts. */
async function assertCreativesExact(pool: import('pg').Pool): Promise<void> {
  for (const days of [{ from: '2025-01-08', to: '2025-01-08' }, { from: '2025-01-06', to: '2025-01-12' }, range]) {
    for (const accountId of [1001, 1002]) {
      const { report, base } = await creativesAgainstBase(pool, accountId, days);
      assert.equal(report, base, `creatives of ${accountId}, ${days.from}..${days.to}`);
    }
  }
  assert.equal(await drift(pool), []);
}

Writers('one statement moving a creative and updating its days (a writable CTE) labels its rollups with the new account', async ({ pool }) => {
  await pool.query(`with moved as (update creatives set account_id = 1002 where id = $1 returning id)
                    update creative_daily_metrics set impressions = impressions + 1 where creative_id in (select id from moved) and date = '2025-01-08'`, [CREATIVE_1]);
  await assertCreativesExact(pool);
  assert.equal((await creativesAgainstBase(pool, 1002, range)).report, [`${CREATIVE_1}: 121`, `${CREATIVE_2}: 120`]);
});

Writers('one statement writing a creative and its first day (a writable CTE), the day with no account or another, labels its rollups with the creative\'s', async ({ pool }) => {
  await pool.query(`with cr as (insert into creatives (id, campaign_id, account_id) values ('urn:li:sponsoredCreative:3008', 2001, 1001) returning id)
                    insert into creative_daily_metrics (creative_id, date, impressions) select id, '2025-01-07', 3 from cr`);
  await pool.query(`with cr as (insert into creatives (id, campaign_id, account_id) values ('urn:li:sponsoredCreative:3009', 2001, 1001) returning id)
                    insert into creative_daily_metrics (creative_id, date, impressions, account_id) select id, '2025-01-07', 4, 1002 from cr`);
  await assertCreativesExact(pool);
});

Writers('one statement writing a creative\'s day in a writable CTE while it moves the creative labels its rollups with the new account', async ({ pool }) => {
  await pool.query(`with d as (insert into creative_daily_metrics (creative_id, date, impressions) values ($1, '2025-01-20', 5))
                    update creatives set account_id = 1002, campaign_id = 2002 where id = $1`, [CREATIVE_1]);
  await assertCreativesExact(pool);
});

Writers('a creative deleted, then stored on another account with a day in one statement, in one transaction, is labelled with that account', async ({ pool }) => {
  const client = await pool.connect();
  try {
    await client.query('begin');
    await client.query('delete from creatives where id = $1', [CREATIVE_1]);
    await client.query(`with cr as (insert into creatives (id, campaign_id, account_id) values ($1, 2002, 1002) returning id)
                        insert into creative_daily_metrics (creative_id, date, impressions) select id, '2025-01-13', 6 from cr`, [CREATIVE_1]);
    await client.query('commit');
  } finally {
    client.release();
  }
  await assertCreativesExact(pool);
});

Writers('one statement updating many campaigns and creatives, a few of them to another account, moves exactly those days', async ({ pool }) => {
  // Many parents updated at once, most to themselves (as every day-writing statement
  // does), after a one-row update in the same session: the trigger telling moved
  // parents apart must find the few that moved, whatever plan its first call left.
  await writeBatch(pool, {
    campaigns: Array.from({ length: 300 }, (_, i) => ({ id: 5000 + i, account_id: 1001 })),
    creatives: Array.from({ length: 300 }, (_, i) => ({ id: `urn:li:sponsoredCreative:${5000 + i}`, campaign_id: 5000 + i, account_id: 1001 })),
    campaignDailyMetrics: [5000, 5150].map((campaign_id) => ({ campaign_id, date: '2025-01-03', impressions: 7, spend: '0.70' })),
    creativeDailyMetrics: [5000, 5150].map((id) => ({ creative_id: `urn:li:sponsoredCreative:${id}`, date: '2025-01-03', impressions: 3, spend: '0.30' })),
  });
  const client = await pool.connect();
  try {
    await client.query(`update campaigns set name = 'one' where id = 2001`);
    await client.query(`update creatives set content_name = 'one' where id = $1`, [CREATIVE_1]);
    await client.query(`update campaigns set account_id = case when id in (2001, 5150) then 1002 else account_id end where id = 2001 or id between 5000 and 5299`);
    await client.query(`update creatives set account_id = case when id in ($1, 'urn:li:sponsoredCreative:5150') then 1002 else account_id end
                        where id = $1 or id like 'urn:li:sponsoredCreative:5%'`, [CREATIVE_1]);
  } finally {
    client.release();
  }
  await assertExact(pool, ['1002: 2407 24.70', '1001: 7 0.70']);
  for (const accountId of [1001, 1002]) {
    const { report, base } = await creativesAgainstBase(pool, accountId, range);
    assert.equal(report, base, `creatives of ${accountId}`);
  }
  const { rows } = await pool.query(`select count(*)::int as n from creative_daily_metrics m join creatives c on c.id = m.creative_id where m.account_id is distinct from c.account_id`);
  assert.is(rows[0].n, 0, 'every creative day on its creative\'s account');
});

Writers('creative and campaign days written before their parent in one transaction take its account when it is stored, and count for it', async ({ pool }) => {
  const client = await pool.connect();
  try {
    await client.query('begin');
    await client.query(`insert into creative_daily_metrics (creative_id, date, impressions, spend) values ('urn:li:sponsoredCreative:3003', '2025-01-07', 5, 0.05)`);
    await client.query(`insert into campaign_daily_metrics (campaign_id, date, impressions, spend) values (2003, '2025-01-07', 5, 0.05)`);
    await client.query(`insert into campaigns (id, account_id) values (2003, 1002)`);
    await client.query(`insert into creatives (id, campaign_id, account_id) values ('urn:li:sponsoredCreative:3003', 2001, 1001)`);
    // Given by the parents' inserts, not left to the commit: the transaction's own reads see them.
    const { rows } = await client.query(`select (select account_id::int from creative_daily_metrics where creative_id = 'urn:li:sponsoredCreative:3003') as creative_day,
                                                (select account_id::int from campaign_daily_metrics where campaign_id = 2003) as campaign_day`);
    assert.equal(rows[0], { creative_day: 1001, campaign_day: 1002 });
    await client.query('commit');
  } finally {
    client.release();
  }
  const { report, base } = await creativesAgainstBase(pool, 1001, { from: '2025-01-07', to: '2025-01-07' });
  assert.equal(report, base);
  assert.ok(report.includes('urn:li:sponsoredCreative:3003: 5'), report.join('\n'));
});

/** Days whose account is not their campaign's (or creative's): none, under any interleaving. */
async function assertDaysFollowParents(pool: import('pg').Pool): Promise<void> {
  const { rows } = await pool.query<{ day: string }>(
    `select 'campaign ' || m.campaign_id || ' ' || m.date || ': ' || coalesce(m.account_id::text, 'none') as day
     from campaign_daily_metrics m join campaigns c on c.id = m.campaign_id where m.account_id is distinct from c.account_id
     union all
     select 'creative ' || m.creative_id || ' ' || m.date || ': ' || coalesce(m.account_id::text, 'none')
     from creative_daily_metrics m join creatives c on c.id = m.creative_id where m.account_id is distinct from c.account_id`,
  );
  assert.equal(rows.map((row) => row.day), [], 'days on another account than their parent');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The SQLSTATE a promise rejects with, or 'ok'. */
const outcome = (work: Promise<unknown>) => work.then(() => 'ok', (error: { code?: string }) => error.code ?? String(error));

// The racing day is in a month of its own: no rollup row is shared with the move's
// days, so only the campaign row can order the two writers.
const QUARTER = { from: '2025-01-01', to: '2025-03-31' };

Writers('a REPEATABLE READ move that waited for a writer of the campaign\'s days fails (40001) rather than leave them on the old account', async ({ pool }) => {
  const writer = await pool.connect();
  const mover = await pool.connect();
  try {
    await mover.query('begin isolation level repeatable read');
    await mover.query('select 1'); // the mover's snapshot, before the writer's day
    await writer.query('begin');
    await writer.query(`insert into campaign_daily_metrics (campaign_id, date, impressions, spend) values (2002, '2025-03-20', 7, 0.07)`);
    const move = outcome(mover.query('update campaigns set account_id = 1001 where id = 2002'));
    await sleep(300); // the move now waits for the writer
    await writer.query('commit');
    assert.is(await move, '40001');
    await mover.query('rollback');
  } finally {
    writer.release();
    mover.release();
  }
  await assertDaysFollowParents(pool);
  await assertExact(pool, ['1002: 1207 12.07', '1001: 1200 12.00'], QUARTER);
});

Writers('a READ COMMITTED move that waited for a writer of the campaign\'s days takes the new day along', async ({ pool }) => {
  const writer = await pool.connect();
  try {
    await writer.query('begin');
    await writer.query(`insert into campaign_daily_metrics (campaign_id, date, impressions, spend) values (2002, '2025-03-20', 7, 0.07)`);
    const move = outcome(pool.query('update campaigns set account_id = 1001 where id = 2002'));
    await sleep(300);
    await writer.query('commit');
    assert.is(await move, 'ok');
  } finally {
    writer.release();
  }
  await assertDaysFollowParents(pool);
  await assertExact(pool, ['1001: 2407 24.07', '1002: 0 0.00'], QUARTER);
});

Writers('a REPEATABLE READ writer of days whose campaign moved after its snapshot fails (40001)', async ({ pool }) => {
  const writer = await pool.connect();
  try {
    await writer.query('begin isolation level repeatable read');
    await writer.query('select 1');
    await pool.query('update campaigns set account_id = 1001 where id = 2002');
    assert.is(await outcome(writer.query(`insert into campaign_daily_metrics (campaign_id, date, impressions, spend, account_id) values (2002, '2025-03-20', 7, 0.07, 1002)`)), '40001');
    await writer.query('rollback');
  } finally {
    writer.release();
  }
  await assertDaysFollowParents(pool);
  await assertExact(pool, ['1001: 2400 24.00', '1002: 0 0.00'], QUARTER);
});

Writers('two sessions writing the first days of one new campaign, or creative, at once: the second waits, then adds to the first\'s rollup rows', async ({ pool }) => {
  // A statement naming only parents with no rollup rows inserts those rows without the
  // upsert's conflict check: a second writer of the same parent must wait for it, then
  // add to its rows (the week of 2025-02-10 and February are shared).
  await pool.query(`insert into campaigns (id, account_id) values (2007, 1001)`);
  await pool.query(`insert into creatives (id, campaign_id, account_id) values ('urn:li:sponsoredCreative:3007', 2007, 1001)`);
  const days = (table: string, parent: string, from: string, to: string, impressions: number) => `
    insert into ${table} select ${parent}, d::date, ${impressions}, 0.01, 1001 from generate_series(date '${from}', date '${to}', interval '1 day') d`;
  const writers = [
    ['campaign_daily_metrics (campaign_id, date, impressions, spend, account_id)', '2007'],
    ['creative_daily_metrics (creative_id, date, impressions, spend, account_id)', `'urn:li:sponsoredCreative:3007'`],
  ] as const;
  for (const [table, parent] of writers) {
    const first = await pool.connect();
    const second = await pool.connect();
    try {
      await first.query('begin');
      await first.query(days(table, parent, '2025-01-01', '2025-02-14', 5));
      await second.query('begin');
      const waiting = outcome(second.query(days(table, parent, '2025-02-15', '2025-03-31', 7)));
      await sleep(300); // the second now waits for the first's lock of the parent
      await first.query('commit');
      assert.is(await waiting, 'ok', table);
      await second.query('commit');
    } finally {
      first.release();
      second.release();
    }
  }
  assert.equal(await drift(pool), []);
  const { rows } = await pool.query(`select (select sum(impressions)::int from campaign_monthly_metrics where campaign_id = 2007) as campaign,
                                            (select sum(impressions)::int from creative_weekly_metrics where creative_id = 'urn:li:sponsoredCreative:3007') as creative`);
  assert.equal(rows[0], { campaign: 45 * 5 + 45 * 7, creative: 45 * 5 + 45 * 7 });
  await assertExact(pool, ['1001: 1740 12.90', '1002: 1200 12.00'], QUARTER);
});

Writers('a new day written with a wrong account, or none, takes its campaign\'s', async ({ pool }) => {
  await pool.query(`insert into campaign_daily_metrics (campaign_id, date, impressions, spend, account_id)
                    values (2001, '2025-01-20', 5, 0.05, 1002), (2002, '2025-01-20', 6, 0.06, null)`);
  await assertDaysFollowParents(pool);
  await assertExact(pool, ['1002: 1206 12.06', '1001: 1205 12.05']);
});

Writers('days written while another session inserts their campaign take its account at commit', async ({ pool }) => {
  const parent = await pool.connect();
  const writer = await pool.connect();
  try {
    await parent.query('begin');
    await parent.query('insert into campaigns (id, account_id) values (2005, 1001)');
    await writer.query('begin');
    // The campaign is not visible yet: the day is kept without an account until commit.
    await writer.query(`insert into campaign_daily_metrics (campaign_id, date, impressions, spend, account_id) values (2005, '2025-01-03', 9, 0.09, 1002)`);
    await parent.query('commit');
    await writer.query('commit');
  } finally {
    parent.release();
    writer.release();
  }
  await assertDaysFollowParents(pool);
  await assertExact(pool, ['1001: 1209 12.09', '1002: 1200 12.00']);
});

Writers('writeBatch adding days of a campaign whose move is held open writes them on the new account', async ({ pool }) => {
  const mover = await pool.connect();
  try {
    await mover.query('begin');
    await mover.query('update campaigns set account_id = 1001 where id = 2002');
    const added = outcome(writeBatch(pool, { campaignDailyMetrics: [{ campaign_id: 2002, date: '2025-01-20', impressions: 300, spend: '3.00' }] }));
    await sleep(300);
    await mover.query('commit');
    assert.is(await added, 'ok');
  } finally {
    mover.release();
  }
  await assertDaysFollowParents(pool);
  await assertExact(pool, ['1001: 2700 27.00', '1002: 0 0.00']);
});

Writers('three overlapping ingests moving a campaign between accounts and restating its days leave every day on its campaign\'s account', async ({ pool }) => {
  const dir = await scratchFolder('rollup-writers-');
  try {
    const line = (value: object) => JSON.stringify(value);
    const analytics = (campaign: number, day: number, impressions: number) => line({
      pivot: 'CAMPAIGN',
      adAnalytics: { dateRange: { start: { year: 2025, month: 1, day }, end: { year: 2025, month: 1, day } }, pivotValues: [`urn:li:sponsoredCampaign:${campaign}`], impressions, costInLocalCurrency: '1.00' },
    });
    const campaign = (account: number) => line({ adCampaign: { id: 2002, account: `urn:li:sponsoredAccount:${account}` } });
    // Each file moves campaign 2002 (or leaves it) and restates some of its days: the
    // accounts an ingest locks are those its file names and 2002's when it was read.
    const files = [
      [campaign(1001), ...DAYS.slice(0, 6).map((_, i) => analytics(2002, i + 1, 300))],
      [campaign(1002), ...DAYS.slice(3, 9).map((_, i) => analytics(2002, i + 4, 400))],
      [...DAYS.map((_, i) => analytics(2002, i + 1, 500)), analytics(2001, 13, 50)],
    ];
    for (let round = 0; round < 5; round++) {
      const paths = await Promise.all(files.map(async (lines, i) => {
        const file = `${dir}/round-${round}-${i}.ndjson`;
        await writeFile(file, `${lines.join('\n')}\n`);
        return file;
      }));
      const results = await Promise.allSettled(paths.map((file) => ingestFile(pool, file, { waitTimeoutMs: 30_000 })));
      for (const result of results) assert.is(result.status, 'fulfilled', String((result as PromiseRejectedResult).reason));
      await assertDaysFollowParents(pool);
      const { report, base } = await accountsAgainstBase(pool);
      assert.equal(sameScale(report), sameScale(base), `round ${round}: the accounts report equals the base rows`);
    }
  } finally {
    await removeScratch(dir);
  }
});

Writers.run();
