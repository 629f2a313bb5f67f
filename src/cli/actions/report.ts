import { writeFile } from 'node:fs/promises';
import { createPool } from '../../db/pool.js';
import { accountPage } from '../../reports/html.js';
import { REPORT_FIELDS, runReport, type ReportName, type ReportOptions } from '../../reports/reports.js';
import { withCliDatabase } from '../database.js';
import { formatRows, type OutputFormat } from '../format.js';

/** Prints a report (or writes it to `out`), or the account's HTML page when `name` is undefined. */
export async function reportAction(
  name: ReportName | undefined,
  reportOptions: ReportOptions,
  options: { format: OutputFormat | 'html'; out?: string | undefined; account?: number | 'all' | undefined },
): Promise<void> {
  await withCliDatabase({}, async ({ url }) => {
    const pool = createPool(url, { max: 2 });
    try {
      const output =
        options.format === 'html'
          ? (await accountPage(pool, { ...reportOptions, accountId: options.account as number })).html
          : formatRows(await runReport(pool, name!, reportOptions), REPORT_FIELDS[name as ReportName], options.format);
      if (options.out) {
        await writeFile(options.out, output);
        process.stderr.write(`wrote ${options.out}\n`);
      } else {
        process.stdout.write(output);
      }
    } finally {
      await pool.end();
    }
  });
}
