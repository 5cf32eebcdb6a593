import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type SqliteAnalytics,
  type SqliteStore,
  sqliteAnalytics,
  sqliteStore,
} from '@graphtrace/store-sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiErrorBody,
  createDashboardApp,
  type DashboardApp,
  scanQueries,
  type TraceListRow,
  type TracesResponse,
} from '../src/index.js';
import { call, qs } from './helpers/api.js';
import {
  BY_COST,
  BY_TOKENS,
  LIST_NAMES,
  RECOVERED_ANSWER,
  type SeededList,
  seedTraceList,
} from './helpers/seed-trace-list.js';

/*
 * The trace list's response, tool-error and assessment columns, its order by cost and tokens
 * (paged, within filter, search and range) and its custom time range: the same answers from
 * SQL (sqliteAnalytics) and from the scan any other store gets.
 */
let dir: string;
let store: SqliteStore;
let analytics: SqliteAnalytics;
let seeded: SeededList;
const apps: Record<'SQL' | 'scan', DashboardApp> = {} as never;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'graphtrace-trace-list-'));
  store = sqliteStore({ path: join(dir, 'mlflow.db') });
  seeded = await seedTraceList(store, Math.floor(Date.now() / 60_000) * 60_000 - 2 * 3_600_000);
  analytics = sqliteAnalytics(store);
  apps.SQL = createDashboardApp(store, { queries: analytics, cacheTtlMs: 0 });
  apps.scan = createDashboardApp(store, { cacheTtlMs: 0 });
}, 60_000);

afterAll(async () => {
  await analytics?.close();
  await store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const names = (rows: TraceListRow[]) => rows.map((t) => t.name);

describe.each(['SQL', 'scan'] as const)('the trace list (%s)', (kind) => {
  const list = (params: Record<string, string | number | undefined>) =>
    call<TracesResponse & Partial<ApiErrorBody>>(
      apps[kind],
      `/api/traces${qs({ experiment: seeded.experimentId, ...params })}`,
    );

  /** Every page of an order, following the tokens. */
  async function allPages(params: Record<string, string | number | undefined>) {
    const out: TraceListRow[] = [];
    let pageToken: string | undefined;
    for (let n = 0; n < 10; n++) {
      const r = await list({ ...params, pageToken });
      expect(r.status).toBe(200);
      out.push(...r.body.traces);
      if (!r.body.nextPageToken) return { rows: out, last: r.body };
      pageToken = r.body.nextPageToken;
    }
    throw new Error('paging never ended');
  }

  it("shows each trace's response, failed tool calls and assessments", async () => {
    const r = await list({});
    expect(r.status).toBe(200);
    expect(names(r.body.traces)).toEqual([...LIST_NAMES].reverse());
    const row = Object.fromEntries(r.body.traces.map((t) => [t.name, t]));
    expect(row.recovering_agent!.responsePreview).toContain(RECOVERED_ANSWER);
    expect(row.foreign_agent!.responsePreview).toBe('{"answer": "In stock (after a retry)"}');
    // Recovered: OK, with a failed tool call — counted by graphtrace, or found in the spans.
    expect(row.recovering_agent).toMatchObject({ state: 'OK', toolErrors: 1 });
    expect(row.foreign_agent).toMatchObject({ state: 'OK', toolErrors: 1 });
    expect(row.cheap_agent!.toolErrors).toBe(0);
    expect(row.pricey_agent!.toolErrors).toBe(0);

    const byName = (t: TraceListRow) =>
      [...t.assessments!].sort((a, b) => a.name.localeCompare(b.name));
    expect(byName(row.pricey_agent!)).toEqual([
      expect.objectContaining({
        name: 'helpfulness',
        kind: 'feedback',
        value: 4,
        source: 'LLM_JUDGE · judge',
      }),
      expect.objectContaining({ name: 'user_feedback', value: true, error: null }),
    ]);
    expect(row.cheap_agent!.assessments).toEqual([
      {
        name: 'user_feedback',
        kind: 'feedback',
        value: false,
        error: null,
        rationale: 'Too short',
        source: 'HUMAN · ada',
        spanId: null,
      },
    ]);
    expect(row.recovering_agent!.assessments).toEqual([
      expect.objectContaining({
        name: 'expected_answer',
        kind: 'expectation',
        value: 'ships tomorrow',
      }),
    ]);
    expect(row.unpriced_agent!.assessments).toEqual([]);
  });

  it('sorts by cost and by tokens both ways, unpriced last, across pages', async () => {
    const cost = await allPages({ orderBy: 'total_cost DESC', pageSize: 2 });
    expect(names(cost.rows)).toEqual(BY_COST);
    expect(cost.last.order).toEqual({
      key: 'total_cost',
      analytics: kind === 'SQL' ? 'sql' : 'scan',
      coverage: kind === 'SQL' ? null : { traces: 5, complete: true },
    });
    const totals = cost.rows.map((t) => t.cost?.total ?? null);
    expect(totals.slice(0, 4)).toEqual([...totals.slice(0, 4)].sort((a, b) => b! - a!));
    expect(totals[4]).toBeNull();

    const cheapest = await allPages({ orderBy: 'total_cost ASC', pageSize: 3 });
    expect(names(cheapest.rows)).toEqual([...BY_COST.slice(0, 4).reverse(), 'unpriced_agent']);

    const tokens = await allPages({ orderBy: 'total_tokens DESC', pageSize: 2 });
    expect(names(tokens.rows)).toEqual(BY_TOKENS);
    const fewest = await allPages({ orderBy: 'total_tokens', pageSize: 4 });
    expect(names(fewest.rows)).toEqual([...BY_TOKENS].reverse());
  });

  it('keeps to the filter, the search and the time range when sorting by cost', async () => {
    const filtered = await allPages({
      orderBy: 'total_cost DESC',
      filter: "attributes.name != 'pricey_agent'",
      pageSize: 2,
    });
    expect(names(filtered.rows)).toEqual(BY_COST.filter((n) => n !== 'pricey_agent'));

    const searched = await list({ orderBy: 'total_cost DESC', search: 'ORDER 42' });
    expect(names(searched.body.traces)).toEqual(['recovering_agent']);

    const [, second, , fourth] = seeded.times;
    const ranged = await allPages({
      orderBy: 'total_cost DESC',
      from: second,
      to: fourth! + 1,
      pageSize: 1,
    });
    expect(names(ranged.rows)).toEqual(['pricey_agent', 'recovering_agent', 'unpriced_agent']);
  });

  it('applies a custom time range to the list and its count', async () => {
    const [, second, , fourth] = seeded.times;
    const r = await list({ from: second, to: fourth });
    expect(names(r.body.traces)).toEqual(['unpriced_agent', 'pricey_agent']);
    const count = await call(
      apps[kind],
      `/api/traces/count${qs({ experiment: seeded.experimentId, from: second, to: fourth })}`,
    );
    expect(count.body).toEqual({ count: 2, exact: true });
    const open = await list({ from: fourth });
    expect(names(open.body.traces)).toEqual(['foreign_agent', 'recovering_agent']);
  });

  it('refuses a bad sort, a reversed range and a page token of another order, naming the parameter', async () => {
    const sideways = await list({ orderBy: 'total_cost sideways' });
    expect(sideways.status).toBe(400);
    expect(sideways.body.error).toMatchObject({
      code: 'INVALID_ORDER_BY',
      param: 'orderBy',
      column: 12,
    });
    const unknown = await list({ orderBy: 'cost DESC' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({
      code: 'INVALID_ORDER_BY',
      param: 'orderBy',
      column: 1,
    });

    const [first, second] = seeded.times;
    const reversed = await list({ from: second, to: first });
    expect(reversed.status).toBe(400);
    expect(reversed.body.error).toEqual({
      code: 'INVALID_QUERY',
      message: 'query parameter `from` must be before `to`',
      param: 'from',
    });
    const count = await call(apps[kind], `/api/traces/count${qs({ from: second, to: second })}`);
    expect(count.status).toBe(400);
    expect(count.body.error.param).toBe('from');
    const word = await list({ from: 'yesterday' });
    expect(word.body.error).toMatchObject({
      param: 'from',
      message: 'query parameter `from` must be an integer',
    });

    const page = await list({ orderBy: 'total_cost DESC', pageSize: 2 });
    const other = await list({
      orderBy: 'total_tokens DESC',
      pageSize: 2,
      pageToken: page.body.nextPageToken!,
    });
    expect(other.status).toBe(400);
    expect(other.body.error).toMatchObject({ code: 'INVALID_QUERY', param: 'pageToken' });
    const forged = await list({ orderBy: 'total_cost DESC', pageToken: 'order1.e30' });
    expect(forged.status).toBe(400);
  });
});

describe('the trace list over a bounded scan', () => {
  it('sorts the newest traces of the filter only, and says so', async () => {
    const app = createDashboardApp(store, {
      queries: scanQueries(store, { maxTraces: 3 }),
      cacheTtlMs: 0,
    });
    const r = await call<TracesResponse>(
      app,
      `/api/traces${qs({ experiment: seeded.experimentId, orderBy: 'total_cost DESC' })}`,
    );
    expect(r.status).toBe(200);
    expect(r.body.order).toEqual({
      key: 'total_cost',
      analytics: 'scan',
      coverage: { traces: 3, complete: false },
    });
    expect(names(r.body.traces)).toEqual(['foreign_agent', 'recovering_agent', 'unpriced_agent']);
  });
});
