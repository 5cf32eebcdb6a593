import { GraphtraceError } from '../errors.js';

/** Page tokens are opaque to callers: base64url JSON of whatever the store needs to resume. */
export function encodePageToken(state: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(state), 'utf8').toString('base64url');
}

export function decodePageToken(token: string): Record<string, unknown> {
  try {
    const state: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (state && typeof state === 'object' && !Array.isArray(state))
      return state as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new GraphtraceError(
    'INVALID_PAGE_TOKEN',
    `Invalid page token "${token.slice(0, 40)}": pass back the nextPageToken of the previous page unchanged, or omit it to start over`,
  );
}

/** Offset-based tokens, enough for stores without a cheaper cursor. */
export function encodeOffsetToken(offset: number): string {
  return encodePageToken({ offset });
}

export function decodeOffsetToken(token: string | null | undefined): number {
  if (token === null || token === undefined || token === '') return 0;
  const { offset } = decodePageToken(token);
  if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0) {
    throw new GraphtraceError(
      'INVALID_PAGE_TOKEN',
      `Invalid page token "${token.slice(0, 40)}": it does not hold a page position`,
    );
  }
  return offset;
}
