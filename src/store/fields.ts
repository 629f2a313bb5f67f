import { checkBoolean, checkCount, checkDecimal, checkId, checkInstant, checkKeyText, checkText, InvalidValueError } from '../values.js';

/**
 * The field tables: for each entity, the columns a write may carry besides its
 * key, in presence order (bit i of a staged row's presence mask is fields[i]), each
 * with its kind and the LinkedIn field it is mapped from (src/linkedin/elements.ts
 * does the mapping). Everything that lists fields derives from these tables: the
 * staged-merge SQL (`npm run gen` writes sql/staged_*.sql from them), the staging
 * COPY columns, the checks. Adding a column is a migration, an entry here, and its
 * mapping (README, "Adding a column").
 */

/** How a field is checked, staged and compared. */
export type FieldKind = 'id' | 'text' | 'decimal' | 'boolean' | 'instant' | 'text[]' | 'count';

export interface FieldSpec {
  /** The column, in the table and in its staging template. */
  readonly column: string;
  readonly kind: FieldKind;
  /** A text in a B-tree index: at most MAX_KEY_TEXT_BYTES (checkKeyText). */
  readonly indexed?: true;
  /** Where it comes from in LinkedIn's element (documentation; the mapping reads it). */
  readonly linkedin: string;
}

export const ACCOUNT_TABLE = [
  { column: 'name', kind: 'text', linkedin: 'name', indexed: true },
  { column: 'status', kind: 'text', linkedin: 'status' },
  { column: 'currency', kind: 'text', linkedin: 'currency' },
  { column: 'type', kind: 'text', linkedin: 'type' },
  { column: 'is_test', kind: 'boolean', linkedin: 'test' },
  { column: 'created_at', kind: 'instant', linkedin: 'changeAuditStamps.created.time' },
] as const satisfies readonly FieldSpec[];

export const CAMPAIGN_TABLE = [
  { column: 'account_id', kind: 'id', linkedin: 'account (URN)' },
  { column: 'name', kind: 'text', linkedin: 'name' },
  { column: 'status', kind: 'text', linkedin: 'status' },
  { column: 'type', kind: 'text', linkedin: 'type' },
  { column: 'daily_budget', kind: 'decimal', linkedin: 'dailyBudget.amount' },
  { column: 'daily_budget_currency', kind: 'text', linkedin: 'dailyBudget.currencyCode' },
  { column: 'total_budget', kind: 'decimal', linkedin: 'totalBudget.amount' },
  { column: 'cost_type', kind: 'text', linkedin: 'costType' },
  { column: 'unit_cost', kind: 'decimal', linkedin: 'unitCost.amount' },
  { column: 'bid_strategy', kind: 'text', linkedin: 'optimizationTargetType' },
  { column: 'creative_selection', kind: 'text', linkedin: 'creativeSelection' },
  { column: 'offsite_delivery_enabled', kind: 'boolean', linkedin: 'offsiteDeliveryEnabled' },
  { column: 'audience_expansion_enabled', kind: 'boolean', linkedin: 'audienceExpansionEnabled' },
  { column: 'campaign_group', kind: 'text', linkedin: 'campaignGroup (URN, kept)' },
  { column: 'created_at', kind: 'instant', linkedin: 'changeAuditStamps.created.time' },
] as const satisfies readonly FieldSpec[];

export const CREATIVE_TABLE = [
  { column: 'campaign_id', kind: 'id', linkedin: 'campaign (URN)' },
  { column: 'account_id', kind: 'id', linkedin: 'account (URN)' },
  { column: 'intended_status', kind: 'text', linkedin: 'intendedStatus' },
  { column: 'is_serving', kind: 'boolean', linkedin: 'isServing' },
  { column: 'content_reference', kind: 'text', linkedin: 'content.reference' },
  { column: 'content_name', kind: 'text', linkedin: 'name' },
  { column: 'serving_hold_reasons', kind: 'text[]', linkedin: 'servingHoldReasons' },
  { column: 'created_at', kind: 'instant', linkedin: 'createdAt (epoch ms)' },
  { column: 'last_modified_at', kind: 'instant', linkedin: 'lastModifiedAt (epoch ms)' },
] as const satisfies readonly FieldSpec[];

/** The metrics of a campaign's or a creative's day; an absent metric is 0. */
export const METRIC_TABLE = [
  { column: 'impressions', kind: 'count', linkedin: 'impressions' },
  { column: 'clicks', kind: 'count', linkedin: 'clicks' },
  { column: 'spend', kind: 'decimal', linkedin: 'costInLocalCurrency' },
  { column: 'landing_page_clicks', kind: 'count', linkedin: 'landingPageClicks' },
  { column: 'conversions', kind: 'count', linkedin: 'externalWebsiteConversions' },
  { column: 'likes', kind: 'count', linkedin: 'likes' },
  { column: 'comments', kind: 'count', linkedin: 'comments' },
  { column: 'shares', kind: 'count', linkedin: 'shares' },
  { column: 'follows', kind: 'count', linkedin: 'follows' },
  { column: 'leads', kind: 'count', linkedin: 'oneClickLeads' },
  { column: 'opens', kind: 'count', linkedin: 'opens' },
  { column: 'sends', kind: 'count', linkedin: 'sends' },
  { column: 'video_views', kind: 'count', linkedin: 'videoViews' },
] as const satisfies readonly FieldSpec[];

/** The TypeScript type of a field's value, by kind. */
export interface KindTypes {
  id: number;
  text: string;
  decimal: string;
  boolean: boolean;
  instant: Date;
  'text[]': readonly string[];
  count: number;
}

/** A row's fields of `table`, each optional (absent: keep, or 0 for a metric), typed by kind. */
export type FieldValues<T extends readonly FieldSpec[], Extra = never> = {
  [F in T[number] as F['column']]?: KindTypes[F['kind']] | Extra | undefined;
};

type Columns<T extends readonly FieldSpec[]> = { readonly [K in keyof T]: T[K] extends FieldSpec ? T[K]['column'] : never };

/** A table's columns, in presence order, typed as the tuple of their names. */
export const columnsOf = <T extends readonly FieldSpec[]>(table: T): Columns<T> => table.map((field) => field.column) as unknown as Columns<T>;

export const ACCOUNT_FIELDS = columnsOf(ACCOUNT_TABLE);
export const CAMPAIGN_FIELDS = columnsOf(CAMPAIGN_TABLE);
export const CREATIVE_FIELDS = columnsOf(CREATIVE_TABLE);
export const METRIC_FIELDS = columnsOf(METRIC_TABLE);

const CHECKS: Record<FieldKind, (value: unknown, record: string, field: string) => void> = {
  id: (value, record, field) => checkId(value as number, record, field),
  text: (value, record, field) => checkText(value as string, record, field),
  decimal: (value, record, field) => checkDecimal(value as string, record, field),
  boolean: (value, record, field) => checkBoolean(value as boolean, record, field),
  instant: (value, record, field) => checkInstant(value as Date, record, field),
  count: (value, record, field) => checkCount(value as number, record, field),
  'text[]': (value, record, field) => {
    if (!Array.isArray(value)) throw new InvalidValueError(record, field, value, 'is not an array of strings');
    value.forEach((item, i) => checkText(item as string, record, `${field}[${i}]`));
  },
};

/**
 * Checks every field of `table` the row has (undefined and, unless `nullable` is
 * false, null are left alone); throws InvalidValueError naming `record` and the field.
 */
export function checkFields(row: object, table: readonly FieldSpec[], record: string, nullable = true): void {
  const values = row as Record<string, unknown>;
  for (const field of table) {
    const value = values[field.column];
    if (value === undefined || (nullable && value === null)) continue;
    if ('indexed' in field) checkKeyText(value, record, field.column);
    else CHECKS[field.kind](value, record, field.column);
  }
}
