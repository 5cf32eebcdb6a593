import { createHash } from 'node:crypto';
import { GraphtraceError } from '@graphtrace/core';
import { decodePageToken, encodePageToken } from '@graphtrace/core/store-kit';

/**
 * Where the next page starts: after a row of the default order (keyset, cheap at any depth and
 * stable while new rows arrive) or at an offset (any other order).
 */
export type PagePosition =
  | { kind: 'start' }
  | { kind: 'offset'; offset: number }
  | { kind: 'after'; key: (string | number | null)[] };

/** A short digest of the search a token belongs to, so a token cannot resume another search. */
export function searchFingerprint(parts: unknown): string {
  return createHash('sha1').update(JSON.stringify(parts)).digest('base64url').slice(0, 12);
}

export function encodePosition(fingerprint: string, position: PagePosition): string | null {
  switch (position.kind) {
    case 'start':
      return null;
    case 'offset':
      return encodePageToken({ q: fingerprint, o: position.offset });
    case 'after':
      return encodePageToken({ q: fingerprint, k: position.key });
  }
}

function invalid(token: string, why: string): GraphtraceError {
  return new GraphtraceError(
    'INVALID_PAGE_TOKEN',
    `Invalid page token "${token.slice(0, 40)}": ${why}. Pass back the nextPageToken of the previous page of the same search unchanged, or omit it to start over`,
  );
}

const isKeyPart = (v: unknown): v is string | number | null =>
  v === null || typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));

/** Decodes a token of this search; `keyLength` is how many values a keyset token carries. */
export function decodePosition(
  token: string | null | undefined,
  fingerprint: string,
  keyLength: number,
): PagePosition {
  if (token === null || token === undefined || token === '') return { kind: 'start' };
  const state = decodePageToken(token);
  if (state.q !== fingerprint) throw invalid(token, 'it belongs to a different search');
  if ('o' in state) {
    const o = state.o;
    if (typeof o !== 'number' || !Number.isInteger(o) || o < 0)
      throw invalid(token, 'it does not hold a page position');
    return { kind: 'offset', offset: o };
  }
  const k = state.k;
  if (Array.isArray(k) && k.length === keyLength && k.every(isKeyPart))
    return { kind: 'after', key: k };
  throw invalid(token, 'it does not hold a page position');
}

/**
 * The token of the page after `rows`, which a search reads with one row beyond `maxResults` to
 * know whether more follow; null when that row did not come back. `keyOf` gives the last row's
 * key when the search pages by keyset; without it the next page starts at an offset.
 */
export function nextPageToken<Row>(
  fingerprint: string,
  position: PagePosition,
  rows: readonly Row[],
  maxResults: number,
  keyOf: ((last: Row) => (string | number | null)[]) | null,
): string | null {
  if (rows.length <= maxResults) return null;
  const last = rows[maxResults - 1]!;
  return keyOf
    ? encodePosition(fingerprint, { kind: 'after', key: keyOf(last) })
    : encodePosition(fingerprint, {
        kind: 'offset',
        offset: (position.kind === 'offset' ? position.offset : 0) + maxResults,
      });
}

/** A well-formed token of this search that names the other kind of position (keyset/offset). */
export function badPosition(): GraphtraceError {
  return new GraphtraceError(
    'INVALID_PAGE_TOKEN',
    'Invalid page token: it does not fit this search. Pass back the nextPageToken of the previous page unchanged, or omit it to start over',
  );
}
