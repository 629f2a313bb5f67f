import { Argument, Command } from 'commander';
import { embeddedPaths, embeddedStatus, pinSharedEmbedded, stopSharedEmbedded } from '../../db/embedded.js';
import { maskUrl } from '../../db/server.js';

export function dbCommand(): Command {
  return new Command('db')
    .description('start, stop or show the embedded PostgreSQL server (data under .ads-store, or ADS_STORE_HOME)')
    .addArgument(new Argument('<action>', 'start: keep it running until stop; stop; status').choices(['start', 'stop', 'status']))
    .addHelpText('after', '\nOther commands start the server when they need it and stop it when they end, unless\n`db start` is keeping it running. The password is in .ads-store/embedded.password.')
    .action(async (action: 'start' | 'stop' | 'status') => {
      const paths = embeddedPaths();
      if (action === 'start') {
        const server = await pinSharedEmbedded(paths, (line) => process.stderr.write(`${line}\n`));
        process.stdout.write(`running: ${server.description}\nurl: ${maskUrl(server.url)} (password in ${paths.passwordFile})\n`);
        return;
      }
      if (action === 'stop') {
        const { wasRunning, users } = await stopSharedEmbedded(paths);
        process.stdout.write(
          !wasRunning ? 'not running\n'
          : users.length > 0 ? `still used by ${users.length} command(s) (pids ${users.join(', ')}): the last of them stops it\n`
          : 'stopped\n',
        );
        return;
      }
      const status = await embeddedStatus(paths);
      process.stdout.write(
        status.running
          ? `running: pid ${status.pid}, 127.0.0.1:${status.port}, data in ${paths.dataDir}${status.pinned ? ', kept running by db start' : ''}${status.users.length ? `, used by ${status.users.length} command(s)` : ''}\n`
          : `stopped (data in ${paths.dataDir})\n`,
      );
    });
}
