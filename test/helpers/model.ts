import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { copyFrom, copyRow } from '../../src/db/copy.js';
import { createPool } from '../../src/db/pool.js';
import { IngestError, ingestFile } from '../../src/ingest/ingest.js';
import { writeBatch } from '../../src/store/apply.js';
import { mulberry32 } from '../../src/sample/random.js';

/**
 * A randomized workload over the base tables, for the rollups' model test and
 * `npm run soak`: from several concurrent sessions, transactions of one to three
 * writes — plain SQL inserts, upserts, updates and deletes of days, campaign and
 * creative moves, a parent deleted and stored again, writable CTEs writing a parent
 * and its days, re-keyed days, COPY, TRUNCATE, demographic rows — committed or
 * rolled back at random, beside writeBatch calls and ingests of small export files
 * parsed on a worker (the library's write paths; an ingest's days of parents without
 * days go straight into their tables: src/ingest/direct.ts). A seed
 * fixes every session's choices; how the sessions interleave is up to the server.
 * Writes the database refuses (a foreign key at commit, a duplicate key, a deadlock,
 * a lock timeout) roll their transaction back and are counted; any other error fails.
 */

export interface ModelOptions {
  seed: number;
  /** Transactions per session. */
  transactions: number;
  sessions: number;
}

export interface ModelRun {
  committed: number;
  rolledBack: number;
  /** Refusals by SQLSTATE: expected under concurrency, each rolled back whole. */
  refused: Record<string, number>;
  batches: number;
  ingests: number;
  /** Days the ingests wrote straight into their tables. */
  directRows: number;
}

const ACCOUNTS = [1, 2, 3, 4];
const CAMPAIGNS = [11, 12, 13, 14, 15, 16, 17, 18];
const NEW_CAMPAIGNS = [101, 102, 103, 104, 105, 106];
const CREATIVES = Array.from({ length: 10 }, (_, i) => `urn:li:sponsoredCreative:${i + 1}`);
const SEGMENTS = ['urn:li:seniority:1', 'urn:li:seniority:2', 'urn:li:seniority:3'];
/** 2025-01-22 … 2025-02-09: across a month's end and several weeks. */
const DAYS = Array.from({ length: 19 }, (_, i) => new Date(Date.UTC(2025, 0, 22 + i)).toISOString().slice(0, 10));
// A foreign key at commit, a duplicate key, a deadlock, a serialization failure, a
// lock timeout, and TRUNCATE of a table whose rows this transaction wrote with checks
// still pending at commit (the deferred keys: PostgreSQL refuses it with 55006).
const REFUSALS = new Set(['23503', '23505', '40P01', '40001', '55P03', '55006']);

/** The starting rows: accounts, campaigns (one without an account), creatives, some days. */
export async function seedModel(pool: pg.Pool, seed: number): Promise<void> {
  const random = mulberry32(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const campaignAccount = new Map(CAMPAIGNS.map((id, i) => [id, i === CAMPAIGNS.length - 1 ? null : pick(ACCOUNTS)]));
  const creativeCampaign = new Map(CREATIVES.map((id) => [id, pick(CAMPAIGNS.slice(0, -1))]));
  await writeBatch(pool, {
    accounts: ACCOUNTS.map((id) => ({ id })),
    campaigns: CAMPAIGNS.map((id) => ({ id, account_id: campaignAccount.get(id)! })),
    creatives: CREATIVES.map((id) => ({ id, campaign_id: creativeCampaign.get(id)!, account_id: campaignAccount.get(creativeCampaign.get(id)!)! })),
    campaignDailyMetrics: CAMPAIGNS.flatMap((campaign_id) => DAYS.filter(() => random() < 0.5).map((date) => ({ campaign_id, date, impressions: Math.floor(random() * 1000), clicks: Math.floor(random() * 20), spend: (random() * 50).toFixed(2) }))),
    creativeDailyMetrics: CREATIVES.flatMap((creative_id) => DAYS.filter(() => random() < 0.5).map((date) => ({ creative_id, date, impressions: Math.floor(random() * 300), clicks: Math.floor(random() * 9), spend: (random() * 9).toFixed(3) }))),
  });
}

type Write = (client: pg.PoolClient) => Promise<unknown>;

/** One random write, as a function of the session's generator. */
function randomWrite(random: () => number): Write {
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const count = (max: number) => Math.floor(random() * max);
  const money = () => (random() * 40 - 1).toFixed(2);
  const span = () => {
    const a = pick(DAYS);
    const b = pick(DAYS);
    return a < b ? [a, b] : [b, a];
  };
  const account = () => (random() < 0.05 ? null : pick(ACCOUNTS));
  const r = random();
  if (r < 0.12) {
    const values = [pick([...CAMPAIGNS, ...NEW_CAMPAIGNS]), pick(DAYS), count(500), count(20), money()];
    return (c) => c.query(`insert into campaign_daily_metrics (campaign_id, date, impressions, clicks, spend) values ($1, $2, $3, $4, $5)
                           on conflict (campaign_id, date) do update set impressions = excluded.impressions, clicks = excluded.clicks, spend = excluded.spend`, values);
  }
  if (r < 0.2) {
    const [from, to] = span();
    const values = [count(50), money(), pick(CAMPAIGNS), from, to];
    return (c) => c.query(`update campaign_daily_metrics set impressions = impressions + $1, spend = spend + $2 where campaign_id = $3 and date between $4 and $5`, values);
  }
  if (r < 0.25) {
    const [from, to] = span();
    const values = [pick(CAMPAIGNS), from, to];
    return (c) => c.query(`delete from campaign_daily_metrics where campaign_id = $1 and date between $2 and $3`, values);
  }
  if (r < 0.32) {
    const values = [account(), pick([...CAMPAIGNS, ...NEW_CAMPAIGNS])];
    return (c) => c.query(`update campaigns set account_id = $1 where id = $2`, values);
  }
  if (r < 0.36) {
    // A campaign deleted and stored again in one transaction (the keys are deferred),
    // on the same account or, refused at commit if it has days, another.
    const id = pick(CAMPAIGNS);
    const moved = random() < 0.3;
    const other = pick(ACCOUNTS);
    return async (c) => {
      const [old] = (await c.query<{ account_id: number | null }>(`delete from campaigns where id = $1 returning account_id`, [id])).rows;
      if (old) await c.query(`insert into campaigns (id, account_id) values ($1, $2)`, [id, moved ? other : old.account_id]);
    };
  }
  if (r < 0.41) {
    const values = [pick(NEW_CAMPAIGNS), account(), pick(DAYS), count(300), money()];
    return (c) => c.query(`with made as (insert into campaigns (id, account_id) values ($1, $2) on conflict (id) do nothing returning id)
                           insert into campaign_daily_metrics (campaign_id, date, impressions, spend) select id, $3, $4, $5 from made`, values);
  }
  if (r < 0.46) {
    const values = [account(), pick(CAMPAIGNS), count(9)];
    return (c) => c.query(`with moved as (update campaigns set account_id = $1 where id = $2 returning id)
                           update campaign_daily_metrics set clicks = clicks + $3 where campaign_id in (select id from moved)`, values);
  }
  if (r < 0.5) {
    const values = [pick([...CAMPAIGNS, ...NEW_CAMPAIGNS]), pick(CAMPAIGNS), pick(DAYS)];
    return (c) => c.query(`update campaign_daily_metrics set campaign_id = $1 where campaign_id = $2 and date = $3`, values);
  }
  if (r < 0.6) {
    const values = [pick(CREATIVES), pick(DAYS), count(200), count(8), money()];
    return (c) => c.query(`insert into creative_daily_metrics (creative_id, date, impressions, clicks, spend) values ($1, $2, $3, $4, $5)
                           on conflict (creative_id, date) do update set impressions = excluded.impressions, clicks = excluded.clicks, spend = excluded.spend`, values);
  }
  if (r < 0.65) {
    const [from, to] = span();
    const values = [pick(CREATIVES), from, to];
    return (c) => c.query(random() < 0.5 ? `delete from creative_daily_metrics where creative_id = $1 and date between $2 and $3`
                                         : `update creative_daily_metrics set clicks = clicks + 1 where creative_id = $1 and date between $2 and $3`, values);
  }
  if (r < 0.71) {
    const campaign = pick(CAMPAIGNS);
    const values = [pick(CREATIVES), campaign];
    // A creative moved to another campaign takes that campaign's account.
    return (c) => c.query(`update creatives set campaign_id = $2, account_id = (select account_id from campaigns where id = $2) where id = $1`, values);
  }
  if (r < 0.75) {
    const values = [pick(CREATIVES), pick(CREATIVES), pick(DAYS)];
    return (c) => c.query(`update creative_daily_metrics set creative_id = $1 where creative_id = $2 and date = $3`, values);
  }
  if (r < 0.82) {
    // COPY without the accounts: the database finds them.
    const campaign = pick(CAMPAIGNS);
    const days = DAYS.filter(() => random() < 0.2);
    const rows = days.map((date) => copyRow([campaign, date, count(100), count(5), money()])).join('');
    return async (c) => {
      await c.query(`delete from campaign_daily_metrics where campaign_id = $1 and date = any($2::date[])`, [campaign, days]);
      await copyFrom(c, 'COPY campaign_daily_metrics (campaign_id, date, impressions, clicks, spend) FROM STDIN', [rows]);
    };
  }
  if (r < 0.9) {
    const [accountId, segment, day] = [pick(ACCOUNTS), pick(SEGMENTS), pick(DAYS)];
    if (random() < 0.3) return (c) => c.query(`delete from audience_demographics where account_id = $1 and segment = $2 and date_start <= $3`, [accountId, segment, day]);
    const values = [accountId, segment, day, count(100), count(5)];
    return (c) => c.query(`insert into audience_demographics (account_id, pivot_type, segment, date_start, impressions, clicks) values ($1, 'seniority', $2, $3, $4, $5)
                           on conflict (account_id, pivot_type, segment, date_start) do update set impressions = excluded.impressions, clicks = excluded.clicks`, values);
  }
  if (r < 0.905) {
    const table = pick(['campaign_daily_metrics', 'creative_daily_metrics', 'audience_demographics']);
    return (c) => c.query(`truncate ${table}`); // one of three constant names
  }
  const values = [count(1000), pick(CAMPAIGNS), pick(DAYS)];
  return (c) => c.query(`insert into campaign_daily_metrics (campaign_id, date, impressions) values ($2, $3, $1) on conflict (campaign_id, date) do nothing`, values);
}

const dateOf = (day: string) => {
  const [year, month, dayOfMonth] = day.split('-').map(Number);
  return { year, month, day: dayOfMonth };
};

/**
 * An export file of a few days of a campaign (sometimes a new one, its line first)
 * and of a creative: the lines an ingest reads.
 */
function randomExport(random: () => number): string[] {
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const lines: string[] = [];
  const campaign = pick([...CAMPAIGNS, ...NEW_CAMPAIGNS]);
  if (NEW_CAMPAIGNS.includes(campaign)) lines.push(JSON.stringify({ adCampaign: { id: campaign, account: `urn:li:sponsoredAccount:${pick(ACCOUNTS)}` } }));
  const creative = pick(CREATIVES);
  for (const day of DAYS.filter(() => random() < 0.4)) {
    const range = { start: dateOf(day), end: dateOf(day) };
    const metrics = { impressions: Math.floor(random() * 700), clicks: Math.floor(random() * 9), costInLocalCurrency: (random() * 30).toFixed(2) };
    lines.push(JSON.stringify({ adAnalytics: { dateRange: range, pivotValues: [`urn:li:sponsoredCampaign:${campaign}`], ...metrics }, pivot: 'CAMPAIGN' }));
    if (random() < 0.5) lines.push(JSON.stringify({ adAnalytics: { dateRange: range, pivotValues: [creative], ...metrics }, pivot: 'CREATIVE' }));
  }
  return lines;
}

/** What a refused write's error says: its SQLSTATE, or the library error's name. */
function refusalOf(error: unknown): string {
  const cause = error instanceof IngestError ? error.cause : error;
  const code = (cause as { code?: string }).code ?? (cause as { cause?: { code?: string } }).cause?.code ?? '';
  if (REFUSALS.has(code)) return code;
  const name = (cause as Error).name;
  if (/UnknownReferenceError|LockTimeoutError/.test(name)) return name;
  throw error;
}

/** Runs the workload; resolves to what happened. Throws on any error that is not a refusal. */
export async function runModel(pool: pg.Pool, options: ModelOptions): Promise<ModelRun> {
  const run: ModelRun = { committed: 0, rolledBack: 0, refused: {}, batches: 0, ingests: 0, directRows: 0 };
  const files = await mkdtemp(path.join(tmpdir(), 'ads-store-model-'));
  // Ingests take two connections each (the data and the sync lock's), beside the sessions' own.
  const ingestPool = createPool(pool.options.connectionString!, { max: 2 * options.sessions, statementTimeoutMs: 30_000 });
  const session = async (index: number) => {
    const random = mulberry32(options.seed * 31 + index + 1);
    const client = await pool.connect();
    let broken = false;
    try {
      await client.query(`set lock_timeout = '3s'`);
      for (let t = 0; t < options.transactions; t++) {
        if (random() < 0.04) {
          // An ingest of a small file, parsed on a worker: its own transaction and locks.
          const file = path.join(files, `session-${index}-${t}.ndjson`);
          await writeFile(file, `${randomExport(random).join('\n')}\n`);
          try {
            const result = await ingestFile(ingestPool, file, { parseWorkers: 1, waitTimeoutMs: 10_000 });
            run.ingests += 1;
            run.directRows += result.directRows;
          } catch (error) {
            const refusal = refusalOf(error);
            run.refused[refusal] = (run.refused[refusal] ?? 0) + 1;
          }
          continue;
        }
        if (random() < 0.08) {
          // The library's write path, its own transaction: a restatement of some days.
          const campaign = CAMPAIGNS[Math.floor(random() * CAMPAIGNS.length)]!;
          const days = DAYS.filter(() => random() < 0.3).map((date) => ({ campaign_id: campaign, date, impressions: Math.floor(random() * 900), spend: (random() * 20).toFixed(2) }));
          try {
            await writeBatch(pool, { campaignDailyMetrics: days });
            run.batches += 1;
          } catch (error) {
            const refusal = refusalOf(error);
            run.refused[refusal] = (run.refused[refusal] ?? 0) + 1;
          }
          continue;
        }
        const writes = Array.from({ length: 1 + Math.floor(random() * 3) }, () => randomWrite(random));
        const commit = random() < 0.8;
        try {
          await client.query('begin');
          for (const write of writes) await write(client);
          await client.query(commit ? 'commit' : 'rollback');
          if (commit) run.committed += 1;
          else run.rolledBack += 1;
        } catch (error) {
          const code = (error as { code?: string }).code ?? '';
          await client.query('rollback').catch(() => (broken = true));
          if (!REFUSALS.has(code)) throw new Error(`session ${index}, transaction ${t} (seed ${options.seed}): ${(error as Error).message} (${code})`, { cause: error });
          run.refused[code] = (run.refused[code] ?? 0) + 1;
        }
      }
    } finally {
      client.release(broken);
    }
  };
  try {
    await Promise.all(Array.from({ length: options.sessions }, (_, index) => session(index)));
  } finally {
    await ingestPool.end();
    await rm(files, { recursive: true, force: true });
  }
  return run;
}
