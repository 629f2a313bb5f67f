import type { AccountInput } from '../store/accounts.js';
import type { CampaignInput } from '../store/campaigns.js';
import type { CreativeInput } from '../store/creatives.js';
import { checkCount, checkText, InvalidValueError } from '../values.js';
import { isObject, mapAccount, mapAnalytics, mapCampaign, mapCreative, type AnalyticsRow } from './elements.js';

/**
 * One line of an export file (NDJSON), the envelope around a LinkedIn API element:
 *   {"adAccount": {...}}  {"adCampaign": {...}}  {"creative": {...}}
 *   {"adAnalytics": {...}, "pivot": "CAMPAIGN" | "CREATIVE"}
 *   {"adAnalytics": {...}, "pivot": "MEMBER_SENIORITY", "account": "urn:li:sponsoredAccount:123"}
 *   {"sync": {"accountId": "123" | "all", "trigger": "manual", "apiCallsMade": 17}}
 */
export type ExportRecord =
  | { kind: 'account'; row: AccountInput }
  | { kind: 'campaign'; row: CampaignInput }
  | { kind: 'creative'; row: CreativeInput }
  | AnalyticsRow
  | { kind: 'sync'; sync: SyncLine };

export interface SyncLine {
  accountId: string;
  trigger?: string | null | undefined;
  apiCallsMade?: number | undefined;
}

/** One line of the export format as a sync builds it: an API element in its envelope (above). */
export type Envelope =
  | { adAccount: unknown }
  | { adCampaign: unknown }
  | { creative: unknown }
  | { adAnalytics: unknown; pivot: string; account?: string };

/** An analytics element in its envelope: `account` for a MEMBER_* pivot, whose elements do not name it. */
export function analyticsEnvelope(element: unknown, pivot: string, account: string | undefined): Envelope {
  return account === undefined ? { adAnalytics: element, pivot } : { adAnalytics: element, pivot, account };
}

const ELEMENT_KEYS = ['adAccount', 'adCampaign', 'creative', 'adAnalytics', 'sync'] as const;
type ElementKey = (typeof ELEMENT_KEYS)[number];

/** Parses and maps one non-blank line; throws InvalidValueError naming `record` and the field. */
export function parseExportLine(text: string, record: string): ExportRecord {
  if (text.includes('\u0000')) throw new InvalidValueError(record, 'line', undefined, 'contains a NUL character');
  let envelope: unknown;
  try {
    envelope = JSON.parse(text);
  } catch (error) {
    throw new InvalidValueError(record, 'line', undefined, `is not valid JSON (${(error as Error).message})`);
  }
  return mapExportEnvelope(envelope, record);
}

/** Maps one envelope (a parsed line, or one a sync built); throws InvalidValueError naming `record` and the field. */
export function mapExportEnvelope(envelope: unknown, record: string): ExportRecord {
  if (!isObject(envelope)) throw new InvalidValueError(record, 'line', envelope, 'is not a JSON object');
  // Runs once per line: plain loops, no per-line closures or Sets.
  const present: ElementKey[] = [];
  for (const key of ELEMENT_KEYS) if (envelope[key] !== undefined) present.push(key);
  if (present.length !== 1) {
    throw new InvalidValueError(
      record,
      'line',
      undefined,
      present.length === 0
        ? `has no element key (one of ${ELEMENT_KEYS.join(', ')})`
        : `has ${present.join(' and ')}: a line holds one element`,
    );
  }
  const kind = present[0]!;
  const pivot = envelope['pivot'];
  const member = kind === 'adAnalytics' && typeof pivot === 'string' && pivot.startsWith('MEMBER_');
  for (const key in envelope) {
    const allowed = key === kind || (kind === 'adAnalytics' && key === 'pivot') || (member && key === 'account');
    if (!allowed) throw new InvalidValueError(record, key, envelope[key], 'is not an envelope key of this line');
  }
  switch (kind) {
    case 'adAccount':
      return { kind: 'account', row: mapAccount(envelope['adAccount'], record) };
    case 'adCampaign':
      return { kind: 'campaign', row: mapCampaign(envelope['adCampaign'], record) };
    case 'creative':
      return { kind: 'creative', row: mapCreative(envelope['creative'], record) };
    case 'adAnalytics':
      if (typeof pivot !== 'string') throw new InvalidValueError(record, 'pivot', pivot, 'is missing or not a string');
      if (member && envelope['account'] === undefined) {
        throw new InvalidValueError(record, 'account', undefined, `is missing (required with pivot ${pivot})`);
      }
      return mapAnalytics(envelope['adAnalytics'], pivot, envelope['account'], record);
    case 'sync':
      return { kind: 'sync', sync: mapSync(envelope['sync'], record) };
  }
}

function mapSync(value: unknown, record: string): SyncLine {
  if (!isObject(value)) throw new InvalidValueError(record, 'sync', value, 'is not an object');
  for (const key of Object.keys(value)) {
    if (!['accountId', 'trigger', 'apiCallsMade'].includes(key)) {
      throw new InvalidValueError(record, `sync.${key}`, value[key], 'is not a sync field (accountId, trigger, apiCallsMade)');
    }
  }
  const raw = value['accountId'];
  const accountId = typeof raw === 'number' && Number.isSafeInteger(raw) && raw > 0 ? String(raw) : raw;
  if (typeof accountId !== 'string' || !(accountId === 'all' || /^[1-9]\d{0,15}$/.test(accountId))) {
    throw new InvalidValueError(record, 'sync.accountId', raw, 'is not an account id or "all"');
  }
  const sync: SyncLine = { accountId };
  if ('trigger' in value) sync.trigger = value['trigger'] === null ? null : checkText(value['trigger'], record, 'sync.trigger');
  if ('apiCallsMade' in value) sync.apiCallsMade = checkCount(value['apiCallsMade'], record, 'sync.apiCallsMade');
  return sync;
}
