import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Test } from 'uvu';

/**
 * Scratch folders under the system temp folder (os.tmpdir()) that the tests leave
 * nothing of: `npm test` used to leave about 29 MB there on every run (export files,
 * the bad-input corpus, sample files of the CLI tests).
 */

/** Every scratch folder not removed yet, for the process's `exit` handler. */
const pending = new Set<string>();
process.once('exit', () => {
  // The last resort, for a folder whose suite never reached its after hook.
  for (const folder of pending) rmSync(folder, { recursive: true, force: true });
});

/** A new folder `<tmpdir>/<prefix>XXXXXX`, removed by removeScratch or, at the latest, when the process exits. */
export async function scratchFolder(prefix: string): Promise<string> {
  const folder = await mkdtemp(path.join(tmpdir(), prefix));
  pending.add(folder);
  return folder;
}

/** Removes a scratch folder and everything in it; a folder already gone is fine. */
export async function removeScratch(folder: string): Promise<void> {
  await rm(folder, { recursive: true, force: true });
  pending.delete(folder);
}

/**
 * Scratch folders of one suite: each call of the returned function makes one, and
 * the suite's `after` hook (which uvu runs whether its tests passed, failed or never
 * ran) removes them all.
 */
export function suiteScratch<Context>(suite: Test<Context>, prefix: string): () => Promise<string> {
  const folders: string[] = [];
  suite.after(async () => {
    await Promise.all(folders.splice(0).map(removeScratch));
  });
  return async () => {
    const folder = await scratchFolder(prefix);
    folders.push(folder);
    return folder;
  };
}
