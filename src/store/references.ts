/**
 * The kinds of reference a staged row holds to its parent, named `child.parent` as
 * sql/staged_checks.sql reports them: the one list of them. Each layer that says
 * something per kind (the statement removing such rows, the batch field, the API
 * field) keeps a Record over ReferenceKind, so the compiler holds it to this list;
 * test/references.test.ts holds the SQL to it.
 */
export const REFERENCE_KINDS = [
  'campaign.account',
  'creative.campaign',
  'creative.account',
  'campaign_daily_metric.campaign',
  'creative_daily_metric.creative',
  'audience_demographic.account',
] as const;

export type ReferenceKind = (typeof REFERENCE_KINDS)[number];

export function isReferenceKind(value: string): value is ReferenceKind {
  return (REFERENCE_KINDS as readonly string[]).includes(value);
}
