import type { ExperimentSummary } from '../../src/api/types.js';
import { RANGES, type RangeKey, rangeBounds } from './app-context.js';

/*
 * A page's time range from its URL: a preset (`range=24h`) or a custom one
 * (`range=custom&from=<ms>&to=<ms>`, ms since epoch, so a shared link means the same instant
 * in every time zone). A custom range the URL gets wrong keeps its values and says what is
 * wrong; the picker shows it, and the server refuses it with a 400 naming `from`.
 */

export type RangeChoice = RangeKey | 'custom';

/** The URL parameters that keep a range. */
export type RangeParams = Record<'range' | 'from' | 'to', string | null>;

export interface RouteRange {
  key: RangeChoice;
  /** A custom range's ends (ms since epoch); null when missing or not a time. */
  from: number | null;
  to: number | null;
  /** What is wrong with a custom range from the URL. */
  error: string | null;
  params: RangeParams;
}

function msOf(value: string | null): number | null {
  if (value === null || !/^\d{1,16}$/.test(value)) return null;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : null;
}

/** Why a custom range cannot be used, or null. */
export function customRangeError(from: number | null, to: number | null): string | null {
  if (from === null || to === null) return 'Give the range a start and an end.';
  if (from >= to) return 'The start must be before the end.';
  return null;
}

export function routeRange(params: URLSearchParams, fallback: RangeKey): RouteRange {
  const raw = params.get('range');
  if (raw === 'custom') {
    const from = msOf(params.get('from'));
    const to = msOf(params.get('to'));
    return {
      key: 'custom',
      from,
      to,
      error: customRangeError(from, to),
      params: { range: 'custom', from: params.get('from'), to: params.get('to') },
    };
  }
  const key = (RANGES as readonly string[]).includes(raw ?? '') ? (raw as RangeKey) : fallback;
  return { key, from: null, to: null, error: null, params: { range: key, from: null, to: null } };
}

/** [from, to) for a page of aggregates: a preset's, or the custom range as given. */
export function pageBounds(
  r: RouteRange,
  experiment: ExperimentSummary | null,
  fallback: RangeKey,
): { from: number; to: number } {
  if (r.key === 'custom') {
    // A missing end falls back to the preset; an end on the wrong side is sent as it is, and
    // the server's 400 names it.
    if (r.from !== null && r.to !== null) return { from: r.from, to: r.to };
    return rangeBounds(fallback, experiment);
  }
  return rangeBounds(r.key, experiment);
}

/**
 * Bounds for the trace list: none for all time; a preset's start only (so traces that arrive
 * later still belong to it); a custom range as given.
 */
export function listBounds(r: RouteRange, now = Date.now()): { from?: number; to?: number } {
  if (r.key === 'all') return {};
  if (r.key === 'custom') {
    return {
      ...(r.from === null ? {} : { from: r.from }),
      ...(r.to === null ? {} : { to: r.to }),
    };
  }
  return { from: rangeBounds(r.key, null, now).from };
}
