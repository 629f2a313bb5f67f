import type { ExportRecord } from '../linkedin/export.js';
import type { StagedRows } from '../store/staged.js';

/** An export record that carries rows (every kind but the sync line). */
export type RowRecord = Exclude<ExportRecord, { kind: 'sync' }>;

/**
 * Stages one mapped element under its line number (the number errors name), and
 * adds to `named` the accounts it names: the one account a file names becomes its
 * sync_log account_id. The one place ingest and sync hand rows to the store.
 */
export function stageRecord(writer: StagedRows, record: RowRecord, line: number, named: Set<number>): void {
  switch (record.kind) {
    case 'account':
      named.add(record.row.id);
      writer.addAccount(record.row, line);
      break;
    case 'campaign':
      if (record.row.account_id != null) named.add(record.row.account_id);
      writer.addCampaign(record.row, line);
      break;
    case 'creative':
      if (record.row.account_id != null) named.add(record.row.account_id);
      writer.addCreative(record.row, line);
      break;
    case 'campaign_metric':
      writer.addCampaignDailyMetric(record.row, line);
      break;
    case 'creative_metric':
      writer.addCreativeDailyMetric(record.row, line);
      break;
    case 'demographic':
      named.add(record.row.account_id);
      writer.addAudienceDemographic(record.row, line);
      break;
  }
}
