import * as assert from 'uvu/assert';
import { upsertAccounts, upsertCampaigns, upsertCreatives } from '../src/store/upserts.js';
import { withTransaction } from '../src/db/transaction.js';
import {
  getAccount,
  listAccounts,
  listAccountsOrderedByName,
  type AccountInput,
} from '../src/store/accounts.js';
import { getCampaign, listCampaigns, listCampaignsByAccount, CAMPAIGN_FIELDS, type CampaignInput } from '../src/store/campaigns.js';
import {
  getCreative,
  listCreatives,
  listCreativesByAccount,
  listCreativesByCampaign,
  CREATIVE_FIELDS,
} from '../src/store/creatives.js';
import { fromEpochMs, InvalidValueError } from '../src/values.js';
import { databaseSuite, emptyTables, rowVersions } from './helpers/database.js';

const Entities = databaseSuite('entities');
Entities.before.each(({ pool }) => emptyTables(pool));

const BIG_ID = Number.MAX_SAFE_INTEGER; // 2^53 - 1, the largest id a number holds exactly
const CREATIVE = 'urn:li:sponsoredCreative:287513206';

Entities('an account round-trips: big id, text with quotes and SQL, epoch-ms instant', async ({ pool }) => {
  const created = new Date(1629581275000);
  await upsertAccounts(pool, [
    { id: BIG_ID, name: `Jean’s "Ad" Account'); drop table ad_accounts;--`, status: 'ACTIVE', currency: 'USD', type: 'BUSINESS', is_test: false, created_at: created },
  ]);
  const account = await getAccount(pool, BIG_ID);
  assert.equal({ ...account, fetched_at: undefined }, {
    id: BIG_ID,
    name: `Jean’s "Ad" Account'); drop table ad_accounts;--`,
    status: 'ACTIVE',
    currency: 'USD',
    type: 'BUSINESS',
    is_test: false,
    created_at: created,
    fetched_at: undefined,
  });
  assert.instance(account!.fetched_at, Date);
  assert.is(await getAccount(pool, 1), null);
});

Entities('an absent field keeps the stored value; null clears it', async ({ pool }) => {
  await upsertAccounts(pool, [{ id: 1, name: 'First', status: 'ACTIVE', currency: 'EUR', is_test: true }]);
  await upsertAccounts(pool, [{ id: 1, status: 'PAUSED' }]);
  let account = await getAccount(pool, 1);
  assert.equal([account!.name, account!.status, account!.currency, account!.is_test], ['First', 'PAUSED', 'EUR', true]);
  await upsertAccounts(pool, [{ id: 1, currency: null, is_test: null }]);
  account = await getAccount(pool, 1);
  assert.equal([account!.name, account!.status, account!.currency, account!.is_test], ['First', 'PAUSED', null, null]);
});

Entities('each campaign field alone: present sets it, absent leaves the others', async ({ pool }) => {
  await upsertAccounts(pool, [{ id: 1 }, { id: 2 }]);
  const full: Required<CampaignInput> = {
    id: 10, account_id: 1, name: 'Brand awareness', status: 'ACTIVE', type: 'SPONSORED_UPDATES',
    daily_budget: '100', daily_budget_currency: 'USD', total_budget: '5000.25', cost_type: 'CPM',
    unit_cost: '49.85', bid_strategy: 'MAX_REACH', creative_selection: 'OPTIMIZED',
    offsite_delivery_enabled: true, audience_expansion_enabled: false,
    campaign_group: 'urn:li:sponsoredCampaignGroup:616471656', created_at: new Date(1692360338000),
  };
  const other: Omit<Required<CampaignInput>, 'id'> = {
    account_id: 2, name: 'Renamed', status: 'PAUSED', type: 'TEXT_AD', daily_budget: '107.5300000000000335346',
    daily_budget_currency: 'EUR', total_budget: '1', cost_type: 'CPC', unit_cost: '0.01', bid_strategy: 'NONE',
    creative_selection: 'ROUND_ROBIN', offsite_delivery_enabled: false, audience_expansion_enabled: true,
    campaign_group: 'urn:li:sponsoredCampaignGroup:1', created_at: new Date(1),
  };
  for (const field of CAMPAIGN_FIELDS) {
    await upsertCampaigns(pool, [full]);
    await upsertCampaigns(pool, [{ id: 10, [field]: other[field] }]);
    const stored = await getCampaign(pool, 10);
    const expected = { ...full, [field]: other[field] };
    assert.equal(strip(stored), expected, `setting only ${field}`);
    await upsertCampaigns(pool, [{ id: 10, [field]: null }]);
    assert.equal(strip(await getCampaign(pool, 10)), { ...full, [field]: null }, `clearing only ${field}`);
  }
});

Entities('each creative field alone: present sets it, absent leaves the others', async ({ pool }) => {
  await upsertAccounts(pool, [{ id: 1 }, { id: 2 }]);
  await upsertCampaigns(pool, [{ id: 10, account_id: 1 }, { id: 11, account_id: 2 }]);
  const full = {
    id: CREATIVE, campaign_id: 10, account_id: 1, intended_status: 'ACTIVE', is_serving: false,
    content_reference: 'urn:li:share:6823991265126957056', content_name: 'Ad, "quoted" \\ name',
    serving_hold_reasons: ['CAMPAIGN_END_DATE_HOLD', 'CAMPAIGN_STOPPED'],
    created_at: new Date(1692360339000), last_modified_at: new Date(1692926398000),
  };
  const other: Record<string, unknown> = {
    campaign_id: 11, account_id: 2, intended_status: 'PAUSED', is_serving: true, content_reference: 'urn:li:ugcPost:1',
    content_name: 'Other', serving_hold_reasons: ['A,B', 'with "quote"', 'back\\slash', '{brace}', 'NULL', ''],
    created_at: new Date(5), last_modified_at: new Date(6),
  };
  for (const field of CREATIVE_FIELDS) {
    await upsertCreatives(pool, [full]);
    await upsertCreatives(pool, [{ id: CREATIVE, [field]: other[field] }]);
    assert.equal(strip(await getCreative(pool, CREATIVE)), { ...full, [field]: other[field] }, `setting only ${field}`);
    await upsertCreatives(pool, [{ id: CREATIVE, [field]: null }]);
    assert.equal(strip(await getCreative(pool, CREATIVE)), { ...full, [field]: null }, `clearing only ${field}`);
  }
});

Entities('creative epoch-ms times are stored as timestamptz and read back as the same instants', async ({ pool }) => {
  await upsertCreatives(pool, [
    { id: CREATIVE, created_at: fromEpochMs(1692360339000, 'r', 'createdAt'), last_modified_at: fromEpochMs(1692926398001, 'r', 'lastModifiedAt') },
  ]);
  const { rows } = await pool.query(
    `select extract(epoch from created_at) * 1000 as created_ms, created_at = to_timestamp(1692360339) as same from creatives`,
  );
  assert.equal(rows[0], { created_ms: '1692360339000.000000', same: true });
  const creative = await getCreative(pool, CREATIVE);
  assert.equal([creative!.created_at!.getTime(), creative!.last_modified_at!.getTime()], [1692360339000, 1692926398001]);
});

Entities('serving_hold_reasons: null (serving, none) and an empty array stay distinct', async ({ pool }) => {
  await upsertAccounts(pool, [{ id: 1 }]);
  await upsertCampaigns(pool, [{ id: 10, account_id: 1 }]);
  await upsertCreatives(pool, [
    { id: 'urn:li:sponsoredCreative:1', campaign_id: 10, account_id: 1, serving_hold_reasons: null },
    { id: 'urn:li:sponsoredCreative:2', campaign_id: 10, account_id: 1, serving_hold_reasons: [] },
  ]);
  const [one, two] = await listCreativesByCampaign(pool, 10);
  assert.is(one!.serving_hold_reasons, null);
  assert.equal(two!.serving_hold_reasons, []);
  assert.equal((await listCreativesByAccount(pool, 1)).map((c) => c.id), ['urn:li:sponsoredCreative:1', 'urn:li:sponsoredCreative:2']);
  assert.equal((await listCreatives(pool, ['urn:li:sponsoredCreative:2', 'urn:li:sponsoredCreative:9'])).map((c) => c.id), ['urn:li:sponsoredCreative:2']);
  assert.equal((await listCampaigns(pool, [10, 99])).map((c) => [c.id, c.account_id]), [[10, 1]]);
});

Entities('repeated ids in one batch fold in order: later present fields win', async ({ pool }) => {
  const counts = await upsertAccounts(pool, [
    { id: 7, name: 'early', status: 'DRAFT', currency: 'USD' },
    { id: 7, name: 'late' },
    { id: 7, status: null },
  ]);
  assert.equal(counts, { inserted: 1, updated: 0 });
  const account = await getAccount(pool, 7);
  assert.equal([account!.name, account!.status, account!.currency], ['late', null, 'USD']);
});

Entities('re-sending identical entities writes no new row version and keeps fetched_at', async ({ pool }) => {
  const accounts: AccountInput[] = Array.from({ length: 50 }, (_, i) => ({ id: i + 1, name: `Account ${i}`, currency: 'USD' }));
  assert.equal(await upsertAccounts(pool, accounts), { inserted: 50, updated: 0 });
  const before = await rowVersions(pool, 'ad_accounts');
  const fetched = (await getAccount(pool, 1))!.fetched_at;
  assert.equal(await upsertAccounts(pool, accounts), { inserted: 0, updated: 0 });
  assert.equal(await upsertAccounts(pool, [{ id: 3, currency: 'USD' }]), { inserted: 0, updated: 0 });
  assert.equal(await rowVersions(pool, 'ad_accounts'), before);
  assert.equal((await getAccount(pool, 1))!.fetched_at, fetched);
  assert.equal(await upsertAccounts(pool, [{ id: 3, currency: 'EUR' }]), { inserted: 0, updated: 1 });
  assert.not.equal(await rowVersions(pool, 'ad_accounts'), before);
});

Entities('accounts ordered by name: by name, unnamed last, id breaks ties', async ({ pool }) => {
  await upsertAccounts(pool, [{ id: 4, name: 'b' }, { id: 3 }, { id: 2, name: 'a' }, { id: 1, name: 'b' }]);
  assert.equal((await listAccountsOrderedByName(pool)).map((a) => a.id), [2, 1, 4, 3]);
  assert.equal((await listAccounts(pool, [4, 99, 1])).map((a) => a.id), [1, 4]);
});

Entities('an empty batch is a no-op that touches nothing', async ({ pool }) => {
  assert.equal(await upsertAccounts(pool, []), { inserted: 0, updated: 0 });
  assert.equal(await upsertCampaigns(pool, []), { inserted: 0, updated: 0 });
  assert.equal(await upsertCreatives(pool, []), { inserted: 0, updated: 0 });
  assert.equal(await listCampaignsByAccount(pool, 1), []);
});

Entities('a bad value names the row and field, and nothing of the batch is written', async ({ pool }) => {
  await upsertAccounts(pool, [{ id: 1, name: 'kept' }]);
  const cases: [() => Promise<unknown>, RegExp][] = [
    [() => upsertAccounts(pool, [{ id: 2 }, { id: 2 ** 53 }]), /ad_accounts\[1\]: field id: 9007199254740992/],
    [() => upsertAccounts(pool, [{ id: 1.5 }]), /ad_accounts\[0\]: field id: 1.5/],
    [() => upsertAccounts(pool, [{ id: 2, name: 'nul\u0000' }]), /ad_accounts\[0\]: field name: .*NUL/],
    [() => upsertCampaigns(pool, [{ id: 3, daily_budget: '12,5' }]), /campaigns\[0\]: field daily_budget: "12,5" is not a decimal/],
    [() => upsertCampaigns(pool, [{ id: 3, unit_cost: 'NaN' }]), /campaigns\[0\]: field unit_cost: "NaN"/],
    [() => upsertCampaigns(pool, [{ id: 3, daily_budget: 1.5 as unknown as string }]), /field daily_budget: 1.5 is not a decimal/],
    [() => upsertCreatives(pool, [{ id: CREATIVE, serving_hold_reasons: [7 as unknown as string] }]), /creatives\[0\]: field serving_hold_reasons\[0\]/],
    [() => upsertCreatives(pool, [{ id: CREATIVE, created_at: new Date(NaN) }]), /creatives\[0\]: field created_at: Invalid Date/],
  ];
  for (const [write, message] of cases) {
    try {
      await write();
      assert.unreachable(`should have thrown ${message}`);
    } catch (error) {
      assert.instance(error, InvalidValueError);
      assert.match((error as Error).message, message);
    }
  }
  assert.equal((await listAccountsOrderedByName(pool)).map((a) => [a.id, a.name]), [[1, 'kept']]);
});

Entities('a dangling reference fails at commit and rolls the whole transaction back', async ({ pool }) => {
  try {
    await withTransaction(pool, async (tx) => {
      await upsertAccounts(tx, [{ id: 1, name: 'would be lost' }]);
      await upsertCampaigns(tx, [{ id: 10, account_id: 999 }]);
    });
    assert.unreachable('commit should fail');
  } catch (error) {
    assert.is((error as { code?: string }).code, '23503');
  }
  assert.equal(await listAccountsOrderedByName(pool), []);
});

Entities('children may be written before their parents in one transaction', async ({ pool }) => {
  await withTransaction(pool, async (tx) => {
    await upsertCreatives(tx, [{ id: CREATIVE, campaign_id: 10, account_id: 1 }]);
    await upsertCampaigns(tx, [{ id: 10, account_id: 1 }]);
    await upsertAccounts(tx, [{ id: 1 }]);
  });
  assert.is((await getCreative(pool, CREATIVE))!.campaign_id, 10);
});

Entities('concurrent overlapping merges neither deadlock nor lose a field', async ({ pool }) => {
  await upsertAccounts(pool, [{ id: 1 }]);
  const ids = Array.from({ length: 200 }, (_, i) => i + 100);
  await Promise.all([
    upsertCampaigns(pool, ids.map((id) => ({ id, account_id: 1, name: `name ${id}` }))),
    upsertCampaigns(pool, [...ids].reverse().map((id) => ({ id, account_id: 1, status: 'ACTIVE' }))),
    upsertCampaigns(pool, ids.filter((id) => id % 2 === 0).map((id) => ({ id, account_id: 1, type: 'TEXT_AD' }))),
  ]);
  const campaigns = await listCampaignsByAccount(pool, 1);
  assert.is(campaigns.length, 200);
  for (const campaign of campaigns) {
    assert.equal(
      [campaign.name, campaign.status, campaign.type],
      [`name ${campaign.id}`, 'ACTIVE', campaign.id % 2 === 0 ? 'TEXT_AD' : null],
    );
  }
});

function strip<T extends { fetched_at?: unknown } | null>(row: T): Omit<NonNullable<T>, 'fetched_at'> {
  const { fetched_at: _ignored, ...rest } = row as NonNullable<T>;
  return rest;
}

Entities.run();
