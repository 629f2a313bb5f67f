/**
 * Child of bench-ingest.ts: ingests one file into the database at argv[2] and
 * prints this process's peak resident set size, so that the figure is the
 * ingest's alone and not the benchmark's (which holds its rows in memory). Plain
 * JavaScript on the compiled package (dist/, built by `npm run bench:ingest`), as a
 * service runs it: under tsx the process would also hold tsx's compiler.
 */
import { statSync } from 'node:fs';
import { createPool } from '../dist/db/pool.js';
import { ingestFile } from '../dist/ingest/ingest.js';

const [url, file] = process.argv.slice(2);
const pool = createPool(url, { max: 2, statementTimeoutMs: 0 });
const started = performance.now();
const result = await ingestFile(pool, file);
const ms = performance.now() - started;
await pool.end();
const peakMb = process.resourceUsage().maxRSS / 1024;
console.log(
  `end to end, ${result.lines} lines (${(statSync(file).size / 1e6).toFixed(0)} MB file), first load: ` +
    `${ms.toFixed(0)} ms, ${Math.round((result.lines / ms) * 1000)} lines/s, peak RSS ${peakMb.toFixed(0)} MB`,
);
