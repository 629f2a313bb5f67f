import { readFile, writeFile } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import * as assert from 'uvu/assert';
import { IngestError, ingestFile, type IngestOptions, type IngestResult } from '../src/ingest/ingest.js';
import { writeSample } from '../src/sample/sample.js';
import { contentChecksums, databaseSuite, emptyTables, tableChecksums } from './helpers/database.js';
import { writeExport } from './helpers/fixtures.js';

// Ingest parses files of 8 MiB and more on worker threads (src/ingest/parse-pool.ts).
// These tests force the workers on files of a few MiB (five batches of lines, three
// workers, so that answers come back from several workers at once) and check that
// they store, refuse and report exactly what parsing on one thread does.
const Parallel = databaseSuite('ingest-parallel');
Parallel.before.each(({ pool }) => emptyTables(pool));

const ONE_THREAD: IngestOptions = { parseWorkers: 0 };
const WORKERS: IngestOptions = { parseWorkers: 3 };

/** A sample export of ~15,000 lines (~5 MB), with `extra` lines spliced in after the given line numbers. */
async function sampleFile(name: string, extra: Array<[after: number, text: string]> = []): Promise<string> {
  const base = await writeExport(`${name}.base.ndjson`, []);
  const out = createWriteStream(base);
  await writeSample(out, { accounts: 3, days: 365, end: '2024-06-30', seed: 'parallel' });
  out.end();
  await once(out, 'finish');
  const lines = (await readFile(base, 'utf8')).split('\n');
  for (const [after, text] of [...extra].sort((a, b) => b[0] - a[0])) lines.splice(after, 0, text);
  const file = base.replace('.base.', '.');
  await writeFile(file, lines.join('\n'));
  return file;
}

const comparable = (result: IngestResult) => ({ lines: result.lines, accountId: result.accountId, counts: result.counts, rejected: result.rejected });

Parallel('parsing on worker threads stores exactly what parsing on one thread stores', async ({ pool }) => {
  // Restated days later in the file, one of them partial: the fold (later line wins,
  // field by field) must see them whichever worker parsed them.
  const restated = (impressions: number, withClicks: boolean) =>
    JSON.stringify({
      adAnalytics: {
        dateRange: { start: { year: 2024, month: 6, day: 1 }, end: { year: 2024, month: 6, day: 1 } },
        pivotValues: ['urn:li:sponsoredCampaign:190000000'],
        impressions,
        ...(withClicks ? { clicks: 7 } : {}),
      },
      pivot: 'CAMPAIGN',
    });
  const file = await sampleFile('parallel-same', [
    [2_000, restated(100, true)],
    [11_000, restated(200, false)],
  ]);
  const one = await ingestFile(pool, file, ONE_THREAD);
  const oneTables = await contentChecksums(pool);
  await emptyTables(pool);
  const parallel = await ingestFile(pool, file, WORKERS);
  assert.equal(comparable(parallel), comparable(one));
  assert.equal(await contentChecksums(pool), oneTables);
  assert.ok(one.counts.creative_daily_metrics.inserted > 5_000, 'the sample is large enough for several batches');
});

Parallel('a bad line parsed on a worker fails the file naming its line, and nothing is written', async ({ pool }) => {
  const bad = JSON.stringify({ adAccount: { id: -4, name: 'negative' } });
  const file = await sampleFile('parallel-bad', [[9_000, bad], [12_000, '{not json']]);
  const before = await tableChecksums(pool);
  const failures: string[] = [];
  for (const options of [ONE_THREAD, WORKERS]) {
    try {
      await ingestFile(pool, file, options);
      assert.unreachable('the file has a bad line');
    } catch (error) {
      assert.instance(error, IngestError);
      failures.push((error as Error).message);
    }
  }
  assert.match(failures[0]!, /parallel-bad\.ndjson:9001: field adAccount\.id: -4/);
  assert.is(failures[1], failures[0]);
  assert.equal(await tableChecksums(pool), before);
});

Parallel('with skipInvalid, workers set aside the same lines with the same reasons, in line order', async ({ pool }) => {
  // The sample ends with its sync line: the one spliced in before it makes that one the second.
  const file = await sampleFile('parallel-skip', [
    [3_000, '{not json'],
    [7_000, JSON.stringify({ sync: { accountId: 'all', trigger: 'manual', apiCallsMade: 3 } })],
    [7_500, '\u00ff'.repeat(3)], // valid UTF-8, not JSON
    [14_000, JSON.stringify({ creative: { id: 'urn:li:sponsoredCreative:1' }, adCampaign: { id: 1 } })],
  ]);
  const one = await ingestFile(pool, file, { ...ONE_THREAD, skipInvalid: true });
  const oneTables = await contentChecksums(pool);
  await emptyTables(pool);
  const parallel = await ingestFile(pool, file, { ...WORKERS, skipInvalid: true });
  assert.equal(one.rejected.map((r) => r.line), [3_001, 7_503, 14_004, one.lines]);
  assert.match(one.rejected[3]!.reason, /a second sync line/);
  assert.equal(comparable(parallel), comparable(one));
  assert.equal(await contentChecksums(pool), oneTables);
});

Parallel.run();
