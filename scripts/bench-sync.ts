/**
 * `npm run bench:sync`: ads-store sync against the fake LinkedIn API (a process of
 * its own, scripts/fake-linkedin-server.ts) answering every request after 150 ms:
 * 10 accounts × 100 campaigns × 5 creatives × 90 days, plus the eight demographic
 * pivots monthly. Prints the requests made and the wall time beside
 *   - the ideal wall time, requests × latency ÷ concurrency (the client's own work,
 *     the database's included, hidden behind the network), and
 *   - the request count of the connectors' approach for the same data, computed:
 *     entity pages as here, then analytics per campaign in 30-day slices (one
 *     request for the campaign's row, one for its creatives'), and each demographic
 *     pivot per account in 30-day slices.
 * A warm-up run (not stored) first fills the fake's response cache, so that the
 * measured runs wait on the latency alone. Then: the sync without storing, and the
 * sync storing into an empty database on DATABASE_URL's server (else an embedded
 * PostgreSQL), the figure the target is about: BENCH_RUNS times (default 2) each
 * way, alternated, merging each account in parts while it is fetched (the default)
 * and in one merge at its end (mergeRows 0, the comparison); the median of each.
 * Where /proc can be read, the CPU time of the fetching run and of the median storing
 * run is printed too: this process (its worker threads included), every PostgreSQL
 * process this one can see, and the fake; beside it, the CPU-seconds the cores hold in
 * the ideal wall time. A server elsewhere (another machine, another container) counts
 * as none, and server processes that start and end within a run (autovacuum) are
 * missed: the PostgreSQL figure is a lower bound. The HTTP requests of each run are
 * timed as well (the global fetch wrapped), and the wall time beyond the ideal is
 * split three ways: requests slower than the latency (a busy client or fake reads
 * its bodies late), slots idle before the last response (nothing asked: an account
 * waiting on the database), and the time after the last response (the storing tail).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { migrate } from '../src/db/migrate.js';
import { createPool } from '../src/db/pool.js';
import { DEFAULT_PIVOTS } from '../src/linkedin/api/pull.js';
import { createDatabase, dropDatabase, uniqueDatabaseName } from '../src/provision/databases.js';
import { provideServer } from '../src/provision/server.js';
import { syncAccounts, syncPoolSize } from '../src/sync/sync.js';

const ACCOUNTS = 10;
const CAMPAIGNS = 100;
const CREATIVES = 5;
const FROM = '2025-01-01';
const TO = '2025-03-31';
const DAYS = 90;
const LATENCY_MS = Number(process.env['BENCH_LATENCY_MS'] ?? 150);
const CONCURRENCY = 3;
const RUNS = Number(process.env['BENCH_RUNS'] ?? 2);

async function startFake() {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'fake-linkedin-server.ts')], {
    env: {
      ...process.env,
      FAKE_ACCOUNTS: String(ACCOUNTS),
      FAKE_CAMPAIGNS: String(CAMPAIGNS),
      FAKE_CREATIVES: String(CREATIVES),
      FAKE_FROM: FROM,
      FAKE_TO: TO,
      FAKE_LATENCY_MS: String(LATENCY_MS),
      // One process answering from its cache after the warm-up: the measured run waits
      // on the latency alone, as with a server that does its work in parallel.
      FAKE_WORKERS: '1',
      FAKE_CACHE: '1',
    },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  const fake = JSON.parse(line) as { baseUrl: string; tokenUrl: string; accounts: number[] };
  return { ...fake, pid: child.pid!, stop: async () => (child.stdin!.end(), await once(child, 'exit')) };
}

/** USER_HZ: 100 on every Linux this runs on (sysconf is not reachable from Node). */
const CLOCK_TICKS = 100;

/** By pid: each process's command, parent and CPU seconds so far (user + system). */
type Processes = Map<number, { comm: string; parent: number; cpu: number }>;

/** The processes of this machine from /proc; empty where there is none. */
async function processes(): Promise<Processes> {
  const found: Processes = new Map();
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => null);
    if (stat === null) continue;
    // "pid (comm) state ppid …": the command may hold spaces; utime and stime are the 14th and 15th fields.
    const close = stat.lastIndexOf(')');
    const fields = stat.slice(close + 2).split(' ');
    found.set(Number(entry), { comm: stat.slice(stat.indexOf('(') + 1, close), parent: Number(fields[1]), cpu: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS });
  }
  return found;
}

/**
 * CPU seconds spent between two snapshots by this process (its worker threads
 * included), every PostgreSQL process, and the fake with its workers; null without
 * /proc. Backends are compared by pid: the runs read this before their pool ends.
 */
function cpuSpent(before: Processes, after: Processes, fakePid: number): { node: number; postgres: number; fake: number } | null {
  if (!after.has(process.pid)) return null;
  const spent = { node: 0, postgres: 0, fake: 0 };
  for (const [pid, now] of after) {
    const cpu = now.cpu - (before.get(pid)?.cpu ?? 0);
    if (pid === process.pid) spent.node += cpu;
    else if (now.comm === 'postgres') spent.postgres += cpu;
    else if (pid === fakePid || now.parent === fakePid) spent.fake += cpu;
  }
  return spent;
}

/** One HTTP request of a run: from the fetch call to the end of its body (ms, performance.now()). */
type Span = { start: number; end: number };

/**
 * Times every HTTP request made while `run` runs, by wrapping the global fetch that
 * the client calls: from the call to the end of the body's read.
 */
async function timingRequests<T>(run: () => Promise<T>): Promise<{ value: T; spans: Span[] }> {
  const realFetch = globalThis.fetch;
  const spans: Span[] = [];
  globalThis.fetch = async (input, init) => {
    const span = { start: performance.now(), end: Number.NaN };
    spans.push(span);
    const response = await realFetch(input, init).catch((error: unknown) => {
      span.end = performance.now(); // no response: the slot is free again
      throw error;
    });
    // The client reads a good body as bytes; another (a retried 429 or 5xx) ends its slot here.
    if (!response.ok) span.end = performance.now();
    const read = response.arrayBuffer.bind(response);
    response.arrayBuffer = () => read().finally(() => (span.end = performance.now()));
    return response;
  };
  try {
    return { value: await run(), spans };
  } finally {
    globalThis.fetch = realFetch;
  }
}

/**
 * Where a run's wall time beyond the ideal went, in seconds of wall time: wall − ideal
 * = (time requests took beyond the latency + slot time with no request in flight
 * before the last response) ÷ slots + the time after the last response.
 */
function slotAccounting(spans: readonly Span[], startedAt: number, wallMs: number) {
  const ends = spans.map((span) => span.end);
  if (ends.some(Number.isNaN)) return null; // a body read some other way: not timed
  const lastEnd = Math.max(...ends);
  const events = spans.flatMap((span) => [[span.start, 1] as const, [span.end, -1] as const]).sort((a, b) => a[0] - b[0]);
  let inFlight = 0;
  let at = startedAt;
  let idleMs = 0;
  for (const [time, change] of events) {
    idleMs += Math.max(0, CONCURRENCY - inFlight) * (time - at);
    at = time;
    inFlight += change;
  }
  const beyond = spans.map((span) => span.end - span.start - LATENCY_MS).sort((a, b) => a - b);
  return {
    slower: beyond.reduce((sum, ms) => sum + ms, 0) / CONCURRENCY / 1000,
    medianBeyondMs: beyond[Math.floor(beyond.length / 2)]!,
    idle: idleMs / CONCURRENCY / 1000,
    tail: (startedAt + wallMs - lastEnd) / 1000,
  };
}

/** The connectors' request count for the same data (see the header). */
function connectorRequests(entityPages: number): number {
  const slices = Math.ceil(DAYS / 30);
  const perAccount = CAMPAIGNS * slices * 2 + DEFAULT_PIVOTS.length * slices;
  return entityPages + ACCOUNTS * perAccount;
}

async function main() {
  const scratch = await mkdtemp(path.join(tmpdir(), 'bench-sync-'));
  const server = await provideServer({ containers: false, embeddedDataDir: path.join(scratch, 'pg'), persistent: false });
  const database = uniqueDatabaseName('bench_sync');
  const url = await createDatabase(server.url, database);
  const pool = createPool(url, { max: syncPoolSize(CONCURRENCY), statementTimeoutMs: 0 });
  const fake = await startFake();
  try {
    await migrate(url, 'up');
    console.log(`server: ${server.description}`);
    console.log(`data: ${ACCOUNTS} accounts × ${CAMPAIGNS} campaigns × ${CREATIVES} creatives × ${DAYS} days (${FROM}..${TO}) + ${DEFAULT_PIVOTS.length} demographic pivots; ${LATENCY_MS} ms per response; ${CONCURRENCY} requests in flight`);
    const run = async (store: boolean, mergeRows?: number) => {
      // Every run stores into empty tables (the rollups empty with them), on connections
      // of its own, as a sync started by cron does: none has compiled a trigger
      // function or cached a table yet.
      if (store) await pool.query('truncate ad_accounts, campaigns, creatives, campaign_daily_metrics, creative_daily_metrics, audience_demographics, sync_log');
      const runPool = store ? createPool(url, { max: syncPoolSize(CONCURRENCY), statementTimeoutMs: 0 }) : null;
      const cpuBefore = await processes();
      const started = performance.now();
      const { value: results, spans } = await timingRequests(() =>
        syncAccounts(runPool, {
          credentials: { accessToken: 'test-token' },
          baseUrl: fake.baseUrl,
          from: FROM,
          to: TO,
          concurrency: CONCURRENCY,
          store,
          mergeRows,
        }),
      );
      const wallMs = performance.now() - started;
      const cpu = cpuSpent(cpuBefore, await processes(), fake.pid);
      await runPool?.end();
      return { results, wallMs, cpu, slots: slotAccounting(spans, started, wallMs) };
    };
    await run(false); // the warm-up: fills the fake's response cache
    const fetchOnly = await run(false);
    const inParts: Array<Awaited<ReturnType<typeof run>>> = [];
    const atTheEnd: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      atTheEnd.push((await run(true, 0)).wallMs);
      inParts.push(await run(true));
    }
    const { results, wallMs, cpu, slots } = inParts.sort((a, b) => a.wallMs - b.wallMs)[Math.floor((RUNS - 1) / 2)]!;
    const oneMergeMs = atTheEnd.sort((a, b) => a - b)[Math.floor((RUNS - 1) / 2)]!;
    const failed = results.filter((r) => r.status === 'failed');
    if (failed.length > 0) throw new Error(`${failed.length} accounts failed: ${failed[0]!.error?.message}`);
    const requests = results.reduce((sum, r) => sum + r.apiCallsMade, 0) + 1; // + the account list
    const { rows } = await pool.query(`select (select count(*) from campaign_daily_metrics)::int as campaign_days, (select count(*) from creative_daily_metrics)::int as creative_days, (select count(*) from audience_demographics)::int as demographic_rows`);
    const idealMs = (requests * LATENCY_MS) / CONCURRENCY;
    // Entity requests are the same in both: the account list (which returns the accounts' elements), and per account its pages.
    const entityPages = 1 + results.reduce((sum, r) => sum + Math.ceil(r.campaignsFetched / 500) + Math.ceil(r.creativesFetched / 100), 0);
    const analytics = requests - entityPages;
    const theirs = connectorRequests(entityPages);
    const direct = results.reduce((sum, r) => sum + (r.directRows ?? 0), 0);
    console.log(`stored: ${rows[0].campaign_days} campaign days, ${rows[0].creative_days} creative days, ${rows[0].demographic_rows} demographic rows`);
    console.log(`days written straight into their tables (not staged): ${direct} of ${rows[0].campaign_days + rows[0].creative_days}`);
    console.log('');
    console.log('| | requests | wall time |');
    console.log('|---|---:|---:|');
    console.log(`| ads-store sync | ${requests} | ${(wallMs / 1000).toFixed(2)} s |`);
    console.log(`| the same, each account merged once at its end (mergeRows 0) | ${requests} | ${(oneMergeMs / 1000).toFixed(2)} s |`);
    console.log(`| requests × latency ÷ concurrency | | ${(idealMs / 1000).toFixed(2)} s |`);
    console.log(`| connectors (per campaign, 30-day slices), computed | ${theirs} | ${((theirs * LATENCY_MS) / CONCURRENCY / 1000).toFixed(1)} s at best |`);
    console.log('');
    console.log(`requests: ${(theirs / requests).toFixed(1)}× fewer than the connectors' (target ≥ 20×); of ours ${analytics} analytics`);
    console.log(`wall time: ${(wallMs / idealMs).toFixed(3)} × the ideal (target ≤ 1.10); merged once at the end: ${(oneMergeMs / idealMs).toFixed(3)} ×; fetching alone (--no-store): ${(fetchOnly.wallMs / 1000).toFixed(2)} s, ${(fetchOnly.wallMs / idealMs).toFixed(3)} ×`);
    if (cpu && fetchOnly.cpu) {
      const cores = availableParallelism();
      const seconds = (n: number) => `${n.toFixed(1)} s`;
      const total = cpu.node + cpu.postgres + cpu.fake;
      console.log(`CPU: fetching alone ${seconds(fetchOnly.cpu.node)} here, ${seconds(fetchOnly.cpu.fake)} the fake; storing (the median run) ${seconds(cpu.node)} here, ${seconds(cpu.postgres)} PostgreSQL, ${seconds(cpu.fake)} the fake: ${seconds(total)} in ${seconds(wallMs / 1000)} (${((100 * total) / ((cores * wallMs) / 1000)).toFixed(0)} % of ${cores} cores); the ideal wall time holds ${seconds((cores * idealMs) / 1000)} on ${cores} cores, and this CPU needs ${seconds(total / cores)} of wall time at least (${(total / cores / (idealMs / 1000)).toFixed(2)} × the ideal) however well it overlaps`);
    }
    const seconds = (n: number) => `${n.toFixed(2)} s`;
    for (const [what, run] of [['fetching alone', fetchOnly], ['storing (the median run)', { wallMs, slots }]] as const) {
      if (!run.slots) {
        console.log(`beyond the ideal, ${what}: not split (a response's end was not timed)`);
        continue;
      }
      const { slower, medianBeyondMs, idle, tail } = run.slots;
      console.log(`beyond the ideal, ${what}: ${seconds(run.wallMs / 1000 - idealMs / 1000)} = requests slower than the latency ${seconds(slower)} (median ${medianBeyondMs.toFixed(0)} ms each) + slots idle before the last response ${seconds(idle)} + after it ${seconds(tail)}`);
    }
    console.log(`storing runs (ms), in parts: ${inParts.map((r) => r.wallMs.toFixed(0)).join(', ')}; at the end: ${atTheEnd.map((ms) => ms.toFixed(0)).join(', ')} (sorted)`);
  } finally {
    await fake.stop();
    await pool.end();
    await dropDatabase(server.url, database).catch(() => {});
    await server.stop();
    await rm(scratch, { recursive: true, force: true });
  }
}

await main();
