import { Command, Argument } from 'commander';
import { positiveInteger } from '../arguments.js';

export function migrateCommand(): Command {
  return new Command('migrate')
    .description('apply, revert or list the schema migrations (migrations/*.sql)')
    .addArgument(new Argument('<direction>', 'up: apply pending; down: revert the last --count; status: list').choices(['up', 'down', 'status']))
    .option('--count <n>', 'how many to apply or revert (default: all pending for up, 1 for down)', positiveInteger)
    .addHelpText('after', '\nDATABASE_URL, else the embedded PostgreSQL. Concurrent runs wait for each other.')
    .action(async (direction: 'up' | 'down' | 'status', options: { count?: number }) => (await import('../actions/migrate.js')).migrateAction(direction, options));
}
