import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { mulberry32 } from './random.js';
import { DAY_MS } from '../days.js';

/**
 * A realistic synthetic LinkedIn Ads export in the ingest format (NDJSON envelopes
 * of API elements, src/linkedin/export.ts): accounts in several currencies;
 * campaigns of every type and status in several campaign groups; creatives with and
 * without serving hold reasons; daily CAMPAIGN and CREATIVE analytics (a campaign's
 * day is the sum of its creatives' days) with weekday seasonality; monthly
 * demographic rows for several MEMBER_* pivots; one sync line.
 *
 * Deterministic: the same options give the same bytes (a seeded generator; no
 * clock is read but for the default end, yesterday UTC).
 */

export interface SampleOptions {
  /** Accounts (default 3). */
  accounts?: number | undefined;
  /** Days of analytics ending at `end` (default 365). */
  days?: number | undefined;
  /** The last day, 'YYYY-MM-DD' (default: yesterday, UTC). */
  end?: string | undefined;
  /** Any text; the same seed and end give the same file (default "1"). */
  seed?: string | undefined;
}

export interface SampleSummary {
  lines: number;
  accounts: number;
  campaigns: number;
  creatives: number;
  campaignDays: number;
  creativeDays: number;
  demographicRows: number;
  from: string;
  to: string;
}

const CURRENCIES = ['USD', 'EUR', 'GBP', 'CAD', 'AUD', 'JPY'];
const CAMPAIGN_TYPES = ['SPONSORED_UPDATES', 'TEXT_AD', 'SPONSORED_INMAILS', 'DYNAMIC'];
// Every status LinkedIn documents; the ones that never served get no analytics.
const CAMPAIGN_STATUSES = ['ACTIVE', 'PAUSED', 'ARCHIVED', 'COMPLETED', 'CANCELED', 'DRAFT', 'PENDING_DELETION', 'REMOVED'];
const SERVED = new Set(['ACTIVE', 'PAUSED', 'ARCHIVED', 'COMPLETED', 'CANCELED', 'REMOVED']);
const OBJECTIVES = ['BRAND_AWARENESS', 'WEBSITE_VISIT', 'LEAD_GENERATION', 'WEBSITE_CONVERSION', 'ENGAGEMENT', 'VIDEO_VIEW'];
const HOLD_REASONS = ['UNDER_REVIEW', 'CAMPAIGN_PAUSED', 'ACCOUNT_SERVING_HOLD', 'CAMPAIGN_END_DATE_HOLD'];
const NAMES = ['Spring launch', 'Brand lift', 'Webinar signups', 'Retargeting', 'Product tour', 'Hiring push', 'Case study', 'Demo requests', 'Newsletter', 'Event promo'];
/** Demographic pivots with their segments (pivotValues as LinkedIn sends them) and relative weights. */
const PIVOTS: Array<{ pivot: string; segments: string[] }> = [
  { pivot: 'MEMBER_SENIORITY', segments: Array.from({ length: 10 }, (_, i) => `urn:li:seniority:${i + 1}`) },
  { pivot: 'MEMBER_JOB_FUNCTION', segments: Array.from({ length: 26 }, (_, i) => `urn:li:function:${i + 1}`) },
  { pivot: 'MEMBER_INDUSTRY', segments: Array.from({ length: 40 }, (_, i) => `urn:li:industry:${i * 7 + 3}`) },
  { pivot: 'MEMBER_COMPANY_SIZE', segments: ['SIZE_1', 'SIZE_2_TO_10', 'SIZE_11_TO_50', 'SIZE_51_TO_200', 'SIZE_201_TO_500', 'SIZE_501_TO_1000', 'SIZE_1001_TO_5000', 'SIZE_5001_TO_10000', 'SIZE_10001_OR_MORE'] },
  { pivot: 'MEMBER_COUNTRY_V2', segments: ['urn:li:geo:103644278', 'urn:li:geo:101165590', 'urn:li:geo:101282230', 'urn:li:geo:105015875', 'urn:li:geo:101174742', 'urn:li:geo:102713980', 'urn:li:geo:101452733', 'urn:li:geo:102890719'] },
  { pivot: 'MEMBER_JOB_TITLE', segments: Array.from({ length: 60 }, (_, i) => `urn:li:title:${i * 13 + 1}`) },
];

const toDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const dateRange = (from: string, to: string) => {
  const part = (d: string) => ({ year: Number(d.slice(0, 4)), month: Number(d.slice(5, 7)), day: Number(d.slice(8, 10)) });
  return { start: part(from), end: part(to) };
};

/** mulberry32 seeded by the FNV-1a hash of the seed text. */
function random(seed: string): () => number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) hash = Math.imul(hash ^ seed.charCodeAt(i), 0x01000193);
  return mulberry32(hash);
}

/** Yesterday, UTC. */
export const yesterday = () => toDate(Date.now() - DAY_MS);

/** Writes the sample to `out` (NDJSON, one element per line); resolves to what it wrote. */
export async function writeSample(out: Writable, options: SampleOptions = {}): Promise<SampleSummary> {
  const accounts = options.accounts ?? 3;
  const days = options.days ?? 365;
  const end = options.end ?? yesterday();
  const rand = random(options.seed ?? '1');
  const pick = <T>(items: readonly T[]) => items[Math.floor(rand() * items.length)]!;
  const endMs = Date.parse(`${end}T00:00:00Z`);
  const firstMs = endMs - (days - 1) * DAY_MS;
  const summary: SampleSummary = { lines: 0, accounts, campaigns: 0, creatives: 0, campaignDays: 0, creativeDays: 0, demographicRows: 0, from: toDate(firstMs), to: end };

  let buffer = '';
  const emit = async (envelope: object) => {
    buffer += `${JSON.stringify(envelope)}\n`;
    summary.lines += 1;
    if (buffer.length >= 1 << 16) await flush();
  };
  const flush = async () => {
    if (buffer && !out.write(buffer)) await once(out, 'drain');
    buffer = '';
  };

  for (let a = 0; a < accounts; a++) {
    const accountId = 508_000_000 + a * 7919;
    const accountUrn = `urn:li:sponsoredAccount:${accountId}`;
    const currency = CURRENCIES[a % CURRENCIES.length]!;
    // Yen amounts are whole; others have cents.
    const unit = currency === 'JPY' ? 100 : 1;
    const createdMs = firstMs - Math.floor(30 + rand() * 400) * DAY_MS;
    await emit({
      adAccount: {
        id: accountId, name: `${pick(['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Stark'])} ${currency} ${a + 1}`, currency,
        status: a === accounts - 1 && accounts > 2 ? 'CANCELED' : 'ACTIVE', type: a % 4 === 3 ? 'ENTERPRISE' : 'BUSINESS', test: false,
        reference: `urn:li:organization:${2_414_000 + a}`, servingStatuses: ['RUNNABLE'],
        changeAuditStamps: { created: { time: createdMs }, lastModified: { time: createdMs + 5 * DAY_MS } },
      },
    });
    const groups = Array.from({ length: 2 + (a % 2) }, (_, g) => `urn:li:sponsoredCampaignGroup:${611_000_000 + a * 100 + g}`);
    // Every type and every status at least once per account, then a few more.
    const campaignCount = Math.max(CAMPAIGN_STATUSES.length, 10);
    const accountDays = new Map<string, number>(); // date → impressions, for the demographics
    for (let c = 0; c < campaignCount; c++) {
      const campaignId = 190_000_000 + a * 1000 + c;
      const status = CAMPAIGN_STATUSES[c % CAMPAIGN_STATUSES.length]!;
      const type = CAMPAIGN_TYPES[c % CAMPAIGN_TYPES.length]!;
      const dailyBudget = (20 + Math.floor(rand() * 480)) * unit;
      const costType = type === 'SPONSORED_INMAILS' ? 'CPS' : pick(['CPM', 'CPC']);
      // A campaign runs for part of the range: from a start day to an end day.
      const startOffset = Math.floor(rand() * days * 0.5);
      const stopOffset = status === 'ACTIVE' ? days - 1 : Math.min(days - 1, startOffset + 20 + Math.floor(rand() * days * 0.6));
      await emit({
        adCampaign: {
          id: campaignId, account: accountUrn, campaignGroup: pick(groups), name: `${pick(NAMES)} ${a + 1}.${c + 1}`, status, type,
          costType, objectiveType: pick(OBJECTIVES), optimizationTargetType: pick(['MAX_CLICK', 'MAX_IMPRESSION', 'MAX_CONVERSION', 'NONE']),
          dailyBudget: { amount: `${dailyBudget}`, currencyCode: currency },
          ...(c % 3 === 0 && { totalBudget: { amount: `${dailyBudget * 60}`, currencyCode: currency } }),
          unitCost: { amount: (((2 + rand() * 8) * unit)).toFixed(currency === 'JPY' ? 0 : 2), currencyCode: currency },
          creativeSelection: pick(['OPTIMIZED', 'ROUND_ROBIN']), offsiteDeliveryEnabled: rand() < 0.4, audienceExpansionEnabled: rand() < 0.3,
          locale: { country: 'US', language: 'en' },
          runSchedule: { start: firstMs + startOffset * DAY_MS },
          changeAuditStamps: { created: { time: firstMs + (startOffset - 3) * DAY_MS }, lastModified: { time: firstMs + stopOffset * DAY_MS } },
        },
      });
      summary.campaigns += 1;
      const creativeIds = Array.from({ length: 2 + (c % 3) }, (_, k) => `urn:li:sponsoredCreative:${250_000_000 + a * 10_000 + c * 10 + k}`);
      for (const [k, creativeId] of creativeIds.entries()) {
        const serving = SERVED.has(status) && status !== 'REMOVED' && k !== 2;
        const holdReasons = serving ? [] : status === 'PAUSED' ? ['CAMPAIGN_PAUSED'] : [pick(HOLD_REASONS)];
        await emit({
          creative: {
            id: creativeId, campaign: `urn:li:sponsoredCampaign:${campaignId}`, account: accountUrn,
            intendedStatus: status === 'DRAFT' ? 'DRAFT' : k === 2 ? 'PAUSED' : status === 'ACTIVE' ? 'ACTIVE' : status,
            isServing: serving, ...(holdReasons.length > 0 && { servingHoldReasons: holdReasons }),
            content: { reference: `urn:li:share:${7_100_000_000 + a * 10_000 + c * 10 + k}` },
            name: `${pick(['Carousel', 'Single image', 'Video', 'Document', 'Text'])} ${k + 1}`,
            createdAt: firstMs + (startOffset - 2) * DAY_MS, lastModifiedAt: firstMs + stopOffset * DAY_MS,
          },
        });
        summary.creatives += 1;
      }
      if (!SERVED.has(status)) continue;
      // Daily analytics: each creative's day, then the campaign's day as their sum.
      const reach = 500 + rand() * 4000;
      const ctr = 0.003 + rand() * 0.012;
      const cpc = (1.5 + rand() * 9) * unit; // in account currency
      for (let d = startOffset; d <= stopOffset; d++) {
        const dateMs = firstMs + d * DAY_MS;
        const date = toDate(dateMs);
        const weekday = new Date(dateMs).getUTCDay();
        const season = weekday === 0 || weekday === 6 ? 0.45 : weekday === 2 || weekday === 3 ? 1.15 : 1;
        const total = { impressions: 0, clicks: 0, cents: 0, landingPageClicks: 0, externalWebsiteConversions: 0, likes: 0, comments: 0, shares: 0, follows: 0, oneClickLeads: 0 };
        for (const [k, creativeId] of creativeIds.entries()) {
          const impressions = Math.round((reach / creativeIds.length) * season * (0.6 + rand() * 0.8) * (k === 0 ? 1.4 : 1));
          const clicks = Math.round(impressions * ctr * (0.5 + rand()));
          const cents = Math.round(clicks * cpc * (0.8 + rand() * 0.4) * 100);
          const m = {
            impressions, clicks, cents,
            landingPageClicks: Math.round(clicks * 0.8), externalWebsiteConversions: Math.round(clicks * 0.05 * rand() * 2),
            likes: Math.round(impressions * 0.002 * rand()), comments: rand() < 0.1 ? 1 : 0, shares: rand() < 0.05 ? 1 : 0, follows: rand() < 0.08 ? 1 : 0,
            oneClickLeads: type === 'SPONSORED_UPDATES' ? Math.round(clicks * 0.03 * rand() * 2) : 0,
          };
          for (const key of Object.keys(total) as Array<keyof typeof total>) total[key] += m[key];
          if (impressions === 0) continue; // LinkedIn omits days without activity
          await emit({ adAnalytics: analytics(date, creativeId, m, unit), pivot: 'CREATIVE' });
          summary.creativeDays += 1;
        }
        if (total.impressions === 0) continue;
        await emit({ adAnalytics: analytics(date, `urn:li:sponsoredCampaign:${campaignId}`, total, unit), pivot: 'CAMPAIGN' });
        summary.campaignDays += 1;
        accountDays.set(date, (accountDays.get(date) ?? 0) + total.impressions);
      }
    }
    // Demographics: per calendar month of the range, each pivot's segments share the
    // account's impressions by fixed weights; LinkedIn drops segments under 1 %.
    const months = new Map<string, { from: string; to: string; impressions: number }>();
    for (const [date, impressions] of [...accountDays].sort()) {
      const key = date.slice(0, 7);
      const month = months.get(key) ?? { from: date, to: date, impressions: 0 };
      month.to = date;
      month.impressions += impressions;
      months.set(key, month);
    }
    for (const { pivot, segments } of PIVOTS) {
      const weights = segments.map(() => rand() ** 3);
      const sum = weights.reduce((x, y) => x + y, 0);
      for (const month of months.values()) {
        for (const [s, segment] of segments.entries()) {
          const share = weights[s]! / sum;
          if (share < 0.01) continue;
          const impressions = Math.round(month.impressions * share * (0.9 + rand() * 0.2));
          if (impressions === 0) continue;
          await emit({
            adAnalytics: { dateRange: dateRange(month.from, month.to), pivotValues: [segment], impressions, clicks: Math.round(impressions * (0.002 + rand() * 0.01)) },
            pivot,
            account: accountUrn,
          });
          summary.demographicRows += 1;
        }
      }
    }
  }
  await emit({ sync: { accountId: accounts === 1 ? String(508_000_000) : 'all', trigger: 'sample', apiCallsMade: accounts * (2 + PIVOTS.length) } });
  await flush();
  return summary;
}

function analytics(date: string, urn: string, m: Record<string, number>, unit: number) {
  const { cents, ...counts } = m;
  return {
    dateRange: dateRange(date, date),
    pivotValues: [urn],
    ...counts,
    // Money as LinkedIn sends it: a decimal string in the account's currency.
    costInLocalCurrency: unit === 100 ? String(Math.round(cents! / 100)) : (cents! / 100).toFixed(2),
  };
}
