import { Command } from 'commander';
import type { SampleCommandOptions } from '../actions/sample.js';
import { isoDate, positiveInteger } from '../arguments.js';

export function sampleCommand(): Command {
  return new Command('sample')
    .description('write a realistic synthetic LinkedIn Ads export (the ingest NDJSON format)')
    .option('--accounts <n>', 'ad accounts', positiveInteger, 3)
    .option('--days <d>', 'days of daily analytics', positiveInteger, 365)
    .option('--end <date>', 'the last day, YYYY-MM-DD (default: yesterday, UTC)', isoDate)
    .option('--seed <s>', 'the same seed and end give the same file', '1')
    .option('--out <file>', 'write here instead of stdout')
    .action(async (options: SampleCommandOptions) => (await import('../actions/sample.js')).sampleAction(options));
}
