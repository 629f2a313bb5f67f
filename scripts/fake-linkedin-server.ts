/**
 * The fake LinkedIn API of the tests (test/helpers/fake-linkedin.ts) as a process
 * of its own, so that a benchmark's client does not share its event loop with the
 * server, and served by FAKE_WORKERS processes (node:cluster, one port) so that
 * concurrent requests are answered concurrently, as LinkedIn's servers would: one
 * process would queue the 5 MB analytics responses behind each other. Prints one
 * JSON line `{"baseUrl", "tokenUrl", "accounts"}` once every worker listens, and
 * serves until stdin closes. Settings from the environment: FAKE_SEED,
 * FAKE_ACCOUNTS, FAKE_CAMPAIGNS, FAKE_CREATIVES, FAKE_FROM, FAKE_TO,
 * FAKE_LATENCY_MS, FAKE_WORKERS (default 3), FAKE_CACHE=1 (cacheResponses).
 */
import cluster from 'node:cluster';
import { buildDataset, startFakeLinkedIn } from '../test/helpers/fake-linkedin.js';

const env = (name: string, fallback: string) => process.env[name] ?? fallback;

if (cluster.isPrimary) {
  const workers = Number(env('FAKE_WORKERS', '3'));
  const listening: string[] = [];
  for (let i = 0; i < workers; i++) {
    cluster.fork().on('message', (line: string) => {
      listening.push(line);
      // Every worker listens on the one port the primary handed out (port 0 is shared in a cluster).
      if (listening.length === workers) process.stdout.write(`${line}\n`);
    });
  }
  process.stdin.resume();
  process.stdin.on('end', () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill();
    process.exit(0);
  });
} else {
  const dataset = buildDataset({
    seed: Number(env('FAKE_SEED', '1')),
    accounts: Number(env('FAKE_ACCOUNTS', '10')),
    campaignsPerAccount: Number(env('FAKE_CAMPAIGNS', '100')),
    creativesPerCampaign: Number(env('FAKE_CREATIVES', '5')),
    from: env('FAKE_FROM', '2025-01-01'),
    to: env('FAKE_TO', '2025-03-31'),
  });
  const server = await startFakeLinkedIn({ dataset, latencyMs: Number(env('FAKE_LATENCY_MS', '0')), cacheResponses: env('FAKE_CACHE', '0') === '1' });
  process.send!(JSON.stringify({ baseUrl: server.baseUrl, tokenUrl: server.tokenUrl, accounts: dataset.readableAccountIds }));
}
