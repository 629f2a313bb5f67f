import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { freshDatabase, type TestDatabase } from './helpers/database.js';

/**
 * Every `sh` and `ts` block of the README runs as written, each on a fresh database
 * (DATABASE_URL), in an empty folder: `npx ads-store` is this checkout's command, an
 * import of 'linkedin-ads-store' this package's build. A block may be left out only by
 * an `<!-- not run: reason -->` line right after it. The tour's reports must show data,
 * and a `console.log(…); // text` line must print that text.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = path.join(ROOT, 'bin', 'ads-store.mjs');

interface Block {
  lang: string;
  code: string;
  /** Line of the README where the block starts, for messages. */
  line: number;
  notRun?: string;
}

function readmeBlocks(text: string): Block[] {
  const lines = text.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)$/.exec(lines[i]!);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== '```'; i++) body.push(lines[i]!);
    const notRun = /^<!-- not run: (.+) -->$/.exec(lines[i + 1] ?? '')?.[1];
    blocks.push({ lang: open[1]!, code: body.join('\n'), line: start + 1, ...(notRun && { notRun }) });
  }
  return blocks;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The report's rows as objects, from any of its text formats. */
function reportRows(output: string, format: string): Array<Record<string, string>> {
  if (format === 'json') return (JSON.parse(output) as Array<Record<string, unknown>>).map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, String(v)])));
  const table = format === 'csv'
    ? output.trim().split('\n').map((line) => line.split(','))
    : output.split('\n').filter((line) => line.startsWith('│')).map((line) => line.split('│').slice(1, -1).map((cell) => cell.trim()));
  const [header, ...rows] = table;
  return rows.map((cells) => Object.fromEntries(header!.map((name, i) => [name, cells[i] ?? ''])));
}

/** A report of the tour shows data: some row has impressions (or, for syncs, a row). */
function assertShowsData(command: string, result: Run, cwd: string): Promise<void> | void {
  const format = /--format (\w+)/.exec(command)?.[1] ?? 'table';
  if (format === 'html') {
    const out = /--out (\S+)/.exec(command)?.[1];
    return readFile(path.join(cwd, out!), 'utf8').then((html) => {
      const impressions = /Impressions<\/div><div class="value">([\d,]+)</.exec(html)?.[1];
      assert.ok(impressions && impressions !== '0', `${command}: the page shows impressions ${impressions}`);
    });
  }
  const rows = reportRows(result.stdout, format);
  if (/report syncs/.test(command)) return assert.ok(rows.length > 0, `${command}: no rows`);
  assert.ok(rows.some((row) => Number(row['impressions']) > 0), `${command}: every row has zero impressions:\n${result.stdout.slice(0, 2000)}`);
}

const Readme = suite<{ blocks: Block[]; scratch: string; databases: TestDatabase[] }>('readme', { blocks: [], scratch: '', databases: [] });

Readme.before(async (context) => {
  context.blocks = readmeBlocks(await readFile(path.join(ROOT, 'README.md'), 'utf8'));
  context.scratch = await mkdtemp(path.join(tmpdir(), 'ads-store-readme-'));
});
Readme.after(async ({ scratch, databases }) => {
  for (const db of databases) await db.drop();
  await rm(scratch, { recursive: true, force: true });
});

Readme('every sh and ts block is run, or says why not', ({ blocks }) => {
  const runnable = blocks.filter((block) => block.lang === 'sh' || block.lang === 'ts');
  assert.ok(runnable.length >= 6, `only ${runnable.length} blocks found`);
  for (const block of blocks) {
    assert.ok(['sh', 'ts', 'text', ''].includes(block.lang), `README line ${block.line}: a \`\`\`${block.lang} block is neither run nor marked text`);
  }
});

Readme('the sh blocks run as written, on a fresh database each; the tour\'s reports show data', async (context) => {
  const blocks = context.blocks.filter((block) => block.lang === 'sh' && !block.notRun);
  for (const [index, block] of blocks.entries()) {
    const db = await freshDatabase('readme', { migrated: false });
    context.databases.push(db);
    const cwd = path.join(context.scratch, `sh-${index}`);
    await mkdir(cwd);
    // `npx ads-store` as npm resolves it in a checkout: this package's own bin.
    const prelude = `npx() { if [ "$1" = ads-store ]; then shift; node ${JSON.stringify(BIN)} "$@"; else command npx "$@"; fi; }`;
    for (const command of block.code.split('\n').filter((line) => line.trim() !== '' && !line.trim().startsWith('#'))) {
      const result = await run('bash', ['-c', `${prelude}\n${command}`], { cwd, env: { ...process.env, DATABASE_URL: db.url } });
      assert.is(result.code, 0, `README line ${block.line}: ${command}\nexit ${result.code}\n${result.stderr}`);
      if (/ads-store report /.test(command)) await assertShowsData(command, result, cwd);
    }
  }
});

Readme('the ts blocks run as written against this package\'s build, printing what their comments say', async (context) => {
  const blocks = context.blocks.filter((block) => block.lang === 'ts' && !block.notRun);
  assert.ok(blocks.length >= 2);
  // Inside the checkout, so that 'linkedin-ads-store' resolves to this package (its exports, dist/).
  const folder = path.join(ROOT, '.scratch');
  await mkdir(folder, { recursive: true });
  for (const [index, block] of blocks.entries()) {
    const db = await freshDatabase('readme', { migrated: false });
    context.databases.push(db);
    const file = path.join(folder, `readme-${process.pid}-${index}.ts`);
    await writeFile(file, block.code);
    try {
      const result = await run(process.execPath, ['--import', 'tsx', file], { cwd: ROOT, env: { ...process.env, DATABASE_URL: db.url, NO_COLOR: '1', FORCE_COLOR: '0' } });
      assert.is(result.code, 0, `README line ${block.line}: exit ${result.code}\n${result.stderr}`);
      const expected = [...block.code.matchAll(/console\.log\(.*\);\s*\/\/ (.+)$/gm)].map((match) => match[1]!.trim());
      for (const text of expected) assert.ok(result.stdout.split('\n').includes(text), `README line ${block.line}: printed ${JSON.stringify(result.stdout)}, not ${JSON.stringify(text)}`);
    } finally {
      await rm(file, { force: true });
    }
  }
});

Readme.run();
