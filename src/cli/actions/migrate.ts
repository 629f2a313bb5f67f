import { migrate, migrationStatus } from '../../db/migrate.js';
import { withCliDatabase } from '../database.js';

export async function migrateAction(direction: 'up' | 'down' | 'status', options: { count?: number | undefined }): Promise<void> {
  await withCliDatabase({ migrateFirst: false, anySchema: true }, async ({ url }) => {
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
}
