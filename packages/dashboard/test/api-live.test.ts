import {
  createTracker,
  manualClock,
  memoryLogger,
  SpanType,
  silentLogger,
  type TrackingStore,
} from '@graphtrace/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDashboardApp, type DashboardApp, startDashboard } from '../src/index.js';
import { call, qs } from './helpers/api.js';
import { EXPERIMENT, seedSqlite } from './helpers/seed.js';
import { SseReader } from './helpers/sse.js';

/*
 * `GET /api/live`: server-sent events announcing new traces, over a real SQLite store that a
 * tracker writes to while the streams are open. Watchers read every 100 ms here (1 s by
 * default) so that the waits stay short.
 */

let seeded: Awaited<ReturnType<typeof seedSqlite>>;

beforeAll(async () => {
  seeded = await seedSqlite({ traces: 10 });
}, 60_000);

afterAll(async () => {
  await seeded?.remove();
});

/** Writes one agent trace asking `question`, started at `startMs` (default: now). */
async function writeTrace(
  store: TrackingStore,
  question: string,
  startMs?: number,
): Promise<string> {
  const tracker = createTracker({
    store,
    experimentName: EXPERIMENT,
    logger: silentLogger,
    handleExitSignals: false,
    ...(startMs === undefined ? {} : { clock: manualClock(startMs) }),
  });
  const traceId = await tracker.withSpan(
    { name: 'support_agent', spanType: SpanType.AGENT, inputs: { question } },
    async (root) => root.traceId,
  );
  await tracker.flushTraces();
  await tracker.shutdown();
  return traceId;
}

/** The store with its `searchTraces` calls counted. */
function countingReads(store: TrackingStore): { store: TrackingStore; reads(): number } {
  let reads = 0;
  const counted = new Proxy(store, {
    get(target, key) {
      const value = Reflect.get(target, key, target);
      if (key === 'searchTraces')
        return (...args: unknown[]) => {
          reads++;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { store: counted, reads: () => reads };
}

async function open(app: DashboardApp, params: Record<string, string | number | undefined> = {}) {
  const response = await app.request(`http://127.0.0.1:5005/api/live${qs(params)}`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/event-stream');
  const stream = new SseReader(response);
  const ready = await stream.next();
  expect(ready.event).toBe('ready');
  return { stream, ready: ready.data };
}

describe('GET /api/live', () => {
  const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('announces each trace written after the stream opened, and drops the cached counts', async () => {
    const app = createDashboardApp(seeded.store, {
      live: { intervalMs: 100 },
      cacheTtlMs: 60_000,
      logger: silentLogger,
    });
    const count = async () =>
      (await call(app, `/api/traces/count${qs({ experiment: seeded.experimentId })}`)).body.count;
    expect(await count()).toBe(10);
    const { stream, ready } = await open(app, { experiment: seeded.experimentId });
    expect(ready).toEqual({ newest: seeded.lastTime, cacheTtlMs: 60_000 });
    expect(stream.retry).toBe(2000);
    expect(await stream.drain(300)).toEqual([]);

    const started = Date.now();
    await writeTrace(seeded.store, 'Where is my parcel?');
    const event = await stream.next(3000);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(event.event).toBe('traces');
    expect(event.data).toMatchObject({ count: 1, capped: false });
    expect(event.data.newest).toBeGreaterThanOrEqual(started - 1000);
    expect(event.id).toBe(String(event.data.newest));
    // Cached at 10 for a minute, but the new trace dropped it.
    expect(await count()).toBe(11);
    await stream.cancel();
  });

  it('announces a long trace written after a newer, shorter one', async () => {
    const app = createDashboardApp(seeded.store, {
      live: { intervalMs: 100 },
      logger: silentLogger,
    });
    const { stream } = await open(app, { experiment: seeded.experimentId });
    await writeTrace(seeded.store, 'A quick question');
    const quick = await stream.next(3000);
    // Started 20 s before the quick one, ended (was written) after it.
    const longId = await writeTrace(
      seeded.store,
      'A long research task',
      quick.data.newest - 20_000,
    );
    const long = await stream.next(3000);
    expect(long.data).toMatchObject({ count: 1, newest: quick.data.newest - 20_000 });
    const info = await seeded.store.getTraceInfo(longId);
    expect(info?.requestTime).toBe(long.data.newest);
    await stream.cancel();
  });

  it('filters by the query: experiment, filter and search words', async () => {
    const app = createDashboardApp(seeded.store, {
      live: { intervalMs: 100 },
      logger: silentLogger,
    });
    const all = await open(app, { experiment: seeded.experimentId });
    const words = await open(app, { experiment: seeded.experimentId, search: 'ZEBRA crossing' });
    const errors = await open(app, {
      experiment: seeded.experimentId,
      filter: "attributes.status = 'ERROR'",
    });
    const other = await open(app, { experiment: '999999' });

    await writeTrace(seeded.store, 'Where is the zebra crossing?');
    expect((await all.stream.next(3000)).data.count).toBe(1);
    expect((await words.stream.next(3000)).data.count).toBe(1);
    await writeTrace(seeded.store, 'Where is the bus stop?');
    expect((await all.stream.next(3000)).data.count).toBe(1);
    expect(await words.stream.drain(400)).toEqual([]);
    expect(await errors.stream.drain(0)).toEqual([]);
    expect(await other.stream.drain(0)).toEqual([]);
    for (const s of [all, words, errors, other]) await s.stream.cancel();
  });

  it('catches up from `since` or Last-Event-ID, as a reconnecting page asks', async () => {
    // The newest trace, written while no page was watching.
    const newest = (await seeded.store.getTraceInfo(await writeTrace(seeded.store, 'Missed?')))!
      .requestTime;
    const app = createDashboardApp(seeded.store, {
      live: { intervalMs: 100 },
      logger: silentLogger,
    });
    const { stream, ready } = await open(app, {
      experiment: seeded.experimentId,
      since: newest - 1,
    });
    expect(ready.newest).toBe(newest);
    const missed = await stream.next(1000);
    expect(missed).toMatchObject({ event: 'traces', data: { count: 1, newest } });
    await stream.cancel();

    const response = await app.request(
      `http://127.0.0.1:5005/api/live${qs({ experiment: seeded.experimentId, since: 0 })}`,
      { headers: { 'Last-Event-ID': String(newest - 1) } },
    );
    const resumed = new SseReader(response);
    expect((await resumed.next()).event).toBe('ready');
    expect((await resumed.next(1000)).data).toMatchObject({ count: 1, newest });
    await resumed.cancel();
    // Without `since`, from when the stream opened: nothing.
    const fresh = await open(app, { experiment: seeded.experimentId });
    expect(await fresh.stream.drain(300)).toEqual([]);
    await fresh.stream.cancel();
  });

  it('reads the store once per interval for all streams of a query, and stops when they leave', async () => {
    const counted = countingReads(seeded.store);
    const app = createDashboardApp(counted.store, {
      live: { intervalMs: 100 },
      logger: silentLogger,
    });
    const streams = await Promise.all(
      [1, 2, 3, 4, 5].map(() => open(app, { experiment: seeded.experimentId })),
    );
    const before = counted.reads();
    await wait(1000);
    // One watcher: about 10 reads in a second, not 50.
    const reads = counted.reads() - before;
    expect(reads).toBeGreaterThanOrEqual(5);
    expect(reads).toBeLessThanOrEqual(13);
    for (const s of streams) await s.stream.cancel();
    await wait(150);
    const after = counted.reads();
    await wait(500);
    expect(counted.reads()).toBe(after);
  });

  it('refuses streams beyond its cap with a 503 saying why, and takes them again after', async () => {
    const app = createDashboardApp(seeded.store, {
      live: { intervalMs: 100, maxStreams: 2 },
      logger: silentLogger,
    });
    const a = await open(app, { experiment: seeded.experimentId });
    const b = await open(app, { filter: "attributes.status = 'OK'" });
    const refused = await call(app, '/api/live');
    expect(refused.status).toBe(503);
    expect(refused.body.error).toMatchObject({ code: 'TOO_MANY_STREAMS' });
    expect(refused.body.error.message).toContain('2 live streams');
    await a.stream.cancel();
    await wait(50);
    const c = await open(app);
    await b.stream.cancel();
    await c.stream.cancel();
  });

  it('validates its parameters like the other routes (400 naming the parameter)', async () => {
    const app = createDashboardApp(seeded.store, { logger: silentLogger });
    const unknown = await call(app, `/api/live${qs({ experimnt: '1' })}`);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({
      code: 'INVALID_QUERY',
      param: 'experimnt',
      message: 'unknown query parameter `experimnt`',
    });
    const since = await call(app, `/api/live${qs({ since: 'yesterday' })}`);
    expect(since.body.error).toMatchObject({
      param: 'since',
      message: expect.stringContaining('integer'),
    });
    const filter = await call(app, `/api/live${qs({ filter: 'status ~ 1' })}`);
    expect(filter.status).toBe(400);
    expect(filter.body.error).toMatchObject({ param: 'filter', column: 8 });
    const experiment = await call(app, `/api/live${qs({ experiment: 'a b' })}`);
    expect(experiment.body.error).toMatchObject({ param: 'experiment.0' });
    const search = await call(app, `/api/live${qs({ search: 'x'.repeat(501) })}`);
    expect(search.body.error).toMatchObject({ param: 'search' });
    expect(() =>
      createDashboardApp(seeded.store, { live: { intervalMs: 0 }, logger: silentLogger }),
    ).toThrow('live.intervalMs must be an integer of at least 50, got 0');
  });

  it('sends a heartbeat comment while nothing happens', async () => {
    const app = createDashboardApp(seeded.store, {
      live: { intervalMs: 100, heartbeatMs: 100 },
      logger: silentLogger,
    });
    const { stream } = await open(app, { experiment: seeded.experimentId });
    await stream.drain(350);
    expect(stream.comments.filter((c) => c === 'ping').length).toBeGreaterThanOrEqual(2);
    await stream.cancel();
  });
});

describe('startDashboard with live streams open', () => {
  it('close() ends the streams at once and stops reading the store', async () => {
    const logger = memoryLogger();
    const counted = countingReads(seeded.store);
    const server = await startDashboard({
      store: counted.store,
      port: 0,
      logger,
      live: { intervalMs: 100 },
    });
    const streams = await Promise.all(
      ['', `?experiment=${seeded.experimentId}`].map(async (query) => {
        const response = await fetch(`${server.url}/api/live${query}`);
        expect(response.status).toBe(200);
        const stream = new SseReader(response);
        expect((await stream.next()).event).toBe('ready');
        return stream;
      }),
    );
    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(1000);
    for (const s of streams) expect(await s.ends(1000)).toBe(true);
    const reads = counted.reads();
    await new Promise((r) => setTimeout(r, 400));
    expect(counted.reads()).toBe(reads);
    expect(logger.lines.filter((l) => l.level !== 'info')).toEqual([]);
  });
});
