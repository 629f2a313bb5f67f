import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as assert from 'uvu/assert';
import { getCampaign } from '../src/store/campaigns.js';
import { adsStore } from './helpers/cli.js';
import { databaseSuite, emptyTables, tableChecksums } from './helpers/database.js';
import { suiteScratch } from './helpers/scratch.js';

/**
 * A corpus of malformed export lines, each fed to `ads-store ingest` as a process
 * in a file whose other lines are valid: each must exit non-zero, name its line
 * and field, and leave every table as it was. Then all of them at once with
 * --skip-invalid: the valid lines commit, every bad one lands in the rejects file
 * with its reason. Quotes, semicolons and SQL inside a name are data.
 */
const BadInput = databaseSuite('bad-input');

const ACCOUNT = 'urn:li:sponsoredAccount:900';
const day = { year: 2025, month: 3, day: 1 };
const analytics = (fields: object, pivot = 'CAMPAIGN', pivotValues: unknown = ['urn:li:sponsoredCampaign:9001']) =>
  JSON.stringify({ adAnalytics: { dateRange: { start: day, end: day }, pivotValues, impressions: 10, ...fields }, pivot });
const campaign = (fields: object) => JSON.stringify({ adCampaign: { id: 9002, account: ACCOUNT, name: 'x', ...fields } });
const creative = (fields: object) => JSON.stringify({ creative: { id: 'urn:li:sponsoredCreative:9003', campaign: 'urn:li:sponsoredCampaign:9001', ...fields } });
const demographic = (fields: object, envelope: object = { account: ACCOUNT }) =>
  JSON.stringify({ adAnalytics: { dateRange: { start: day, end: day }, pivotValues: ['urn:li:seniority:3'], impressions: 5, ...fields }, pivot: 'MEMBER_SENIORITY', ...envelope });

/** `length` printable characters that do not compress (a B-tree index entry is compressed first). */
function incompressible(length: number): string {
  let x = 12345;
  return Array.from({ length }, () => String.fromCharCode(33 + ((x = (x * 1103515245 + 12345) % 2 ** 31) >> 16) % 94)).join('');
}

/** [what, the bad line, the field its error must name]. */
const CORPUS: Array<[string, string, string]> = [
  ['broken JSON', '{"adAccount": {"id": 1', 'line'],
  ['trailing garbage', '{"adAccount": {"id": 1}} and more', 'line'],
  ['a JSON array', '[1, 2, 3]', 'line'],
  ['a JSON string', '"adAccount"', 'line'],
  ['JSON null', 'null', 'line'],
  ['a JSON number', '42', 'line'],
  ['an empty object', '{}', 'line'],
  ['two elements on one line', '{"adAccount": {"id": 1}, "creative": {"id": "urn:li:sponsoredCreative:1"}}', 'line'],
  ['an unknown envelope key', '{"adAccount": {"id": 1}, "fetchedBy": "me"}', 'fetchedBy'],
  ['NaN literal', analytics({}).replace('"impressions":10', '"impressions":NaN'), 'line'],
  ['Infinity literal', analytics({}).replace('"impressions":10', '"impressions":Infinity'), 'line'],
  ['a raw NUL byte', '{"adAccount": {"id": 1, "name": "a\u0000b"}}', 'line'],
  ['an escaped NUL character', '{"adAccount": {"id": 1, "name": "a\\u0000b"}}', 'adAccount.name'],
  ['an account id as a string', '{"adAccount": {"id": "1"}}', 'adAccount.id'],
  ['a negative account id', '{"adAccount": {"id": -5}}', 'adAccount.id'],
  ['a fractional account id', '{"adAccount": {"id": 1.5}}', 'adAccount.id'],
  ['a huge account id', '{"adAccount": {"id": 1e30}}', 'adAccount.id'],
  ['an id past 2^53', '{"adAccount": {"id": 9007199254740993}}', 'adAccount.id'],
  ['SQL where an id belongs', '{"adAccount": {"id": "1; drop table ad_accounts; --"}}', 'adAccount.id'],
  ['an account without id', '{"adAccount": {"name": "nameless"}}', 'adAccount.id'],
  ['a name that is a number', '{"adAccount": {"id": 1, "name": 12}}', 'adAccount.name'],
  ['a test flag that is a string', '{"adAccount": {"id": 1, "test": "yes"}}', 'adAccount.test'],
  ['an epoch that is text', '{"adAccount": {"id": 1, "changeAuditStamps": {"created": {"time": "yesterday"}}}}', 'adAccount.changeAuditStamps.created.time'],
  ['a campaign without id', JSON.stringify({ adCampaign: { account: ACCOUNT } }), 'adCampaign.id'],
  ['an account URN of the wrong kind', campaign({ account: 'urn:li:sponsoredCampaign:900' }), 'adCampaign.account'],
  ['an account that is not a URN', campaign({ account: '900' }), 'adCampaign.account'],
  ['SQL where a URN belongs', campaign({ account: "urn:li:sponsoredAccount:900'; drop table campaigns; --" }), 'adCampaign.account'],
  ['a budget with two points', campaign({ dailyBudget: { amount: '12.3.4', currencyCode: 'USD' } }), 'adCampaign.dailyBudget.amount'],
  ['a budget of NaN', campaign({ dailyBudget: { amount: 'NaN', currencyCode: 'USD' } }), 'adCampaign.dailyBudget.amount'],
  ['a budget of Infinity', campaign({ dailyBudget: { amount: 'Infinity', currencyCode: 'USD' } }), 'adCampaign.dailyBudget.amount'],
  ['a budget with junk after it', campaign({ dailyBudget: { amount: '12abc', currencyCode: 'USD' } }), 'adCampaign.dailyBudget.amount'],
  ['SQL where a decimal belongs', campaign({ dailyBudget: { amount: "1; delete from campaigns; --", currencyCode: 'USD' } }), 'adCampaign.dailyBudget.amount'],
  ['a budget that is a boolean', campaign({ dailyBudget: { amount: true, currencyCode: 'USD' } }), 'adCampaign.dailyBudget.amount'],
  ['a campaign group URN of the wrong kind', campaign({ campaignGroup: 'urn:li:sponsoredAccount:1' }), 'adCampaign.campaignGroup'],
  ['a creative id that is not a URN', creative({ id: '9003' }), 'creative.id'],
  ['a creative id of the wrong kind', creative({ id: 'urn:li:sponsoredCampaign:9003' }), 'creative.id'],
  ['a creative without id', JSON.stringify({ creative: { campaign: 'urn:li:sponsoredCampaign:9001' } }), 'creative.id'],
  ['a creative whose campaign exists nowhere', creative({ id: 'urn:li:sponsoredCreative:9999', campaign: 'urn:li:sponsoredCampaign:777' }), 'creative.campaign'],
  ['isServing as a string', creative({ isServing: 'true' }), 'creative.isServing'],
  ['hold reasons that are not a list', creative({ servingHoldReasons: 'UNDER_REVIEW' }), 'creative.servingHoldReasons'],
  ['createdAt as text', creative({ createdAt: '2025-03-01' }), 'creative.createdAt'],
  ['analytics without a dateRange', JSON.stringify({ adAnalytics: { pivotValues: ['urn:li:sponsoredCampaign:9001'] }, pivot: 'CAMPAIGN' }), 'adAnalytics.dateRange'],
  ['an impossible date (February 30)', JSON.stringify({ adAnalytics: { dateRange: { start: { year: 2025, month: 2, day: 30 }, end: { year: 2025, month: 2, day: 30 } }, pivotValues: ['urn:li:sponsoredCampaign:9001'] }, pivot: 'CAMPAIGN' }), 'adAnalytics.dateRange.start'],
  ['month 13', JSON.stringify({ adAnalytics: { dateRange: { start: { year: 2025, month: 13, day: 1 }, end: day }, pivotValues: ['urn:li:sponsoredCampaign:9001'] }, pivot: 'CAMPAIGN' }), 'adAnalytics.dateRange.start'],
  ['SQL where a date belongs', JSON.stringify({ adAnalytics: { dateRange: { start: { year: "2025'; drop table campaign_daily_metrics; --", month: 3, day: 1 }, end: day }, pivotValues: ['urn:li:sponsoredCampaign:9001'] }, pivot: 'CAMPAIGN' }), 'adAnalytics.dateRange.start'],
  ['a day of 1.5', JSON.stringify({ adAnalytics: { dateRange: { start: { year: 2025, month: 3, day: 1.5 }, end: day }, pivotValues: ['urn:li:sponsoredCampaign:9001'] }, pivot: 'CAMPAIGN' }), 'adAnalytics.dateRange.start'],
  ['a range ending before it starts', JSON.stringify({ adAnalytics: { dateRange: { start: { year: 2025, month: 3, day: 2 }, end: day }, pivotValues: ['urn:li:sponsoredCampaign:9001'] }, pivot: 'CAMPAIGN' }), 'adAnalytics.dateRange'],
  ['a daily row spanning two days', JSON.stringify({ adAnalytics: { dateRange: { start: day, end: { year: 2025, month: 3, day: 2 } }, pivotValues: ['urn:li:sponsoredCampaign:9001'] }, pivot: 'CAMPAIGN' }), 'adAnalytics.dateRange'],
  ['no pivot values', analytics({}, 'CAMPAIGN', []), 'adAnalytics.pivotValues'],
  ['a creative URN on the CAMPAIGN pivot', analytics({}, 'CAMPAIGN', ['urn:li:sponsoredCreative:9003']), 'adAnalytics.pivotValues[0]'],
  ['a campaign that exists nowhere', analytics({}, 'CAMPAIGN', ['urn:li:sponsoredCampaign:778']), 'adAnalytics.pivotValues[0]'],
  ['a negative count', analytics({ impressions: -1 }), 'adAnalytics.impressions'],
  ['a fractional count', analytics({ clicks: 1.5 }), 'adAnalytics.clicks'],
  ['a count as a string', analytics({ clicks: '7' }), 'adAnalytics.clicks'],
  ['a count past 2^53', analytics({ impressions: 1e20 }), 'adAnalytics.impressions'],
  ['spend with a comma', analytics({ costInLocalCurrency: '1,5' }), 'adAnalytics.costInLocalCurrency'],
  ['spend in hexadecimal', analytics({ costInLocalCurrency: '0x10' }), 'adAnalytics.costInLocalCurrency'],
  ['spend numeric cannot hold (22003)', analytics({ costInLocalCurrency: '1e131072' }), 'adAnalytics.costInLocalCurrency'],
  ['spend with a scale numeric cannot hold (22003)', analytics({ costInLocalCurrency: '1e-16384' }), 'adAnalytics.costInLocalCurrency'],
  ['a creation time before 4713 BC (22008)', creative({ createdAt: -8.64e15 }), 'creative.createdAt'],
  ['an unknown pivot', analytics({}, 'BY_MOON_PHASE'), 'pivot'],
  ['a pivot that is not a string', analytics({}, 7 as unknown as string), 'pivot'],
  ['a demographic row without account', demographic({}, {}), 'account'],
  ['a demographic account of the wrong kind', demographic({}, { account: 'urn:li:sponsoredCampaign:900' }), 'account'],
  ['an account name longer than an index entry holds', JSON.stringify({ adAccount: { id: 1, name: incompressible(3000) } }), 'adAccount.name'],
  ['a segment longer than an index entry holds', demographic({ pivotValues: [incompressible(3000)] }), 'adAnalytics.pivotValues[0]'],
  ['an empty segment', JSON.stringify({ adAnalytics: { dateRange: { start: day, end: day }, pivotValues: [''] }, pivot: 'MEMBER_SENIORITY', account: ACCOUNT }), 'adAnalytics.pivotValues[0]'],
  ['SQL where a sync account id belongs', JSON.stringify({ sync: { accountId: "900' or '1'='1" } }), 'sync.accountId'],
  ['an unknown sync field', JSON.stringify({ sync: { accountId: '900', startedBy: 'cron' } }), 'sync.startedBy'],
  ['a line of 10 MB', JSON.stringify({ adAccount: { id: 1, name: 'x'.repeat(10 * 1024 * 1024) } }), 'line'],
  ['invalid UTF-8', '{"adAccount": {"id": 1, "name": "\udcff"}}', 'line'],
];

/** The valid lines around each bad one: an account, a campaign, a creative, a day. */
const VALID = [
  JSON.stringify({ adAccount: { id: 900, name: 'Valid', currency: 'USD' } }),
  JSON.stringify({ adCampaign: { id: 9001, account: ACCOUNT, name: `O'Brien "quoted"; DROP TABLE campaigns; -- <b>` } }),
  creative({}),
  analytics({ clicks: 2, costInLocalCurrency: '1.25' }),
];

const newScratch = suiteScratch(BadInput, 'ads-store-bad-input-'); // removed after the suite
let scratch = '';
BadInput.before(async () => {
  scratch = await newScratch();
});
BadInput.before.each(({ pool }) => emptyTables(pool));

/** Writes lines as a file; a line given as a Buffer is written byte for byte. */
async function file(name: string, lines: Array<string | Buffer>): Promise<string> {
  const target = path.join(scratch, name);
  await writeFile(target, Buffer.concat(lines.flatMap((line) => [typeof line === 'string' ? Buffer.from(line) : line, Buffer.from('\n')])));
  return target;
}
/** The line as bytes; a lone \udcff stands for the invalid UTF-8 byte 0xff. */
const encode = (line: string): string | Buffer => (line.includes('\udcff') ? Buffer.from(Buffer.from(line.replace('\udcff', '\u0001')).map((b) => (b === 1 ? 0xff : b))) : line);

BadInput(`${CORPUS.length} malformed inputs: each exits 1, names its line and field, and changes nothing`, async ({ db, pool }) => {
  assert.ok(CORPUS.length >= 50);
  assert.is(new Set(CORPUS.map(([what]) => what)).size, CORPUS.length);
  // Stored before: what every failed ingest must leave exactly as it is.
  const seed = await file('seed.ndjson', [JSON.stringify({ adAccount: { id: 1, name: 'Stored' } })]);
  assert.is((await adsStore(['ingest', seed], { DATABASE_URL: db.url })).code, 0);
  const before = await tableChecksums(pool);
  const queue = CORPUS.map((entry, index) => ({ entry, index }));
  const failures: string[] = [];
  // Four processes at a time.
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const [what, line, field] = next.entry;
        const name = `bad-${String(next.index).padStart(2, '0')}.ndjson`;
        const input = await file(name, [...VALID.slice(0, 2), encode(line), ...VALID.slice(2)]);
        const run = await adsStore(['ingest', input], { DATABASE_URL: db.url });
        const named = new RegExp(`${name}:3: field ${field.replace(/[.[\]]/g, '\\$&')}[: ]`);
        if (run.code !== 1 || !named.test(run.stderr)) failures.push(`${what}: exit ${run.code}, ${run.stderr.trim().split('\n').pop()?.slice(0, 300)}`);
      }
    }),
  );
  assert.equal(failures, []);
  assert.equal(await tableChecksums(pool), before, 'every table as it was');
});

BadInput('--skip-invalid commits the valid lines and writes every rejected line with its reason', async ({ db, pool }) => {
  const lines = [...VALID, ...CORPUS.map(([, line]) => encode(line)), JSON.stringify({ adAccount: { id: 901, name: 'after the bad ones' } })];
  const input = await file('mixed.ndjson', lines);
  const rejects = path.join(scratch, 'mixed.rejects.ndjson');
  const run = await adsStore(['ingest', '--skip-invalid', '--rejects', rejects, input], { DATABASE_URL: db.url });
  assert.is(run.code, 0, run.stderr);
  assert.match(run.stdout, new RegExp(`mixed\\.ndjson: ${CORPUS.length} invalid lines skipped → `));
  const rejected = (await readFile(rejects, 'utf8')).trim().split('\n').map((line) => JSON.parse(line));
  assert.equal(rejected.map((r) => r.line), CORPUS.map((_, i) => VALID.length + 1 + i), 'every bad line, and only those');
  for (const [i, [what, , field]] of CORPUS.entries()) {
    assert.match(rejected[i].reason, new RegExp(`:${VALID.length + 1 + i}: field ${field.replace(/[.[\]]/g, '\\$&')}[: ]`), what);
    assert.ok(rejected[i].text.length > 0, `${what}: its text is kept`);
  }
  // The valid lines are stored, names verbatim.
  assert.is((await getCampaign(pool, 9001))?.name, `O'Brien "quoted"; DROP TABLE campaigns; -- <b>`);
  const { rows } = await pool.query(`select (select count(*) from ad_accounts) as accounts, (select count(*) from campaign_daily_metrics) as days,
                                            (select status from sync_log order by id desc limit 1) as status, (select errors from sync_log order by id desc limit 1) as errors`);
  assert.equal([rows[0].accounts, rows[0].days, rows[0].status], [2, 1, 'success']);
  assert.match(rows[0].errors, new RegExp(`^${CORPUS.length} invalid lines skipped`));
  const usage = await adsStore(['ingest', '--rejects', rejects, input], { DATABASE_URL: db.url });
  assert.is(usage.code, 2);
  // Without --rejects the rejects file lies beside the input.
  const small = await file('small.ndjson', [VALID[0]!, CORPUS[0]![1]]);
  assert.is((await adsStore(['ingest', '--skip-invalid', small], { DATABASE_URL: db.url })).code, 0);
  const beside = (await readFile(`${small}.rejects.ndjson`, 'utf8')).trim().split('\n').map((line) => JSON.parse(line));
  assert.equal(beside.map((r) => [r.file, r.line, r.text]), [[small, 2, CORPUS[0]![1]]]);
});

BadInput('quotes, semicolons and SQL inside names are data: stored verbatim and read back unchanged', async ({ db, pool }) => {
  const names = [`Robert'); DROP TABLE ad_accounts;--`, `"; select pg_sleep(10); --`, `$1 $$ \\ \\\\ % _ \t tab`, `ünïcödé 🚀 <script>alert(1)</script>`, `' OR '1'='1`];
  const input = await file('names.ndjson', names.map((name, i) => JSON.stringify({ adAccount: { id: 950 + i, name } })));
  assert.is((await adsStore(['ingest', input], { DATABASE_URL: db.url })).code, 0);
  const json = await adsStore(['report', 'accounts', '--format', 'json'], { DATABASE_URL: db.url });
  assert.equal(JSON.parse(json.stdout).map((row: { name: string }) => row.name).sort(), [...names].sort());
  const { rows } = await pool.query(`select count(*) as n from pg_tables where tablename = 'ad_accounts'`);
  assert.is(rows[0].n, 1);
});

BadInput.run();
