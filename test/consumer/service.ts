// A TypeScript service using the installed package, compiled by tsc with the
// strictest settings a consumer may have (tsconfig.json beside this file).
import assert from 'node:assert/strict';
import { AdsStoreError, createPool, migrate, reports, writeBatch, type AdsStoreErrorCode, type CampaignsReportRow } from 'linkedin-ads-store';
import { provideServer, type DatabaseServer } from 'linkedin-ads-store/provision';
import { getAccountById, type IGetAccountByIdResult } from 'linkedin-ads-store/queries/ad_accounts';

const url = process.env['DATABASE_URL'];
if (!url) throw new Error('DATABASE_URL is not set');
await migrate(url, 'up');
const pool = createPool(url, { max: 2 });
try {
  await writeBatch(pool, {
    accounts: [{ id: 1002, name: 'Globex', currency: 'EUR' }],
    campaigns: [{ id: 2002, account_id: 1002, name: 'Autumn' }],
    campaignDailyMetrics: [{ campaign_id: 2002, date: '2025-12-05', impressions: 500, clicks: 5, spend: '10.00' }],
  });
  const rows: CampaignsReportRow[] = await reports.campaigns(pool, { accountId: 1002, from: '2025-12-01', to: '2025-12-31' });
  const first = rows[0];
  assert.ok(first);
  // Typed fields: money an exact string, counts exact bigints, ratios numbers.
  const spend: string = first.spend;
  const impressions: bigint = first.impressions;
  const ctr: number = first.ctr;
  assert.equal(spend, '10.00');
  assert.equal(impressions, 500n);
  assert.equal(ctr, 0.01);
  // @ts-expect-error a misspelled report does not compile
  void reports.campaing;
  // @ts-expect-error a misspelled field does not compile
  void first.spnd;
  // @ts-expect-error the campaigns report needs an account
  void reports.campaigns(pool, { from: '2025-12-01' }).catch(() => {});
  const account: IGetAccountByIdResult | undefined = (await getAccountById.run({ id: 1002 }, pool))[0];
  assert.equal(account?.name, 'Globex');
  // Errors: one base class with a stable code, whatever went wrong.
  const bad = await writeBatch(pool, { campaignDailyMetrics: [{ campaign_id: 2002, date: '2025-13-01' }] }).catch((error: unknown) => error);
  assert.ok(bad instanceof AdsStoreError);
  const code: AdsStoreErrorCode = bad.code;
  assert.equal(code, 'INVALID_VALUE');
  // Where a database comes from is a subpath of its own (not loaded by the library's entry).
  const provide: (options?: { env?: NodeJS.ProcessEnv }) => Promise<DatabaseServer> = provideServer;
  const server = await provide({ env: { DATABASE_URL: url } });
  assert.equal(server.source, 'DATABASE_URL');
  await server.stop();
  console.log(`typescript service: ${first.name} ${impressions} impressions, ${spend} spent`);
} finally {
  await pool.end();
}
