/// <reference lib="dom" />
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { adsStore } from '../helpers/cli.js';

/**
 * `npm run test:browser`: the demo's HTML report, opened in headless Chromium
 * (Debian's `chromium`, or CHROMIUM_PATH), offline. The chart and the tables must
 * have rendered with real sizes, nothing may be fetched, nothing may fail. Its
 * screenshot goes to .scratch/report.png (git-ignored), to look at; the README's
 * committed docs/report.png is replaced only when asked: ADS_STORE_UPDATE_SCREENSHOT=1,
 * which `npm run docs:screenshot` sets.
 */
// Set-up inside the test, not in a hook: uvu exits 0 when a hook throws.
const Browser = suite('browser');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOT = process.env.ADS_STORE_UPDATE_SCREENSHOT === '1' ? path.join('docs', 'report.png') : path.join('.scratch', 'report.png');

Browser('the HTML report renders offline: headline, chart, campaign table and demographics', async () => {
  assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);
  const home = await mkdtemp(path.join(tmpdir(), 'ads-store-browser-'));
  let browser: Browser | undefined;
  try {
    const demo = await adsStore(['demo', '--accounts', '3'], { DATABASE_URL: undefined, ADS_STORE_HOME: home });
    assert.is(demo.code, 0, demo.stderr);
    const file = /^HTML report of account \d+: (.+)$/m.exec(demo.stdout)![1]!;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    await checkPage(browser, file);
  } finally {
    await browser?.close();
    await rm(home, { recursive: true, force: true });
  }
});

async function checkPage(browser: Browser, file: string): Promise<void> {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 }, deviceScaleFactor: 1 });
  const requests: string[] = [];
  const problems: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });

  assert.equal(requests, [pathToFileURL(file).href], 'the page fetches nothing but itself');
  assert.equal(problems, []);
  assert.is(await page.locator('#headline .card').count(), 7);
  assert.match((await page.locator('#headline .card').first().innerText()).replace(/\s+/g, ' '), /^Impressions [\d,]+$/);

  const chart = await page.locator('#daily-chart').boundingBox();
  assert.ok(chart && chart.width > 800 && chart.height > 150, `chart laid out: ${JSON.stringify(chart)}`);
  // Rendered sizes (the layout's, not the attributes'): a bar per day, as tall as its spend.
  const heights = await page.locator('#daily-chart rect.bar').evaluateAll((rects) => rects.map((rect) => rect.getBoundingClientRect().height));
  assert.ok(heights.length >= 365 && heights.filter((h) => h > 0).length > 300, `${heights.length} day bars, ${heights.filter((h) => h > 0).length} drawn`);
  assert.ok(Math.max(...heights) > 100 && new Set(heights.map(Math.round)).size > 50, 'bars of many heights, the tallest over 100 px');
  const line = await page.locator('#clicks-line').evaluate((polyline) => (polyline as SVGPolylineElement).getTotalLength());
  assert.ok(line > 800, `clicks line drawn (${line} px)`);

  const campaignRows = await page.locator('#campaigns tbody tr').count();
  assert.ok(campaignRows >= 8, `${campaignRows} campaign rows`);
  const firstCampaign = await page.locator('#campaigns tbody tr').first().boundingBox();
  assert.ok(firstCampaign && firstCampaign.height > 10);
  const pivots = await page.locator('#demographics .pivot').count();
  assert.ok(pivots >= 4, `${pivots} demographic pivots`);
  const shareBar = await page.locator('#demographics .share').first().boundingBox();
  assert.ok(shareBar && shareBar.width > 1, 'share bars drawn');

  await mkdir(path.dirname(SCREENSHOT), { recursive: true });
  await page.screenshot({ path: SCREENSHOT, fullPage: false });
  await page.close();
}

Browser.run();
