import type { LinkedInClient } from '../linkedin/api/client.js';

type AccountPage = { elements?: Array<{ id?: unknown }>; metadata?: { nextPageToken?: unknown } };

/** The ids of every ad account the token can read (adAccounts search, every page). */
export async function listReadableAccounts(client: LinkedInClient): Promise<number[]> {
  const ids: number[] = [];
  let token: string | undefined;
  for (;;) {
    const query: Array<[string, string | number]> = [['q', 'search'], ['pageSize', 1000]];
    if (token !== undefined) query.push(['pageToken', token]);
    const page = await client.get<AccountPage>('adAccounts', query);
    for (const account of page.elements ?? []) if (typeof account.id === 'number' && Number.isSafeInteger(account.id)) ids.push(account.id);
    const next = page.metadata?.nextPageToken;
    if (typeof next !== 'string' || next === '') return ids;
    token = next;
  }
}
