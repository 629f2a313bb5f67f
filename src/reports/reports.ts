import type { Queryable } from '../db/queryable.js';
import { getAccountById } from '../generated/ad_accounts.queries.js';
import { getCampaignById } from '../generated/campaigns.queries.js';
import {
  accountsReport,
  campaignDailyReport,
  campaignsReport,
  compareReport,
  creativesReport,
  dailyReport,
  demographicsReport,
} from '../generated/reports.queries.js';
import { listSyncs } from '../generated/sync_log.queries.js';
import { checkDate } from '../values.js';

/**
 * The reports a marketer asks for, each one annotated query of sql/reports.sql.
 * Rows are plain objects whose keys are the report's fields, in order: the CLI's
 * JSON, CSV and table outputs print them as they are.
 */

export const REPORT_NAMES = ['accounts', 'campaigns', 'creatives', 'daily', 'demographics', 'compare', 'syncs'] as const;
export type ReportName = (typeof REPORT_NAMES)[number];

/** Each report's fields, in order: the contract of its JSON, CSV and table output. */
export const REPORT_FIELDS: Record<ReportName, readonly string[]> = {
  accounts: ['account_id', 'name', 'currency', 'status', 'impressions', 'clicks', 'spend', 'conversions', 'leads', 'ctr', 'cpc'],
  campaigns: ['campaign_id', 'name', 'status', 'type', 'campaign_group', 'impressions', 'clicks', 'spend', 'landing_page_clicks', 'conversions', 'leads', 'ctr', 'cpc'],
  creatives: ['creative_id', 'campaign_id', 'content_name', 'intended_status', 'is_serving', 'impressions', 'clicks', 'spend', 'conversions', 'leads', 'ctr', 'cpc'],
  daily: ['date', 'impressions', 'clicks', 'spend', 'conversions', 'leads', 'ctr', 'cpc'],
  demographics: ['segment', 'impressions', 'clicks', 'ctr', 'share_pct'],
  compare: ['campaign_id', 'name', 'impressions', 'impressions_prev', 'clicks', 'clicks_prev', 'spend', 'spend_prev', 'ctr', 'ctr_prev', 'cpc', 'cpc_prev'],
  syncs: ['id', 'account_id', 'status', 'trigger', 'started_at', 'finished_at', 'campaigns_fetched', 'creatives_fetched', 'api_calls_made', 'errors'],
};

/** The demographic pivots a demographics report takes. */
export const PIVOT_TYPES = ['job_title', 'seniority', 'industry', 'company_size', 'job_function', 'country', 'region', 'company'] as const;

export interface ReportOptions {
  /** Required by every report but accounts and syncs (optional there). */
  accountId?: number | string;
  /** Inclusive range, 'YYYY-MM-DD'; default: the 30 days ending today (UTC). */
  from?: string;
  to?: string;
  /** creatives and daily: only this campaign. */
  campaignId?: number;
  /** demographics: the pivot (job_title, seniority, …). */
  pivot?: string;
  /** syncs: at most this many rows (default 20). */
  limit?: number;
  /** "Today" for the default range (tests); default: the current UTC date. */
  today?: string;
}

/** One row of a report: its fields, in the report's order (typed per report by the generated queries). */
export type ReportRow = object;

/** A report asked for wrongly: unknown report, account, campaign or pivot, a bad range. */
export class ReportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReportError';
  }
}

const DAY_MS = 86_400_000;
const addDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

/** The report's range: from..to as given, or the 30 days ending `today` (UTC). Throws ReportError. */
export function reportRange(options: Pick<ReportOptions, 'from' | 'to' | 'today'>): { from: string; to: string } {
  const today = options.today ?? new Date().toISOString().slice(0, 10);
  const to = options.to === undefined ? today : date(options.to, 'to');
  const from = options.from === undefined ? addDays(to, -29) : date(options.from, 'from');
  if (from > to) throw new ReportError(`the range is empty: from ${from} is after to ${to}`);
  return { from, to };
}

/**
 * A range split for the rollups: whole calendar months (monthsFrom inclusive,
 * monthsTo exclusive, both first days of months), the days before them
 * (from..headTo) and the days after them (tailFrom..to). Without a whole month the
 * range is all head, the months and the tail empty.
 */
export function splitRange(range: { from: string; to: string }) {
  const { from, to } = range;
  const firstOfMonth = (date: string) => `${date.slice(0, 7)}-01`;
  const monthsFrom = from.endsWith('-01') ? from : firstOfMonth(addMonths(from, 1));
  const monthsTo = firstOfMonth(addDays(to, 1));
  if (monthsFrom >= monthsTo) return { from, to, monthsFrom, monthsTo: monthsFrom, headTo: to, tailFrom: addDays(to, 1) };
  return { from, to, monthsFrom, monthsTo, headTo: addDays(monthsFrom, -1), tailFrom: monthsTo };
}

/**
 * splitRange, with the partial months at the ends split again into whole weeks
 * (report_week(): Monday-first weeks clipped to their month, named by their first
 * day) for the reports that have weekly rollups: days from..headTo, weeks
 * [headWeeksFrom, headWeeksTo), months, weeks [tailWeeksFrom, tailWeeksTo), days
 * tailFrom..to. At most twelve days remain for the daily rows. Empty parts have from ≥ to.
 */
export function splitRangeByWeeks(range: { from: string; to: string }) {
  const { from, to } = range;
  const months = splitRange(range);
  const monthsExist = months.monthsFrom < months.monthsTo;
  // Without a whole month the range is days, whole weeks, days (all head); with them,
  // the head ends and the tail starts on a month boundary, which is a week boundary.
  const head = weeksWithin(from, monthsExist ? months.headTo : to);
  const tail = monthsExist ? weeksWithin(months.tailFrom, to) : undefined;
  const empty = addDays(to, 1); // an empty part: [empty, empty)
  return {
    from,
    to,
    headTo: head ? addDays(head.weeksFrom, -1) : monthsExist ? months.headTo : to,
    headWeeksFrom: head?.weeksFrom ?? empty,
    headWeeksTo: head?.weeksTo ?? empty,
    monthsFrom: monthsExist ? months.monthsFrom : empty,
    monthsTo: monthsExist ? months.monthsTo : empty,
    tailWeeksFrom: tail?.weeksFrom ?? empty,
    tailWeeksTo: tail?.weeksTo ?? empty,
    tailFrom: tail ? tail.weeksTo : !monthsExist && head ? head.weeksTo : monthsExist ? months.tailFrom : empty,
  };
}

/** The whole weeks [weeksFrom, weeksTo) within from..to (inclusive), if any. */
function weeksWithin(from: string, to: string): { weeksFrom: string; weeksTo: string } | undefined {
  const first = nextWeekBoundary(from);
  const last = previousWeekBoundary(addDays(to, 1));
  return first < last ? { weeksFrom: first, weeksTo: last } : undefined;
}

const weekday = (date: string) => (new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7; // Monday 0
/** The first week boundary (a Monday or a month's first day) at or after date. */
function nextWeekBoundary(date: string): string {
  const monday = addDays(date, (7 - weekday(date)) % 7);
  const month = date.endsWith('-01') ? date : addMonths(date, 1);
  return monday < month ? monday : month;
}
/** The last week boundary at or before date. */
function previousWeekBoundary(date: string): string {
  const monday = addDays(date, -weekday(date));
  const month = `${date.slice(0, 7)}-01`;
  return monday > month ? monday : month;
}

function addMonths(date: string, months: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1)).toISOString().slice(0, 10);
}

function date(value: string, name: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new ReportError(`--${name} ${JSON.stringify(value)} is not a date (YYYY-MM-DD)`);
  try {
    return checkDate(value, 'report', name);
  } catch {
    throw new ReportError(`--${name} ${value} is not a real calendar day`);
  }
}

/**
 * Runs one report; resolves to its rows with the report's fields in order. Throws
 * ReportError for a report asked for wrongly.
 */
export async function runReport(db: Queryable, name: string, options: ReportOptions = {}): Promise<ReportRow[]> {
  if (!(REPORT_NAMES as readonly string[]).includes(name)) {
    throw new ReportError(`unknown report ${JSON.stringify(name)} (one of: ${REPORT_NAMES.join(', ')})`);
  }
  return rows(db, inFieldOrder(db, REPORT_FIELDS[name as ReportName]), name as ReportName, options);
}

/**
 * The connection the report queries run on: rows come back as arrays and are built
 * once, with the report's fields in order and pgtyped's `"col!"` hints already gone.
 * (pgtyped's own renaming deletes each hinted key, which leaves every row a slow
 * dictionary-mode object: measured as a third of the creatives report's time, 1,650
 * rows.) pgtyped still types the parameters and results.
 */
function inFieldOrder(db: Queryable, fields: readonly string[]): Queryable {
  const connection = {
    query: async (text: string, values: unknown[]) => {
      const result = await db.query({ text, values, rowMode: 'array' });
      const columns = fields.map((field) => result.fields.findIndex((column) => column.name === field || column.name === `${field}!`));
      const missing = fields.filter((_, i) => columns[i] === -1);
      if (missing.length > 0) throw new Error(`report query returned no column for ${missing.join(', ')}`);
      return {
        rows: (result.rows as unknown[][]).map((values) => {
          const row: Record<string, unknown> = {};
          for (let i = 0; i < fields.length; i++) row[fields[i]!] = values[columns[i]!];
          return row;
        }),
      };
    },
  };
  return connection as unknown as Queryable;
}

/**
 * The account's existence is checked after a report that came back empty (an
 * unknown account has no rows): one round trip fewer for every report with rows.
 * `daily` has a row per day whatever the account, so it checks first.
 */
async function rows(db: Queryable, conn: Queryable, report: ReportName, options: ReportOptions): Promise<ReportRow[]> {
  if (report === 'syncs') return syncs(conn, options);
  const range = reportRange(options);
  if (report === 'accounts') return accountsReport.run(range, conn);

  const accountId = accountIdOf(options.accountId);
  const campaignId = options.campaignId === undefined ? null : await existingCampaign(db, options.campaignId, accountId);
  if (report === 'daily') {
    await existingAccount(db, accountId);
    return campaignId === null ? dailyReport.run({ accountId, ...range }, conn) : campaignDailyReport.run({ campaignId, ...range }, conn);
  }
  const found = await accountRows(conn, report, accountId, campaignId, range, options);
  if (found.length === 0) await existingAccount(db, accountId);
  return found;
}

async function accountRows(
  conn: Queryable,
  report: Exclude<ReportName, 'syncs' | 'accounts' | 'daily'>,
  accountId: number,
  campaignId: number | null,
  range: { from: string; to: string },
  options: ReportOptions,
): Promise<ReportRow[]> {
  switch (report) {
    case 'campaigns':
      return campaignsReport.run({ accountId, ...splitRangeByWeeks(range) }, conn);
    case 'creatives':
      return creativesReport.run({ accountId, campaignId, ...splitRangeByWeeks(range) }, conn);
    case 'demographics': {
      const pivotType = options.pivot;
      if (pivotType === undefined) throw new ReportError(`the demographics report needs --pivot (one of: ${PIVOT_TYPES.join(', ')})`);
      if (!(PIVOT_TYPES as readonly string[]).includes(pivotType)) {
        throw new ReportError(`unknown pivot ${JSON.stringify(pivotType)} (one of: ${PIVOT_TYPES.join(', ')})`);
      }
      return demographicsReport.run({ accountId, pivotType, ...splitRangeByWeeks(range) }, conn);
    }
    case 'compare': {
      const days = Math.round((Date.parse(range.to) - Date.parse(range.from)) / DAY_MS) + 1;
      const previous = splitRangeByWeeks({ from: addDays(range.from, -days), to: addDays(range.from, -1) });
      const prev = Object.fromEntries(Object.entries(previous).map(([key, value]) => [`prev${key[0]!.toUpperCase()}${key.slice(1)}`, value]));
      return compareReport.run({ accountId, ...splitRangeByWeeks(range), ...(prev as PrevParts) }, conn);
    }
  }
}

/** splitRangeByWeeks's parts of the previous range, named prevFrom, prevHeadTo, … */
type PrevParts = { [K in keyof ReturnType<typeof splitRangeByWeeks> as `prev${Capitalize<K>}`]: string };

function accountIdOf(value: number | string | undefined): number {
  if (value === undefined) throw new ReportError('this report needs --account ID');
  const id = Number(value);
  if (!Number.isSafeInteger(id) || id <= 0) throw new ReportError(`--account ${JSON.stringify(String(value))} is not an account id`);
  return id;
}

async function existingAccount(db: Queryable, id: number): Promise<void> {
  const [account] = await getAccountById.run({ id }, db);
  if (!account) throw new ReportError(`no account ${id}`);
}

async function existingCampaign(db: Queryable, id: number, accountId: number): Promise<number> {
  if (!Number.isSafeInteger(id) || id <= 0) throw new ReportError(`--campaign ${JSON.stringify(String(id))} is not a campaign id`);
  const [campaign] = await getCampaignById.run({ id }, db);
  if (!campaign || campaign.account_id !== accountId) throw new ReportError(`no campaign ${id} in account ${accountId}`);
  return id;
}

async function syncs(db: Queryable, options: ReportOptions): Promise<ReportRow[]> {
  const limit = options.limit ?? 20;
  if (!Number.isSafeInteger(limit) || limit < 1) throw new ReportError(`--limit ${limit} is not a positive integer`);
  return listSyncs.run({ accountId: options.accountId === undefined ? null : String(options.accountId), limit }, db);
}

