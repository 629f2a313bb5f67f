// The library's public surface: the pool, migrations, errors, the
// service functions over the generated queries, and the generated queries themselves.
export { createPool, type PoolOptions } from './db/pool.js';
export { maskUrl, redactSecrets, withDatabase } from './db/urls.js';
export { AdsStoreError, isAdsStoreError, type AdsStoreErrorCode } from './errors.js';
export { SQLSTATE, sqlState, type SqlState } from './db/sqlstate.js';
export { migrate, MIGRATIONS_DIR } from './db/migrate.js';
export { withTransaction, atomically, type Tx, type Transactable } from './db/transaction.js';
export { one, maybeOne, CardinalityError, type Queryable } from './db/queryable.js';
export { parseInt8, typeParsers } from './db/types.js';
export { InvalidValueError } from './values.js';
export * from './store/accounts.js';
export * from './store/campaigns.js';
export * from './store/creatives.js';
export * from './store/metrics.js';
export * from './store/demographics.js';
export * from './store/syncs.js';
export type { WriteCounts } from './store/staged.js';
export * from './store/upserts.js';
export { writeBatch, LockTimeoutError, UnknownReferenceError, type Batch, type WriteOptions, type StagedWriteCounts } from './store/apply.js';
export { ingestFile, ingestFiles, IngestError, type IngestOptions, type IngestResult } from './ingest/ingest.js';
export * as adAccountQueries from './generated/ad_accounts.queries.js';
export * as campaignQueries from './generated/campaigns.queries.js';
export * as creativeQueries from './generated/creatives.queries.js';
export * as campaignDailyMetricQueries from './generated/campaign_daily_metrics.queries.js';
export * as creativeDailyMetricQueries from './generated/creative_daily_metrics.queries.js';
export * as audienceDemographicQueries from './generated/audience_demographics.queries.js';
export * as syncLogQueries from './generated/sync_log.queries.js';
export {
  reports,
  runReport,
  reportRange,
  ReportError,
  REPORT_NAMES,
  REPORT_FIELDS,
  PIVOT_TYPES,
  type ReportName,
  type PivotType,
  type ReportOptions,
  type ReportOptionsOf,
  type ReportRowOf,
  type RangeOptions,
  type AccountRangeOptions,
  type CampaignScopedOptions,
  type DemographicsOptions,
  type SyncsOptions,
  type AccountsReportRow,
  type CampaignsReportRow,
  type CreativesReportRow,
  type DailyReportRow,
  type DemographicsReportRow,
  type CompareReportRow,
  type SyncsReportRow,
} from './reports/reports.js';
export { accountPage, money, type AccountPage } from './reports/html.js';
export { writeSample, type SampleOptions, type SampleSummary } from './sample/sample.js';
export { migrationStatus, type MigrationState } from './db/migrate.js';
export {
  syncAccounts,
  syncPoolSize,
  SyncError,
  DEFAULT_LOOKBACK_DAYS,
  type SyncOptions,
  type AccountSyncResult,
  type AccountSyncEvent,
} from './sync/sync.js';
export { credentialsFromEnv, type LinkedInCredentials } from './linkedin/api/auth.js';
export { DEFAULT_API_VERSION, DEFAULT_API_BASE_URL } from './linkedin/api/client.js';
export { LinkedInApiError, ApiVersionError, DailyQuotaError, LinkedInAuthError } from './linkedin/api/errors.js';
