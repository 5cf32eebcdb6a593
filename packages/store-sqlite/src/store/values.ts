import { GraphtraceError } from '@graphtrace/core';

/** Experiment ids are decimal strings outside and INTEGER in SQLite; anything else names none. */
export function experimentIdNumber(id: string): number | null {
  return /^\d{1,15}$/.test(id) ? Number(id) : null;
}

/** `SELECT json_group_object(key, value)` text → a string map (NULL values read as ''). */
export function parseStringMap(json: string | null | undefined): Record<string, string> {
  if (!json) return {};
  const raw = JSON.parse(json) as Record<string, unknown>;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) out[k] = v === null ? '' : String(v);
  return out;
}

export function checkMaxResults(maxResults: number, limit: number): void {
  if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > limit) {
    throw new GraphtraceError(
      'INVALID_ARGUMENT',
      `maxResults must be an integer from 1 to ${limit}, got ${maxResults}`,
    );
  }
}

/** Appends path segments to an artifact URI or path the way MLflow does (one `/` between). */
export function appendToUri(base: string, ...segments: string[]): string {
  const q = base.indexOf('?');
  const head = q >= 0 ? base.slice(0, q) : base;
  const tail = q >= 0 ? base.slice(q) : '';
  return `${head.replace(/\/+$/, '')}/${segments.join('/')}${tail}`;
}
