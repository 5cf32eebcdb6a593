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
  createDashboardApp,
  type DashboardApp,
  type SessionsResponse,
  type SessionTracesResponse,
  type ToolsResponse,
} from '../src/index.js';
import { call } from './helpers/api.js';
import {
  LONG_QUERY,
  QUESTION,
  type SeededStory,
  STORY_SESSION,
  seedStory,
  TOOL_ERROR,
} from './helpers/seed-story.js';

/*
 * What the story needs from the API beyond the trace itself: the arguments of the tools page's
 * listed calls, a session's first input, each session turn's tool calls. By SQL and by scan.
 */

let dir: string;
let store: SqliteStore;
let analytics: SqliteAnalytics;
let seeded: SeededStory;
let sqlApp: DashboardApp;
let scanApp: DashboardApp;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'graphtrace-story-api-'));
  store = sqliteStore({ path: join(dir, 'mlflow.db') });
  seeded = await seedStory(store);
  analytics = sqliteAnalytics(store);
  sqlApp = createDashboardApp(store, { queries: analytics, cacheTtlMs: 0 });
  scanApp = createDashboardApp(store, { cacheTtlMs: 0 });
}, 60_000);

afterAll(async () => {
  await analytics?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function both<T>(path: string): Promise<[T, T]> {
  const [a, b] = await Promise.all([call<T>(sqlApp, path), call<T>(scanApp, path)]);
  expect(a.status, JSON.stringify(a.body)).toBe(200);
  expect(b.status, JSON.stringify(b.body)).toBe(200);
  return [a.body, b.body];
}

describe('GET /api/tools: arguments of the listed calls', () => {
  it('gives the arguments of failed and slowest calls, from the TOOL spans', async () => {
    const [sql, scan] = await both<ToolsResponse>('/api/tools');
    expect(sql.tools).toEqual(scan.tools);
    const weather = sql.tools.find((t) => t.name === 'get_weather')!;
    expect(weather.failing).toEqual([
      expect.objectContaining({
        traceId: seeded.traceId,
        spanId: seeded.spans.failedTool,
        error: TOOL_ERROR,
        arguments: '{"city":"Pariss"}',
      }),
    ]);
    expect(weather.slowest.map((c) => c.arguments).sort()).toEqual([
      '{"city":"Paris"}',
      '{"city":"Pariss"}',
    ]);
    expect(sql.tools.find((t) => t.name === 'get_forecast')!.slowest[0]!.arguments).toBe(
      '{"city":"Paris","days":1}',
    );
  });

  it('cuts long arguments to 300 characters', async () => {
    const r = await call<ToolsResponse>(sqlApp, '/api/tools');
    const docs = r.body.tools.find((t) => t.name === 'search_docs')!;
    const args = docs.slowest[0]!.arguments!;
    expect(args).toHaveLength(300);
    expect(args.startsWith(`{"query":"${LONG_QUERY.slice(0, 50)}`)).toBe(true);
    expect(args.endsWith('…')).toBe(true);
  });
});

describe('GET /api/sessions: first input', () => {
  it("gives the first user message of the session's first trace", async () => {
    const [sql, scan] = await both<SessionsResponse>('/api/sessions');
    expect(sql.sessions).toEqual(scan.sessions);
    expect(sql.sessions).toEqual([
      expect.objectContaining({ session: STORY_SESSION, traces: 2, firstInput: QUESTION }),
    ]);
  });
});

describe('GET /api/sessions/:session/traces: tool calls per turn', () => {
  it('lists each turn’s TOOL spans in order, failed ones with their error', async () => {
    const r = await call<SessionTracesResponse>(sqlApp, `/api/sessions/${STORY_SESSION}/traces`);
    expect(r.status).toBe(200);
    expect(r.body.traces.map((t) => t.traceId)).toEqual([seeded.traceId, seeded.followUpTraceId]);
    expect(r.body.traces[0]!.tools).toEqual([
      { name: 'get_weather', spanId: seeded.spans.failedTool, error: TOOL_ERROR },
      { name: 'get_weather', spanId: seeded.spans.retriedTool, error: null },
    ]);
    expect(r.body.traces[1]!.tools).toEqual([
      { name: 'get_forecast', spanId: expect.stringMatching(/^[0-9a-f]{16}$/), error: null },
    ]);
  });
});
