import { spawn, type ChildProcess } from 'node:child_process';
import { poll } from './poll.js';

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts the ads-store command as a process, as an operator would; `env` entries set to undefined are removed. */
export function startAdsStore(
  args: string[],
  env: Record<string, string | undefined> = {},
): { child: ChildProcess; done: Promise<Run>; stderr: () => string } {
  const merged: NodeJS.ProcessEnv = { ...process.env };
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete merged[key];
    else merged[key] = value;
  }
  const child = spawn(process.execPath, ['bin/ads-store.mjs', ...args], { env: merged, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const done = new Promise<Run>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done, stderr: () => stderr };
}

export function adsStore(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  return startAdsStore(args, env).done;
}

/** Resolves once `test` holds for the process's stderr so far (polling), or rejects after `ms`. */
export async function waitForStderr(started: { stderr: () => string }, test: RegExp, ms = 30_000): Promise<void> {
  await poll(() => test.test(started.stderr()), () => `stderr never matched ${test}: ${started.stderr()}`, { ms, everyMs: 50 });
}
