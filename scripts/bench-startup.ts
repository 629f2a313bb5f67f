/**
 * `npm run bench:startup`: how long the ads-store command takes before it does any
 * work, in one process, alternating three ways so that all see the same machine:
 *
 *   - built: bin/ads-store.mjs → dist/, what an installed package runs;
 *   - tsx: today's sources through tsx's loader (no build step);
 *   - before: the command as it was before it became a package (BENCH_BASELINE, a git
 *     ref, default 876d782: tsx's loader, every module loaded up front), checked out
 *     into a temporary worktree that borrows this checkout's node_modules.
 *
 * Prints the median and p90 wall time of `--version` and `report campaigns --help`
 * for each, and the ratios to `before` (lower is faster). Needs a build
 * (`npm run build`). BENCH_RUNS sets the runs per command and way (default 15).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 15);
const BASELINE = process.env['BENCH_BASELINE'] ?? '876d782';

const scratch = await mkdtemp(path.join(tmpdir(), 'ads-store-bench-startup-'));
const before = path.join(scratch, 'before');
execFileSync('git', ['worktree', 'add', '--detach', '--quiet', before, BASELINE]);
await symlink(path.resolve('node_modules'), path.join(before, 'node_modules'));

const WAYS = {
  built: [process.execPath, 'bin/ads-store.mjs'],
  tsx: [process.execPath, '--import', 'tsx', 'src/cli/main.ts'],
  before: [process.execPath, path.join(before, 'bin', 'ads-store.mjs')],
} as const;

const COMMANDS = [['--version'], ['report', 'campaigns', '--help']];

function time(argv: readonly string[]): number {
  const started = process.hrtime.bigint();
  const run = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', env: { ...process.env, DATABASE_URL: '' } });
  const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
  if (run.status !== 0) throw new Error(`${argv.join(' ')} exited ${run.status}: ${run.stderr}`);
  return elapsed;
}

const quantile = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))]!;

try {
  if (!existsSync('dist/cli/main.js')) throw new Error('no dist/: run npm run build first');
  console.log(`node ${process.version}, ${RUNS} runs per command and way, alternating; before = ${BASELINE}`);
  const ways = Object.keys(WAYS) as Array<keyof typeof WAYS>;
  for (const command of COMMANDS) {
    const samples = Object.fromEntries(ways.map((way) => [way, [] as number[]])) as Record<keyof typeof WAYS, number[]>;
    for (const way of ways) time([...WAYS[way], ...command]); // warm the file cache
    for (let i = 0; i < RUNS; i++) for (const way of ways) samples[way].push(time([...WAYS[way], ...command]));
    const median = (way: keyof typeof WAYS) => quantile(samples[way], 0.5);
    console.log(
      `ads-store ${command.join(' ')}: ` +
        ways.map((way) => `${way} ${median(way).toFixed(0)} ms (p90 ${quantile(samples[way], 0.9).toFixed(0)})`).join(', ') +
        `; built/before ${(median('built') / median('before')).toFixed(2)}, tsx/before ${(median('tsx') / median('before')).toFixed(2)}`,
    );
  }
} finally {
  execFileSync('git', ['worktree', 'remove', '--force', before]);
  await rm(scratch, { recursive: true, force: true });
}
