import { Command } from 'commander';
import type { DemoCommandOptions } from '../actions/demo.js';
import { positiveInteger } from '../arguments.js';

/**
 * `npm start`: the embedded database (whatever DATABASE_URL says: sample data only
 * goes into a real database when --database-url asks), migrations, a sample export,
 * its ingest, a short printed summary and an HTML page.
 */
export function demoCommand(): Command {
  return new Command('demo')
    .description('sample data into the embedded PostgreSQL, ingested and reported (what npm start runs)')
    .option('--database-url <url>', 'use this database instead of the embedded one (the sample is written into it)')
    .option('--accounts <n>', 'sample accounts', positiveInteger, 3)
    .option('--days <d>', 'sample days', positiveInteger, 365)
    .action(async (options: DemoCommandOptions) => (await import('../actions/demo.js')).demoAction(options));
}
