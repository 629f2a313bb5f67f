import { writeFile } from 'node:fs/promises';
import { Argument, Command, Option } from 'commander';
import { createPool } from '../../db/pool.js';
import { accountPage } from '../../reports/html.js';
import { PIVOT_TYPES, REPORT_FIELDS, REPORT_NAMES, runReport, type ReportName, type ReportOptions } from '../../reports/reports.js';
import { withCliDatabase } from '../database.js';
import { positiveInteger } from '../arguments.js';
import { formatRows, type OutputFormat } from '../format.js';

interface ReportCommandOptions {
  account?: string;
  from?: string;
  to?: string;
  format: OutputFormat | 'html';
  out?: string;
  campaign?: number;
  pivot?: string;
  limit?: number;
}

export function reportCommand(): Command {
  return new Command('report')
    .description('print a report, or write the HTML page of an account')
    .addArgument(new Argument('[name]', 'the report (not needed with --format html)').choices(REPORT_NAMES))
    .option('--account <id>', 'the account (every report but accounts; optional for syncs)')
    .option('--from <date>', 'first day, YYYY-MM-DD (default: 29 days before --to)')
    .option('--to <date>', 'last day, YYYY-MM-DD (default: today, UTC)')
    .addOption(new Option('--format <format>', 'json (one array), csv, table, or html (the account page)').choices(['table', 'json', 'csv', 'html']).default('table'))
    .option('--out <file>', 'write the output to this file instead of stdout')
    .option('--campaign <id>', 'creatives and daily: one campaign only', positiveInteger)
    .addOption(new Option('--pivot <pivot>', 'demographics: the pivot').choices(PIVOT_TYPES))
    .option('--limit <n>', 'syncs: at most N rows, newest first (default 20)', positiveInteger)
    .addHelpText('after', '\nRanges are inclusive. With --format html the page holds the account\'s headline figures, a daily\nspend/clicks chart, its campaigns and its demographics over the range; it needs --account.')
    .action(async (name: string | undefined, options: ReportCommandOptions, command: Command) => {
      if (name === undefined && options.format !== 'html') command.error('error: a report NAME is needed (or --format html)', { exitCode: 2 });
      const reportOptions: ReportOptions = {
        ...(options.account !== undefined && { accountId: options.account }),
        ...(options.from !== undefined && { from: options.from }),
        ...(options.to !== undefined && { to: options.to }),
        ...(options.pivot !== undefined && { pivot: options.pivot }),
        ...(options.campaign !== undefined && { campaignId: options.campaign }),
        ...(options.limit !== undefined && { limit: options.limit }),
      };
      await withCliDatabase({}, async ({ url }) => {
        const pool = createPool(url, { max: 2 });
        try {
          const output =
            options.format === 'html'
              ? (await accountPage(pool, reportOptions)).html
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
    });
}
