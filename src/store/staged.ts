import type { Tx } from '../db/transaction.js';
import { copyFrom, copyRow, type CopyValue } from '../db/copy.js';
import { ACCOUNT_FIELDS, checkAccount, type AccountInput } from './accounts.js';
import { CAMPAIGN_FIELDS, checkCampaign, type CampaignInput } from './campaigns.js';
import { CREATIVE_FIELDS, checkCreative, type CreativeInput } from './creatives.js';
import { checkDemographic, type AudienceDemographicInput } from './demographics.js';
import {
  checkCampaignDailyMetric,
  checkCreativeDailyMetric,
  METRIC_FIELDS,
  type CampaignDailyMetricInput,
  type CreativeDailyMetricInput,
} from './metrics.js';
import { presenceMask } from './merge.js';

/**
 * Staging of bulk writes: rows go by COPY into the session's temporary copies of
 * the staged_* tables (migrations/…create-staging-templates.sql), each with the
 * line it came from and its presence mask, so that folding repeated keys,
 * checking references and merging are set-based statements of sql/staged_*.sql,
 * and memory stays bounded however many rows a write has.
 */

export type StagedTable =
  | 'ad_accounts'
  | 'campaigns'
  | 'creatives'
  | 'campaign_daily_metrics'
  | 'creative_daily_metrics'
  | 'audience_demographics';

export const STAGED_TABLES: readonly StagedTable[] = [
  'ad_accounts',
  'campaigns',
  'creatives',
  'campaign_daily_metrics',
  'creative_daily_metrics',
  'audience_demographics',
];

// Data columns after (line, presence), in the templates' order.
const COLUMNS: Record<StagedTable, readonly string[]> = {
  ad_accounts: ['id', ...ACCOUNT_FIELDS],
  campaigns: ['id', ...CAMPAIGN_FIELDS],
  creatives: ['id', ...CREATIVE_FIELDS],
  campaign_daily_metrics: ['campaign_id', 'date', ...METRIC_FIELDS],
  creative_daily_metrics: ['creative_id', 'date', ...METRIC_FIELDS],
  audience_demographics: ['account_id', 'pivot_type', 'segment', 'date_start', 'date_end', 'impressions', 'clicks'],
};

const DEMOGRAPHIC_FIELDS = ['impressions', 'clicks'] as const;

// Fixed statements over this module's own table names: no data in their text.
const copySql = (table: StagedTable) =>
  `COPY staged_${table} (line, presence, ${COLUMNS[table].join(', ')}) FROM STDIN`;
const createSql = (table: StagedTable) =>
  `CREATE TEMP TABLE IF NOT EXISTS staged_${table} (LIKE public.staged_${table} INCLUDING DEFAULTS) ON COMMIT DROP`;

/** Flush a table's buffer to the server once it holds this many characters. */
const FLUSH_CHARS = 1 << 20;

/**
 * Buffers rows per staged table and COPYs them in chunks. Rows are checked as they
 * are added (InvalidValueError names `record`), so nothing unchecked is staged.
 */
export class StagingWriter {
  private readonly buffers = new Map<StagedTable, { chunks: string[]; chars: number; rows: number }>();
  private readonly staged = new Map<StagedTable, number>();
  private pending = 0;

  private constructor(private readonly tx: Tx) {}

  /** Creates the session's staging tables (dropped at the end of the transaction). */
  static async open(tx: Tx): Promise<StagingWriter> {
    for (const table of STAGED_TABLES) await tx.query(createSql(table));
    return new StagingWriter(tx);
  }

  /** The transaction the rows are staged in. */
  get transaction(): Tx {
    return this.tx;
  }

  /** Characters buffered and not yet sent: call flush() when this is large. */
  get pendingChars(): number {
    return this.pending;
  }

  /** Rows staged so far per table (sent or buffered). */
  rowsStaged(table: StagedTable): number {
    return (this.staged.get(table) ?? 0) + (this.buffers.get(table)?.rows ?? 0);
  }

  addAccount(row: AccountInput, line: number, record: string): void {
    const checked = checkAccount(row, record);
    this.push('ad_accounts', line, presenceMask(checked, ACCOUNT_FIELDS), [checked.id, ...ACCOUNT_FIELDS.map((f) => checked[f])]);
  }

  addCampaign(row: CampaignInput, line: number, record: string): void {
    const checked = checkCampaign(row, record);
    this.push('campaigns', line, presenceMask(checked, CAMPAIGN_FIELDS), [checked.id, ...CAMPAIGN_FIELDS.map((f) => checked[f])]);
  }

  addCreative(row: CreativeInput, line: number, record: string): void {
    const checked = checkCreative(row, record);
    this.push('creatives', line, presenceMask(checked, CREATIVE_FIELDS), [checked.id, ...CREATIVE_FIELDS.map((f) => checked[f])]);
  }

  addCampaignDailyMetric(row: CampaignDailyMetricInput, line: number, record: string): void {
    const checked = checkCampaignDailyMetric(row, record);
    this.push('campaign_daily_metrics', line, presenceMask(checked, METRIC_FIELDS), [
      checked.campaign_id,
      checked.date,
      ...METRIC_FIELDS.map((f) => checked[f]),
    ]);
  }

  addCreativeDailyMetric(row: CreativeDailyMetricInput, line: number, record: string): void {
    const checked = checkCreativeDailyMetric(row, record);
    this.push('creative_daily_metrics', line, presenceMask(checked, METRIC_FIELDS), [
      checked.creative_id,
      checked.date,
      ...METRIC_FIELDS.map((f) => checked[f]),
    ]);
  }

  addAudienceDemographic(row: AudienceDemographicInput, line: number, record: string): void {
    const checked = checkDemographic(row, record);
    this.push('audience_demographics', line, presenceMask(checked, DEMOGRAPHIC_FIELDS), [
      checked.account_id,
      checked.pivot_type,
      checked.segment,
      checked.date_start,
      checked.date_end,
      checked.impressions,
      checked.clicks,
    ]);
  }

  /** Sends every buffered row to the server. */
  async flush(): Promise<void> {
    for (const [table, buffer] of this.buffers) {
      if (buffer.rows === 0) continue;
      await copyFrom(this.tx, copySql(table), buffer.chunks);
      this.staged.set(table, (this.staged.get(table) ?? 0) + buffer.rows);
      this.buffers.set(table, { chunks: [], chars: 0, rows: 0 });
    }
    this.pending = 0;
  }

  private push(table: StagedTable, line: number, presence: number, values: readonly CopyValue[]): void {
    let buffer = this.buffers.get(table);
    if (!buffer) this.buffers.set(table, (buffer = { chunks: [], chars: 0, rows: 0 }));
    const text = copyRow([line, presence, ...values]);
    // Many small rows joined into ~64 KiB chunks: fewer, larger writes to the socket.
    const last = buffer.chunks.length - 1;
    if (last >= 0 && buffer.chunks[last]!.length < 65_536) buffer.chunks[last] += text;
    else buffer.chunks.push(text);
    buffer.chars += text.length;
    buffer.rows += 1;
    this.pending += text.length;
  }

  /** True when the buffers are large enough that the caller should flush() now. */
  get shouldFlush(): boolean {
    return this.pending >= FLUSH_CHARS;
  }
}
