import type { Queryable } from '../db/queryable.js';
import {
  PIVOT_TYPES,
  ReportError,
  reportRange,
  reports,
  type AccountRangeOptions,
  type AccountsReportRow,
  type CampaignsReportRow,
  type DailyReportRow,
  type DemographicsReportRow,
  type PivotType,
} from './reports.js';

/**
 * One self-contained HTML page for an account and a range: headline figures, a
 * daily spend and clicks chart, the campaigns, and a demographics breakdown. The
 * chart is inline SVG drawn here, the styles are inline: the page needs no network
 * and no script. Every text from the database is escaped.
 */

export interface AccountPage {
  html: string;
  /** What the page shows, for callers that print a summary. */
  account: AccountsReportRow;
  range: { from: string; to: string };
}

type Demographics = Array<{ pivot: PivotType; rows: DemographicsReportRow[] }>;

/** The page of one account over a range; throws ReportError for an unknown account or a bad range. */
export async function accountPage(db: Queryable, options: AccountRangeOptions & { generatedAt?: Date | undefined }): Promise<AccountPage> {
  const range = reportRange(options);
  const base = { accountId: options.accountId, ...range };
  // The daily report checks the account first (a clear ReportError when it does not exist).
  const daily = await reports.daily(db, base);
  const campaigns = await reports.campaigns(db, base);
  const account = (await reports.accounts(db, range)).find((row) => row.account_id === options.accountId);
  if (!account) throw new ReportError(`no account ${options.accountId}`);
  const demographics: Demographics = [];
  for (const pivot of PIVOT_TYPES) {
    const rows = await reports.demographics(db, { ...base, pivot });
    if (rows.length > 0) demographics.push({ pivot, rows });
  }
  const generatedAt = (options.generatedAt ?? new Date()).toISOString().replace('T', ' ').slice(0, 16);
  return { html: render(account, range, daily, campaigns, demographics, generatedAt), account, range };
}

const escape = (value: unknown) =>
  String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const integer = (value: bigint) => value.toLocaleString('en-US');
const percent = (value: number, digits = 2) => `${(value * 100).toFixed(digits)} %`;

/**
 * An exact decimal amount rounded half-up (away from zero) to cents, grouped:
 * "2.995" → "3.00", "1234.5" → "1,234.50", "0" → "0.00". Computed on the digits, never
 * through a float (a float or a truncation showed 2.99 beside a CPC of 3.00).
 */
export function money(amount: string): string {
  const match = /^(-?)(\d+)(?:\.(\d*))?$/.exec(amount.trim());
  if (!match) throw new RangeError(`${JSON.stringify(amount)} is not a decimal amount`);
  const [, sign, whole, fraction = ''] = match;
  return formatCents(BigInt(`${sign}${whole}${(fraction + '00').slice(0, 2)}`), (fraction[2] ?? '0') >= '5');
}

/** spend / clicks rounded half-up to cents, exactly ("0.00" without clicks). */
export function costPer(spend: string, clicks: bigint): string {
  if (clicks === 0n) return '0.00';
  const match = /^(-?)(\d+)(?:\.(\d*))?$/.exec(spend.trim());
  if (!match) throw new RangeError(`${JSON.stringify(spend)} is not a decimal amount`);
  const [, sign, whole, fraction = ''] = match;
  // cents = spend × 100 / clicks: scale the spend to an integer, divide once.
  const scaled = BigInt(`${whole}${fraction}`) * 100n;
  const divisor = clicks * 10n ** BigInt(fraction.length);
  const cents = scaled / divisor;
  return formatCents(sign === '-' ? -cents : cents, (scaled % divisor) * 2n >= divisor);
}

function formatCents(cents: bigint, roundUp: boolean): string {
  const negative = cents < 0n;
  let magnitude = negative ? -cents : cents;
  if (roundUp) magnitude += 1n;
  const text = magnitude.toString().padStart(3, '0');
  const whole = text.slice(0, -2).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative && magnitude !== 0n ? '-' : ''}${whole}.${text.slice(-2)}`;
}

function render(account: AccountsReportRow, range: { from: string; to: string }, daily: DailyReportRow[], campaigns: CampaignsReportRow[], demographics: Demographics, generatedAt: string): string {
  const currency = escape(account.currency ?? '');
  const headline = [
    ['Impressions', integer(account.impressions)],
    ['Clicks', integer(account.clicks)],
    [`Spend${currency ? ` (${currency})` : ''}`, money(account.spend)],
    ['CTR', percent(account.ctr)],
    ['CPC', costPer(account.spend, account.clicks)],
    ['Conversions', integer(account.conversions)],
    ['Leads', integer(account.leads)],
  ];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(account.name ?? `Account ${account.account_id}`)} · ${range.from} to ${range.to}</title>
<style>
  body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d2226; margin: 0; background: #f4f2ee; }
  main { max-width: 1100px; margin: 0 auto; padding: 24px; }
  h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 10px; }
  .sub { color: #5e6b75; margin: 0 0 18px; }
  .cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(130px, 1fr)); gap: 10px; }
  .card { background: #fff; border-radius: 8px; padding: 12px 14px; box-shadow: 0 1px 2px rgba(0,0,0,.08); }
  .card .label { color: #5e6b75; font-size: 12px; } .card .value { font-size: 20px; font-weight: 600; }
  section { background: #fff; border-radius: 8px; padding: 14px 16px; margin-top: 14px; box-shadow: 0 1px 2px rgba(0,0,0,.08); }
  table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
  th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid #e8e6e1; }
  th { font-size: 12px; color: #5e6b75; font-weight: 600; } td.n, th.n { text-align: right; }
  .legend span { display: inline-block; margin-right: 16px; font-size: 12px; color: #5e6b75; }
  .swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 5px; vertical-align: -1px; }
  .pivots { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 14px; }
  .share { background: #0a66c2; height: 8px; border-radius: 4px; }
  footer { color: #5e6b75; font-size: 12px; margin: 18px 0; }
</style>
</head>
<body>
<main>
<h1>${escape(account.name ?? `Account ${account.account_id}`)}</h1>
<p class="sub">Account ${escape(account.account_id)}${currency ? ` · ${currency}` : ''}${account.status ? ` · ${escape(account.status)}` : ''} · ${range.from} to ${range.to} (${daily.length} days)</p>
<div class="cards" id="headline">
${headline.map(([label, value]) => `  <div class="card"><div class="label">${label}</div><div class="value">${value}</div></div>`).join('\n')}
</div>
<section>
<h2>Daily spend and clicks</h2>
<div class="legend"><span><i class="swatch" style="background:#0a66c2"></i>Spend${currency ? ` (${currency})` : ''}</span><span><i class="swatch" style="background:#e7a33e"></i>Clicks</span></div>
${chart(daily)}
</section>
<section>
<h2>Campaigns</h2>
${table('campaigns', campaigns, [
  ['Campaign', (r) => `${escape(r.name ?? r.campaign_id)}<br><small style="color:#5e6b75">${escape(r.campaign_id)} · ${escape(r.type ?? '')} · ${escape(r.status ?? '')}</small>`],
  ['Impressions', (r) => integer(r.impressions), true],
  ['Clicks', (r) => integer(r.clicks), true],
  ['CTR', (r) => percent(r.ctr), true],
  ['Spend', (r) => money(r.spend), true],
  ['CPC', (r) => costPer(r.spend, r.clicks), true],
  ['Conversions', (r) => integer(r.conversions), true],
  ['Leads', (r) => integer(r.leads), true],
])}
</section>
<section>
<h2>Demographics</h2>
<p class="sub">Shares are of the impressions LinkedIn reported per segment (it leaves out small segments).</p>
${demographics.length === 0 ? '<p>No demographic data in this range.</p>' : `<div class="pivots" id="demographics">
${demographics.map(({ pivot, rows }) => `<div class="pivot" data-pivot="${escape(pivot)}">
<h3 style="font-size:14px;margin:6px 0">${escape(pivot.replace('_', ' '))}</h3>
${table(`demographics-${pivot}`, rows.slice(0, 10), [
  ['Segment', (r) => escape(r.segment)],
  ['Impressions', (r) => integer(r.impressions), true],
  ['Share', (r) => `${r.share_pct.toFixed(1)} %<div class="share" style="width:${Math.max(1, Math.min(100, r.share_pct)).toFixed(1)}%"></div>`, true],
])}</div>`).join('\n')}
</div>`}
</section>
<footer>linkedin-ads-store · generated ${generatedAt} UTC</footer>
</main>
</body>
</html>
`;
}

function table<Row>(id: string, rows: Row[], columns: Array<[string, (row: Row) => string, boolean?]>): string {
  if (rows.length === 0) return `<p>None.</p>`;
  return `<table id="${escape(id)}">
<thead><tr>${columns.map(([label, , numeric]) => `<th${numeric ? ' class="n"' : ''}>${label}</th>`).join('')}</tr></thead>
<tbody>
${rows.map((row) => `<tr>${columns.map(([, cell, numeric]) => `<td${numeric ? ' class="n"' : ''}>${cell(row)}</td>`).join('')}</tr>`).join('\n')}
</tbody>
</table>`;
}

/** Spend as bars on the left axis, clicks as a line on the right one, a day per slot. */
function chart(daily: DailyReportRow[]): string {
  const width = 1040, height = 260, left = 56, right = 48, top = 10, bottom = 26;
  const plotWidth = width - left - right, plotHeight = height - top - bottom;
  const spends = daily.map((d) => Number(d.spend));
  const clicks = daily.map((d) => Number(d.clicks));
  const maxSpend = niceMax(Math.max(0, ...spends));
  const maxClicks = niceMax(Math.max(0, ...clicks));
  const slot = plotWidth / Math.max(1, daily.length);
  const barWidth = Math.max(1, slot * 0.72);
  const x = (i: number) => left + i * slot + (slot - barWidth) / 2;
  const ySpend = (v: number) => top + plotHeight - (v / maxSpend) * plotHeight;
  const yClicks = (v: number) => top + plotHeight - (v / maxClicks) * plotHeight;
  const bars = daily
    .map((d, i) => `<rect class="bar" x="${x(i).toFixed(1)}" y="${ySpend(spends[i]!).toFixed(1)}" width="${barWidth.toFixed(1)}" height="${Math.max(0, top + plotHeight - ySpend(spends[i]!)).toFixed(1)}" fill="#0a66c2"><title>${escape(d.date)}: spend ${money(d.spend)}, ${integer(d.clicks)} clicks</title></rect>`)
    .join('');
  const line = daily.map((_, i) => `${(x(i) + barWidth / 2).toFixed(1)},${yClicks(clicks[i]!).toFixed(1)}`).join(' ');
  const ticks = [0, 0.25, 0.5, 0.75, 1]
    .map((f) => {
      const y = (top + plotHeight - f * plotHeight).toFixed(1);
      return `<line x1="${left}" x2="${width - right}" y1="${y}" y2="${y}" stroke="#e8e6e1"/>` +
        `<text x="${left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${compact(maxSpend * f)}</text>` +
        `<text x="${width - right + 6}" y="${y}" dominant-baseline="middle">${compact(maxClicks * f)}</text>`;
    })
    .join('');
  // A date label at most every ~60 px.
  const every = Math.max(1, Math.ceil(60 / slot));
  const labels = daily
    .map((d, i) => (i % every === 0 ? `<text x="${(x(i) + barWidth / 2).toFixed(1)}" y="${height - 8}" text-anchor="middle">${escape(String(d.date).slice(5))}</text>` : ''))
    .join('');
  return `<svg id="daily-chart" role="img" aria-label="Daily spend and clicks" viewBox="0 0 ${width} ${height}" width="100%" style="font-size:11px;fill:#5e6b75">
${ticks}${bars}<polyline id="clicks-line" fill="none" stroke="#e7a33e" stroke-width="2" points="${line}"/>${labels}
</svg>`;
}

function niceMax(value: number): number {
  if (value <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((m) => m >= value)!;
}

const compact = (value: number) => new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 }).format(value);
