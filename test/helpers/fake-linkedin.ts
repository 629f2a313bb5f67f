/**
 * A fake LinkedIn Marketing API for the sync tests and the benchmark: a seeded dataset
 * built from the real captured records (test/fixtures/linkedin-api), served over HTTP
 * with the rules and traps of LinkedIn's versioned /rest/ API: version and protocol headers, bearer
 * tokens and the refresh grant, cursor paging, the 20-field and 15,000-element caps of
 * adAnalytics, 414 and query tunneling, hidden accounts that look empty, and injected
 * faults (429, 5xx, dropped connections).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportLinesOf } from './fixtures.js';
import { mulberry32 } from '../../src/sample/random.js';

export type Json = Record<string, unknown>;

// ---------------------------------------------------------------------------
// The contract
// ---------------------------------------------------------------------------

export interface FakeDatasetOptions {
  seed: number;
  /** Accounts the token can read (ids 500000001, 500000002, …). */
  accounts: number;
  /** Campaign ids are unique across accounts. */
  campaignsPerAccount: number;
  /** Creative ids are URNs 'urn:li:sponsoredCreative:N'. */
  creativesPerCampaign: number;
  /** Inclusive days (YYYY-MM-DD) that have analytics. */
  from: string;
  to: string;
  /** Monthly MEMBER_* rows (default true). */
  demographics?: boolean;
  /** Accounts that exist but the token cannot read (default 0). */
  hiddenAccounts?: number;
}

export interface FakeDataset {
  /** adAccount elements, readable ones first, then hidden ones. */
  accounts: Json[];
  readableAccountIds: number[];
  hiddenAccountIds: number[];
  /** By account id (hidden accounts included): adCampaign elements. */
  campaigns: Map<number, Json[]>;
  /** By account id (hidden accounts included): creative elements. */
  creatives: Map<number, Json[]>;
  /** `${campaignUrn}|${YYYY-MM-DD}` → metrics (field → value). */
  campaignDays: Map<string, Json>;
  /** `${creativeUrn}|${YYYY-MM-DD}` → metrics. */
  creativeDays: Map<string, Json>;
  /** `${accountId}|${pivot}|${segment}|${YYYY-MM}` → {impressions, clicks}. */
  demographics: Map<string, Json>;
  /** Changes the metric values of those days (LinkedIn restating), keeping them valid; which days exist stays the same. */
  restate(range: { from: string; to: string }, seed: number): void;
}

export interface FakeLinkedInOptions {
  dataset: FakeDataset;
  /** Delay before every response (default 0); the bench uses 150. */
  latencyMs?: number;
  /** Accepted LinkedIn-Version values. */
  versions?: string[];
  /** Fields per analytics request, dateRange and pivotValues included (default 20). */
  maxFields?: number;
  /** adAnalytics silently stops after this many elements (default 15000). */
  elementCap?: number;
  /** A GET whose path+query is longer answers 414 (default 8192). */
  maxUrlLength?: number;
  /** Valid bearer tokens (default ['test-token']). */
  accessTokens?: string[];
  /** The accepted refresh grant. */
  refresh?: { clientId: string; clientSecret: string; refreshToken: string };
  /**
   * Keep each 200 answer's text by method, path and query, and send it again for the
   * same request (a benchmark's warm-up run fills it): the measured run then waits on
   * the latency alone, not on the fake building 5 MB of JSON (default false).
   */
  cacheResponses?: boolean;
  /**
   * The creatives finder leaves out this many creatives of each account (its last
   * ones), while the analytics still report them: deleted creatives, as LinkedIn's
   * finder may omit them (default 0).
   */
  unlistedCreatives?: number;
  /**
   * Awaited before each answer is sent, after the latency: a test holds the answers
   * back until its client has done something (default none).
   */
  beforeAnswer?: (request: FakeRequest) => Promise<void>;
}

export interface FakeLinkedIn {
  /** 'http://127.0.0.1:PORT/rest/' */
  baseUrl: string;
  /** 'http://127.0.0.1:PORT/oauth/v2/accessToken' */
  tokenUrl: string;
  /** Every request received, in order of arrival (also the ones answered with errors). */
  requests: FakeRequest[];
  /** Queues a fault. */
  inject(fault: FakeFault): void;
  /** That token now gets 401. */
  revoke(token: string): void;
  close(): Promise<void>;
}

export interface FakeRequest {
  method: string;
  /** Without the query, e.g. '/rest/adAnalytics'. */
  path: string;
  /** For a form-encoded POST (a tunneled request, the token endpoint): the parsed body. */
  query: URLSearchParams;
  /** The query string as sent (or the form body). */
  rawQuery: string;
  tunneled: boolean;
  /** The final status; 0 while unanswered and for a dropped connection. */
  status: number;
  headers: Record<string, string | string[] | undefined>;
}

export type FakeFault =
  | {
      /** Tested against `${method} ${path}?${rawQuery}` (method as sent: a tunneled request is a POST). */
      match: RegExp;
      /** How many matching requests it answers (default 1). */
      times?: number;
      status: 429 | 500 | 502 | 503;
      /** Sent as Retry-After. */
      retryAfterSeconds?: number;
      /** A daily-limit 429, with LinkedIn's QUOTA_EXCEEDED body. */
      dailyQuota?: boolean;
      /** The body's message instead of the usual one (e.g. one that echoes what was sent). */
      message?: string;
    }
  | { match: RegExp; times?: number; networkError: true }
  /**
   * The usual answer's status and headers and half its body, then the connection
   * dropped ('drop') or left open with nothing more sent ('stall').
   */
  | { match: RegExp; times?: number; cutBody: 'drop' | 'stall' };

// ---------------------------------------------------------------------------
// Names and numbers
// ---------------------------------------------------------------------------

const FIRST_ACCOUNT_ID = 500_000_001;
const FIRST_CAMPAIGN_GROUP_ID = 600_000_001;
const FIRST_CAMPAIGN_ID = 700_000_001;
const FIRST_CREATIVE_ID = 800_000_001;

/** About 1 in 10 (entity, day) pairs has no element, as a day without delivery has none. */
const ABSENT_DAY_SHARE = 0.1;

export const CAMPAIGN_STATUSES = ['ACTIVE', 'PAUSED', 'ARCHIVED', 'COMPLETED', 'CANCELED', 'DRAFT', 'PENDING_DELETION', 'REMOVED'] as const;
export const CREATIVE_STATUSES = ['ACTIVE', 'PAUSED', 'DRAFT', 'ARCHIVED'] as const;
const ACCOUNT_STATUSES = ['ACTIVE', 'ACTIVE', 'ACTIVE', 'CANCELED'] as const;
// CANCELLED is the older docs' spelling, still accepted in a search.
const ACCOUNT_SEARCH_STATUSES = new Set(['ACTIVE', 'CANCELED', 'CANCELLED', 'DRAFT', 'PENDING_DELETION', 'REMOVED']);

/**
 * What adCampaigns answers without a status search. The trap: a client that does not
 * list every status misses the ended campaigns (ARCHIVED, COMPLETED, …) and their rows.
 */
const DEFAULT_CAMPAIGN_STATUSES: ReadonlySet<string> = new Set(['ACTIVE', 'PAUSED', 'DRAFT']);

/** The 13 metrics the store maps (src/store/fields.ts METRIC_TABLE), by LinkedIn name. */
export const STORED_METRICS = [
  'impressions', 'clicks', 'costInLocalCurrency', 'landingPageClicks', 'externalWebsiteConversions', 'likes',
  'comments', 'shares', 'follows', 'oneClickLeads', 'opens', 'sends', 'videoViews',
] as const;

/** Metrics the store does not map: with them, requests of more than 20 fields are plausible. */
export const EXTRA_METRICS = [
  'approximateMemberReach', 'costInUsd', 'videoStarts', 'videoCompletions', 'totalEngagements', 'otherEngagements',
  'reactions', 'cardClicks', 'actionClicks', 'adUnitClicks', 'jobApplications', 'registrations',
] as const;

export const METRICS: readonly string[] = [...STORED_METRICS, ...EXTRA_METRICS];

export const DEMOGRAPHIC_PIVOTS = [
  'MEMBER_COMPANY_SIZE', 'MEMBER_COUNTRY_V2', 'MEMBER_INDUSTRY', 'MEMBER_JOB_FUNCTION',
  'MEMBER_JOB_TITLE', 'MEMBER_REGION_V2', 'MEMBER_SENIORITY', 'MEMBER_COMPANY',
] as const;

type DemographicPivot = (typeof DEMOGRAPHIC_PIVOTS)[number];

/** Values seen in the captures (ABX) and their neighbours. */
const DEMOGRAPHIC_SEGMENTS: Record<DemographicPivot, readonly string[]> = {
  MEMBER_COMPANY_SIZE: ['SIZE_1', 'SIZE_2_TO_10', 'SIZE_11_TO_50', 'SIZE_51_TO_200', 'SIZE_201_TO_500', 'SIZE_501_TO_1000', 'SIZE_1001_TO_5000', 'SIZE_5001_TO_10000', 'SIZE_10001_OR_MORE'],
  MEMBER_COUNTRY_V2: ['urn:li:geo:103644278', 'urn:li:geo:101165590', 'urn:li:geo:101282230', 'urn:li:geo:105015875', 'urn:li:geo:101174742', 'urn:li:geo:102890719', 'urn:li:geo:105646813'],
  MEMBER_INDUSTRY: ['urn:li:industry:4', 'urn:li:industry:6', 'urn:li:industry:11', 'urn:li:industry:43', 'urn:li:industry:96', 'urn:li:industry:99', 'urn:li:industry:137'],
  MEMBER_JOB_FUNCTION: ['urn:li:function:1', 'urn:li:function:4', 'urn:li:function:7', 'urn:li:function:8', 'urn:li:function:13', 'urn:li:function:15', 'urn:li:function:25'],
  MEMBER_JOB_TITLE: ['urn:li:title:1', 'urn:li:title:24', 'urn:li:title:68', 'urn:li:title:100', 'urn:li:title:191', 'urn:li:title:1586', 'urn:li:title:25170'],
  MEMBER_REGION_V2: ['urn:li:geo:90000070', 'urn:li:geo:90000084', 'urn:li:geo:90009446', 'urn:li:geo:90009496', 'urn:li:geo:90000049', 'urn:li:geo:90009626'],
  MEMBER_SENIORITY: ['urn:li:seniority:1', 'urn:li:seniority:2', 'urn:li:seniority:3', 'urn:li:seniority:4', 'urn:li:seniority:5', 'urn:li:seniority:6', 'urn:li:seniority:8'],
  MEMBER_COMPANY: ['urn:li:organization:1234', 'urn:li:organization:3677', 'urn:li:organization:1035', 'urn:li:organization:1441', 'urn:li:organization:33200573', 'urn:li:organization:2382910'],
};
const MIN_SEGMENTS = 3;
const MAX_SEGMENTS = 6;

const CURRENCIES = ['USD', 'USD', 'EUR', 'GBP'] as const;
const ACCOUNT_NAMES = ['Acme Ads', 'Northwind Marketing', 'Globex Growth', 'Initech Brand', 'Umbrella Demand Gen'] as const;
const CAMPAIGN_KINDS = [
  { label: 'Brand awareness', objectiveType: 'BRAND_AWARENESS', optimizationTargetType: 'MAX_REACH', costType: 'CPM', type: 'SPONSORED_UPDATES' },
  { label: 'Website visits', objectiveType: 'WEBSITE_VISIT', optimizationTargetType: 'MAX_CLICK', costType: 'CPC', type: 'SPONSORED_UPDATES' },
  { label: 'Lead generation', objectiveType: 'LEAD_GENERATION', optimizationTargetType: 'MAX_LEAD', costType: 'CPM', type: 'SPONSORED_UPDATES' },
  { label: 'Message ads', objectiveType: 'LEAD_GENERATION', optimizationTargetType: 'NONE', costType: 'CPM', type: 'SPONSORED_INMAILS' },
  { label: 'Text ads', objectiveType: 'WEBSITE_VISIT', optimizationTargetType: 'TARGET_COST_PER_CLICK', costType: 'CPC', type: 'TEXT_AD' },
] as const;
const HOLD_REASONS = ['CAMPAIGN_STOPPED', 'CAMPAIGN_END_DATE_HOLD', 'CAMPAIGN_GROUP_END_DATE_HOLD', 'UNDER_REVIEW'] as const;

// The captured campaign's targetingCriteria is Airbyte's reshaped form; this is the API's own
// (airbytehq/airbyte source-linkedin-ads components.py docstring).
const RAW_TARGETING = {
  include: { and: [{ or: { 'urn:li:adTargetingFacet:locations': ['urn:li:geo:103644278'] } }] },
  exclude: { or: { 'urn:li:adTargetingFacet:seniorities': ['urn:li:seniority:1'] } },
};

const DAY_MS = 86_400_000;
/** Entities are created within a year before this (2024-01-01 UTC). */
const CREATED_BASE_MS = Date.UTC(2024, 0, 1);
const MAX_DAILY_IMPRESSIONS = 20_000;

// ---------------------------------------------------------------------------
// Seeded randomness and days
// ---------------------------------------------------------------------------

type Random = () => number;

export { mulberry32 };

const between = (random: Random, min: number, max: number) => min + Math.floor(random() * (max - min + 1));
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const upTo = (random: Random, of: number, rate: number) => Math.floor(of * rate * random());

function shuffled<T>(random: Random, items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** 'YYYY-MM-DD' → epoch ms at UTC midnight; throws on anything else. */
function dayMs(iso: string): number {
  const match = ISO_DAY.exec(iso);
  const ms = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : Number.NaN;
  if (Number.isNaN(ms) || isoDay(ms) !== iso) throw new Error(`not a day (YYYY-MM-DD): ${iso}`);
  return ms;
}

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The inclusive days from..to. */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let ms = dayMs(from), end = dayMs(to); ms <= end; ms += DAY_MS) days.push(isoDay(ms));
  return days;
}

/** The months ('YYYY-MM') that overlap from..to. */
function monthsBetween(from: string, to: string): string[] {
  const months: string[] = [];
  for (let month = from.slice(0, 7); month <= to.slice(0, 7); month = nextMonth(month)) months.push(month);
  return months;
}

function nextMonth(month: string): string {
  const [year, m] = month.split('-').map(Number) as [number, number];
  return m === 12 ? `${year + 1}-01` : `${year}-${String(m + 1).padStart(2, '0')}`;
}

const firstDayOf = (month: string) => `${month}-01`;
const lastDayOf = (month: string) => isoDay(dayMs(`${nextMonth(month)}-01`) - DAY_MS);

/** '2025-01-05' → LinkedIn's {year, month, day}. */
const ymd = (iso: string) => ({ year: Number(iso.slice(0, 4)), month: Number(iso.slice(5, 7)), day: Number(iso.slice(8, 10)) });

const accountUrn = (id: number) => `urn:li:sponsoredAccount:${id}`;
const campaignUrn = (id: number) => `urn:li:sponsoredCampaign:${id}`;

// ---------------------------------------------------------------------------
// The dataset
// ---------------------------------------------------------------------------

interface Templates {
  account: Json;
  campaign: Json;
  creative: Json;
}

let templates: Templates | undefined;

/** The first captured account, campaign and creative, as raw API shapes. */
function captured(): Templates {
  if (templates) return templates;
  const lines = exportLinesOf('06fb371b');
  const first = (key: string): Json => {
    const line = lines.find((candidate) => key in candidate);
    if (!line) throw new Error(`the 06fb371b capture has no ${key}`);
    return line[key] as Json;
  };
  templates = { account: first('adAccount'), campaign: first('adCampaign'), creative: first('creative') };
  return templates;
}

function auditStamps(random: Random): { created: number; lastModified: number } {
  const created = CREATED_BASE_MS - between(random, 1, 365) * DAY_MS + between(random, 0, DAY_MS - 1);
  return { created, lastModified: created + between(random, 0, 90) * DAY_MS };
}

function accountElement(template: Json, id: number, index: number, random: Random): Json {
  const { created, lastModified } = auditStamps(random);
  return {
    ...structuredClone(template),
    id,
    name: `${pick(random, ACCOUNT_NAMES)} ${index + 1}`,
    currency: pick(random, CURRENCIES),
    status: ACCOUNT_STATUSES[index % ACCOUNT_STATUSES.length],
    reference: `urn:li:organization:${between(random, 1_000, 99_999_999)}`,
    changeAuditStamps: { created: { time: created }, lastModified: { time: lastModified } },
  };
}

function campaignElement(template: Json, id: number, account: Json, groupId: number, status: string, random: Random): Json {
  const kind = pick(random, CAMPAIGN_KINDS);
  const currencyCode = account['currency'] as string;
  const { created, lastModified } = auditStamps(random);
  return {
    ...structuredClone(template),
    id,
    account: accountUrn(account['id'] as number),
    campaignGroup: `urn:li:sponsoredCampaignGroup:${groupId}`,
    name: `${kind.label} - ${id}`,
    status,
    type: kind.type,
    objectiveType: kind.objectiveType,
    costType: kind.costType,
    optimizationTargetType: kind.optimizationTargetType,
    creativeSelection: random() < 0.8 ? 'OPTIMIZED' : 'ROUND_ROBIN',
    offsiteDeliveryEnabled: random() < 0.5,
    audienceExpansionEnabled: random() < 0.5,
    dailyBudget: { currencyCode, amount: String(between(random, 10, 500)) },
    unitCost: { currencyCode, amount: (1 + random() * 60).toFixed(2) },
    targetingCriteria: structuredClone(RAW_TARGETING),
    runSchedule: { start: created, end: created + between(random, 30, 120) * DAY_MS },
    changeAuditStamps: { created: { time: created }, lastModified: { time: lastModified } },
  };
}

function creativeElement(template: Json, id: number, campaign: Json, intendedStatus: string, random: Random): Json {
  const { created, lastModified } = auditStamps(random);
  // A parent's status overrides the creative's: only ACTIVE under ACTIVE serves.
  const isServing = intendedStatus === 'ACTIVE' && campaign['status'] === 'ACTIVE';
  const element: Json = {
    ...structuredClone(template),
    id: `urn:li:sponsoredCreative:${id}`,
    account: campaign['account'],
    campaign: campaignUrn(campaign['id'] as number),
    intendedStatus,
    isServing,
    content: { reference: `urn:li:share:68239${String(between(random, 0, 99_999_999_999_999)).padStart(14, '0')}` },
    createdAt: created,
    lastModifiedAt: lastModified,
  };
  // LinkedIn omits servingHoldReasons while the creative serves.
  if (isServing) delete element['servingHoldReasons'];
  else element['servingHoldReasons'] = shuffled(random, HOLD_REASONS).slice(0, between(random, 1, 3));
  if (random() < 0.5) element['name'] = `Creative ${id}`;
  return element;
}

/** One day's metrics: valid counts, decimal-string costs with 2–6 decimals, roughly consistent ratios. */
function dailyMetrics(random: Random): Json {
  const impressions = Math.floor(random() ** 2 * MAX_DAILY_IMPRESSIONS);
  const clicks = upTo(random, impressions, 0.03);
  const landingPageClicks = upTo(random, clicks, 1);
  const likes = upTo(random, impressions, 0.004);
  const comments = upTo(random, likes, 0.3);
  const shares = upTo(random, likes, 0.2);
  const follows = upTo(random, impressions, 0.001);
  const videoStarts = upTo(random, impressions, 0.2);
  const videoViews = upTo(random, videoStarts, 0.8);
  const cost = (impressions * (5 + random() * 60)) / 1_000;
  const otherEngagements = upTo(random, impressions, 0.002);
  return {
    impressions,
    clicks,
    costInLocalCurrency: cost.toFixed(between(random, 2, 6)),
    landingPageClicks,
    externalWebsiteConversions: upTo(random, landingPageClicks, 0.2),
    likes,
    comments,
    shares,
    follows,
    oneClickLeads: upTo(random, clicks, 0.1),
    opens: upTo(random, impressions, 0.01),
    sends: upTo(random, impressions, 0.01),
    videoViews,
    approximateMemberReach: upTo(random, impressions, 1),
    costInUsd: (cost * (0.9 + random() * 0.2)).toFixed(between(random, 2, 6)),
    videoStarts,
    videoCompletions: upTo(random, videoViews, 0.6),
    totalEngagements: clicks + likes + comments + shares + follows + otherEngagements,
    otherEngagements,
    reactions: likes + upTo(random, likes, 0.2),
    cardClicks: upTo(random, clicks, 0.1),
    actionClicks: upTo(random, clicks, 0.1),
    adUnitClicks: upTo(random, clicks, 0.1),
    jobApplications: upTo(random, clicks, 0.05),
    registrations: upTo(random, clicks, 0.05),
  };
}

function demographicMetrics(random: Random): Json {
  const impressions = between(random, 100, 50_000);
  // At least 3: LinkedIn drops demographic values with fewer events.
  return { impressions, clicks: 3 + upTo(random, impressions, 0.02) };
}

function addDays(days: Map<string, Json>, urn: string, allDays: readonly string[], random: Random): void {
  for (const day of allDays) {
    if (random() < ABSENT_DAY_SHARE) continue;
    days.set(`${urn}|${day}`, dailyMetrics(random));
  }
}

function addDemographics(demographics: Map<string, Json>, accountId: number, months: readonly string[], random: Random): void {
  for (const pivot of DEMOGRAPHIC_PIVOTS) {
    const segments = shuffled(random, DEMOGRAPHIC_SEGMENTS[pivot]).slice(0, between(random, MIN_SEGMENTS, MAX_SEGMENTS));
    for (const month of months) {
      for (const segment of segments) demographics.set(`${accountId}|${pivot}|${segment}|${month}`, demographicMetrics(random));
    }
  }
}

/** Replaces the metrics of the days in range with new valid ones, each different from before. */
function restateDays(days: Map<string, Json>, range: { from: string; to: string }, random: Random): void {
  for (const [key, old] of days) {
    const day = key.slice(key.lastIndexOf('|') + 1);
    if (day < range.from || day > range.to) continue;
    const fresh = dailyMetrics(random);
    // A restatement that happens to draw the same impressions would change nothing a test can see.
    if (fresh['impressions'] === old['impressions']) fresh['impressions'] = (fresh['impressions'] as number) + 1;
    days.set(key, fresh);
  }
}

function checkCount(value: number | undefined, name: string): number {
  if (value === undefined) return 0;
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, not ${value}`);
  return value;
}

/**
 * A seeded dataset: the same options give the same elements and values. Hidden
 * accounts have campaigns, creatives and days too (the data exists; the token just
 * cannot see it), so compare a sync against readableAccountIds' share of the maps.
 */
export function buildDataset(options: FakeDatasetOptions): FakeDataset {
  const readableCount = checkCount(options.accounts, 'accounts');
  const hiddenCount = checkCount(options.hiddenAccounts, 'hiddenAccounts');
  const campaignsPerAccount = checkCount(options.campaignsPerAccount, 'campaignsPerAccount');
  const creativesPerCampaign = checkCount(options.creativesPerCampaign, 'creativesPerCampaign');
  const days = daysBetween(options.from, options.to);
  if (days.length === 0) throw new Error(`from (${options.from}) is after to (${options.to})`);
  const months = monthsBetween(options.from, options.to);
  const random = mulberry32(options.seed);
  const template = captured();

  const readableAccountIds = Array.from({ length: readableCount }, (_, i) => FIRST_ACCOUNT_ID + i);
  const hiddenAccountIds = Array.from({ length: hiddenCount }, (_, i) => FIRST_ACCOUNT_ID + readableCount + i);
  const dataset: FakeDataset = {
    accounts: [],
    readableAccountIds,
    hiddenAccountIds,
    campaigns: new Map(),
    creatives: new Map(),
    campaignDays: new Map(),
    creativeDays: new Map(),
    demographics: new Map(),
    restate(range, seed) {
      dayMs(range.from);
      dayMs(range.to);
      const restateRandom = mulberry32(seed);
      restateDays(dataset.campaignDays, range, restateRandom);
      restateDays(dataset.creativeDays, range, restateRandom);
    },
  };

  // Running counters, so ids are unique across accounts and statuses cycle even with few campaigns per account.
  let campaignCount = 0;
  let creativeCount = 0;
  for (const [index, accountId] of [...readableAccountIds, ...hiddenAccountIds].entries()) {
    const account = accountElement(template.account, accountId, index, random);
    dataset.accounts.push(account);
    const campaigns: Json[] = [];
    const creatives: Json[] = [];
    for (let c = 0; c < campaignsPerAccount; c++, campaignCount++) {
      const status = CAMPAIGN_STATUSES[campaignCount % CAMPAIGN_STATUSES.length]!;
      const campaign = campaignElement(template.campaign, FIRST_CAMPAIGN_ID + campaignCount, account, FIRST_CAMPAIGN_GROUP_ID + index, status, random);
      campaigns.push(campaign);
      addDays(dataset.campaignDays, campaignUrn(campaign['id'] as number), days, random);
      for (let k = 0; k < creativesPerCampaign; k++, creativeCount++) {
        const intended = CREATIVE_STATUSES[creativeCount % CREATIVE_STATUSES.length]!;
        const creative = creativeElement(template.creative, FIRST_CREATIVE_ID + creativeCount, campaign, intended, random);
        creatives.push(creative);
        addDays(dataset.creativeDays, creative['id'] as string, days, random);
      }
    }
    dataset.campaigns.set(accountId, campaigns);
    dataset.creatives.set(accountId, creatives);
  }
  if (options.demographics ?? true) {
    for (const accountId of readableAccountIds) addDemographics(dataset.demographics, accountId, months, random);
  }
  return dataset;
}

// ---------------------------------------------------------------------------
// Rest.li query parsing
// ---------------------------------------------------------------------------

/** An answer, or a thrown one (ApiError) that ends the request early. */
interface Reply {
  status: number;
  body: Json | string;
  headers?: Record<string, string>;
}

class ApiError extends Error {
  constructor(readonly reply: Reply) {
    super(typeof reply.body === 'string' ? reply.body : String(reply.body['message']));
  }
}

const fail = (status: number, code: string, message: string): never => {
  throw new ApiError({ status, body: { status, code, message } });
};
const badRequest = (message: string): never => fail(400, 'ILLEGAL_ARGUMENT', message);

type RestLi = string | RestLi[] | { [key: string]: RestLi };

// Structure sent percent-encoded: the real API rejects it, which is why Airbyte's
// source-linkedin-ads keeps `():,` unescaped (components.py SafeHttpClient).
const ENCODED_STRUCTURE = /%2[89]/i;

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return badRequest(`malformed percent-encoding: ${text}`);
  }
}

/** name → raw value (decoded later, after any Rest.li structure is parsed). */
type Params = Map<string, string>;

function parseQuery(raw: string): Params {
  const params: Params = new Map();
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = decode(eq < 0 ? part : part.slice(0, eq));
    const value = eq < 0 ? '' : part.slice(eq + 1);
    if (ENCODED_STRUCTURE.test(value)) badRequest(`malformed Rest.li: ${name} has percent-encoded structure (${value.slice(0, 80)})`);
    if (params.has(name)) badRequest(`query parameter ${name} is repeated`);
    params.set(name, value);
  }
  return params;
}

/**
 * Rest.li 2.0 values: `(key:value,…)`, `List(a,b)` or a percent-encoded primitive. The
 * structural characters `(),:` end a primitive, so an unencoded URN inside List(…) fails.
 */
function parseRestLi(raw: string, name: string): RestLi {
  let at = 0;
  const malformed = (why: string): never => badRequest(`malformed Rest.li in ${name}: ${why} at ${at} of ${raw.slice(0, 200)}`);
  const primitive = (): string => {
    const start = at;
    while (at < raw.length && !'(),:'.includes(raw[at]!)) at++;
    return decode(raw.slice(start, at));
  };
  const value = (): RestLi => {
    if (raw.startsWith('List(', at)) {
      at += 'List('.length;
      const items: RestLi[] = [];
      if (raw[at] === ')') return at++, items;
      for (;;) {
        items.push(value());
        const next = raw[at++];
        if (next === ')') return items;
        if (next !== ',') malformed('expected , or ) in a List');
      }
    }
    if (raw[at] === '(') {
      at++;
      const record: { [key: string]: RestLi } = {};
      if (raw[at] === ')') return at++, record;
      for (;;) {
        const key = primitive();
        if (key === '' || raw[at++] !== ':') malformed('expected key:value');
        record[key] = value();
        const next = raw[at++];
        if (next === ')') return record;
        if (next !== ',') malformed('expected , or ) in a record');
      }
    }
    return primitive();
  };
  const result = value();
  if (at !== raw.length) malformed('unexpected text');
  return result;
}

function restLiRecord(value: RestLi, name: string, keys: readonly string[]): { [key: string]: RestLi } {
  if (typeof value !== 'object' || Array.isArray(value)) return badRequest(`${name} is not a Rest.li record`);
  for (const key of Object.keys(value)) if (!keys.includes(key)) badRequest(`${name} has an unknown key ${key}`);
  for (const key of keys) if (!(key in value)) badRequest(`${name} lacks ${key}`);
  return value;
}

function restLiList(value: RestLi | undefined, name: string): string[] {
  if (!Array.isArray(value) || !value.every((item): item is string => typeof item === 'string')) {
    return badRequest(`${name} is not a List(…) of values`);
  }
  return value;
}

function requireParam(params: Params, name: string): string {
  const value = params.get(name);
  return value === undefined ? badRequest(`query parameter ${name} is required`) : value;
}

function allowOnly(params: Params, allowed: readonly string[]): void {
  for (const name of params.keys()) if (!allowed.includes(name)) fail(400, 'QUERY_PARAM_NOT_ALLOWED', `query parameter ${name} is not allowed here`);
}

function requireFinder(params: Params, finder: string): void {
  const q = decode(requireParam(params, 'q'));
  if (q !== finder) badRequest(`q=${q}: this fake serves q=${finder} here`);
}

/** `(value:CAMPAIGN)` (Airbyte's form) or a bare `CAMPAIGN`. */
function enumParam(params: Params, name: string): string {
  const raw = requireParam(params, name);
  if (!raw.startsWith('(')) return decode(raw);
  const value = restLiRecord(parseRestLi(raw, name), name, ['value'])['value'];
  return typeof value === 'string' ? value : badRequest(`${name} value is not a value`);
}

/** `(status:(values:List(A,B)))` → its statuses, each one of `known`; undefined when absent. */
function statusSearch(params: Params, known: ReadonlySet<string>): Set<string> | undefined {
  const raw = params.get('search');
  if (raw === undefined) return undefined;
  const search = restLiRecord(parseRestLi(raw, 'search'), 'search', ['status']);
  const values = restLiList(restLiRecord(search['status']!, 'search.status', ['values'])['values'], 'search.status.values');
  for (const status of values) if (!known.has(status)) badRequest(`search: unknown status ${status}`);
  return new Set(values);
}

const URN_ID = /^urn:li:([A-Za-z]+):(\d+)$/;

function urnIds(values: readonly string[], kind: string, name: string): number[] {
  return values.map((value) => {
    const match = URN_ID.exec(value);
    if (!match || match[1] !== kind) return badRequest(`${name}: ${value} is not a urn:li:${kind}:<id>`);
    return Number(match[2]);
  });
}

function dateParam(value: RestLi | undefined, name: string): string {
  const { year, month, day } = restLiRecord(value ?? '', name, ['year', 'month', 'day']);
  const parts = [year, month, day].map((part) => (typeof part === 'string' && /^\d+$/.test(part) ? Number(part) : Number.NaN));
  const [y, m, d] = parts as [number, number, number];
  const iso = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  const ms = Date.UTC(y, m - 1, d);
  if (parts.some(Number.isNaN) || Number.isNaN(ms) || isoDay(ms) !== iso) badRequest(`${name} is not a calendar day`);
  return iso;
}

function dateRangeParam(params: Params): { start: string; end: string } {
  const range = restLiRecord(parseRestLi(requireParam(params, 'dateRange'), 'dateRange'), 'dateRange', ['start', 'end']);
  const start = dateParam(range['start'], 'dateRange.start');
  const end = dateParam(range['end'], 'dateRange.end');
  if (end < start) badRequest('dateRange ends before it starts');
  return { start, end };
}

const ALWAYS_FIELDS = ['dateRange', 'pivotValues'] as const;
/** Without `fields`, LinkedIn sends impressions and clicks only (linkedin-developers/linkedin-api-js-client#23). */
const DEFAULT_FIELDS = [...ALWAYS_FIELDS, 'impressions', 'clicks'];
const KNOWN_FIELDS: ReadonlySet<string> = new Set([...ALWAYS_FIELDS, ...METRICS]);

function fieldsParam(params: Params, maxFields: number): string[] {
  const raw = params.get('fields');
  if (raw === undefined) return DEFAULT_FIELDS;
  const fields = [...new Set(raw.split(',').map(decode))];
  for (const field of fields) if (!KNOWN_FIELDS.has(field)) badRequest(`fields: unknown field ${field}`);
  if (fields.length > maxFields) badRequest(`fields: ${fields.length} fields requested, at most ${maxFields} (dateRange and pivotValues count)`);
  return fields;
}

// ---------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------

const TOKEN_PATH = '/oauth/v2/accessToken';
const ACCESS_TOKEN_SECONDS = 5_184_000; // 60 days
const REFRESH_TOKEN_SECONDS = 31_536_000; // 365 days
const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1_000;

const DEFAULTS = {
  latencyMs: 0,
  versions: ['202601', '202604', '202511'],
  maxFields: 20,
  elementCap: 15_000,
  maxUrlLength: 8_192,
  accessTokens: ['test-token'],
  refresh: { clientId: 'cid', clientSecret: 'secret', refreshToken: 'refresh-token' },
};

const UNAUTHORIZED: Reply = {
  status: 401,
  body: { status: 401, serviceErrorCode: 65600, code: 'REVOKED_ACCESS_TOKEN', message: 'Invalid access token' },
};
const TOO_MANY_REQUESTS = { status: 429, message: 'Too many requests' };
const DAILY_QUOTA = {
  status: 429,
  serviceErrorCode: 101,
  code: 'QUOTA_EXCEEDED',
  message: 'Resource level throttle APPLICATION_AND_MEMBER DAY limit for calls to this resource is reached.',
};
const SERVER_ERROR_MESSAGES: Record<number, string> = { 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable' };

const ok = (body: Json): Reply => ({ status: 200, body });

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

const isForm = (req: IncomingMessage) => (header(req, 'content-type') ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded');

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, reply: Reply, bytes: Buffer): void {
  res.writeHead(reply.status, {
    'content-type': typeof reply.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
    'content-length': String(bytes.length),
    ...reply.headers,
  });
  res.end(bytes);
}

const sleep = (ms: number) => (ms > 0 ? new Promise<void>((resolve) => setTimeout(resolve, ms)) : Promise.resolve());

/** Page tokens are opaque to clients; here, base64url of the next offset. */
const pageToken = (offset: number) => Buffer.from(`offset:${offset}`).toString('base64url');

function paged(elements: Json[], params: Params): Reply {
  const sizeText = params.has('pageSize') ? decode(params.get('pageSize')!) : String(DEFAULT_PAGE_SIZE);
  const size = /^\d+$/.test(sizeText) ? Number(sizeText) : Number.NaN;
  if (!(size >= 1 && size <= MAX_PAGE_SIZE)) badRequest(`pageSize must be 1…${MAX_PAGE_SIZE}, not ${sizeText}`);
  let offset = 0;
  if (params.has('pageToken')) {
    const token = decode(params.get('pageToken')!);
    const match = /^offset:(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
    offset = match ? Number(match[1]) : -1;
    if (!(offset > 0 && offset < elements.length) || pageToken(offset) !== token) badRequest(`unknown pageToken ${token}`);
  }
  const end = offset + size;
  return ok({ elements: elements.slice(offset, end), metadata: end < elements.length ? { nextPageToken: pageToken(end) } : {} });
}

interface QueuedFault {
  fault: FakeFault;
  left: number;
}

class Fake {
  readonly requests: FakeRequest[] = [];
  private readonly faults: QueuedFault[] = [];
  private readonly tokens: Set<string>;
  private readonly revoked = new Set<string>();
  private readonly settings: typeof DEFAULTS;
  private readonly accounts = new Map<number, Json>();
  private readonly readable: ReadonlySet<number>;
  private readonly cache: Map<string, { reply: Reply; bytes: Buffer }> | null;
  private readonly unlisted: number;
  private readonly beforeAnswer: ((request: FakeRequest) => Promise<void>) | undefined;

  constructor(private readonly dataset: FakeDataset, options: FakeLinkedInOptions) {
    this.settings = {
      latencyMs: options.latencyMs ?? DEFAULTS.latencyMs,
      versions: options.versions ?? DEFAULTS.versions,
      maxFields: options.maxFields ?? DEFAULTS.maxFields,
      elementCap: options.elementCap ?? DEFAULTS.elementCap,
      maxUrlLength: options.maxUrlLength ?? DEFAULTS.maxUrlLength,
      accessTokens: options.accessTokens ?? DEFAULTS.accessTokens,
      refresh: options.refresh ?? DEFAULTS.refresh,
    };
    this.tokens = new Set(this.settings.accessTokens);
    this.beforeAnswer = options.beforeAnswer;
    for (const account of dataset.accounts) this.accounts.set(account['id'] as number, account);
    this.readable = new Set(dataset.readableAccountIds);
    this.cache = options.cacheResponses ? new Map() : null;
    this.unlisted = options.unlistedCreatives ?? 0;
  }

  inject(fault: FakeFault): void {
    this.faults.push({ fault, left: fault.times ?? 1 });
  }

  revoke(token: string): void {
    this.revoked.add(token);
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const method = req.method ?? 'GET';
    const formPost = method === 'POST' && isForm(req);
    const rawQuery = formPost ? body : q < 0 ? '' : url.slice(q + 1);
    const tunneled = formPost && path.startsWith('/rest/') && header(req, 'x-http-method-override')?.toUpperCase() === 'GET';
    const record: FakeRequest = { method, path, query: new URLSearchParams(rawQuery), rawQuery, tunneled, status: 0, headers: { ...req.headers } };
    this.requests.push(record);

    // The latency is the whole time to answer, the fake's own work included: a
    // benchmark then measures the client against a server of exactly that speed.
    const arrived = performance.now();
    const fault = this.takeFault(`${method} ${path}?${rawQuery}`);
    const cached = fault ? undefined : this.cache?.get(`${method} ${path}?${rawQuery}`);
    const reply =
      cached?.reply ??
      (fault && 'networkError' in fault ? null : fault && 'status' in fault ? faultReply(fault) : this.answer(req, method, path, rawQuery, tunneled));
    // Encoded before the wait, not after it: a 5 MB body took the fake ~10 ms to encode,
    // time each response then reached the client late, and another's timer fired late.
    const bytes = cached?.bytes ?? Buffer.from(reply === null ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body));
    if (this.cache && !fault && !cached && reply?.status === 200 && path !== TOKEN_PATH) this.cache.set(`${method} ${path}?${rawQuery}`, { reply, bytes });
    await sleep(this.settings.latencyMs - (performance.now() - arrived));
    await this.beforeAnswer?.(record);
    if (reply === null) {
      req.socket.destroy();
      return;
    }
    record.status = reply.status;
    if (fault && 'cutBody' in fault) {
      res.writeHead(reply.status, { 'content-type': 'application/json', 'content-length': String(bytes.length), ...reply.headers });
      // 'drop' ends the connection once the half is written; 'stall' leaves it to close().
      res.write(bytes.subarray(0, bytes.length >> 1), () => fault.cutBody === 'drop' && req.socket.destroy());
      return;
    }
    send(res, reply, bytes);
  }

  private takeFault(target: string): FakeFault | undefined {
    const index = this.faults.findIndex(({ fault }) => {
      fault.match.lastIndex = 0; // a /g or /y RegExp keeps state between tests
      return fault.match.test(target);
    });
    const queued = this.faults[index];
    if (!queued) return undefined;
    if (--queued.left <= 0) this.faults.splice(index, 1);
    return queued.fault;
  }

  private answer(req: IncomingMessage, method: string, path: string, rawQuery: string, tunneled: boolean): Reply {
    try {
      if (path === TOKEN_PATH) return this.token(method, rawQuery);
      if (path.startsWith('/rest/')) return this.rest(req, method, path, rawQuery, tunneled);
      return fail(404, 'NOT_FOUND', `no route for ${path}`);
    } catch (error) {
      if (error instanceof ApiError) return error.reply;
      // A bug in the fake: say so plainly rather than look like LinkedIn.
      return { status: 500, body: { status: 500, message: `fake LinkedIn failed: ${(error as Error).stack ?? String(error)}` } };
    }
  }

  private checkHeaders(req: IncomingMessage): void {
    const version = header(req, 'linkedin-version');
    if (version === undefined) fail(426, 'NONEXISTENT_VERSION', 'Requested version is missing: send a LinkedIn-Version header');
    else if (!this.settings.versions.includes(version)) fail(426, 'NONEXISTENT_VERSION', `Requested version ${version} is not active`);
    if (header(req, 'x-restli-protocol-version') !== '2.0.0') fail(400, 'INVALID_PROTOCOL_VERSION', 'X-Restli-Protocol-Version must be 2.0.0');
    const token = /^Bearer (\S+)$/.exec(header(req, 'authorization') ?? '')?.[1];
    if (token === undefined || !this.tokens.has(token) || this.revoked.has(token)) throw new ApiError(UNAUTHORIZED);
  }

  private rest(req: IncomingMessage, method: string, path: string, rawQuery: string, tunneled: boolean): Reply {
    this.checkHeaders(req);
    if (method === 'GET' && (req.url ?? '').length > this.settings.maxUrlLength) {
      return { status: 414, body: 'URI Too Long' };
    }
    if (method !== 'GET' && !tunneled) {
      fail(405, 'METHOD_NOT_ALLOWED', `${method} ${path}: only GET, or POST with X-HTTP-Method-Override: GET and a form body`);
    }
    const params = parseQuery(rawQuery);
    let match: RegExpExecArray | null;
    if (path === '/rest/adAccounts') return this.searchAccounts(params);
    if ((match = /^\/rest\/adAccounts\/(\d+)$/.exec(path))) return this.getAccount(Number(match[1]), params);
    if ((match = /^\/rest\/adAccounts\/(\d+)\/adCampaigns$/.exec(path))) return this.searchCampaigns(Number(match[1]), params);
    if ((match = /^\/rest\/adAccounts\/(\d+)\/creatives$/.exec(path))) return this.findCreatives(req, Number(match[1]), params);
    if (path === '/rest/adAnalytics') return this.analytics(params);
    return fail(404, 'NOT_FOUND', `no route for ${path}`);
  }

  private searchAccounts(params: Params): Reply {
    allowOnly(params, ['q', 'search', 'pageSize', 'pageToken']);
    requireFinder(params, 'search');
    const statuses = statusSearch(params, ACCOUNT_SEARCH_STATUSES);
    const readable = this.dataset.accounts.filter((account) => this.readable.has(account['id'] as number));
    return paged(statuses ? readable.filter((account) => statuses.has(account['status'] as string)) : readable, params);
  }

  private getAccount(id: number, params: Params): Reply {
    allowOnly(params, []);
    const account = this.accounts.get(id);
    if (!account) return fail(404, 'NOT_FOUND', `adAccount ${id} does not exist`);
    if (!this.readable.has(id)) fail(403, 'ACCESS_DENIED', 'Not enough permissions to access: adAccounts.GET.20260101');
    return ok(account);
  }

  /** The account's elements; for a hidden account none (the real API's "looks like no data" trap). */
  private visible(map: Map<number, Json[]>, accountId: number): Json[] {
    if (!this.accounts.has(accountId)) return fail(404, 'NOT_FOUND', `adAccount ${accountId} does not exist`);
    return this.readable.has(accountId) ? (map.get(accountId) ?? []) : [];
  }

  private searchCampaigns(accountId: number, params: Params): Reply {
    allowOnly(params, ['q', 'search', 'pageSize', 'pageToken']);
    requireFinder(params, 'search');
    const statuses = statusSearch(params, new Set(CAMPAIGN_STATUSES)) ?? DEFAULT_CAMPAIGN_STATUSES;
    const campaigns = this.visible(this.dataset.campaigns, accountId);
    return paged(campaigns.filter((campaign) => statuses.has(campaign['status'] as string)), params);
  }

  private findCreatives(req: IncomingMessage, accountId: number, params: Params): Reply {
    if (header(req, 'x-restli-method')?.toUpperCase() !== 'FINDER') badRequest('creatives: the X-RestLi-Method: FINDER header is required');
    allowOnly(params, ['q', 'campaigns', 'pageSize', 'pageToken']);
    requireFinder(params, 'criteria');
    let creatives = this.visible(this.dataset.creatives, accountId);
    if (this.unlisted > 0) creatives = creatives.slice(0, Math.max(0, creatives.length - this.unlisted));
    if (params.has('campaigns')) {
      const ids = urnIds(restLiList(parseRestLi(params.get('campaigns')!, 'campaigns'), 'campaigns'), 'sponsoredCampaign', 'campaigns');
      const wanted = new Set(ids.map(campaignUrn));
      creatives = creatives.filter((creative) => wanted.has(creative['campaign'] as string));
    }
    return paged(creatives, params);
  }

  private analytics(params: Params): Reply {
    allowOnly(params, ['q', 'pivot', 'timeGranularity', 'dateRange', 'accounts', 'fields']);
    requireFinder(params, 'analytics');
    const pivot = enumParam(params, 'pivot');
    const granularity = enumParam(params, 'timeGranularity');
    const range = dateRangeParam(params);
    const listed = urnIds(restLiList(parseRestLi(requireParam(params, 'accounts'), 'accounts'), 'accounts'), 'sponsoredAccount', 'accounts');
    const fields = fieldsParam(params, this.settings.maxFields);
    // An account the token cannot read contributes nothing, with no error.
    const accounts = [...new Set(listed)].filter((id) => this.readable.has(id));
    let elements: Json[];
    if ((pivot === 'CAMPAIGN' || pivot === 'CREATIVE') && granularity === 'DAILY') {
      elements = this.dailyRows(pivot, accounts, range, fields);
    } else if ((DEMOGRAPHIC_PIVOTS as readonly string[]).includes(pivot) && granularity === 'MONTHLY') {
      elements = this.monthlyRows(pivot, accounts, range, fields);
    } else {
      return badRequest(`this fake serves DAILY CAMPAIGN/CREATIVE and MONTHLY MEMBER_* analytics, not ${granularity} ${pivot}`);
    }
    // No total and no marker: a response cut at the cap looks complete (OWOX/owox-data-marts#1569
    // fetches one day at a time because of it).
    return ok({ elements, paging: { start: 0, count: 10, links: [] } });
  }

  /** One element per present (entity, day), by day then entity, so the cap drops the latest days. */
  private dailyRows(pivot: 'CAMPAIGN' | 'CREATIVE', accounts: number[], range: { start: string; end: string }, fields: string[]): Json[] {
    const entities = accounts.flatMap((id) =>
      pivot === 'CAMPAIGN'
        ? (this.dataset.campaigns.get(id) ?? []).map((campaign) => campaignUrn(campaign['id'] as number))
        : (this.dataset.creatives.get(id) ?? []).map((creative) => creative['id'] as string),
    );
    entities.sort((a, b) => Number(a.slice(a.lastIndexOf(':') + 1)) - Number(b.slice(b.lastIndexOf(':') + 1)));
    const days = pivot === 'CAMPAIGN' ? this.dataset.campaignDays : this.dataset.creativeDays;
    const elements: Json[] = [];
    for (const day of daysBetween(range.start, range.end)) {
      const dateRange = { start: ymd(day), end: ymd(day) };
      for (const urn of entities) {
        const metrics = days.get(`${urn}|${day}`);
        if (!metrics) continue;
        elements.push(analyticsElement(urn, dateRange, metrics, fields));
        if (elements.length >= this.settings.elementCap) return elements;
      }
    }
    return elements;
  }

  /**
   * One element per (segment, month) overlapping the range, its dateRange clipped to
   * the range; several accounts in one request are summed per segment, as LinkedIn
   * aggregates over the facet (so a demographic row belongs to an account only when
   * the request names one).
   */
  private monthlyRows(pivot: string, accounts: number[], range: { start: string; end: string }, fields: string[]): Json[] {
    const wanted = new Set(accounts.map(String));
    const firstMonth = range.start.slice(0, 7);
    const lastMonth = range.end.slice(0, 7);
    const sums = new Map<string, { impressions: number; clicks: number }>();
    for (const [key, metrics] of this.dataset.demographics) {
      const [account, rowPivot, segment, month] = key.split('|') as [string, string, string, string];
      if (rowPivot !== pivot || !wanted.has(account) || month < firstMonth || month > lastMonth) continue;
      const sum = sums.get(`${month}|${segment}`) ?? { impressions: 0, clicks: 0 };
      sum.impressions += metrics['impressions'] as number;
      sum.clicks += metrics['clicks'] as number;
      sums.set(`${month}|${segment}`, sum);
    }
    const elements: Json[] = [];
    for (const key of [...sums.keys()].sort()) {
      const [month, segment] = key.split('|') as [string, string];
      const start = firstDayOf(month) < range.start ? range.start : firstDayOf(month);
      const end = lastDayOf(month) > range.end ? range.end : lastDayOf(month);
      elements.push(analyticsElement(segment, { start: ymd(start), end: ymd(end) }, sums.get(key)!, fields));
      if (elements.length >= this.settings.elementCap) break;
    }
    return elements;
  }

  private token(method: string, body: string): Reply {
    if (method !== 'POST') fail(405, 'METHOD_NOT_ALLOWED', `${method} ${TOKEN_PATH}`);
    const form = new URLSearchParams(body);
    const grant = this.settings.refresh;
    const invalid = (status: number, description: string): Reply => ({ status, body: { error: 'invalid_grant', error_description: description } });
    if (form.get('grant_type') !== 'refresh_token') return invalid(400, `grant_type must be refresh_token, not ${form.get('grant_type')}`);
    if (form.get('client_id') !== grant.clientId || form.get('client_secret') !== grant.clientSecret) return invalid(401, 'Client authentication failed');
    if (form.get('refresh_token') !== grant.refreshToken) return invalid(400, 'The provided refresh token is invalid, expired or revoked');
    const accessToken = randomBytes(24).toString('base64url');
    this.tokens.add(accessToken);
    // Refreshing does not extend the refresh token: the same one comes back.
    return ok({ access_token: accessToken, expires_in: ACCESS_TOKEN_SECONDS, refresh_token: grant.refreshToken, refresh_token_expires_in: REFRESH_TOKEN_SECONDS });
  }
}

/** Only the requested fields, as LinkedIn projects them. */
function analyticsElement(pivotValue: string, dateRange: Json, metrics: Json, fields: readonly string[]): Json {
  const element: Json = {};
  for (const field of fields) {
    if (field === 'pivotValues') element['pivotValues'] = [pivotValue];
    else if (field === 'dateRange') element['dateRange'] = dateRange;
    else if (field in metrics) element[field] = metrics[field];
  }
  return element;
}

function faultReply(fault: Extract<FakeFault, { status: number }>): Reply {
  const headers: Record<string, string> = fault.retryAfterSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterSeconds) };
  if (fault.message !== undefined) return { status: fault.status, body: { status: fault.status, message: fault.message }, headers };
  if (fault.status === 429) return { status: 429, body: fault.dailyQuota ? DAILY_QUOTA : TOO_MANY_REQUESTS, headers };
  return { status: fault.status, body: { status: fault.status, message: SERVER_ERROR_MESSAGES[fault.status] ?? 'Server error' }, headers };
}

/** Starts the fake on 127.0.0.1 at a free port; close() ends it and its open connections. */
export async function startFakeLinkedIn(options: FakeLinkedInOptions): Promise<FakeLinkedIn> {
  const fake = new Fake(options.dataset, options);
  const server = createServer((req, res) => {
    fake.handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) { const reply = { status: 500, body: { status: 500, message: `fake LinkedIn failed: ${String(error)}` } }; send(res, reply, Buffer.from(JSON.stringify(reply.body))); }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    baseUrl: `${origin}/rest/`,
    tokenUrl: `${origin}${TOKEN_PATH}`,
    requests: fake.requests,
    inject: (fault) => fake.inject(fault),
    revoke: (token) => fake.revoke(token),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive sockets of fetch would hold close() open until they time out.
        server.closeAllConnections();
      }),
  };
}
