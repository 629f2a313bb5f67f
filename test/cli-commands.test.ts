import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as assert from 'uvu/assert';
import { writeBatch } from '../src/store/apply.js';
import { adsStore } from './helpers/cli.js';
import { databaseSuite, emptyTables, freshDatabase } from './helpers/database.js';
import { suiteScratch } from './helpers/scratch.js';

/** The CLI's commands as processes against DATABASE_URL: help, version, migrate, sample, report html, ingest progress. */
const Commands = databaseSuite('cli-commands');
Commands.before.each(({ pool }) => emptyTables(pool));

const COMMANDS = ['migrate', 'sample', 'ingest', 'sync', 'report', 'demo', 'db'];
const scratch = suiteScratch(Commands, 'ads-store-cli-'); // removed after the suite

Commands('--version prints the package version; --help lists every command, and each command has its own --help', async () => {
  const { version } = JSON.parse(await readFile('package.json', 'utf8'));
  const printed = await adsStore(['--version']);
  assert.equal([printed.code, printed.stdout.trim()], [0, version]);
  const help = await adsStore(['--help']);
  assert.is(help.code, 0);
  for (const command of COMMANDS) assert.match(help.stdout, new RegExp(`^  ${command} `, 'm'));
  for (const command of COMMANDS) {
    const own = await adsStore([command, '--help']);
    assert.is(own.code, 0, command);
    assert.match(own.stdout, new RegExp(`^Usage: ads-store ${command} `), command);
  }
  const none = await adsStore([]);
  assert.is(none.code, 2);
  assert.match(none.stderr, /Usage: ads-store/);
});

Commands('migrate status|up|down on DATABASE_URL, whose password never reaches the output', async () => {
  const db = await freshDatabase('cli_migrate', { migrated: false });
  try {
    // The embedded server has a password; PostgreSQL 15 here trusts, and ignores one.
    const url = new URL(db.url);
    if (!url.password) url.password = 's3cret-pw';
    const secret = decodeURIComponent(url.password);
    const env = { DATABASE_URL: url.toString() };
    const before = await adsStore(['migrate', 'status'], env);
    assert.is(before.code, 0, before.stderr);
    const names = before.stdout.trim().split('\n');
    assert.ok(names.length >= 5 && names.every((line) => /^pending\s+\d{17}_[a-z-]+$/.test(line)), before.stdout);
    const up = await adsStore(['migrate', 'up'], env);
    assert.is(up.code, 0, up.stderr);
    assert.is(up.stdout.trim().split('\n').filter((line) => line.startsWith('applied ')).length, names.length);
    const after = await adsStore(['migrate', 'status'], env);
    assert.ok(after.stdout.trim().split('\n').every((line) => /^applied \d{4}-\d\d-\d\dT/.test(line)), after.stdout);
    const down = await adsStore(['migrate', 'down'], env);
    assert.is(down.code, 0, down.stderr);
    assert.match(down.stdout, /^reverted \d{17}_/);
    const again = await adsStore(['migrate', 'up'], env);
    assert.is(again.stdout.trim().split('\n').length, 1);
    for (const run of [before, up, after, down, again]) {
      assert.not.ok((run.stdout + run.stderr).includes(secret));
      assert.match(run.stderr, /database: DATABASE_URL postgres:\/\/postgres:\*\*\*@/);
    }
    const bad = await adsStore(['migrate', 'sideways'], env);
    assert.is(bad.code, 2);
    const help = await adsStore(['--help'], env);
    assert.not.ok((help.stdout + help.stderr).includes(secret));
    // A server that does not answer: the error names it, never the password.
    const unreachable = await adsStore(['migrate', 'status'], { DATABASE_URL: 'postgres://ops:s3cret-pw@127.0.0.1:1/ads' });
    assert.is(unreachable.code, 1);
    assert.match(unreachable.stderr, /ECONNREFUSED/);
    assert.not.match(unreachable.stderr, /s3cret-pw/);
  } finally {
    await db.drop();
  }
});

Commands('sample: deterministic for a seed and end; every campaign type and status, currencies, groups, hold reasons, weekday seasonality', async ({ db, pool }) => {
  const dir = await scratch();
  const [a, b, c] = ['a', 'b', 'c'].map((name) => path.join(dir, `${name}.ndjson`));
  const args = ['sample', '--accounts', '3', '--days', '120', '--end', '2025-06-30', '--seed', '42'];
  assert.is((await adsStore([...args, '--out', a!])).code, 0);
  assert.is((await adsStore([...args, '--out', b!])).code, 0);
  assert.is((await adsStore([...args.slice(0, -1), '43', '--out', c!])).code, 0);
  const [first, second, other] = await Promise.all([a!, b!, c!].map((file) => readFile(file, 'utf8')));
  assert.ok(first === second, 'the same seed and end give the same file');
  assert.ok(first !== other, 'another seed gives another file');

  const lines = first!.trim().split('\n').map((line) => JSON.parse(line));
  const of = (key: string) => lines.filter((line) => line[key]).map((line) => line[key]);
  assert.is(of('adAccount').length, 3);
  assert.ok(new Set(of('adAccount').map((x) => x.currency)).size >= 3);
  const campaigns = of('adCampaign');
  assert.equal(new Set(campaigns.map((x) => x.type)), new Set(['SPONSORED_UPDATES', 'TEXT_AD', 'SPONSORED_INMAILS', 'DYNAMIC']));
  assert.equal(new Set(campaigns.map((x) => x.status)), new Set(['ACTIVE', 'PAUSED', 'ARCHIVED', 'COMPLETED', 'CANCELED', 'DRAFT', 'PENDING_DELETION', 'REMOVED']));
  assert.ok(campaigns.every((x) => /^urn:li:sponsoredCampaignGroup:\d+$/.test(x.campaignGroup)));
  assert.ok(new Set(campaigns.map((x) => x.campaignGroup)).size >= 6);
  const creatives = of('creative');
  assert.ok(creatives.some((x) => x.servingHoldReasons?.length > 0) && creatives.some((x) => x.servingHoldReasons === undefined));
  const analytics = lines.filter((line) => line.adAnalytics);
  assert.ok(new Set(analytics.filter((x) => x.pivot.startsWith('MEMBER_')).map((x) => x.pivot)).size >= 4);
  const dates = analytics.filter((x) => x.pivot === 'CAMPAIGN').map((x) => x.adAnalytics.dateRange.start);
  assert.equal([dates.reduce((m: string, d: { year: number; month: number; day: number }) => {
    const iso = `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
    return iso > m ? iso : m;
  }, '')], ['2025-06-30']);

  // It ingests, and its campaign days are the sums of their creatives' days.
  const ingested = await adsStore(['ingest', a!], { DATABASE_URL: db.url });
  assert.is(ingested.code, 0, ingested.stderr);
  const { rows } = await pool.query(`
    select count(*) filter (where c.impressions is distinct from s.impressions or c.spend is distinct from s.spend) as mismatched, count(*) as days,
           avg(c.impressions) filter (where extract(isodow from c.date) < 6) / avg(c.impressions) filter (where extract(isodow from c.date) >= 6) as weekday_over_weekend
    from campaign_daily_metrics c
    join (select cr.campaign_id, m.date, sum(m.impressions) as impressions, sum(m.spend) as spend
          from creative_daily_metrics m join creatives cr on cr.id = m.creative_id group by 1, 2) s
      on s.campaign_id = c.campaign_id and s.date = c.date`);
  assert.is(rows[0].mismatched, 0);
  assert.ok(rows[0].days > 300);
  assert.ok(Number(rows[0].weekday_over_weekend) > 1.5, `weekday seasonality ${rows[0].weekday_over_weekend}`);

  const badEnd = await adsStore(['sample', '--end', '2025-02-30']);
  assert.is(badEnd.code, 2);
  assert.match(badEnd.stderr, /"2025-02-30" is not a date/);
});

Commands('ingest without a terminal: plain progress lines with lines/s and an ETA, and what it wrote per table', async ({ db }) => {
  const dir = await scratch();
  const file = path.join(dir, 'sample.ndjson');
  await adsStore(['sample', '--accounts', '1', '--days', '30', '--end', '2025-01-31', '--out', file]);
  const run = await adsStore(['ingest', file], { DATABASE_URL: db.url });
  assert.is(run.code, 0, run.stderr);
  assert.match(run.stderr, /sample\.ndjson: \d+ lines, 100% read, \d+ lines\/s, ETA 0 s/);
  assert.match(run.stdout, /ad_accounts \+1 ~0, campaigns \+10 ~0, creatives \+\d+ ~0, campaign_daily_metrics \+\d+ ~0, creative_daily_metrics \+\d+ ~0, audience_demographics \+\d+ ~0/);
});

Commands('ingest on a terminal: a progress bar with lines/s and an ETA (run under a pseudo-terminal by script(1))', async ({ db }) => {
  const dir = await scratch();
  const file = path.join(dir, 'tty.ndjson');
  await adsStore(['sample', '--accounts', '2', '--days', '60', '--end', '2025-01-31', '--out', file]);
  // script gives the command a terminal; its output is what the terminal showed.
  const command = `${process.execPath} bin/ads-store.mjs ingest ${file}`;
  const run = await new Promise<{ code: number | null; out: string }>((resolve, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], { env: { ...process.env, DATABASE_URL: db.url }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (out += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
  assert.is(run.code, 0, run.out);
  assert.match(run.out, /tty\.ndjson \[[█░]+\] 100% \| \d+ lines \| \d+ lines\/s \| ETA \d+s/);
  assert.match(run.out, /campaign_daily_metrics \+\d+ ~0/);
});

Commands('demo --database-url puts the sample into that database (and only then a real one)', async ({ db, pool }) => {
  const home = await scratch();
  const run = await adsStore(['demo', '--accounts', '1', '--days', '20', '--database-url', db.url], { DATABASE_URL: undefined, ADS_STORE_HOME: home });
  assert.is(run.code, 0, run.stderr);
  assert.match(run.stderr, /^database: --database-url postgres:\/\//m);
  assert.match(run.stdout, /^HTML report of account \d+: /m);
  const { rows } = await pool.query(`select count(*) as n from ad_accounts`);
  assert.is(rows[0].n, 1);
});

Commands('report --format html --out: one self-contained page with headline, chart, campaigns and demographics; text escaped', async ({ db, pool }) => {
  await writeBatch(pool, {
    accounts: [{ id: 1, name: 'Alpha <b>&</b>', currency: 'EUR' }],
    campaigns: [{ id: 10, account_id: 1, name: '<script>alert(1)</script>' }, { id: 11, account_id: 1, name: 'Quiet' }],
    campaignDailyMetrics: [
      { campaign_id: 10, date: '2024-03-01', impressions: 1000, clicks: 10, spend: '12.5' },
      { campaign_id: 10, date: '2024-03-03', impressions: 3000, clicks: 30, spend: '30.25' },
    ],
    audienceDemographics: [{ account_id: 1, pivot_type: 'seniority', segment: 'urn:li:seniority:4', date_start: '2024-03-01', impressions: 700, clicks: 7 }],
  });
  const out = path.join(await scratch(), 'page.html');
  const run = await adsStore(['report', '--format', 'html', '--account', '1', '--from', '2024-03-01', '--to', '2024-03-07', '--out', out], { DATABASE_URL: db.url });
  assert.is(run.code, 0, run.stderr);
  assert.is(run.stdout, '');
  const html = await readFile(out, 'utf8');
  assert.match(html, /^<!doctype html>/);
  assert.not.match(html, /<script|https?:\/\/|<link /i); // nothing to fetch, nothing to run
  assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  assert.match(html, /Alpha &lt;b&gt;&amp;&lt;\/b&gt;/);
  assert.is((html.match(/<rect class="bar"/g) ?? []).length, 7, 'a bar per day of the range');
  assert.match(html, /<div class="label">Spend \(EUR\)<\/div><div class="value">42\.75<\/div>/);
  assert.match(html, /<table id="campaigns">[\s\S]*Quiet/);
  assert.match(html, /data-pivot="seniority"[\s\S]*urn:li:seniority:4[\s\S]*100\.0 %/);
  const noAccount = await adsStore(['report', '--format', 'html'], { DATABASE_URL: db.url });
  assert.is(noAccount.code, 2, 'a missing required option is a usage error');
  assert.match(noAccount.stderr, /needs --account/);
});

Commands.run();
