import type { PreparedQuery } from '@pgtyped/runtime';
import type pg from 'pg';
import { one, type Queryable } from '../db/queryable.js';
import { parseInt8, typeParsers } from '../db/types.js';
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
  reportRangeParts,
  type IAccountsReportResult,
  type ICampaignsReportResult,
  type ICompareReportResult,
  type ICreativesReportResult,
  type IDailyReportResult,
  type IDemographicsReportResult,
} from '../generated/reports.queries.js';
import { listSyncs, type IListSyncsResult } from '../generated/sync_log.queries.js';
import { checkDate } from '../values.js';
import { PIVOT_TYPES, REPORT_DAYS, REPORT_NAMES, type PivotType, type ReportName } from './names.js';
import { AdsStoreError } from '../errors.js';
import { addDays, DAY_MS } from '../days.js';
import { typedConnection } from '../db/typed-connection.js';

/**
 * The reports a marketer asks for, each one annotated query of sql/reports.sql, as
 * one typed function per report (`reports.campaigns(db, { accountId, from, to })`).
 * Rows are the generated query's result type, with two promises kept at run time:
 * keys in the report's field order (the CLI prints rows as they are), and every
 * summed count a `bigint`, exact however large (a plain number would round past
 * 2^53). Money stays an exact decimal string, ratios are numbers.
 */

export { PIVOT_TYPES, REPORT_DAYS, REPORT_NAMES, type PivotType, type ReportName } from './names.js';

/**
 * Each report's summed counts: bigint in its rows. Checked against the generated
 * result types, so a renamed column fails to compile here.
 */
const COUNTS = {
  accounts: ['impressions', 'clicks', 'conversions', 'leads'],
  campaigns: ['impressions', 'clicks', 'landing_page_clicks', 'conversions', 'leads'],
  creatives: ['impressions', 'clicks', 'conversions', 'leads'],
  daily: ['impressions', 'clicks', 'conversions', 'leads'],
  demographics: ['impressions', 'clicks'],
  compare: ['impressions', 'impressions_prev', 'clicks', 'clicks_prev'],
  syncs: [],
} as const satisfies {
  accounts: ReadonlyArray<keyof IAccountsReportResult>;
  campaigns: ReadonlyArray<keyof ICampaignsReportResult>;
  creatives: ReadonlyArray<keyof ICreativesReportResult>;
  daily: ReadonlyArray<keyof IDailyReportResult>;
  demographics: ReadonlyArray<keyof IDemographicsReportResult>;
  compare: ReadonlyArray<keyof ICompareReportResult>;
  syncs: ReadonlyArray<keyof IListSyncsResult>;
};

/** A generated result type with its summed counts as bigint. */
type WithExactCounts<Result, Counts extends PropertyKey> = { [K in keyof Result]: K extends Counts ? bigint : Result[K] };
type Counted<N extends keyof typeof COUNTS> = (typeof COUNTS)[N][number];

export type AccountsReportRow = WithExactCounts<IAccountsReportResult, Counted<'accounts'>>;
export type CampaignsReportRow = WithExactCounts<ICampaignsReportResult, Counted<'campaigns'>>;
export type CreativesReportRow = WithExactCounts<ICreativesReportResult, Counted<'creatives'>>;
export type DailyReportRow = WithExactCounts<IDailyReportResult, Counted<'daily'>>;
export type DemographicsReportRow = WithExactCounts<IDemographicsReportResult, Counted<'demographics'>>;
export type CompareReportRow = WithExactCounts<ICompareReportResult, Counted<'compare'>>;
export type SyncsReportRow = IListSyncsResult;

/**
 * Each report's fields in output order: the contract of its JSON, CSV and table
 * output. The order is this contract's; the names, and that none is missing, are the
 * generated query types' (checked below), so the two cannot drift apart.
 */
export const REPORT_FIELDS = {
  accounts: ['account_id', 'name', 'currency', 'status', 'impressions', 'clicks', 'spend', 'conversions', 'leads', 'ctr', 'cpc'],
  campaigns: ['campaign_id', 'name', 'status', 'type', 'campaign_group', 'impressions', 'clicks', 'spend', 'landing_page_clicks', 'conversions', 'leads', 'ctr', 'cpc'],
  creatives: ['creative_id', 'campaign_id', 'content_name', 'intended_status', 'is_serving', 'impressions', 'clicks', 'spend', 'conversions', 'leads', 'ctr', 'cpc'],
  daily: ['date', 'impressions', 'clicks', 'spend', 'conversions', 'leads', 'ctr', 'cpc'],
  demographics: ['segment', 'impressions', 'clicks', 'ctr', 'share_pct'],
  compare: ['campaign_id', 'name', 'impressions', 'impressions_prev', 'clicks', 'clicks_prev', 'spend', 'spend_prev', 'ctr', 'ctr_prev', 'cpc', 'cpc_prev'],
  syncs: ['id', 'account_id', 'status', 'trigger', 'started_at', 'finished_at', 'campaigns_fetched', 'creatives_fetched', 'api_calls_made', 'errors'],
} as const satisfies { [N in ReportName]: ReadonlyArray<keyof ReportRowOf<N>> };

/** True when `List` names every field of `Row` (and, by the `satisfies` above, nothing else). */
type NamesEveryField<Row, List extends readonly PropertyKey[]> = [Exclude<keyof Row, List[number]>] extends [never] ? true : false;
// A compile-time check only: a report field the list leaves out fails to compile here.
const everyReportField: { [N in ReportName]: NamesEveryField<ReportRowOf<N>, (typeof REPORT_FIELDS)[N]> } = {
  accounts: true, campaigns: true, creatives: true, daily: true, demographics: true, compare: true, syncs: true,
};
void everyReportField;

/** A date range, inclusive, 'YYYY-MM-DD'; default: the 30 days ending today (UTC). */
export interface RangeOptions {
  from?: string | undefined;
  to?: string | undefined;
  /** "Today" for the default range (tests); default: the current UTC date. */
  today?: string | undefined;
}
export interface AccountRangeOptions extends RangeOptions {
  accountId: number;
}
export interface CampaignScopedOptions extends AccountRangeOptions {
  /** Only this campaign of the account. */
  campaignId?: number | undefined;
}
export interface DemographicsOptions extends AccountRangeOptions {
  pivot: PivotType;
}
export interface SyncsOptions {
  /** The sync_log rows of this account_id value (an account id, or "all" for a multi-account ingest). */
  accountId?: number | string | undefined;
  /** At most this many rows, newest first (default 20). */
  limit?: number | undefined;
}

/** Each report's options and row type, by name. */
export interface Reports {
  accounts: { options: RangeOptions; row: AccountsReportRow };
  campaigns: { options: AccountRangeOptions; row: CampaignsReportRow };
  creatives: { options: CampaignScopedOptions; row: CreativesReportRow };
  daily: { options: CampaignScopedOptions; row: DailyReportRow };
  demographics: { options: DemographicsOptions; row: DemographicsReportRow };
  compare: { options: AccountRangeOptions; row: CompareReportRow };
  syncs: { options: SyncsOptions; row: SyncsReportRow };
}
export type ReportOptionsOf<N extends ReportName> = Reports[N]['options'];
export type ReportRowOf<N extends ReportName> = Reports[N]['row'];
/** Any report's options: what a caller assembles before it knows which report (the CLI). */
export interface ReportOptions extends RangeOptions {
  accountId?: number | string | undefined;
  campaignId?: number | undefined;
  pivot?: string | undefined;
  limit?: number | undefined;
}

/**
 * A report asked for wrongly: unknown report, account, campaign or pivot, a bad
 * range. Options are named as the API names them (accountId, from, …); the CLI
 * checks its own flags before a report runs.
 */
export class ReportError extends AdsStoreError {
  readonly code = 'REPORT_INVALID';
}


/** The report's range: from..to as given, or the 30 days ending `today` (UTC). Throws ReportError. */
export function reportRange(options: Pick<ReportOptions, 'from' | 'to' | 'today'>): { from: string; to: string } {
  const today = options.today ?? new Date().toISOString().slice(0, 10);
  const to = options.to === undefined ? today : date(options.to, 'to');
  const from = options.from === undefined ? addDays(to, -29) : date(options.from, 'from');
  if (from > to) throw new ReportError(`the range is empty: from ${from} is after to ${to}`);
  return { from, to };
}

/**
 * The range with its parts for the rollups (edge days, whole weeks, whole months,
 * whole weeks, edge days), as report_range_parts() in the database defines them:
 * the rule lives there only, beside report_week(), the weekly rollups' key.
 */
export async function splitRangeByWeeks(db: Queryable, range: { from: string; to: string }) {
  return { ...range, ...one(await reportRangeParts.run(range, typedConnection(db))) };
}

function date(value: string, name: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new ReportError(`${name} ${JSON.stringify(value)} is not a date (YYYY-MM-DD)`);
  let day: string;
  try {
    day = checkDate(value, 'report', name);
  } catch {
    throw new ReportError(`${name} ${value} is not a real calendar day`);
  }
  if (day < REPORT_DAYS.first || day > REPORT_DAYS.last) {
    throw new ReportError(`${name} ${value} is outside the days a report covers (${REPORT_DAYS.first} to ${REPORT_DAYS.last})`);
  }
  return day;
}

/** Each report as a typed function: `reports.campaigns(db, { accountId, from, to })`. Each throws ReportError when asked wrongly. */
export const reports = {
  /** One row per account (every account, zeros included), by spend descending. */
  accounts: (db: Queryable, options: RangeOptions = {}): Promise<AccountsReportRow[]> =>
    run(db, 'accounts', accountsReport, reportRange(options)),

  /** One row per campaign of the account (zeros included), by spend descending. */
  campaigns: async (db: Queryable, options: AccountRangeOptions): Promise<CampaignsReportRow[]> => {
    const accountId = accountIdOf(options.accountId);
    return orNoAccount(db, accountId, await run(db, 'campaigns', campaignsReport, { accountId, ...(await splitRangeByWeeks(db, reportRange(options))) }));
  },

  /** One row per creative of the account, or of one of its campaigns, by spend descending. */
  creatives: async (db: Queryable, options: CampaignScopedOptions): Promise<CreativesReportRow[]> => {
    const accountId = accountIdOf(options.accountId);
    const range = reportRange(options);
    const campaignId = options.campaignId === undefined ? null : await existingCampaign(db, options.campaignId, accountId);
    return orNoAccount(db, accountId, await run(db, 'creatives', creativesReport, { accountId, campaignId, ...(await splitRangeByWeeks(db, range)) }));
  },

  /** One row per day of the range, no gaps, for the account or one of its campaigns. */
  daily: async (db: Queryable, options: CampaignScopedOptions): Promise<DailyReportRow[]> => {
    const accountId = accountIdOf(options.accountId);
    const range = reportRange(options);
    // A row per day whatever the account: its existence is checked first.
    await existingAccount(db, accountId);
    if (options.campaignId === undefined) return run(db, 'daily', dailyReport, { accountId, ...range });
    const campaignId = await existingCampaign(db, options.campaignId, accountId);
    return run(db, 'daily', campaignDailyReport, { campaignId, ...range });
  },

  /** One row per segment of one pivot; shares are of the impressions LinkedIn reported. */
  demographics: async (db: Queryable, options: DemographicsOptions): Promise<DemographicsReportRow[]> => {
    const accountId = accountIdOf(options.accountId);
    const range = reportRange(options);
    const pivotType = pivotOf(options.pivot);
    return orNoAccount(db, accountId, await run(db, 'demographics', demographicsReport, { accountId, pivotType, ...(await splitRangeByWeeks(db, range)) }));
  },

  /** One row per campaign: the range against the equally long range just before it. */
  compare: async (db: Queryable, options: AccountRangeOptions): Promise<CompareReportRow[]> => {
    const accountId = accountIdOf(options.accountId);
    const range = reportRange(options);
    const days = Math.round((Date.parse(range.to) - Date.parse(range.from)) / DAY_MS) + 1;
    const previous = await splitRangeByWeeks(db, { from: addDays(range.from, -days), to: addDays(range.from, -1) });
    const prev = Object.fromEntries(Object.entries(previous).map(([key, value]) => [`prev${key[0]!.toUpperCase()}${key.slice(1)}`, value])) as PrevParts;
    return orNoAccount(db, accountId, await run(db, 'compare', compareReport, { accountId, ...(await splitRangeByWeeks(db, range)), ...prev }));
  },

  /** sync_log rows, newest first. */
  syncs: (db: Queryable, options: SyncsOptions = {}): Promise<SyncsReportRow[]> => {
    const limit = options.limit ?? 20;
    if (!Number.isSafeInteger(limit) || limit < 1) throw new ReportError(`limit ${limit} is not a positive integer`);
    return run(db, 'syncs', listSyncs, { accountId: options.accountId === undefined ? null : String(options.accountId), limit });
  },
} satisfies { [N in ReportName]: (db: Queryable, options: ReportOptionsOf<N>) => Promise<ReportRowOf<N>[]> };

/**
 * Runs one report by name (the CLI's way in); a name that is not a report is a
 * ReportError, so a string from a user can be passed as it is.
 */
export async function runReport<N extends ReportName>(db: Queryable, name: N, options: ReportOptionsOf<N>): Promise<ReportRowOf<N>[]>;
export async function runReport(db: Queryable, name: string, options: ReportOptions): Promise<ReportRowOf<ReportName>[]>;
export async function runReport(db: Queryable, name: string, options: ReportOptions): Promise<ReportRowOf<ReportName>[]> {
  if (!isReportName(name)) throw new ReportError(`unknown report ${JSON.stringify(name)} (one of: ${REPORT_NAMES.join(', ')})`);
  // Each function checks the options it needs at run time, so any ReportOptions may go to any report.
  return (reports[name] as (db: Queryable, options: ReportOptions) => Promise<ReportRowOf<ReportName>[]>)(db, options);
}

function isReportName(name: string): name is ReportName {
  return (REPORT_NAMES as readonly string[]).includes(name);
}

/** int8 columns come back as text here, to be read as ids (number) or counts (bigint) by name. */
const int8AsText: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary' ? (text: string) => text : typeParsers.getTypeParser(oid as never, format as never)) as pg.CustomTypesConfig['getTypeParser'],
};
const INT8_OID = 20;

/**
 * Runs a report query with pgtyped's parameter handling, on a connection that asks
 * for rows as arrays and builds each row once, with the report's fields in order,
 * its counts as bigint and pgtyped's `"col!"` hints already gone. (pgtyped's own
 * renaming deletes each hinted key, which leaves every row a slow dictionary-mode
 * object: measured as a third of the creatives report's time, 1,650 rows.)
 */
async function run<N extends ReportName, Params, Result>(
  db: Queryable,
  report: N,
  query: PreparedQuery<Params, Result>,
  params: Params,
): Promise<ReportRowOf<N>[]> {
  const fields: readonly string[] = REPORT_FIELDS[report];
  const counts: readonly string[] = COUNTS[report];
  const connection = {
    query: async (text: string, values: unknown[]) => {
      const result = await db.query({ text, values, rowMode: 'array', types: int8AsText });
      const columns = fields.map((field) => result.fields.findIndex((column) => column.name === field || column.name === `${field}!`));
      const missing = fields.filter((_, i) => columns[i] === -1);
      if (missing.length > 0) throw new Error(`report ${report}: the query returned no column for ${missing.join(', ')}`);
      const readers = fields.map((field, i) => {
        if (result.fields[columns[i]!]!.dataTypeID !== INT8_OID) return (value: unknown) => value;
        return counts.includes(field) ? (value: unknown) => (value === null ? null : BigInt(value as string)) : (value: unknown) => (value === null ? null : parseInt8(value as string));
      });
      return {
        rows: (result.rows as unknown[][]).map((values) => {
          const row: Record<string, unknown> = {};
          for (let i = 0; i < fields.length; i++) row[fields[i]!] = readers[i]!(values[columns[i]!]);
          return row;
        }),
      };
    },
  };
  return (await query.run(params, connection as never)) as unknown as ReportRowOf<N>[];
}

/** splitRangeByWeeks's parts of the previous range, named prevFrom, prevHeadTo, … */
type PrevParts = { [K in keyof Awaited<ReturnType<typeof splitRangeByWeeks>> as `prev${Capitalize<K>}`]: string };

function accountIdOf(value: number | string | undefined): number {
  if (value === undefined) throw new ReportError('this report needs an account (accountId)');
  const id = typeof value === 'number' ? value : /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(id) || id <= 0) throw new ReportError(`accountId ${JSON.stringify(String(value))} is not an account id`);
  return id;
}

function pivotOf(pivot: string | undefined): PivotType {
  if (pivot === undefined) throw new ReportError(`the demographics report needs a pivot (one of: ${PIVOT_TYPES.join(', ')})`);
  if (!(PIVOT_TYPES as readonly string[]).includes(pivot)) throw new ReportError(`unknown pivot ${JSON.stringify(pivot)} (one of: ${PIVOT_TYPES.join(', ')})`);
  return pivot as PivotType;
}

/**
 * The rows, after checking that an account with none exists (an unknown account has
 * no rows): one round trip fewer for every report that has rows.
 */
async function orNoAccount<Row>(db: Queryable, accountId: number, rows: Row[]): Promise<Row[]> {
  if (rows.length === 0) await existingAccount(db, accountId);
  return rows;
}

async function existingAccount(db: Queryable, id: number): Promise<void> {
  const [account] = await getAccountById.run({ id }, typedConnection(db));
  if (!account) throw new ReportError(`no account ${id}`);
}

async function existingCampaign(db: Queryable, id: number, accountId: number): Promise<number> {
  if (!Number.isSafeInteger(id) || id <= 0) throw new ReportError(`campaignId ${JSON.stringify(String(id))} is not a campaign id`);
  const [campaign] = await getCampaignById.run({ id }, typedConnection(db));
  if (!campaign || campaign.account_id !== accountId) throw new ReportError(`no campaign ${id} in account ${accountId}`);
  return id;
}
