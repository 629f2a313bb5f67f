import type { LinkedInClient } from '../linkedin/api/client.js';
import { pages, type Page } from '../linkedin/api/paging.js';

/** The ids of every ad account the token can read (adAccounts search, every page). */
export async function listReadableAccounts(client: LinkedInClient): Promise<number[]> {
  const ids: number[] = [];
  for await (const accounts of pages([['q', 'search']], 1000, (query) => client.get<Page<{ id?: unknown }>>('adAccounts', query))) {
    for (const account of accounts) if (typeof account.id === 'number' && Number.isSafeInteger(account.id)) ids.push(account.id);
  }
  return ids;
}
