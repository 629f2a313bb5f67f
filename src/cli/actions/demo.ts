import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { embeddedPaths } from '../../provision/embedded.js';
import { createPool } from '../../db/pool.js';
import { accountPage } from '../../reports/html.js';
import { REPORT_FIELDS, reports } from '../../reports/reports.js';
import { writeSample, yesterday } from '../../sample/sample.js';
import { withCliDatabase } from '../database.js';
import { formatRows } from '../format.js';
import { stoppable } from '../interrupt.js';
import { ingestAll } from './ingest.js';

export interface DemoCommandOptions {
  databaseUrl?: string | undefined;
  accounts: number;
  days: number;
}

export async function demoAction(options: DemoCommandOptions): Promise<void> {
  const folder = path.join(embeddedPaths().root, 'demo');
  await mkdir(folder, { recursive: true });
  const sampleFile = path.join(folder, 'sample.ndjson');
  const pageFile = path.join(folder, 'report.html');
  const end = yesterday();
  const out = createWriteStream(sampleFile);
  const sample = await writeSample(out, { accounts: options.accounts, days: options.days, end, seed: 'demo' });
  out.end();
  await finished(out);
  process.stderr.write(`sample: ${sample.lines} lines (${sample.from}..${sample.to}) → ${sampleFile}\n`);

  await withCliDatabase({ ...(options.databaseUrl ? { url: options.databaseUrl, migrateFirst: true } : { embedded: true }) }, async ({ url }) => {
    const failed = await stoppable(() => ingestAll(url, [sampleFile], { wait: true, maxLineBytes: 1 << 20 }));
    if (failed > 0) throw new Error('the sample did not ingest');
    const pool = createPool(url, { max: 2 });
    try {
      const range = { from: sample.from, to: sample.to };
      const accounts = await reports.accounts(pool, range);
      const top = accounts[0]!;
      const campaigns = (await reports.campaigns(pool, { accountId: top.account_id, ...range })).slice(0, 5);
      const syncs = await reports.syncs(pool, { limit: 1 });
      const page = await accountPage(pool, { accountId: top.account_id, ...range });
      await writeFile(pageFile, page.html);
      const print = (title: string, text: string) => process.stdout.write(`\n${title}\n${text}`);
      print(`Accounts, ${range.from} to ${range.to}`, formatRows(accounts, REPORT_FIELDS.accounts.filter((f) => f !== 'status'), 'table'));
      print(`Top campaigns of account ${top.account_id} by spend`, formatRows(campaigns, ['campaign_id', 'name', 'status', 'impressions', 'clicks', 'spend', 'ctr', 'cpc'], 'table'));
      print('Last sync', formatRows(syncs, ['id', 'account_id', 'status', 'trigger', 'started_at', 'finished_at', 'campaigns_fetched', 'creatives_fetched'], 'table'));
      process.stdout.write(`\nHTML report of account ${top.account_id}: ${pageFile}\n`);
    } finally {
      await pool.end();
    }
  });
}
