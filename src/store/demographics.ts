import type { Queryable } from '../db/queryable.js';
import {
  listAudienceDemographics as listAudienceDemographicsQuery,
  type IListAudienceDemographicsResult,
} from '../generated/audience_demographics.queries.js';
import { checkCount, checkDate, checkId, checkKeyText, InvalidValueError } from '../values.js';
import { typedConnection } from '../db/typed-connection.js';

export type AudienceDemographic = IListAudienceDemographicsResult;

/**
 * One segment of one demographic pivot of an account for the period starting
 * date_start. Absent counts are 0. share_pct is derived, never given.
 */
export interface AudienceDemographicInput {
  account_id: number;
  /** job_title, seniority, industry, company_size, job_function, country, region, company, … */
  pivot_type: string;
  /** The pivot value as LinkedIn sent it (a URN, or e.g. SIZE_2_TO_10). */
  segment: string;
  date_start: string;
  date_end?: string | null | undefined;
  impressions?: number | undefined;
  clicks?: number | undefined;
}

/** One pivot of an account, periods starting in from..to (inclusive). */
export async function listAudienceDemographics(
  db: Queryable,
  query: { accountId: number; pivotType: string; from: string; to: string },
): Promise<AudienceDemographic[]> {
  return listAudienceDemographicsQuery.run(query, typedConnection(db));
}

/** The row with its values checked (dates made canonical); throws InvalidValueError naming `record`. */
export function checkDemographic(row: AudienceDemographicInput, record: string): AudienceDemographicInput {
  checkId(row.account_id, record, 'account_id');
  for (const field of ['pivot_type', 'segment'] as const) {
    checkKeyText(row[field], record, field);
    if (row[field] === '') throw new InvalidValueError(record, field, row[field], 'is empty');
  }
  const dateStart = checkDate(row.date_start, record, 'date_start');
  const dateEnd = row.date_end == null ? row.date_end : checkDate(row.date_end, record, 'date_end');
  if (dateEnd != null && dateEnd < dateStart) {
    throw new InvalidValueError(record, 'date_end', row.date_end, `is before date_start ${dateStart}`);
  }
  const checked: AudienceDemographicInput = { ...row, date_start: dateStart, date_end: dateEnd };
  if (row.impressions !== undefined) checked.impressions = checkCount(row.impressions, record, 'impressions');
  else delete checked.impressions;
  if (row.clicks !== undefined) checked.clicks = checkCount(row.clicks, record, 'clicks');
  else delete checked.clicks;
  return checked;
}
