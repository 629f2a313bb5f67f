import { Argument, Command, Option } from 'commander';
import { PIVOT_TYPES, REPORT_NAMES, type ReportName } from '../../reports/names.js';
import type { ReportOptions } from '../../reports/reports.js';
import type { OutputFormat } from '../format.js';
import { id, positiveInteger, reportDate } from '../arguments.js';

interface ReportCommandOptions {
  account?: number | 'all' | undefined;
  from?: string | undefined;
  to?: string | undefined;
  format: OutputFormat | 'html';
  out?: string | undefined;
  campaign?: number | undefined;
  pivot?: string | undefined;
  limit?: number | undefined;
}

export function reportCommand(): Command {
  return new Command('report')
    .description('print a report, or write the HTML page of an account')
    .addArgument(new Argument('[name]', 'the report (not needed with --format html)').choices(REPORT_NAMES))
    .option('--account <id>', 'the account (every report but accounts; optional for syncs, where "all" is the multi-account syncs)', accountOption)
    .option('--from <date>', 'first day, YYYY-MM-DD (default: 29 days before --to)', reportDate)
    .option('--to <date>', 'last day, YYYY-MM-DD (default: today, UTC)', reportDate)
    .addOption(new Option('--format <format>', 'json (one array), csv, table, or html (the account page)').choices(['table', 'json', 'csv', 'html']).default('table'))
    .option('--out <file>', 'write the output to this file instead of stdout')
    .option('--campaign <id>', 'creatives and daily: one campaign only', id)
    .addOption(new Option('--pivot <pivot>', 'demographics: the pivot').choices(PIVOT_TYPES))
    .option('--limit <n>', 'syncs: at most N rows, newest first (default 20)', positiveInteger)
    .addHelpText('after', '\nRanges are inclusive. With --format html the page holds the account\'s headline figures, a daily\nspend/clicks chart, its campaigns and its demographics over the range; it needs --account.')
    .action(async (name: string | undefined, options: ReportCommandOptions, command: Command) => {
      if (name === undefined && options.format !== 'html') command.error('error: a report NAME is needed (or --format html)', { exitCode: 2 });
      const usage = usageProblem(name as ReportName | undefined, options);
      if (usage) command.error(`error: ${usage}`, { exitCode: 2 });
      const reportOptions: ReportOptions = {
        ...(options.account !== undefined && { accountId: options.account }),
        ...(options.from !== undefined && { from: options.from }),
        ...(options.to !== undefined && { to: options.to }),
        ...(options.pivot !== undefined && { pivot: options.pivot }),
        ...(options.campaign !== undefined && { campaignId: options.campaign }),
        ...(options.limit !== undefined && { limit: options.limit }),
      };
      await (await import('../actions/report.js')).reportAction(name as ReportName | undefined, reportOptions, options);
    });
}

function accountOption(text: string): number | 'all' {
  return text === 'all' ? 'all' : id(text);
}

/** What the command line itself lacks or contradicts: a usage error (exit 2) before any database work. */
function usageProblem(name: ReportName | undefined, options: ReportCommandOptions): string | null {
  const needsAccount = name === undefined || (name !== 'accounts' && name !== 'syncs');
  if (needsAccount && options.account === undefined) return `${name ?? 'the html page'} needs --account ID`;
  if (needsAccount && options.account === 'all') return `${name ?? 'the html page'} needs one account id, not "all"`;
  if (name === 'demographics' && options.pivot === undefined) return `demographics needs --pivot (one of: ${PIVOT_TYPES.join(', ')})`;
  if (options.campaign !== undefined && name !== 'creatives' && name !== 'daily') return '--campaign goes with the creatives and daily reports';
  if (options.limit !== undefined && name !== 'syncs') return '--limit goes with the syncs report';
  if (options.pivot !== undefined && name !== 'demographics') return '--pivot goes with the demographics report';
  return null;
}
