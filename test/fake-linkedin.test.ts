import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mapAccount, mapAnalytics, mapCampaign, mapCreative } from '../src/linkedin/elements.js';
import {
  buildDataset,
  CAMPAIGN_STATUSES,
  CREATIVE_STATUSES,
  daysBetween,
  DEMOGRAPHIC_PIVOTS,
  EXTRA_METRICS,
  startFakeLinkedIn,
  STORED_METRICS,
  type FakeDataset,
  type FakeDatasetOptions,
  type FakeLinkedIn,
  type FakeLinkedInOptions,
  type Json,
} from './helpers/fake-linkedin.js';

/** The fake alone (no database): the rules it enforces and the dataset it serves. */

const OPTIONS: FakeDatasetOptions = {
  seed: 7,
  accounts: 3,
  campaignsPerAccount: 8,
  creativesPerCampaign: 2,
  from: '2025-01-20',
  to: '2025-03-10',
  hiddenAccounts: 1,
};
const HEADERS = { 'LinkedIn-Version': '202601', 'X-Restli-Protocol-Version': '2.0.0', Authorization: 'Bearer test-token' };
const FINDER = { 'X-RestLi-Method': 'FINDER' };
const ALL_STATUSES = `search=(status:(values:List(${CAMPAIGN_STATUSES.join(',')})))`;

interface Ctx {
  dataset: FakeDataset;
  fake: FakeLinkedIn;
}

const Fake = suite<Ctx>('fake linkedin', {} as Ctx);

Fake.before(async (ctx) => {
  ctx.dataset = buildDataset(OPTIONS);
  ctx.fake = await startFakeLinkedIn({ dataset: ctx.dataset });
});
Fake.after(async ({ fake }) => fake?.close());

function get(fake: FakeLinkedIn, pathAndQuery: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(new URL(pathAndQuery, fake.baseUrl), { headers: { ...HEADERS, ...headers } });
}

async function getJson(fake: FakeLinkedIn, pathAndQuery: string, headers: Record<string, string> = {}): Promise<Json> {
  const response = await get(fake, pathAndQuery, headers);
  const body = (await response.json()) as Json;
  assert.is(response.status, 200, JSON.stringify(body));
  return body;
}

/** A fake of its own for a test that changes the server's settings. */
async function withFake(options: Partial<FakeLinkedInOptions>, run: (fake: FakeLinkedIn, dataset: FakeDataset) => Promise<void>): Promise<void> {
  const dataset = buildDataset(OPTIONS);
  const fake = await startFakeLinkedIn({ dataset, ...options });
  try {
    await run(fake, dataset);
  } finally {
    await fake.close();
  }
}

const accountUrn = (id: number) => `urn%3Ali%3AsponsoredAccount%3A${id}`;

function dateRange(from: string, to: string): string {
  const [a, b] = [from, to].map((day) => day.split('-').map(Number) as [number, number, number]);
  return `(start:(year:${a![0]},month:${a![1]},day:${a![2]}),end:(year:${b![0]},month:${b![1]},day:${b![2]}))`;
}

interface AnalyticsQuery {
  accounts: number[];
  pivot?: string;
  granularity?: string;
  from?: string;
  to?: string;
  fields?: readonly string[];
}

function analyticsQuery({ accounts, pivot = 'CAMPAIGN', granularity = 'DAILY', from = OPTIONS.from, to = OPTIONS.to, fields }: AnalyticsQuery): string {
  const query = [
    'q=analytics',
    `pivot=(value:${pivot})`,
    `timeGranularity=(value:${granularity})`,
    `dateRange=${dateRange(from, to)}`,
    `accounts=List(${accounts.map(accountUrn).join(',')})`,
  ];
  if (fields) query.push(`fields=${fields.join(',')}`);
  return query.join('&');
}

const elementsOf = (body: Json) => body['elements'] as Json[];

/** Every element of a paged finder, one page after another. */
async function walk(fake: FakeLinkedIn, path: string, pageSize: number, headers: Record<string, string> = {}): Promise<{ elements: Json[]; pages: number }> {
  const elements: Json[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const body = await getJson(fake, `${path}&pageSize=${pageSize}${token === undefined ? '' : `&pageToken=${encodeURIComponent(token)}`}`, headers);
    elements.push(...elementsOf(body));
    token = (body['metadata'] as Json)['nextPageToken'] as string | undefined;
    pages++;
  } while (token !== undefined);
  return { elements, pages };
}

const idsOf = (elements: Json[]) => elements.map((element) => element['id']);

// --- headers and tokens -----------------------------------------------------

Fake('a request without a LinkedIn-Version, or with an unknown one, answers 426 NONEXISTENT_VERSION', async ({ fake }) => {
  const missing = await fetch(new URL('adAccounts?q=search', fake.baseUrl), { headers: { 'X-Restli-Protocol-Version': '2.0.0', Authorization: 'Bearer test-token' } });
  assert.is(missing.status, 426);
  const missingBody = (await missing.json()) as Json;
  assert.is(missingBody['code'], 'NONEXISTENT_VERSION');
  assert.match(String(missingBody['message']), 'missing');

  const unknown = await get(fake, 'adAccounts?q=search', { 'LinkedIn-Version': '209901' });
  assert.is(unknown.status, 426);
  assert.equal(await unknown.json(), { status: 426, code: 'NONEXISTENT_VERSION', message: 'Requested version 209901 is not active' });
  assert.is((await get(fake, 'adAccounts?q=search', { 'LinkedIn-Version': '202511' })).status, 200);
});

Fake('a request without X-Restli-Protocol-Version: 2.0.0 answers 400', async ({ fake }) => {
  assert.is((await get(fake, 'adAccounts?q=search', { 'X-Restli-Protocol-Version': '1.0.0' })).status, 400);
});

Fake('a bad or revoked token answers 401; the refresh grant makes a new token valid', async ({ fake }) => {
  const bad = await get(fake, 'adAccounts?q=search', { Authorization: 'Bearer nope' });
  assert.is(bad.status, 401);
  assert.equal(await bad.json(), { status: 401, serviceErrorCode: 65600, code: 'REVOKED_ACCESS_TOKEN', message: 'Invalid access token' });
  assert.is((await get(fake, 'adAccounts?q=search', { Authorization: '' })).status, 401);

  const refresh = (form: Record<string, string>) =>
    fetch(fake.tokenUrl, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form) });
  const grant = { grant_type: 'refresh_token', refresh_token: 'refresh-token', client_id: 'cid', client_secret: 'secret' };
  for (const wrong of [{ client_secret: 'guess' }, { refresh_token: 'old' }, { grant_type: 'password' }]) {
    const response = await refresh({ ...grant, ...wrong });
    assert.ok(response.status === 400 || response.status === 401, `${JSON.stringify(wrong)} → ${response.status}`);
    assert.is(((await response.json()) as Json)['error'], 'invalid_grant');
  }

  const response = await refresh(grant);
  assert.is(response.status, 200);
  const token = (await response.json()) as Json;
  assert.equal(Object.keys(token).sort(), ['access_token', 'expires_in', 'refresh_token', 'refresh_token_expires_in']);
  assert.is(token['expires_in'], 5_184_000);
  const fresh = `Bearer ${token['access_token'] as string}`;
  assert.is((await get(fake, 'adAccounts?q=search', { Authorization: fresh })).status, 200);

  fake.revoke(token['access_token'] as string);
  assert.is((await get(fake, 'adAccounts?q=search', { Authorization: fresh })).status, 401);
  assert.is((await get(fake, 'adAccounts?q=search')).status, 200, 'other tokens stay valid');
});

// --- entities and paging ----------------------------------------------------

Fake('paging with pageSize walks every readable account, campaign and creative exactly once', async ({ fake, dataset }) => {
  const accounts = await walk(fake, 'adAccounts?q=search', 2);
  assert.equal(idsOf(accounts.elements), dataset.readableAccountIds);
  assert.is(accounts.pages, 2);
  for (const id of dataset.readableAccountIds) {
    const campaigns = await walk(fake, `adAccounts/${id}/adCampaigns?q=search&${ALL_STATUSES}`, 3);
    assert.equal(idsOf(campaigns.elements), idsOf(dataset.campaigns.get(id)!));
    assert.is(campaigns.pages, Math.ceil(OPTIONS.campaignsPerAccount / 3));
    const creatives = await walk(fake, `adAccounts/${id}/creatives?q=criteria`, 5, FINDER);
    assert.equal(idsOf(creatives.elements), idsOf(dataset.creatives.get(id)!));
  }
});

Fake('the last page has no nextPageToken; pageSize defaults to 100 and above 1000 answers 400; an unknown pageToken answers 400', async ({ fake, dataset }) => {
  const all = await getJson(fake, 'adAccounts?q=search');
  assert.is(elementsOf(all).length, dataset.readableAccountIds.length);
  assert.equal(all['metadata'], {});
  assert.is((await get(fake, 'adAccounts?q=search&pageSize=1001')).status, 400);
  assert.is((await get(fake, 'adAccounts?q=search&pageSize=1000')).status, 200);
  assert.is((await get(fake, 'adAccounts?q=search&pageSize=1&pageToken=bm9wZQ')).status, 400);
  assert.is((await get(fake, 'adAccounts?search=x')).status, 400, 'q=search is required');
});

Fake('campaigns without a status search miss the ARCHIVED ones; with all eight statuses they all come back', async ({ fake, dataset }) => {
  const id = dataset.readableAccountIds[0]!;
  const all = dataset.campaigns.get(id)!;
  assert.ok(all.some((campaign) => campaign['status'] === 'ARCHIVED'));
  const defaults = elementsOf(await getJson(fake, `adAccounts/${id}/adCampaigns?q=search`));
  assert.equal(new Set(defaults.map((campaign) => campaign['status'])), new Set(['ACTIVE', 'PAUSED', 'DRAFT']));
  assert.ok(defaults.length < all.length);
  const listed = elementsOf(await getJson(fake, `adAccounts/${id}/adCampaigns?q=search&${ALL_STATUSES}`));
  assert.equal(idsOf(listed), idsOf(all));
  const archived = elementsOf(await getJson(fake, `adAccounts/${id}/adCampaigns?q=search&search=(status:(values:List(ARCHIVED)))`));
  assert.equal(idsOf(archived), idsOf(all.filter((campaign) => campaign['status'] === 'ARCHIVED')));
  assert.is((await get(fake, `adAccounts/${id}/adCampaigns?q=search&search=(status:(values:List(ACTIVE%2CPAUSED)))`)).status, 400);
});

Fake('creatives without X-RestLi-Method: FINDER answer 400; the campaigns facet narrows them', async ({ fake, dataset }) => {
  const id = dataset.readableAccountIds[1]!;
  const response = await get(fake, `adAccounts/${id}/creatives?q=criteria`);
  assert.is(response.status, 400);
  const campaign = dataset.campaigns.get(id)![2]!;
  const some = elementsOf(await getJson(fake, `adAccounts/${id}/creatives?q=criteria&campaigns=List(urn%3Ali%3AsponsoredCampaign%3A${campaign['id'] as number})`, FINDER));
  assert.is(some.length, OPTIONS.creativesPerCampaign);
  assert.ok(some.every((creative) => creative['campaign'] === `urn:li:sponsoredCampaign:${campaign['id'] as number}`));
});

Fake('a hidden account: 403 on adAccounts/{id}, 200 with nothing on campaigns, creatives and analytics; an unknown one 404', async ({ fake, dataset }) => {
  const hidden = dataset.hiddenAccountIds[0]!;
  assert.ok(dataset.campaigns.get(hidden)!.length > 0, 'the data exists');
  const denied = await get(fake, `adAccounts/${hidden}`);
  assert.is(denied.status, 403);
  assert.equal(await denied.json(), { status: 403, code: 'ACCESS_DENIED', message: 'Not enough permissions to access: adAccounts.GET.20260101' });
  assert.equal(elementsOf(await getJson(fake, `adAccounts/${hidden}/adCampaigns?q=search&${ALL_STATUSES}`)), []);
  assert.equal(elementsOf(await getJson(fake, `adAccounts/${hidden}/creatives?q=criteria`, FINDER)), []);
  assert.equal(elementsOf(await getJson(fake, `adAnalytics?${analyticsQuery({ accounts: [hidden] })}`)), []);
  assert.not.ok(idsOf(elementsOf(await getJson(fake, 'adAccounts?q=search'))).includes(hidden));

  const readable = dataset.readableAccountIds[0]!;
  assert.equal(((await getJson(fake, `adAccounts/${readable}`)) as Json)['id'], readable);
  assert.is((await get(fake, 'adAccounts/499999999')).status, 404);
  assert.is((await get(fake, 'nothingHere')).status, 404);
});

// --- analytics --------------------------------------------------------------

Fake('analytics for 21 fields answer 400; for 20 they answer 200 with exactly those fields', async ({ fake, dataset }) => {
  const metrics = [...STORED_METRICS, ...EXTRA_METRICS];
  const accounts = [dataset.readableAccountIds[0]!];
  const twenty = ['dateRange', 'pivotValues', ...metrics.slice(0, 18)];
  const tooMany = [...twenty, metrics[18]!];
  assert.is((await get(fake, `adAnalytics?${analyticsQuery({ accounts, fields: tooMany })}`)).status, 400);
  const elements = elementsOf(await getJson(fake, `adAnalytics?${analyticsQuery({ accounts, fields: twenty })}`));
  assert.ok(elements.length > 0);
  for (const element of elements) assert.equal(Object.keys(element).sort(), [...twenty].sort());
  assert.is((await get(fake, `adAnalytics?${analyticsQuery({ accounts, fields: ['impressions', 'noSuchMetric'] })}`)).status, 400);
});

Fake('analytics without fields answer impressions and clicks only', async ({ fake, dataset }) => {
  const elements = elementsOf(await getJson(fake, `adAnalytics?${analyticsQuery({ accounts: [dataset.readableAccountIds[0]!] })}`));
  for (const element of elements) assert.equal(Object.keys(element).sort(), ['clicks', 'dateRange', 'impressions', 'pivotValues']);
});

Fake('daily analytics: one element per present (entity, day), ordered by day then entity, about 1 in 10 absent', async ({ fake, dataset }) => {
  const accounts = dataset.readableAccountIds;
  const [from, to] = ['2025-02-01', '2025-02-14'];
  for (const [pivot, days] of [['CAMPAIGN', dataset.campaignDays], ['CREATIVE', dataset.creativeDays]] as const) {
    const elements = elementsOf(await getJson(fake, `adAnalytics?${analyticsQuery({ accounts, pivot, from, to, fields: ['dateRange', 'pivotValues', 'impressions'] })}`));
    const keys = elements.map((element) => {
      const start = (element['dateRange'] as { start: { year: number; month: number; day: number } }).start;
      const day = `${start.year}-${String(start.month).padStart(2, '0')}-${String(start.day).padStart(2, '0')}`;
      return `${(element['pivotValues'] as string[])[0]}|${day}`;
    });
    const readableUrns = new Set(
      accounts.flatMap((id) => (pivot === 'CAMPAIGN' ? dataset.campaigns.get(id)!.map((c) => `urn:li:sponsoredCampaign:${c['id'] as number}`) : dataset.creatives.get(id)!.map((c) => c['id'] as string))),
    );
    const expected = [...days.keys()].filter((key) => {
      const [urn, day] = key.split('|') as [string, string];
      return readableUrns.has(urn) && day >= from && day <= to;
    });
    assert.equal(new Set(keys), new Set(expected));
    assert.is(keys.length, expected.length);
    const order = (key: string) => [key.slice(key.lastIndexOf('|') + 1), Number(key.slice(key.lastIndexOf(':') + 1, key.indexOf('|')))] as const;
    for (let i = 1; i < keys.length; i++) {
      const [dayA, idA] = order(keys[i - 1]!);
      const [dayB, idB] = order(keys[i]!);
      assert.ok(dayA < dayB || (dayA === dayB && idA < idB), `${keys[i - 1]} before ${keys[i]}`);
    }
    const possible = readableUrns.size * daysBetween(from, to).length;
    const absent = 1 - expected.length / possible;
    assert.ok(absent > 0.03 && absent < 0.2, `${(absent * 100).toFixed(1)}% absent`);
  }
});

Fake('analytics are silently cut at elementCap: no marker, the latest days dropped', async ({ fake: full, dataset }) => {
  const query = `adAnalytics?${analyticsQuery({ accounts: dataset.readableAccountIds, fields: ['dateRange', 'pivotValues', 'clicks'] })}`;
  const everything = elementsOf(await getJson(full, query));
  assert.ok(everything.length > 50);
  await withFake({ elementCap: 50 }, async (fake) => {
    const body = await getJson(fake, query);
    assert.equal(Object.keys(body).sort(), ['elements', 'paging']);
    assert.equal(body['paging'], { start: 0, count: 10, links: [] });
    assert.equal(elementsOf(body), everything.slice(0, 50));
  });
});

Fake('a GET above maxUrlLength answers 414; the same query tunneled as a form POST answers the same elements', async ({ fake, dataset }) => {
  // Many accounts make a long URL; the ones that do not exist contribute nothing.
  const accounts = [...dataset.readableAccountIds, ...Array.from({ length: 300 }, (_, i) => 510_000_000 + i)];
  const query = analyticsQuery({ accounts, fields: ['dateRange', 'pivotValues', 'impressions', 'costInLocalCurrency'] });
  assert.ok(`/rest/adAnalytics?${query}`.length > 8192);
  const long = await get(fake, `adAnalytics?${query}`);
  assert.is(long.status, 414);
  await long.text();

  const tunneled = await fetch(new URL('adAnalytics', fake.baseUrl), {
    method: 'POST',
    headers: { ...HEADERS, 'X-HTTP-Method-Override': 'GET', 'Content-Type': 'application/x-www-form-urlencoded' },
    body: query,
  });
  assert.is(tunneled.status, 200);
  const short = analyticsQuery({ accounts: dataset.readableAccountIds, fields: ['dateRange', 'pivotValues', 'impressions', 'costInLocalCurrency'] });
  assert.equal(elementsOf((await tunneled.json()) as Json), elementsOf(await getJson(fake, `adAnalytics?${short}`)));

  const recorded = fake.requests.filter((request) => request.tunneled);
  assert.is(recorded.length, 1);
  assert.is(recorded[0]!.method, 'POST');
  assert.is(recorded[0]!.status, 200);
  assert.is(recorded[0]!.rawQuery, query);
  assert.is(recorded[0]!.query.get('q'), 'analytics');

  const plainPost = await fetch(new URL('adAnalytics', fake.baseUrl), { method: 'POST', headers: { ...HEADERS, 'Content-Type': 'application/json' }, body: '{}' });
  assert.is(plainPost.status, 405);
});

Fake('percent-encoded Rest.li structure and unencoded URNs inside List(...) answer 400', async ({ fake, dataset }) => {
  const id = dataset.readableAccountIds[0]!;
  const good = analyticsQuery({ accounts: [id] });
  assert.is((await get(fake, `adAnalytics?${good}`)).status, 200);
  assert.is((await get(fake, `adAnalytics?${good.replace('pivot=(value:CAMPAIGN)', 'pivot=%28value%3ACAMPAIGN%29')}`)).status, 400);
  assert.is((await get(fake, `adAnalytics?${good.replace(accountUrn(id), `urn:li:sponsoredAccount:${id}`)}`)).status, 400);
  assert.is((await get(fake, `adAnalytics?${good}&campaigns=List(urn%3Ali%3AsponsoredCampaign%3A1)`)).status, 400, 'only the accounts facet');
  assert.is((await get(fake, `adAnalytics?${good.replace('day:20)', 'day:32)')}`)).status, 400, 'not a calendar day');
  // The bare form that some clients send works too.
  assert.is((await get(fake, `adAnalytics?${good.replace('pivot=(value:CAMPAIGN)', 'pivot=CAMPAIGN')}`)).status, 200);
});

Fake('monthly demographics: one element per segment and month, the dateRange clipped to the request', async ({ fake, dataset }) => {
  const id = dataset.readableAccountIds[0]!;
  const [from, to] = ['2025-01-25', '2025-02-10'];
  const elements = elementsOf(await getJson(fake, `adAnalytics?${analyticsQuery({ accounts: [id], pivot: 'MEMBER_COUNTRY_V2', granularity: 'MONTHLY', from, to, fields: ['dateRange', 'pivotValues', 'impressions', 'clicks'] })}`));
  const segments = [...dataset.demographics.keys()].filter((key) => key.startsWith(`${id}|MEMBER_COUNTRY_V2|`) && key.endsWith('|2025-01'));
  assert.ok(segments.length >= 3 && segments.length <= 6);
  assert.is(elements.length, segments.length * 2);
  const january = elements.slice(0, segments.length);
  const february = elements.slice(segments.length);
  for (const element of january) assert.equal(element['dateRange'], { start: { year: 2025, month: 1, day: 25 }, end: { year: 2025, month: 1, day: 31 } });
  for (const element of february) assert.equal(element['dateRange'], { start: { year: 2025, month: 2, day: 1 }, end: { year: 2025, month: 2, day: 10 } });
  const first = january[0]!;
  assert.equal({ impressions: first['impressions'], clicks: first['clicks'] }, dataset.demographics.get(`${id}|MEMBER_COUNTRY_V2|${(first['pivotValues'] as string[])[0]}|2025-01`));
  assert.is((await get(fake, `adAnalytics?${analyticsQuery({ accounts: [id], pivot: 'MEMBER_COUNTRY_V2', granularity: 'DAILY' })}`)).status, 400);
});

// --- faults -----------------------------------------------------------------

Fake('injected faults: 429 with Retry-After, the daily quota body, 500 and a dropped connection, each for its matching requests only', async ({ fake }) => {
  fake.inject({ match: /adAccounts\?q=search/, status: 429, retryAfterSeconds: 2 });
  fake.inject({ match: /adAccounts\?q=search/, status: 429, dailyQuota: true });
  fake.inject({ match: /adAccounts\?q=search/, status: 500, times: 2 });
  fake.inject({ match: /adAccounts\?q=search/, networkError: true });

  assert.is((await get(fake, 'adAccounts/500000001')).status, 200, 'no match, no fault');
  const throttled = await get(fake, 'adAccounts?q=search');
  assert.is(throttled.status, 429);
  assert.is(throttled.headers.get('retry-after'), '2');
  assert.equal(await throttled.json(), { status: 429, message: 'Too many requests' });
  const daily = await get(fake, 'adAccounts?q=search');
  assert.is(daily.status, 429);
  assert.equal(await daily.json(), {
    status: 429,
    serviceErrorCode: 101,
    code: 'QUOTA_EXCEEDED',
    message: 'Resource level throttle APPLICATION_AND_MEMBER DAY limit for calls to this resource is reached.',
  });
  for (let i = 0; i < 2; i++) {
    const failed = await get(fake, 'adAccounts?q=search');
    assert.is(failed.status, 500);
    await failed.text();
  }
  try {
    await get(fake, 'adAccounts?q=search');
    assert.unreachable('the connection should drop');
  } catch (error) {
    assert.instance(error, TypeError); // fetch's "fetch failed"
  }
  assert.is((await get(fake, 'adAccounts?q=search')).status, 200, 'the queue is empty again');
  const statuses = fake.requests.slice(-7).map((request) => request.status);
  assert.equal(statuses, [200, 429, 429, 500, 500, 0, 200]);
});

Fake('faults are tested before the headers, and latency delays every answer', async () => {
  await withFake({ latencyMs: 60 }, async (fake) => {
    fake.inject({ match: /^GET \/rest\/adAccounts\?/, status: 503 });
    const started = performance.now();
    const response = await fetch(new URL('adAccounts?q=search', fake.baseUrl));
    assert.is(response.status, 503);
    assert.ok(performance.now() - started >= 55);
    assert.is((await fetch(new URL('adAccounts?q=search', fake.baseUrl))).status, 426);
  });
});

// --- the dataset ------------------------------------------------------------

Fake('dataset elements are accepted by mapAccount, mapCampaign and mapCreative; statuses cycle; children point at their parents', ({ dataset }) => {
  assert.is(dataset.accounts.length, OPTIONS.accounts + OPTIONS.hiddenAccounts!);
  assert.equal(idsOf(dataset.accounts), [...dataset.readableAccountIds, ...dataset.hiddenAccountIds]);
  assert.equal(dataset.readableAccountIds, [500000001, 500000002, 500000003]);
  const campaignIds = new Set<number>();
  const campaignStatuses = new Set<string>();
  const creativeStatuses = new Set<string>();
  for (const account of dataset.accounts) {
    const row = mapAccount(account, 'fake');
    for (const campaign of dataset.campaigns.get(row.id)!) {
      const mapped = mapCampaign(campaign, 'fake');
      assert.is(mapped.account_id, row.id);
      assert.not.ok(campaignIds.has(mapped.id), 'campaign ids are unique');
      campaignIds.add(mapped.id);
      campaignStatuses.add(mapped.status!);
    }
    for (const creative of dataset.creatives.get(row.id)!) {
      const mapped = mapCreative(creative, 'fake');
      assert.is(mapped.account_id, row.id);
      assert.ok(campaignIds.has(mapped.campaign_id!));
      assert.match(mapped.id, /^urn:li:sponsoredCreative:\d+$/);
      creativeStatuses.add(mapped.intended_status!);
    }
  }
  assert.equal(campaignStatuses, new Set(CAMPAIGN_STATUSES));
  assert.equal(creativeStatuses, new Set(CREATIVE_STATUSES));
});

Fake('served analytics elements are accepted by mapAnalytics, for every pivot', async ({ fake, dataset }) => {
  const fields = ['dateRange', 'pivotValues', ...STORED_METRICS];
  for (const id of dataset.readableAccountIds) {
    const account = `urn:li:sponsoredAccount:${id}`;
    for (const pivot of ['CAMPAIGN', 'CREATIVE']) {
      const elements = elementsOf(await getJson(fake, `adAnalytics?${analyticsQuery({ accounts: [id], pivot, fields })}`));
      assert.ok(elements.length > 0);
      for (const element of elements) {
        const row = mapAnalytics(element, pivot, undefined, 'fake');
        assert.is(row.kind, pivot === 'CAMPAIGN' ? 'campaign_metric' : 'creative_metric');
        assert.match(String(element['costInLocalCurrency']), /^\d+\.\d{2,6}$/);
      }
    }
    for (const pivot of DEMOGRAPHIC_PIVOTS) {
      const elements = elementsOf(await getJson(fake, `adAnalytics?${analyticsQuery({ accounts: [id], pivot, granularity: 'MONTHLY', fields: ['dateRange', 'pivotValues', 'impressions', 'clicks'] })}`));
      assert.ok(elements.length >= 3 * 3, `${pivot}: 3+ segments × 3 months`);
      for (const element of elements) assert.is(mapAnalytics(element, pivot, account, 'fake').kind, 'demographic');
    }
  }
});

Fake('restate changes every day in its range and no other', () => {
  const dataset = buildDataset({ ...OPTIONS, seed: 11 });
  const before = { campaign: new Map(dataset.campaignDays), creative: new Map(dataset.creativeDays) };
  const range = { from: '2025-03-01', to: '2025-03-07' };
  dataset.restate(range, 99);
  for (const [name, days] of [['campaign', dataset.campaignDays], ['creative', dataset.creativeDays]] as const) {
    const old = before[name];
    assert.equal([...days.keys()], [...old.keys()], `${name}: the same days exist`);
    let changed = 0;
    for (const [key, metrics] of days) {
      const day = key.slice(key.lastIndexOf('|') + 1);
      const inRange = day >= range.from && day <= range.to;
      if (inRange) {
        assert.not.equal(metrics, old.get(key), `${key} restated`);
        assert.ok(mapAnalytics({ ...metrics, dateRange: { start: { year: 2025, month: 3, day: 1 }, end: { year: 2025, month: 3, day: 1 } }, pivotValues: ['urn:li:sponsoredCampaign:1'] }, 'CAMPAIGN', undefined, 'fake'));
        changed++;
      } else {
        assert.is(metrics, old.get(key), `${key} untouched`);
      }
    }
    assert.ok(changed > 0);
  }
});

Fake('the same seed builds the same dataset; another seed a different one', () => {
  const snapshot = (dataset: FakeDataset) =>
    JSON.stringify([dataset.accounts, [...dataset.campaigns], [...dataset.creatives], [...dataset.campaignDays], [...dataset.creativeDays], [...dataset.demographics]]);
  const first = snapshot(buildDataset(OPTIONS));
  assert.is(snapshot(buildDataset(OPTIONS)), first);
  assert.is.not(snapshot(buildDataset({ ...OPTIONS, seed: OPTIONS.seed + 1 })), first);
  assert.is(buildDataset({ ...OPTIONS, demographics: false }).demographics.size, 0);
});

Fake.run();
