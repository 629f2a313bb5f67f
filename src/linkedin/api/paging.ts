import type { QueryValue } from './restli.js';

/** A page of a finder that pages by token (accounts, campaigns, creatives since version 202401). */
export interface Page<E = unknown> {
  elements?: E[];
  metadata?: { nextPageToken?: unknown };
}

/**
 * Every page of a token-paged finder, in order: `pageSize`, then `pageToken` from
 * each page's `metadata.nextPageToken` until a page has none. `fetchPage` makes one
 * request (each waits for the last: a chain).
 */
export async function* pages<E>(
  query: ReadonlyArray<readonly [string, QueryValue]>,
  pageSize: number,
  fetchPage: (query: ReadonlyArray<readonly [string, QueryValue]>) => Promise<Page<E>>,
): AsyncGenerator<E[]> {
  let token: string | undefined;
  for (;;) {
    const page = await fetchPage([...query, ['pageSize', pageSize], ...(token === undefined ? [] : [['pageToken', token] as const])]);
    yield page.elements ?? [];
    const next = page.metadata?.nextPageToken;
    if (typeof next !== 'string' || next === '') return;
    token = next;
  }
}
