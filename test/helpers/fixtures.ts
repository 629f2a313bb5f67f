import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { scratchFolder } from './scratch.js';

/**
 * The real LinkedIn records of test/fixtures/linkedin-api (captured by Airbyte),
 * turned back into the raw API shapes that an export file holds, undoing the
 * deviations that test/fixtures/linkedin-api/README.md documents.
 */

// The captures are part of the repository (test/fixtures/linkedin-api, with their
// provenance and licence in its README). ADS_STORE_FIXTURES=<folder> reads another copy
// instead: a folder with the same airbyte-source-linkedin-ads/ layout.
const ROOT = path.join(
  process.env.ADS_STORE_FIXTURES ?? fileURLToPath(new URL('../fixtures/linkedin-api/', import.meta.url)),
  'airbyte-source-linkedin-ads',
);

export const FIXTURE_CAPTURES = {
  '06fb371b': 'integration_tests/06fb371b/expected_records.jsonl',
  '680b8dee': 'integration_tests/680b8dee/expected_records.jsonl',
  ab528885: 'integration_tests/ab528885/expected_records.txt',
} as const;

type Json = Record<string, unknown>;

const MEMBER_PIVOTS: Record<string, string> = {
  ad_member_company_size_analytics: 'MEMBER_COMPANY_SIZE',
  ad_member_country_analytics: 'MEMBER_COUNTRY_V2',
  ad_member_job_function_analytics: 'MEMBER_JOB_FUNCTION',
  ad_member_job_title_analytics: 'MEMBER_JOB_TITLE',
  ad_member_industry_analytics: 'MEMBER_INDUSTRY',
  ad_member_seniority_analytics: 'MEMBER_SENIORITY',
  ad_member_region_analytics: 'MEMBER_REGION_V2',
  ad_member_company_analytics: 'MEMBER_COMPANY',
};

/** Airbyte's "2021-08-21T21:27:55+00:00" or the older "2021-08-21 21:27:55" (UTC) → epoch ms. */
function epochMs(text: string): number {
  const iso = text.includes('T') ? text : `${text.replace(' ', 'T')}Z`;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`fixture time ${text}`);
  return ms;
}

function withAuditStamps(data: Json): Json {
  const { created, lastModified, ...rest } = data;
  return {
    ...rest,
    changeAuditStamps: { created: { time: epochMs(created as string) }, lastModified: { time: epochMs(lastModified as string) } },
  };
}

function dateRange(data: Json): Json {
  const { start_date, end_date, ...rest } = data;
  const ymd = (text: string) => {
    const [year, month, day] = text.split('-').map(Number);
    return { year, month, day };
  };
  return { ...rest, dateRange: { start: ymd(start_date as string), end: ymd(end_date as string) } };
}

/** The export lines (objects) of one capture; streams the store has no table for are left out. */
export function exportLinesOf(capture: keyof typeof FIXTURE_CAPTURES, demographicsAccount = 'urn:li:sponsoredAccount:508720451'): Json[] {
  const lines: Json[] = [];
  for (const text of readFileSync(path.join(ROOT, FIXTURE_CAPTURES[capture]), 'utf8').split('\n')) {
    if (!text.trim()) continue;
    const { stream, data } = JSON.parse(text) as { stream: string; data: Json };
    if (stream === 'accounts') lines.push({ adAccount: withAuditStamps(data) });
    else if (stream === 'campaigns') lines.push({ adCampaign: withAuditStamps(data) });
    else if (stream === 'creatives') lines.push({ creative: data });
    else if (stream === 'ad_campaign_analytics') lines.push({ adAnalytics: dateRange(data), pivot: 'CAMPAIGN' });
    else if (stream === 'ad_creative_analytics') lines.push({ adAnalytics: dateRange(data), pivot: 'CREATIVE' });
    else if (MEMBER_PIVOTS[stream]) {
      lines.push({ adAnalytics: dateRange(data), pivot: MEMBER_PIVOTS[stream], account: demographicsAccount });
    }
  }
  return lines;
}

/** The elements of an Airbyte unit-test response body (raw API shape already). */
export function responseElements(folder: 'ad_campaign_analytics' | 'ad_member_country_analytics', n: 1 | 2 | 3): Json[] {
  const body = JSON.parse(readFileSync(path.join(ROOT, 'unit_tests/responses', folder, `response_${n}.json`), 'utf8'));
  return body.elements as Json[];
}

// One folder for the whole test process (suites of several files write here), removed
// when the process exits (scratch.ts).
let scratch: Promise<string> | undefined;

/** Writes lines (objects are JSON-encoded, strings written as they are) to a file of a scratch folder; `.gz` compresses. */
export async function writeExport(name: string, lines: ReadonlyArray<Json | string>): Promise<string> {
  scratch ??= scratchFolder('ads-store-exports-');
  const file = path.join(await scratch, name);
  const text = lines.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))).join('\n') + '\n';
  await writeFile(file, name.endsWith('.gz') ? gzipSync(text) : text);
  return file;
}
