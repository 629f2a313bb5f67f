import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { type InterruptedError, interrupted } from './interrupt.js';
import { dbCommand } from './commands/db.js';
import { demoCommand } from './commands/demo.js';
import { ingestCommand } from './commands/ingest.js';
import { migrateCommand } from './commands/migrate.js';
import { reportCommand } from './commands/report.js';
import { sampleCommand } from './commands/sample.js';
import { syncCommand } from './commands/sync.js';

/**
 * The ads-store command line (commander). Exit status: 0 success, 1 failure, 2 usage
 * error, 130 / 143 on Ctrl-C / SIGTERM; results on stdout, diagnostics on stderr.
 *
 * Only commander and the commands' definitions load before a command is chosen:
 * each command imports its action, and the database and report code under it, when
 * it runs (--version went from ~300 ms with everything loaded to ~90 ms;
 * `npm run bench:startup`).
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
  for (const command of [migrateCommand(), sampleCommand(), ingestCommand(), syncCommand(), reportCommand(), demoCommand(), dbCommand()]) {
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
    if (interrupted.aborted) throw interrupted.reason;
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    // Ctrl-C / SIGTERM: whatever the work threw while stopping, the reason is the signal.
    if (interrupted.aborted) {
      process.stderr.write('ads-store: interrupted\n');
      return (interrupted.reason as InterruptedError).exitCode;
    }
    if (error instanceof CommanderError) {
      // --help and --version end as "errors" too, with exit code 0.
      return error.exitCode === 0 ? 0 : 2;
    }
    // A report asked wrongly, a failed ingest, an unreachable database: the reason, exit 1.
    const { redactSecrets } = await import('../db/urls.js');
    const { cliMessage } = await import('./errors.js');
    const message = error instanceof Error ? cliMessage(error) : String(error);
    process.stderr.write(`ads-store: ${redactSecrets(message, secrets(argv))}\n`);
    return 1;
  }
}

/** DATABASE_URL, a --database-url value and the LinkedIn secrets: never printed. */
function secrets(argv: string[]): string[] {
  const given = argv.flatMap((arg, i) => (arg === '--database-url' ? [argv[i + 1] ?? ''] : arg.startsWith('--database-url=') ? [arg.slice(15)] : []));
  const linkedin = ['LINKEDIN_ACCESS_TOKEN', 'LINKEDIN_CLIENT_SECRET', 'LINKEDIN_REFRESH_TOKEN'].map((name) => process.env[name] ?? '');
  return [process.env['DATABASE_URL'] ?? '', ...given, ...linkedin].filter((secret) => secret !== '');
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
