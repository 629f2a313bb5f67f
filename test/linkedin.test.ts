import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { demographicPivotType, mapAccount, mapAnalytics, mapCampaign, mapCreative } from '../src/linkedin/elements.js';
import { parseExportLine } from '../src/linkedin/export.js';
import { InvalidValueError } from '../src/values.js';

const LinkedIn = suite('linkedin mapping');
const R = 'export.ndjson:7';
const day = (year: number, month: number, d: number) => ({ year, month, day: d });
const oneDay = { start: day(2023, 8, 25), end: day(2023, 8, 25) };

LinkedIn('an account: id, name, status, currency, type, test, created time', () => {
  const row = mapAccount(
    { id: 508720451, name: 'Jean’s Ad Account', currency: 'USD', type: 'BUSINESS', status: 'ACTIVE', test: false, reference: 'urn:li:organization:64265083', changeAuditStamps: { created: { time: 1623665362000 }, lastModified: { time: 1630107610000 } } },
    R,
  );
  assert.equal(row, { id: 508720451, name: 'Jean’s Ad Account', status: 'ACTIVE', currency: 'USD', type: 'BUSINESS', is_test: false, created_at: new Date(1623665362000) });
});

LinkedIn('absent fields stay absent (undefined); null fields are null', () => {
  assert.equal(mapAccount({ id: 1, status: 'CANCELED' }, R), { id: 1, status: 'CANCELED', name: undefined, currency: undefined, type: undefined, is_test: undefined, created_at: undefined });
  const row = mapAccount({ id: 1, name: null, changeAuditStamps: null }, R);
  assert.is(row.name, null);
  assert.is(row.created_at, null);
});

LinkedIn('a campaign: URNs to ids, money as exact text, dailyBudget null clears amount and currency', () => {
  const row = mapCampaign(
    { id: 252074216, account: 'urn:li:sponsoredAccount:508720451', campaignGroup: 'urn:li:sponsoredCampaignGroup:616471656', name: 'Brand', status: 'COMPLETED', type: 'SPONSORED_UPDATES', costType: 'CPM', optimizationTargetType: 'MAX_REACH', creativeSelection: 'OPTIMIZED', dailyBudget: { currencyCode: 'USD', amount: '100' }, totalBudget: { amount: '107.5300000000000335346', currencyCode: 'USD' }, unitCost: { currencyCode: 'USD', amount: 49.85 }, offsiteDeliveryEnabled: true, audienceExpansionEnabled: false, changeAuditStamps: { created: { time: 1692360338000 } } },
    R,
  );
  assert.equal(row, {
    id: 252074216, account_id: 508720451, name: 'Brand', status: 'COMPLETED', type: 'SPONSORED_UPDATES', daily_budget: '100',
    daily_budget_currency: 'USD', total_budget: '107.5300000000000335346', cost_type: 'CPM', unit_cost: '49.85', bid_strategy: 'MAX_REACH',
    creative_selection: 'OPTIMIZED', offsite_delivery_enabled: true, audience_expansion_enabled: false,
    campaign_group: 'urn:li:sponsoredCampaignGroup:616471656', created_at: new Date(1692360338000),
  });
  const cleared = mapCampaign({ id: 1, dailyBudget: null }, R);
  assert.equal([cleared.daily_budget, cleared.daily_budget_currency, cleared.total_budget], [null, null, undefined]);
});

LinkedIn('a creative: URN id kept; hold reasons absent while serving mean none (NULL)', () => {
  const base = { id: 'urn:li:sponsoredCreative:287513206', account: 'urn:li:sponsoredAccount:508720451', campaign: 'urn:li:sponsoredCampaign:252074216', intendedStatus: 'ACTIVE', content: { reference: 'urn:li:share:6823991265126957056' }, createdAt: 1692360339000, lastModifiedAt: 1692926398000 };
  const serving = mapCreative({ ...base, isServing: true }, R);
  assert.equal([serving.id, serving.campaign_id, serving.account_id, serving.content_reference, serving.serving_hold_reasons], ['urn:li:sponsoredCreative:287513206', 252074216, 508720451, 'urn:li:share:6823991265126957056', null]);
  assert.equal(serving.created_at, new Date(1692360339000));
  assert.is(mapCreative({ ...base, isServing: false }, R).serving_hold_reasons, undefined);
  assert.equal(mapCreative({ ...base, isServing: false, servingHoldReasons: ['CAMPAIGN_STOPPED'] }, R).serving_hold_reasons, ['CAMPAIGN_STOPPED']);
  assert.is(mapCreative({ ...base, content: { textAd: { headline: 'x' } } }, R).content_reference, null);
  assert.is(mapCreative({ ...base, name: 'Creative Airbyte name' }, R).content_name, 'Creative Airbyte name');
});

LinkedIn('CAMPAIGN and CREATIVE analytics: one day, the stored metrics, cost parsed exactly', () => {
  const campaign = mapAnalytics(
    { dateRange: oneDay, pivotValues: ['urn:li:sponsoredCampaign:252074216'], impressions: 19464, clicks: 106, costInLocalCurrency: '-2E-18', costInUsd: '5', landingPageClicks: 106, externalWebsiteConversions: 2, likes: 1, comments: 2, shares: 3, follows: 4, oneClickLeads: 5, opens: 6, sends: 7, videoViews: 99 },
    'CAMPAIGN', undefined, R,
  );
  assert.equal(campaign, { kind: 'campaign_metric', row: { campaign_id: 252074216, date: '2023-08-25', impressions: 19464, clicks: 106, landing_page_clicks: 106, conversions: 2, likes: 1, comments: 2, shares: 3, follows: 4, leads: 5, opens: 6, sends: 7, video_views: 99, spend: '-2E-18' } });
  const creative = mapAnalytics({ dateRange: oneDay, pivotValues: ['urn:li:sponsoredCreative:287513206'], costInLocalCurrency: 99.99999999999996 }, 'CREATIVE', undefined, R);
  // Absent metrics are undefined (so the store keeps them absent); compare what is defined.
  assert.equal(JSON.parse(JSON.stringify(creative)), { kind: 'creative_metric', row: { creative_id: 'urn:li:sponsoredCreative:287513206', date: '2023-08-25', spend: '99.99999999999996' } });
});

LinkedIn('MEMBER_* analytics: account-level rows, pivot types, any period', () => {
  const row = mapAnalytics({ dateRange: { start: day(2021, 1, 2), end: day(2023, 1, 2) }, pivotValues: ['SIZE_2_TO_10'], impressions: 1480, clicks: 9, costInLocalCurrency: '24.45' }, 'MEMBER_COMPANY_SIZE', 'urn:li:sponsoredAccount:508720451', R);
  assert.equal(row, { kind: 'demographic', row: { account_id: 508720451, pivot_type: 'company_size', segment: 'SIZE_2_TO_10', date_start: '2021-01-02', date_end: '2023-01-02', impressions: 1480, clicks: 9 } });
  const pivots = ['MEMBER_JOB_TITLE', 'MEMBER_SENIORITY', 'MEMBER_INDUSTRY', 'MEMBER_COMPANY_SIZE', 'MEMBER_JOB_FUNCTION', 'MEMBER_COUNTRY_V2', 'MEMBER_REGION_V2', 'MEMBER_COMPANY'];
  assert.equal(pivots.map(demographicPivotType), ['job_title', 'seniority', 'industry', 'company_size', 'job_function', 'country', 'region', 'company']);
  assert.is(demographicPivotType('CAMPAIGN'), null);
});

LinkedIn('export lines: envelopes, the sync line, blank-free JSON objects only', () => {
  assert.equal(parseExportLine('{"sync": {"accountId": "123", "trigger": "manual", "apiCallsMade": 17}}', R), { kind: 'sync', sync: { accountId: '123', trigger: 'manual', apiCallsMade: 17 } });
  assert.equal(parseExportLine('{"sync": {"accountId": "all"}}', R), { kind: 'sync', sync: { accountId: 'all' } });
  assert.is(parseExportLine('{"adAccount": {"id": 5}}', R).kind, 'account');
});

const INVALID: Array<[string, RegExp]> = [
  ['{"adAccount": {"id": 5}', /^export\.ndjson:7: field line is not valid JSON/],
  ['[1, 2]', /field line: \[1,2\] is not a JSON object/],
  ['{"adAccount": {"id": 5}, "extra": 1}', /field extra: 1 is not an envelope key of this line/],
  ['{"adAccount": {"id": 5}, "adCampaign": {"id": 6}}', /has adAccount and adCampaign: a line holds one element/],
  ['{"nothing": 1}', /has no element key/],
  ['{"adAccount": {"name": "x"}}', /field adAccount\.id is missing/],
  ['{"adAccount": {"id": "5"}}', /field adAccount\.id: "5" is not a positive integer/],
  ['{"adAccount": {"id": 9007199254740993}}', /field adAccount\.id: 9007199254740992 is not a positive integer/],
  ['{"adAccount": {"id": 5, "name": 7}}', /field adAccount\.name: 7 is not a string/],
  ['{"adAccount": {"id": 5, "name": "a\\u0000b"}}', /field adAccount\.name: .* contains a NUL character/],
  ['{"adAccount": {"id": 5, "test": "no"}}', /field adAccount\.test: "no" is not a boolean/],
  ['{"adCampaign": {"id": 5, "account": "urn:li:sponsoredCampaign:1"}}', /field adCampaign\.account: "urn:li:sponsoredCampaign:1" is a sponsoredCampaign URN, not a sponsoredAccount URN/],
  ['{"adCampaign": {"id": 5, "account": "508720451"}}', /field adCampaign\.account: "508720451" is not a urn:li:sponsoredAccount:<id> URN/],
  ['{"adCampaign": {"id": 5, "dailyBudget": {"amount": "12,50"}}}', /field adCampaign\.dailyBudget\.amount: "12,50" is not a decimal number/],
  ['{"adCampaign": {"id": 5, "dailyBudget": "100"}}', /field adCampaign\.dailyBudget: "100" is not an object/],
  ['{"creative": {"id": 136324456}}', /field creative\.id: 136324456 is not a urn:li:sponsoredCreative:<id> URN/],
  ['{"creative": {"id": "urn:li:sponsoredCreative:1", "createdAt": "2021-08-25"}}', /field creative\.createdAt: "2021-08-25" is not an epoch time/],
  ['{"creative": {"id": "urn:li:sponsoredCreative:1", "servingHoldReasons": "X"}}', /field creative\.servingHoldReasons: "X" is not an array/],
  ['{"adAnalytics": {"dateRange": {"start": {"year": 2023, "month": 2, "day": 30}, "end": {"year": 2023, "month": 2, "day": 30}}, "pivotValues": ["urn:li:sponsoredCampaign:1"]}, "pivot": "CAMPAIGN"}', /field adAnalytics\.dateRange\.start: .* is not a real calendar day/],
  ['{"adAnalytics": {"dateRange": {"start": {"year": 2023, "month": 1, "day": 1}, "end": {"year": 2023, "month": 1, "day": 2}}, "pivotValues": ["urn:li:sponsoredCampaign:1"]}, "pivot": "CAMPAIGN"}', /field adAnalytics\.dateRange: .* is not one day \(CAMPAIGN rows are daily\)/],
  ['{"adAnalytics": {"dateRange": {"start": {"year": 2023, "month": 1, "day": 2}, "end": {"year": 2023, "month": 1, "day": 1}}, "pivotValues": ["SIZE_1"]}, "pivot": "MEMBER_COMPANY_SIZE", "account": "urn:li:sponsoredAccount:1"}', /ends before it starts/],
  ['{"adAnalytics": {"dateRange": {"start": {"year": 2023, "month": 1, "day": 1}, "end": {"year": 2023, "month": 1, "day": 1}}, "pivotValues": ["urn:li:sponsoredCampaign:1"], "impressions": -3}, "pivot": "CAMPAIGN"}', /field adAnalytics\.impressions: -3 is not a non-negative integer/],
  ['{"adAnalytics": {"dateRange": {"start": {"year": 2023, "month": 1, "day": 1}, "end": {"year": 2023, "month": 1, "day": 1}}, "pivotValues": ["urn:li:sponsoredCampaign:1"], "clicks": 1.5}, "pivot": "CAMPAIGN"}', /field adAnalytics\.clicks: 1\.5/],
  ['{"adAnalytics": {"dateRange": {"start": {"year": 2023, "month": 1, "day": 1}, "end": {"year": 2023, "month": 1, "day": 1}}, "pivotValues": ["urn:li:sponsoredCampaign:1"], "costInLocalCurrency": "12.5 USD"}, "pivot": "CAMPAIGN"}', /field adAnalytics\.costInLocalCurrency: "12\.5 USD" is not a decimal number/],
  ['{"adAnalytics": {"dateRange": {"start": {"year": 2023, "month": 1, "day": 1}, "end": {"year": 2023, "month": 1, "day": 1}}, "pivotValues": ["urn:li:sponsoredCreative:1"]}, "pivot": "CAMPAIGN"}', /field adAnalytics\.pivotValues\[0\]: .* is a sponsoredCreative URN, not a sponsoredCampaign URN/],
  ['{"adAnalytics": {"dateRange": {"start": {"year": 2023, "month": 1, "day": 1}, "end": {"year": 2023, "month": 1, "day": 1}}, "pivotValues": []}, "pivot": "CAMPAIGN"}', /field adAnalytics\.pivotValues: \[\] is not an array of one pivot value/],
  ['{"adAnalytics": {"dateRange": {"start": {"year": 2023, "month": 1, "day": 1}, "end": {"year": 2023, "month": 1, "day": 1}}, "pivotValues": ["x"]}, "pivot": "IMPRESSION_DEVICE_TYPE"}', /field pivot: "IMPRESSION_DEVICE_TYPE" is not CAMPAIGN, CREATIVE or a MEMBER_\* pivot/],
  ['{"adAnalytics": {"dateRange": {"start": {"year": 2023, "month": 1, "day": 1}, "end": {"year": 2023, "month": 1, "day": 1}}, "pivotValues": ["x"]}, "pivot": "MEMBER_SENIORITY"}', /field account is missing \(required with pivot MEMBER_SENIORITY\)/],
  ['{"adAnalytics": {"dateRange": {"start": {"year": 2023, "month": 1, "day": 1}, "end": {"year": 2023, "month": 1, "day": 1}}, "pivotValues": ["urn:li:sponsoredCampaign:1"]}, "pivot": "CAMPAIGN", "account": "urn:li:sponsoredAccount:1"}', /field account: .* is not an envelope key of this line/],
  ['{"adAnalytics": {"pivotValues": ["urn:li:sponsoredCampaign:1"]}, "pivot": "CAMPAIGN"}', /field adAnalytics\.dateRange: undefined is not an object|field adAnalytics\.dateRange is not an object/],
  ['{"sync": {"accountId": "12; drop table sync_log"}}', /field sync\.accountId: .* is not an account id or "all"/],
  ['{"sync": {"accountId": "all", "who": "me"}}', /field sync\.who: "me" is not a sync field/],
  ['{"adAccount": {"id": 5}}\u0000', /field line contains a NUL character/],
];

LinkedIn('invalid input names the record, the field and the value', () => {
  for (const [line, message] of INVALID) {
    try {
      parseExportLine(line, R);
      assert.unreachable(`accepted: ${line}`);
    } catch (error) {
      assert.instance(error, InvalidValueError, line);
      assert.match((error as Error).message, message, line);
      assert.ok((error as Error).message.startsWith(`${R}: `), line);
    }
  }
});

LinkedIn.run();
