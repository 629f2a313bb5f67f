/**
 * `npm test`: chooses one PostgreSQL server for the whole run (DATABASE_URL, else
 * Testcontainers, else embedded; src/provision/server.ts), runs the uvu suites against it
 * (each suite creates its own database there), stops the server, and prints the
 * closing line `N passed, N failed`. Exits non-zero unless every test ran and passed.
 *
 * `npm test -- WORD…` runs only the test files whose path contains one of the words.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { provideServer } from '../src/provision/server.js';

const words = process.argv.slice(2);

async function main(): Promise<number> {
  const scratch = await mkdtemp(path.join(tmpdir(), 'ads-store-test-'));
  const server = await provideServer({ embeddedDataDir: path.join(scratch, 'pg'), persistent: false });
  const stop = async () => {
    await server.stop().catch(() => {});
    await rm(scratch, { recursive: true, force: true });
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void stop().then(() => process.exit(130)));
  }
  try {
    const filePattern = words.length > 0 ? `^(?=.*(?:${words.map(escapeRegExp).join('|')})).*\\.test\\.ts$` : '\\.test\\.ts$';
    const { code, output } = await runUvu(filePattern, server.url);
    const totals = parseTotals(output);
    if (!totals) {
      process.stdout.write(`0 passed, 1 failed\n`);
      process.stderr.write(`uvu printed no summary (exit ${code})\n`);
      return 1;
    }
    // uvu counts the tests of a suite whose `before` hook threw in Total but not
    // in Passed, and still exits 0: the difference is failures too.
    const failed = totals.total - totals.passed - totals.skipped;
    process.stdout.write(`${totals.passed} passed, ${failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}\n`);
    const ok = code === 0 && failed === 0 && totals.skipped === 0 && totals.total > 0;
    return ok ? 0 : 1;
  } finally {
    await stop();
  }
}

function runUvu(filePattern: string, serverUrl: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join('node_modules', '.bin', 'uvu'), ['-r', 'tsx', 'test', filePattern], {
      env: { ...process.env, ADS_STORE_TEST_SERVER_URL: serverUrl },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      process.stdout.write(chunk);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

function parseTotals(output: string): { total: number; passed: number; skipped: number } | null {
  const plain = output.replace(/\x1b\[[0-9;]*m/g, '');
  const number = (label: string) => Number(new RegExp(`${label}:\\s+(\\d+)`).exec(plain)?.[1] ?? NaN);
  const totals = { total: number('Total'), passed: number('Passed'), skipped: number('Skipped') };
  return Object.values(totals).every(Number.isFinite) ? totals : null;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.stdout.write('0 passed, 1 failed\n');
    process.exit(1);
  },
);
