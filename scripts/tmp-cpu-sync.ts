import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { migrate } from '../src/db/migrate.js';
import { createPool } from '../src/db/pool.js';
import { createDatabase, dropDatabase, uniqueDatabaseName } from '../src/provision/databases.js';
import { syncAccounts } from '../src/sync/sync.js';

function pgCpu(): number {
  let t = 0;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      if (!comm.startsWith('postgres')) continue;
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      t += Number(f[11]) + Number(f[12]);
    } catch {}
  }
  return t * 10; // ms (CLK_TCK 100)
}
function procCpu(pid: number): number { let t = 0; for (const q of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) { try { const g = readFileSync(`/proc/${q}/stat`, 'utf8').split(') ')[1]!.split(' '); if (Number(g[1]) === pid || Number(q) === pid) t += (Number(g[11]) + Number(g[12])) * 10; } catch {} } return t; }
function procCpuOld(pid: number): number { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' '); return (Number(f[11]) + Number(f[12])) * 10; }
const base = process.env.DATABASE_URL!;
const database = uniqueDatabaseName('cpu_sync');
const url = await createDatabase(base, database);
await migrate(url, 'up');
const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'fake-linkedin-server.ts')], {
  env: { ...process.env, FAKE_ACCOUNTS: '10', FAKE_CAMPAIGNS: '100', FAKE_CREATIVES: '5', FAKE_FROM: '2025-01-01', FAKE_TO: '2025-03-31', FAKE_LATENCY_MS: '150', FAKE_WORKERS: '1', FAKE_CACHE: '1' },
  stdio: ['pipe', 'pipe', 'inherit'],
});
const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
const fake = JSON.parse(line);
const opts = { credentials: { accessToken: 'test-token' }, baseUrl: fake.baseUrl, from: '2025-01-01', to: '2025-03-31', concurrency: 3 };
await syncAccounts(null, { ...opts, store: false });
for (let i = 0; i < Number(process.env.RUNS ?? 2); i++) {
  const pool = createPool(url, { max: 12, statementTimeoutMs: 0 });
  await pool.query('truncate ad_accounts, campaigns, creatives, campaign_daily_metrics, creative_daily_metrics, audience_demographics, sync_log');
  const fk0 = procCpu(child.pid!); const pg0 = pgCpu(); const n0 = process.cpuUsage(); const t0 = performance.now();
  const res = await syncAccounts(process.env.NOSTORE ? null : pool, { ...opts, store: !process.env.NOSTORE });
  const wall = performance.now() - t0; const n1 = process.cpuUsage(n0); const pg1 = pgCpu(); const fk1 = procCpu(child.pid!);
  console.log((globalThis as any).__bytes, (globalThis as any).__n); console.log(`wall ${wall.toFixed(0)} ms; node cpu ${((n1.user + n1.system) / 1000).toFixed(0)} ms; postgres cpu ${pg1 - pg0} ms; fake cpu ${fk1 - fk0} ms; failed ${res.filter((r) => r.status === 'failed').length}`);
  for (const r of res) console.log(`  ${r.accountId} ${(r as any).startedAt ?? ''} direct ${r.directRows}`);
  await pool.end();
}
child.stdin!.end(); await once(child, 'exit');
await dropDatabase(base, database);
