import type { Page } from '@graphtrace/core';

/**
 * Gathers up to `limit` items from a paged search; `more` says whether the store had more.
 * `fetch` gets how many items are still wanted and the token of the page to read.
 */
export async function collectPages<T>(
  limit: number,
  pageSize: number,
  fetch: (wanted: number, pageToken: string | null) => Promise<Page<T>>,
): Promise<{ found: T[]; more: boolean }> {
  const found: T[] = [];
  let pageToken: string | null = null;
  do {
    const page = await fetch(Math.min(pageSize, limit - found.length), pageToken);
    found.push(...page.items);
    pageToken = page.nextPageToken;
  } while (pageToken && found.length < limit);
  return { found, more: pageToken !== null };
}
