import { stat } from 'node:fs/promises';
import cliProgress from 'cli-progress';

/**
 * Ingest progress on stderr. On a terminal: a bar (cli-progress) with the share of
 * the file read, lines/s and an ETA. Otherwise (a log, a pipe): a plain line every
 * few seconds, and one at the end, so logs stay readable.
 */
export interface FileProgress {
  update(progress: { lines: number; bytes: number }): void;
  stop(): void;
}

const PLAIN_EVERY_MS = 5_000;

export async function fileProgress(file: string, stream: NodeJS.WriteStream = process.stderr): Promise<FileProgress> {
  const size = await stat(file).then((s) => s.size, () => 0);
  const started = performance.now();
  const rate = (lines: number) => Math.round(lines / Math.max(0.001, (performance.now() - started) / 1000));
  const eta = (bytes: number) => {
    const elapsed = (performance.now() - started) / 1000;
    return bytes > 0 && size > 0 ? Math.max(0, Math.round((elapsed * (size - bytes)) / bytes)) : 0;
  };

  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format: `${file} [{bar}] {percentage}% | {lines} lines | {rate} lines/s | ETA {eta_formatted}`,
        hideCursor: true,
        clearOnComplete: false,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(Math.max(1, size), 0, { lines: 0, rate: 0 });
    return {
      update: ({ lines, bytes }) => bar.update(Math.min(bytes, Math.max(1, size)), { lines, rate: rate(lines) }),
      stop: () => bar.stop(),
    };
  }
  let last = started;
  let latest = { lines: 0, bytes: 0 };
  const line = () =>
    `${file}: ${latest.lines} lines, ${size > 0 ? Math.round((100 * latest.bytes) / size) : 100}% read, ${rate(latest.lines)} lines/s, ETA ${eta(latest.bytes)} s\n`;
  return {
    update: (progress) => {
      latest = progress;
      const now = performance.now();
      if (now - last >= PLAIN_EVERY_MS) {
        last = now;
        stream.write(line());
      }
    },
    stop: () => stream.write(line()),
  };
}
