import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { Command } from 'commander';
import { writeSample, yesterday } from '../../sample/sample.js';
import { isoDate, positiveInteger } from '../arguments.js';

export function sampleCommand(): Command {
  return new Command('sample')
    .description('write a realistic synthetic LinkedIn Ads export (the ingest NDJSON format)')
    .option('--accounts <n>', 'ad accounts', positiveInteger, 3)
    .option('--days <d>', 'days of daily analytics', positiveInteger, 365)
    .option('--end <date>', 'the last day, YYYY-MM-DD (default: yesterday, UTC)', isoDate)
    .option('--seed <s>', 'the same seed and end give the same file', '1')
    .option('--out <file>', 'write here instead of stdout')
    .action(async (options: { accounts: number; days: number; end?: string; seed: string; out?: string }) => {
      const out = options.out ? createWriteStream(options.out) : process.stdout;
      const summary = await writeSample(out, { accounts: options.accounts, days: options.days, end: options.end ?? yesterday(), seed: options.seed });
      if (options.out) {
        (out as ReturnType<typeof createWriteStream>).end();
        await finished(out);
      }
      process.stderr.write(
        `sample ${summary.from}..${summary.to}: ${summary.lines} lines, ${summary.accounts} accounts, ${summary.campaigns} campaigns, ` +
          `${summary.creatives} creatives, ${summary.campaignDays} campaign-days, ${summary.creativeDays} creative-days, ${summary.demographicRows} demographic rows` +
          `${options.out ? ` → ${options.out}` : ''}\n`,
      );
    });
}
