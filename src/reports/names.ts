/**
 * The names the reports answer to, apart from the report code so that the CLI's
 * argument parsing and help need nothing heavy.
 */

export const REPORT_NAMES = ['accounts', 'campaigns', 'creatives', 'daily', 'demographics', 'compare', 'syncs'] as const;
export type ReportName = (typeof REPORT_NAMES)[number];

/** The demographic pivots a demographics report takes. */
export const PIVOT_TYPES = ['job_title', 'seniority', 'industry', 'company_size', 'job_function', 'country', 'region', 'company'] as const;
export type PivotType = (typeof PIVOT_TYPES)[number];

/**
 * The days a report range may cover. Far outside them the range arithmetic (the
 * day after `to`, compare's range before `from`) would leave the four-digit years
 * that dates are written in; no LinkedIn data is there either.
 */
export const REPORT_DAYS = { first: '1970-01-01', last: '2999-12-31' } as const;
