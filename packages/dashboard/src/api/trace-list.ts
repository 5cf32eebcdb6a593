import { createHash } from 'node:crypto';
import {
  FilterSyntaxError,
  parseFilter,
  parseOrderBy,
  type TraceInfo,
  type TraceOrderPosition,
  type TraceSortKey,
} from '@graphtrace/core';
import type { z } from 'zod';
import { DashboardError } from '../errors.js';
import { traceListFor } from '../queries/trace-list-scan.js';
import { mapLimited } from '../queries/trace-scan.js';
import type { ApiContext } from './context.js';
import type { tracesQuery } from './query.js';
import { searchTracesText } from './text-search.js';
import { traceListRows } from './trace-row-details.js';
import type { TracesResponse } from './types.js';

/*
 * `/api/traces`: a page of the trace list. The store sorts by its own columns (MLflow's
 * `order_by`); `total_cost` and `total_tokens` live in metadata JSON, which the store cannot
 * order by, so those orders come from the trace-list queries (SQL, or a bounded scan) and page
 * with tokens of their own (the last row's value, time and id).
 */

const SORT_KEYS: readonly TraceSortKey[] = ['total_cost', 'total_tokens'];
const TOKEN_PREFIX = 'order1.';

/** The time range as filter terms (MLflow filters are AND-only; the user's filter comes first). */
export function rangeFilter(
  filter: string | undefined,
  from: number | undefined,
  to: number | undefined,
): string | undefined {
  const parts: string[] = [];
  if (filter && filter.trim() !== '') parts.push(filter.trim());
  if (from !== undefined) parts.push(`attributes.timestamp_ms >= ${from}`);
  if (to !== undefined) parts.push(`attributes.timestamp_ms < ${to}`);
  return parts.length === 0 ? undefined : parts.join(' AND ');
}

/** `total_cost DESC`-style orders the dashboard sorts itself; null for any other text. */
export function derivedOrder(
  orderBy: string | undefined,
): { key: TraceSortKey; descending: boolean } | null {
  const m = /^\s*(\w+)\b\s*(.*?)\s*$/.exec(orderBy ?? '');
  const key = m?.[1]?.toLowerCase() as TraceSortKey | undefined;
  if (!m || !key || !SORT_KEYS.includes(key)) return null;
  const dir = m[2]!.toUpperCase();
  if (dir !== '' && dir !== 'ASC' && dir !== 'DESC')
    throw new FilterSyntaxError(
      orderBy!,
      orderBy!.indexOf(m[2]!) + 1,
      'expected ASC or DESC',
      'order_by',
    );
  return { key, descending: dir === 'DESC' };
}

function encodeToken(scope: string, p: TraceOrderPosition): string {
  const body = JSON.stringify({ s: scope, a: [p.traceId, p.time, p.value] });
  return TOKEN_PREFIX + Buffer.from(body).toString('base64url');
}

function decodeToken(token: string, scope: string): TraceOrderPosition {
  try {
    if (token.startsWith(TOKEN_PREFIX)) {
      const raw = JSON.parse(Buffer.from(token.slice(TOKEN_PREFIX.length), 'base64url').toString());
      const [traceId, time, value] = raw.a as unknown[];
      if (
        raw.s === scope &&
        typeof traceId === 'string' &&
        Number.isSafeInteger(time) &&
        (value === null || (typeof value === 'number' && Number.isFinite(value)))
      )
        return { traceId, time: time as number, value: value as number | null };
    }
  } catch {
    // reported below
  }
  throw new DashboardError(
    'INVALID_QUERY',
    'query parameter `pageToken` is not a page token of this order, filter and search; start again without it',
    { param: 'pageToken' },
  );
}

/** The list's page handler, with the trace-list queries chosen once for the app. */
export function traceLister(
  ctx: ApiContext,
): (q: z.output<typeof tracesQuery>) => Promise<TracesResponse> {
  const { list, kind } = traceListFor(ctx.queries, ctx.store);

  return async (q) => {
    // Checked here so a mistake is a 400 with its column even on stores that check late.
    parseFilter(q.filter, 'traces');
    const filter = rangeFilter(q.filter, q.from, q.to);
    const experimentIds = await ctx.experimentIds(q.experiment);
    const text = q.search?.trim() || undefined;
    const pageSize = q.pageSize ?? 50;
    const order = derivedOrder(q.orderBy);
    const rows = (infos: TraceInfo[]) => traceListRows(ctx, list, infos);

    if (order) {
      // The token is bound to the question it pages through (a short hash of it).
      const scopeHash = createHash('sha256')
        .update(JSON.stringify([experimentIds, filter ?? '', text ?? '', order]))
        .digest('base64url')
        .slice(0, 16);
      const page = await list.orderedTraces({
        scope: { experimentIds, ...(filter === undefined ? {} : { filter }) },
        ...(text === undefined ? {} : { text }),
        ...order,
        after: q.pageToken ? decodeToken(q.pageToken, scopeHash) : null,
        limit: pageSize,
      });
      const infos = await mapLimited(page.rows, 8, (r) => ctx.store.getTraceInfo(r.traceId));
      const last = page.rows.at(-1);
      return {
        // A trace deleted since it was sorted is left out.
        traces: await rows(infos.filter((i): i is TraceInfo => i !== null)),
        nextPageToken: page.more && last ? encodeToken(scopeHash, last) : null,
        order: { key: order.key, analytics: kind, coverage: page.coverage ?? null },
      };
    }

    const orderBy = q.orderBy === undefined ? undefined : [q.orderBy];
    parseOrderBy(orderBy, 'traces');
    const query = {
      experimentIds,
      ...(filter === undefined ? {} : { filter }),
      ...(orderBy === undefined ? {} : { orderBy }),
      maxResults: pageSize,
      pageToken: q.pageToken ?? null,
    };
    const found = text ? await searchTracesText(ctx.store, query, text) : null;
    const page = found ?? (await ctx.store.searchTraces(query));
    return {
      traces: await rows(page.items),
      nextPageToken: page.nextPageToken,
      ...(found ? { search: { scanned: found.scanned, limitReached: found.limitReached } } : {}),
    };
  };
}
