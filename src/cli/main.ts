import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { redactSecrets } from '../db/server.js';
import { dbCommand } from './commands/db.js';
import { demoCommand } from './commands/demo.js';
import { ingestCommand } from './commands/ingest.js';
import { migrateCommand } from './commands/migrate.js';
import { reportCommand } from './commands/report.js';
import { sampleCommand } from './commands/sample.js';

/**
 * The ads-store command line (commander). Exit status: 0 success, 1 failure, 2 usage
 * error; results on stdout, diagnostics on stderr.
 */

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

function program(): Command {
  const root = new Command('ads-store')
    .description('LinkedIn Ads data in PostgreSQL: migrations, sample data, ingest, reports.')
    .version(version, '-v, --version')
    .addHelpText(
      'after',
      `
Database: DATABASE_URL when set, else an embedded PostgreSQL kept under .ads-store in the
working directory (ADS_STORE_HOME), started when a command needs it and stopped after.

Exit status: 0 success, 1 failure, 2 usage error.`,
    );
  for (const command of [migrateCommand(), sampleCommand(), ingestCommand(), reportCommand(), demoCommand(), dbCommand()]) {
    root.addCommand(command);
  }
  // Every command: usage errors are CommanderErrors (exit 2 below), not process.exit(1).
  const configure = (command: Command) => {
    command.exitOverride().showHelpAfterError('(add --help for usage)');
    command.commands.forEach(configure);
  };
  configure(root);
  return root;
}

async function main(argv: string[]): Promise<number> {
  const root = program();
  if (argv.length === 0) {
    root.outputHelp({ error: true });
    return 2;
  }
  try {
    await root.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end as "errors" too, with exit code 0.
      return error.exitCode === 0 ? 0 : 2;
    }
    // A report asked wrongly, a failed ingest, an unreachable database: the reason, exit 1.
    process.stderr.write(`ads-store: ${redactSecrets(String((error as Error).message ?? error), secrets(argv))}\n`);
    return 1;
  }
}

/** DATABASE_URL and a --database-url value: never printed. */
function secrets(argv: string[]): string[] {
  const given = argv.flatMap((arg, i) => (arg === '--database-url' ? [argv[i + 1] ?? ''] : arg.startsWith('--database-url=') ? [arg.slice(15)] : []));
  return [process.env.DATABASE_URL ?? '', ...given];
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
