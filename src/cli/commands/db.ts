import { Argument, Command } from 'commander';

export function dbCommand(): Command {
  return new Command('db')
    .description('start, stop or show the embedded PostgreSQL server (data under .ads-store, or ADS_STORE_HOME)')
    .addArgument(new Argument('<action>', 'start: keep it running until stop; stop; status').choices(['start', 'stop', 'status']))
    .addHelpText('after', '\nOther commands start the server when they need it and stop it when they end, unless\n`db start` is keeping it running. The password is in .ads-store/embedded.password.')
    .action(async (action: 'start' | 'stop' | 'status') => (await import('../actions/db.js')).dbAction(action));
}
