import { embeddedPaths, embeddedStatus, pinSharedEmbedded, stopSharedEmbedded } from '../../provision/embedded.js';
import { maskUrl } from '../../db/urls.js';

export async function dbAction(action: 'start' | 'stop' | 'status'): Promise<void> {
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
}
