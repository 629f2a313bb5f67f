import type { AccountInput } from '../store/accounts.js';
import type { CampaignInput } from '../store/campaigns.js';
import type { CreativeInput } from '../store/creatives.js';
import type { AudienceDemographicInput } from '../store/demographics.js';
import type { CampaignDailyMetricInput, CreativeDailyMetricInput, DailyMetricValues } from '../store/metrics.js';
import {
  checkBoolean,
  checkCount,
  checkDecimal,
  checkId,
  checkKeyText,
  checkText,
  fromEpochMs,
  InvalidValueError,
  isoDate,
} from '../values.js';
import { checkUrn, urnId } from './urn.js';

/**
 * LinkedIn Marketing API elements (versioned /rest/ shapes, see
 * docs/export-format.md) mapped to the store's rows. Pure: no database.
 * A field absent from the element is absent (undefined) in the row, so the store
 * keeps what it knew; a field present with null is null, so the store clears it.
 * Every problem throws InvalidValueError naming the record, the field path and the value.
 */

type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function object(value: unknown, record: string, field: string): Json {
  if (!isObject(value)) throw new InvalidValueError(record, field, value, 'is not an object');
  return value;
}

const has = (element: Json, key: string) => Object.prototype.hasOwnProperty.call(element, key);

/** undefined when absent, null when null, else the checked value. */
function optional<T>(element: Json, key: string, check: (value: unknown) => T): T | null | undefined {
  if (!has(element, key)) return undefined;
  const value = element[key];
  return value === null ? null : check(value);
}

const text = (record: string, path: string) => (value: unknown) => checkText(value, record, path);
/** Text of an indexed column (an account's name, a segment). */
const keyText = (record: string, path: string) => (value: unknown) => checkKeyText(value, record, path);
const bool = (record: string, path: string) => (value: unknown) => checkBoolean(value, record, path);

/** A decimal as exact text: a decimal string as sent, or a JSON number in its shortest form. */
export function decimal(value: unknown, record: string, field: string): string {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new InvalidValueError(record, field, value, 'is not a finite number');
    return String(value); // ECMAScript's shortest round-trip form: 0.1 → "0.1", -2e-18 → "-2e-18"
  }
  return checkDecimal(value, record, field);
}

/** `{"amount": "…", "currencyCode": "USD"}` → its amount (and currency), or null. */
function money(element: Json, key: string, record: string, prefix: string) {
  if (!has(element, key)) return undefined;
  if (element[key] === null) return null;
  const amount = object(element[key], record, `${prefix}.${key}`);
  return {
    amount: decimal(amount['amount'], record, `${prefix}.${key}.amount`),
    currency: optional(amount, 'currencyCode', text(record, `${prefix}.${key}.currencyCode`)) ?? null,
  };
}

/** changeAuditStamps.created.time (epoch ms) → created_at. */
function createdAt(element: Json, record: string, prefix: string): Date | null | undefined {
  if (!has(element, 'changeAuditStamps')) return undefined;
  if (element['changeAuditStamps'] === null) return null;
  const stamps = object(element['changeAuditStamps'], record, `${prefix}.changeAuditStamps`);
  if (!has(stamps, 'created')) return undefined;
  if (stamps['created'] === null) return null;
  const created = object(stamps['created'], record, `${prefix}.changeAuditStamps.created`);
  return optional(created, 'time', (value) => fromEpochMs(value, record, `${prefix}.changeAuditStamps.created.time`));
}

function requiredId(element: Json, record: string, prefix: string): number {
  if (!has(element, 'id')) throw new InvalidValueError(record, `${prefix}.id`, undefined, 'is missing');
  return checkId(element['id'], record, `${prefix}.id`);
}

/** An adAccounts element. */
export function mapAccount(value: unknown, record: string): AccountInput {
  const element = object(value, record, 'adAccount');
  const p = 'adAccount';
  return {
    id: requiredId(element, record, p),
    name: optional(element, 'name', keyText(record, `${p}.name`)),
    status: optional(element, 'status', text(record, `${p}.status`)),
    currency: optional(element, 'currency', text(record, `${p}.currency`)),
    type: optional(element, 'type', text(record, `${p}.type`)),
    is_test: optional(element, 'test', bool(record, `${p}.test`)),
    created_at: createdAt(element, record, p),
  };
}

/** An adCampaigns element. */
export function mapCampaign(value: unknown, record: string): CampaignInput {
  const element = object(value, record, 'adCampaign');
  const p = 'adCampaign';
  const daily = money(element, 'dailyBudget', record, p);
  const total = money(element, 'totalBudget', record, p);
  const unit = money(element, 'unitCost', record, p);
  return {
    id: requiredId(element, record, p),
    account_id: optional(element, 'account', (v) => urnId(v, 'sponsoredAccount', record, `${p}.account`)),
    name: optional(element, 'name', text(record, `${p}.name`)),
    status: optional(element, 'status', text(record, `${p}.status`)),
    type: optional(element, 'type', text(record, `${p}.type`)),
    daily_budget: daily === undefined ? undefined : (daily?.amount ?? null),
    // "dailyBudget": null clears the amount and its currency together.
    daily_budget_currency: daily === undefined ? undefined : (daily?.currency ?? null),
    total_budget: total === undefined ? undefined : (total?.amount ?? null),
    cost_type: optional(element, 'costType', text(record, `${p}.costType`)),
    unit_cost: unit === undefined ? undefined : (unit?.amount ?? null),
    bid_strategy: optional(element, 'optimizationTargetType', text(record, `${p}.optimizationTargetType`)),
    creative_selection: optional(element, 'creativeSelection', text(record, `${p}.creativeSelection`)),
    offsite_delivery_enabled: optional(element, 'offsiteDeliveryEnabled', bool(record, `${p}.offsiteDeliveryEnabled`)),
    audience_expansion_enabled: optional(element, 'audienceExpansionEnabled', bool(record, `${p}.audienceExpansionEnabled`)),
    campaign_group: optional(element, 'campaignGroup', (v) => checkUrn(v, 'sponsoredCampaignGroup', record, `${p}.campaignGroup`)),
    created_at: createdAt(element, record, p),
  };
}

/** A creatives element (its id is the creative's URN, kept as sent). */
export function mapCreative(value: unknown, record: string): CreativeInput {
  const element = object(value, record, 'creative');
  const p = 'creative';
  if (!has(element, 'id')) throw new InvalidValueError(record, `${p}.id`, undefined, 'is missing');
  const isServing = optional(element, 'isServing', bool(record, `${p}.isServing`));
  let holdReasons = optional(element, 'servingHoldReasons', (v) => {
    if (!Array.isArray(v)) throw new InvalidValueError(record, `${p}.servingHoldReasons`, v, 'is not an array');
    return v.map((reason, i) => checkText(reason, record, `${p}.servingHoldReasons[${i}]`));
  });
  // LinkedIn omits servingHoldReasons while the creative serves: then there are none.
  if (holdReasons === undefined && isServing === true) holdReasons = null;
  return {
    id: checkUrn(element['id'], 'sponsoredCreative', record, `${p}.id`),
    campaign_id: optional(element, 'campaign', (v) => urnId(v, 'sponsoredCampaign', record, `${p}.campaign`)),
    account_id: optional(element, 'account', (v) => urnId(v, 'sponsoredAccount', record, `${p}.account`)),
    intended_status: optional(element, 'intendedStatus', text(record, `${p}.intendedStatus`)),
    is_serving: isServing,
    content_reference: optional(element, 'content', (v) => {
      const content = object(v, record, `${p}.content`);
      // Inline content (textAd, spotlight, …) has no reference.
      return optional(content, 'reference', text(record, `${p}.content.reference`)) ?? null;
    }),
    content_name: optional(element, 'name', text(record, `${p}.name`)),
    serving_hold_reasons: holdReasons,
    created_at: optional(element, 'createdAt', (v) => fromEpochMs(v, record, `${p}.createdAt`)),
    last_modified_at: optional(element, 'lastModifiedAt', (v) => fromEpochMs(v, record, `${p}.lastModifiedAt`)),
  };
}

/** MEMBER_JOB_TITLE → job_title, MEMBER_COUNTRY_V2 → country, MEMBER_COMPANY_SIZE → company_size, … */
export function demographicPivotType(pivot: string): string | null {
  const match = /^MEMBER_([A-Z][A-Z_]*?)(?:_V\d+)?$/.exec(pivot);
  return match ? match[1]!.toLowerCase() : null;
}

export type AnalyticsRow =
  | { kind: 'campaign_metric'; row: CampaignDailyMetricInput }
  | { kind: 'creative_metric'; row: CreativeDailyMetricInput }
  | { kind: 'demographic'; row: AudienceDemographicInput };

/**
 * An adAnalytics element of the CAMPAIGN or CREATIVE pivot (one day each), or of a
 * MEMBER_* pivot (account-level; `account` is the envelope's account URN).
 */
export function mapAnalytics(value: unknown, pivot: string, account: unknown, record: string): AnalyticsRow {
  const element = object(value, record, 'adAnalytics');
  const p = 'adAnalytics';
  const range = object(element['dateRange'], record, `${p}.dateRange`);
  const start = day(range['start'], record, `${p}.dateRange.start`);
  const end = day(range['end'], record, `${p}.dateRange.end`);
  if (end < start) throw new InvalidValueError(record, `${p}.dateRange`, range, 'ends before it starts');
  const values = element['pivotValues'];
  if (!Array.isArray(values) || values.length !== 1) {
    throw new InvalidValueError(record, `${p}.pivotValues`, values, 'is not an array of one pivot value');
  }
  const pivotValue = values[0];
  const field = `${p}.pivotValues[0]`;

  if (pivot === 'CAMPAIGN' || pivot === 'CREATIVE') {
    if (start !== end) {
      throw new InvalidValueError(record, `${p}.dateRange`, range, `is not one day (${pivot} rows are daily)`);
    }
    const row = dailyMetrics(element, record);
    if (pivot === 'CAMPAIGN') {
      const campaign = row as CampaignDailyMetricInput;
      campaign.campaign_id = urnId(pivotValue, 'sponsoredCampaign', record, field);
      campaign.date = start;
      return { kind: 'campaign_metric', row: campaign };
    }
    const creative = row as CreativeDailyMetricInput;
    creative.creative_id = checkUrn(pivotValue, 'sponsoredCreative', record, field);
    creative.date = start;
    return { kind: 'creative_metric', row: creative };
  }
  const pivotType = demographicPivotType(pivot);
  if (!pivotType) throw new InvalidValueError(record, 'pivot', pivot, 'is not CAMPAIGN, CREATIVE or a MEMBER_* pivot');
  const segment = checkKeyText(pivotValue, record, field);
  if (segment === '') throw new InvalidValueError(record, field, segment, 'is empty');
  const row: AudienceDemographicInput = {
    account_id: urnId(account, 'sponsoredAccount', record, 'account'),
    pivot_type: pivotType,
    segment,
    date_start: start,
    date_end: end,
  };
  if (has(element, 'impressions')) row.impressions = checkCount(element['impressions'], record, `${p}.impressions`);
  if (has(element, 'clicks')) row.clicks = checkCount(element['clicks'], record, `${p}.clicks`);
  return { kind: 'demographic', row };
}

/**
 * The stored metrics of an analytics element, absent ones undefined. Written out
 * field by field into one object shape: this runs once per line of the largest
 * exports, and a loop over metric names building the object measured 4× slower.
 */
function dailyMetrics(e: Json, record: string): DailyMetricValues {
  return {
    impressions: metricCount(e, 'impressions', record),
    clicks: metricCount(e, 'clicks', record),
    spend: e['costInLocalCurrency'] === undefined ? undefined : decimal(e['costInLocalCurrency'], record, 'adAnalytics.costInLocalCurrency'),
    landing_page_clicks: metricCount(e, 'landingPageClicks', record),
    conversions: metricCount(e, 'externalWebsiteConversions', record),
    likes: metricCount(e, 'likes', record),
    comments: metricCount(e, 'comments', record),
    shares: metricCount(e, 'shares', record),
    follows: metricCount(e, 'follows', record),
    leads: metricCount(e, 'oneClickLeads', record),
    opens: metricCount(e, 'opens', record),
    sends: metricCount(e, 'sends', record),
    video_views: metricCount(e, 'videoViews', record),
  };
}

function metricCount(e: Json, name: string, record: string): number | undefined {
  const value = e[name];
  if (value === undefined) return undefined;
  // The common case inline; checkCount builds the error message otherwise.
  return typeof value === 'number' && value >= 0 && Number.isSafeInteger(value) ? value : checkCount(value, record, `adAnalytics.${name}`);
}

const knownDays = new Map<number, string>();

/** `{"year": 2024, "month": 1, "day": 5}` → '2024-01-05'. */
function day(value: unknown, record: string, field: string): string {
  const date = object(value, record, field);
  const parts = [date['year'], date['month'], date['day']];
  if (!parts.every((part) => typeof part === 'number' && Number.isInteger(part))) {
    throw new InvalidValueError(record, field, value, 'is not a {year, month, day} date');
  }
  const [year, month, dayOfMonth] = parts as [number, number, number];
  // Exports repeat a few hundred days over many lines: remember the ones seen.
  const key = year * 10_000 + month * 100 + dayOfMonth;
  const known = month >= 1 && month <= 12 && dayOfMonth >= 1 && dayOfMonth <= 31 ? knownDays.get(key) : undefined;
  if (known !== undefined) return known;
  const iso = isoDate(year, month, dayOfMonth);
  if (!iso) throw new InvalidValueError(record, field, value, 'is not a real calendar day');
  if (knownDays.size >= 10_000) knownDays.clear();
  knownDays.set(key, iso);
  return iso;
}
