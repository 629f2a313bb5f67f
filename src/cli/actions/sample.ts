import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { writeSample, yesterday } from '../../sample/sample.js';

export interface SampleCommandOptions {
  accounts: number;
  days: number;
  end?: string | undefined;
  seed: string;
  out?: string | undefined;
}

export async function sampleAction(options: SampleCommandOptions): Promise<void> {
  const out = options.out ? createWriteStream(options.out) : process.stdout;
  const summary = await writeSample(out, { accounts: options.accounts, days: options.days, end: options.end ?? yesterday(), seed: options.seed });
  if (options.out) {
    (out as ReturnType<typeof createWriteStream>).end();
    await finished(out);
  }
  process.stderr.write(
    `sample ${summary.from}..${summary.to}: ${summary.lines} lines, ${summary.accounts} accounts, ${summary.campaigns} campaigns, ` +
      `${summary.creatives} creatives, ${summary.campaignDays} campaign-days, ${summary.creativeDays} creative-days, ${summary.demographicRows} demographic rows` +
      `${options.out ? ` → ${options.out}` : ''}\n`,
  );
}
