import type { LinkedInClient } from '../linkedin/api/client.js';
import { pages, type Page } from '../linkedin/api/paging.js';

/**
 * Every ad account the token can read (adAccounts search, every page): each id with
 * its element as the search returned it, in the search's order. The search lists
 * only accounts the token can read, and returns their whole elements: a sync of
 * them needs no request of its own per account to check access or fetch it.
 */
export async function listReadableAccounts(client: LinkedInClient): Promise<Map<number, unknown>> {
  const accounts = new Map<number, unknown>();
  for await (const elements of pages([['q', 'search']], 1000, (query) => client.get<Page<{ id?: unknown }>>('adAccounts', query))) {
    for (const account of elements) if (typeof account.id === 'number' && Number.isSafeInteger(account.id)) accounts.set(account.id, account);
  }
  return accounts;
}
