import { InvalidValueError } from '../values.js';

/** The URN kinds this store reads ids from. */
export type UrnKind = 'sponsoredAccount' | 'sponsoredCampaign' | 'sponsoredCampaignGroup' | 'sponsoredCreative';

const URN = /^urn:li:([A-Za-z]+):(\d{1,16})$/;

/** The numeric id of a URN of the given kind (`urn:li:sponsoredAccount:123` → 123). */
export function urnId(value: unknown, kind: UrnKind, record: string, field: string): number {
  const match = typeof value === 'string' ? URN.exec(value) : null;
  if (!match) throw new InvalidValueError(record, field, value, `is not a urn:li:${kind}:<id> URN`);
  if (match[1] !== kind) throw new InvalidValueError(record, field, value, `is a ${match[1]} URN, not a ${kind} URN`);
  const id = Number(match[2]);
  if (!Number.isSafeInteger(id) || id <= 0) {
    throw new InvalidValueError(record, field, value, `has an id outside 1…${Number.MAX_SAFE_INTEGER}`);
  }
  return id;
}

/** A URN of the given kind, checked and kept as sent (creative ids, campaign groups). */
export function checkUrn(value: unknown, kind: UrnKind, record: string, field: string): string {
  urnId(value, kind, record, field);
  return value as string;
}

export const urnOf = (kind: UrnKind, id: number | string): string => `urn:li:${kind}:${id}`;
