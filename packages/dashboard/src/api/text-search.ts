import type {
  Page,
  SearchTracesQuery,
  TraceCount,
  TraceInfo,
  TrackingStore,
} from '@graphtrace/core';
import { DashboardError } from '../errors.js';

/*
 * Free-text search over traces, as MLflow's own search box does it (`trace.text ILIKE
 * '%words%'`, or the trace by id): the words as typed, one phrase in any case, found in a
 * trace's request or response preview. MLflow filters have no such term for previews and
 * graphtrace's filter parser follows MLflow, so the dashboard reads trace infos page by page
 * (in the filter's scope and order) and keeps the matches, reading at most `SEARCH_SCAN_LIMIT`
 * infos per request; the page token resumes the scan where it stopped.
 */

/** Trace infos one request reads at most: a page of matches, or a count. */
export const SEARCH_SCAN_LIMIT = 10_000;
/** Trace infos per `searchTraces` call. */
const SCAN_PAGE = 500;

/** Whether a trace matches the search: the phrase in a preview (any case), or its id. */
export function textMatcher(text: string): (info: TraceInfo) => boolean {
  const needle = text.trim().toLowerCase();
  return (info) => {
    const id = info.traceId.toLowerCase();
    return (
      id === needle ||
      id === `tr-${needle}` ||
      (info.requestPreview?.toLowerCase().includes(needle) ?? false) ||
      (info.responsePreview?.toLowerCase().includes(needle) ?? false)
    );
  };
}

/** Where a search stopped: a store page (its token) and how many of its traces were read. */
interface Cursor {
  token: string | null;
  skip: number;
}

const TOKEN_PREFIX = 'text1.';

function encodeCursor(cursor: Cursor): string {
  return TOKEN_PREFIX + Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(pageToken: string): Cursor {
  try {
    if (!pageToken.startsWith(TOKEN_PREFIX)) throw new Error('prefix');
    const raw = JSON.parse(
      Buffer.from(pageToken.slice(TOKEN_PREFIX.length), 'base64url').toString('utf8'),
    ) as Cursor;
    if ((raw.token === null || typeof raw.token === 'string') && Number.isInteger(raw.skip))
      return { token: raw.token, skip: Math.max(0, raw.skip) };
  } catch {
    // reported below
  }
  throw new DashboardError(
    'INVALID_QUERY',
    'query parameter `pageToken` is not a page token of this search',
    { param: 'pageToken' },
  );
}

export interface TextSearchPage extends Page<TraceInfo> {
  /** Trace infos read for this page. */
  scanned: number;
  /** The read limit stopped the page before it was full: `nextPageToken` searches on. */
  limitReached: boolean;
}

/** A page of up to `maxResults` matching traces, in the query's order. */
export async function searchTracesText(
  store: TrackingStore,
  query: SearchTracesQuery,
  text: string,
  limit = SEARCH_SCAN_LIMIT,
): Promise<TextSearchPage> {
  const match = textMatcher(text);
  const want = query.maxResults ?? 100;
  const items: TraceInfo[] = [];
  let { token, skip } = query.pageToken
    ? decodeCursor(query.pageToken)
    : { token: null as string | null, skip: 0 };
  let scanned = 0;
  if (query.experimentIds.length === 0)
    return { items, nextPageToken: null, scanned, limitReached: false };
  for (;;) {
    const page = await store.searchTraces({ ...query, maxResults: SCAN_PAGE, pageToken: token });
    for (let i = skip; i < page.items.length; i++) {
      scanned++;
      if (match(page.items[i]!)) items.push(page.items[i]!);
      const full = items.length >= want;
      if (full || scanned >= limit) {
        const next: Cursor | null =
          i + 1 < page.items.length
            ? { token, skip: i + 1 }
            : page.nextPageToken
              ? { token: page.nextPageToken, skip: 0 }
              : null;
        return {
          items,
          nextPageToken: next && encodeCursor(next),
          scanned,
          limitReached: !full && next !== null,
        };
      }
    }
    if (!page.nextPageToken || page.items.length === 0)
      return { items, nextPageToken: null, scanned, limitReached: false };
    token = page.nextPageToken;
    skip = 0;
  }
}

/** Matching traces among the newest `limit` of the scope (exact when the scope is smaller). */
export async function countTracesText(
  store: TrackingStore,
  scope: { experimentIds: string[]; filter?: string },
  text: string,
  limit = SEARCH_SCAN_LIMIT,
): Promise<TraceCount> {
  const match = textMatcher(text);
  let count = 0;
  let scanned = 0;
  let token: string | null = null;
  if (scope.experimentIds.length === 0) return { count, exact: true };
  do {
    const page: Page<TraceInfo> = await store.searchTraces({
      ...scope,
      maxResults: Math.min(SCAN_PAGE, limit - scanned),
      pageToken: token,
    });
    for (const info of page.items) if (match(info)) count++;
    scanned += page.items.length;
    token = page.items.length === 0 ? null : page.nextPageToken;
  } while (token && scanned < limit);
  return { count, exact: token === null };
}
