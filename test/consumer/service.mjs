// A plain JavaScript (ESM) service using the installed package: migrate, write, read.
// Run by scripts/consumer-test.ts from a project that installed the packed tarball.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createPool, ingestFile, migrate, reports, writeBatch } from 'linkedin-ads-store';
import { getAccountById } from 'linkedin-ads-store/queries/ad_accounts';

const url = process.env.DATABASE_URL;
await migrate(url, 'up');
const pool = createPool(url);
try {
  await writeBatch(pool, {
    accounts: [{ id: 1001, name: 'Acme', currency: 'USD' }],
    campaigns: [{ id: 2001, account_id: 1001, name: 'Spring' }],
    campaignDailyMetrics: [
      { campaign_id: 2001, date: '2025-12-01', impressions: 120, clicks: 3, spend: '3.20' },
      { campaign_id: 2001, date: '2025-12-02', impressions: 80, clicks: 1, spend: '1.05' },
    ],
  });
  const rows = await reports.campaigns(pool, { accountId: 1001, from: '2025-12-01', to: '2025-12-31' });
  assert.equal(rows.length, 1);
  assert.equal(rows[0].impressions, 200n);
  assert.equal(rows[0].spend, '4.25');
  const [account] = await getAccountById.run({ id: 1001 }, pool);
  assert.equal(account.name, 'Acme');
  console.log(`javascript service: ${rows[0].name} ${rows[0].impressions} impressions, ${rows[0].spend} spent`);

  // An export file parsed on worker threads (the default for files of 8 MiB and more):
  // the worker module must load from the installed package.
  const folder = await mkdtemp(path.join(tmpdir(), 'consumer-ingest-'));
  try {
    const day = (d) => ({ year: 2025, month: 12, day: d });
    const lines = [3, 4, 5].map((d) =>
      JSON.stringify({ adAnalytics: { dateRange: { start: day(d), end: day(d) }, pivotValues: ['urn:li:sponsoredCampaign:2001'], impressions: 10, clicks: 1 }, pivot: 'CAMPAIGN' }),
    );
    const file = path.join(folder, 'export.ndjson');
    await writeFile(file, `${lines.join('\n')}\n`);
    const result = await ingestFile(pool, file, { parseWorkers: 2 });
    assert.equal(result.counts.campaign_daily_metrics.inserted, 3);
    console.log(`javascript service: ingested ${result.lines} lines on 2 parse workers`);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
} finally {
  await pool.end();
}
