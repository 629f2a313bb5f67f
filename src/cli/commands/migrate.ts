import { Command, Argument } from 'commander';
import { migrate, migrationStatus } from '../../db/migrate.js';
import { withCliDatabase } from '../database.js';
import { positiveInteger } from '../arguments.js';

export function migrateCommand(): Command {
  return new Command('migrate')
    .description('apply, revert or list the schema migrations (migrations/*.sql)')
    .addArgument(new Argument('<direction>', 'up: apply pending; down: revert the last --count; status: list').choices(['up', 'down', 'status']))
    .option('--count <n>', 'how many to apply or revert (default: all pending for up, 1 for down)', positiveInteger)
    .addHelpText('after', '\nDATABASE_URL, else the embedded PostgreSQL. Concurrent runs wait for each other.')
    .action(async (direction: 'up' | 'down' | 'status', options: { count?: number }) => {
      await withCliDatabase({ migrateFirst: false }, async ({ url }) => {
        if (direction === 'status') {
          for (const { name, runOn } of await migrationStatus(url)) {
            process.stdout.write(`${runOn ? `applied ${runOn.toISOString()}` : 'pending                          '}  ${name}\n`);
          }
          return;
        }
        const ran = await migrate(url, direction, { ...(options.count !== undefined && { count: options.count }) });
        for (const migration of ran) process.stdout.write(`${direction === 'up' ? 'applied' : 'reverted'} ${migration.name}\n`);
        if (ran.length === 0) process.stdout.write(direction === 'up' ? 'nothing to apply: the schema is current\n' : 'nothing to revert\n');
      });
    });
}
