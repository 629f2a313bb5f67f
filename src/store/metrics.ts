import type { Queryable } from '../db/queryable.js';
import {
  listCampaignDailyMetrics as listCampaignDailyMetricsQuery,
  type IListCampaignDailyMetricsResult,
} from '../generated/campaign_daily_metrics.queries.js';
import {
  listCreativeDailyMetrics as listCreativeDailyMetricsQuery,
  type IListCreativeDailyMetricsResult,
} from '../generated/creative_daily_metrics.queries.js';
import { checkDate, checkId, checkKeyText, InvalidValueError } from '../values.js';
import { checkFields, METRIC_TABLE, type FieldValues } from './fields.js';
import { typedConnection } from '../db/typed-connection.js';

export { METRIC_FIELDS } from './fields.js';

export type CampaignDailyMetric = IListCampaignDailyMetricsResult;
export type CreativeDailyMetric = IListCreativeDailyMetricsResult;

/** The metrics of one entity on one UTC day (METRIC_TABLE); an absent metric is 0. spend is decimal text. */
export type DailyMetricValues = FieldValues<typeof METRIC_TABLE>;

export interface CampaignDailyMetricInput extends DailyMetricValues {
  campaign_id: number;
  /** 'YYYY-MM-DD'; '2024-1-5' is read as the same day. */
  date: string;
}

export interface CreativeDailyMetricInput extends DailyMetricValues {
  /** The creative's URN. */
  creative_id: string;
  date: string;
}

/** A campaign's daily rows with date in from..to (inclusive), by date. */
export async function listCampaignDailyMetrics(
  db: Queryable,
  query: { campaignId: number; from: string; to: string },
): Promise<CampaignDailyMetric[]> {
  return listCampaignDailyMetricsQuery.run(query, typedConnection(db));
}

/** A creative's daily rows with date in from..to (inclusive), by date. */
export async function listCreativeDailyMetrics(
  db: Queryable,
  query: { creativeId: string; from: string; to: string },
): Promise<CreativeDailyMetric[]> {
  return listCreativeDailyMetricsQuery.run(query, typedConnection(db));
}

/**
 * The row checked, its date canonical ('2024-1-5' → '2024-01-05'), absent metrics
 * left absent; throws InvalidValueError naming `record`. Returns the row itself
 * when nothing changes: this runs once per row of the largest bulk writes.
 */
export function checkCampaignDailyMetric(row: CampaignDailyMetricInput, record: string): CampaignDailyMetricInput {
  return checkDailyMetrics(checkCampaignDayKey(row, record), record);
}

/** As checkCampaignDailyMetric, for a creative's day. */
export function checkCreativeDailyMetric(row: CreativeDailyMetricInput, record: string): CreativeDailyMetricInput {
  return checkDailyMetrics(checkCreativeDayKey(row, record), record);
}

/**
 * The key half of checkCampaignDailyMetric: the campaign and the date (made
 * canonical). writeBatch checks every row's key before its first statement (the
 * locks, the range and the repeats depend on them); in a transaction of its own, the
 * metrics as it writes each row, while the server works on the rows before it (in
 * the caller's, everything first: a bad value must not abort that transaction).
 */
export function checkCampaignDayKey(row: CampaignDailyMetricInput, record: string): CampaignDailyMetricInput {
  checkId(row.campaign_id, record, 'campaign_id');
  const date = checkDate(row.date, record, 'date');
  return date === row.date ? row : { ...row, date };
}

/** As checkCampaignDayKey, for a creative's day. */
export function checkCreativeDayKey(row: CreativeDailyMetricInput, record: string): CreativeDailyMetricInput {
  checkKeyText(row.creative_id, record, 'creative_id');
  if (row.creative_id === '') throw new InvalidValueError(record, 'creative_id', row.creative_id, 'is empty');
  const date = checkDate(row.date, record, 'date');
  return date === row.date ? row : { ...row, date };
}

/** The metric half: every metric the row has (absent ones stay absent, later meaning 0). Returns the row. */
export function checkDailyMetrics<R extends DailyMetricValues>(row: R, record: string): R {
  // A metric is absent or a value: null is not "0", it is refused.
  checkFields(row, METRIC_TABLE, record, false);
  return row;
}
