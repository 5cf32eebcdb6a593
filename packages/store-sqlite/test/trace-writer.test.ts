import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Worker, WorkerOptions } from 'node:worker_threads';
import { GraphtraceError, type Span, type TrackingStore } from '@graphtrace/core';
import {
  makeSpan,
  makeTraceInfo,
  makeTraceTree,
  newTraceId,
  uniqueName,
} from '@graphtrace/core/testing';
import Database from 'better-sqlite3';
import { describe, expect, it, vi } from 'vitest';
import { sqliteStore } from '../src/index.js';
import { rows, tempDir } from './helpers.js';

// Every trace writer thread the store starts, a switch that makes the next one fail to load, and
// one that makes it stoppable by a 'test:exit' message (see fixtures/exitable-writer.mjs).
const threads = vi.hoisted(() => ({ started: [] as Worker[], failNext: false, exitable: false }));
vi.mock('node:worker_threads', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:worker_threads')>();
  class SpyWorker extends actual.Worker {
    constructor(url: string | URL, options?: WorkerOptions) {
      const writer = String(url).endsWith('/trace-writer-worker.js');
      if (writer && threads.exitable) {
        const wrapper = new URL('./fixtures/exitable-writer.mjs', import.meta.url);
        super(wrapper, { ...options, argv: [String(url)] });
      } else {
        super(writer && threads.failNext ? new URL('./no-such-worker.js', url) : url, options);
      }
      if (writer) {
        threads.failNext = false;
        threads.exitable = false;
        threads.started.push(this);
      }
    }
  }
  return { ...actual, Worker: SpyWorker };
});

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = tempDir('sqlite-trace-writer');
let n = 0;
const file = () => join(dir, `trace-writer-${++n}.db`);

async function experiment(store: TrackingStore): Promise<string> {
  return (await store.getOrCreateExperiment(uniqueName('tw'))).experimentId;
}

function count(path: string, sql: string, ...params: unknown[]): number {
  return rows<{ n: number }>(path, sql, ...params)[0]!.n;
}

/** The root span with other outputs: the same row, rewritten. */
function rootWith(spans: Span[], outputs: unknown, extra: Record<string, unknown> = {}): Span {
  const root = spans[0]!;
  return { ...root, attributes: { ...root.attributes, 'mlflow.spanOutputs': outputs, ...extra } };
}

function storedOutputs(path: string, spanId: string): unknown {
  const [row] = rows<{ content: string }>(
    path,
    'SELECT content FROM spans WHERE span_id = ?',
    spanId,
  );
  return JSON.parse(JSON.parse(row!.content).attributes['mlflow.spanOutputs']);
}

describe('the trace writer thread', () => {
  it('is the default for a file, and its writes are readable as soon as the promise resolves', async () => {
    const path = file();
    const store = sqliteStore({ path });
    const exp = await experiment(store);
    const before = threads.started.length;
    const traceId = newTraceId();
    await store.logSpans(exp, makeTraceTree(traceId));
    expect(threads.started.length).toBe(before + 1);
    // On the store's own connection and on any other.
    expect((await store.getTrace(traceId))?.spans).toHaveLength(4);
    expect(count(path, 'SELECT count(*) AS n FROM spans WHERE trace_id = ?', traceId)).toBe(4);
    const info = await store.startTrace(makeTraceInfo(exp, traceId));
    expect(info.tags['mlflow.trace.spansLocation']).toBe('TRACKING_STORE');
    expect((await store.getTraceInfo(traceId))?.requestPreview).toBe('{"question":"hi"}');
    expect(threads.started.length).toBe(before + 1); // one thread for every write
    await store.close();
  });

  it('writes exactly the rows the inline writer writes', async () => {
    const traceId = newTraceId();
    const tree = makeTraceTree(traceId);
    const tables: Record<string, unknown[]>[] = [];
    for (const traceWriter of ['worker', 'inline'] as const) {
      const path = file();
      const store = sqliteStore({ path, traceWriter });
      const exp = (await store.getOrCreateExperiment('same')).experimentId;
      await store.logSpans(exp, tree);
      await store.startTrace(makeTraceInfo(exp, traceId));
      await store.close();
      tables.push({
        spans: rows(path, 'SELECT * FROM spans ORDER BY span_id'),
        info: rows(path, 'SELECT * FROM trace_info'),
        tags: rows(path, 'SELECT * FROM trace_tags ORDER BY key'),
        metadata: rows(path, 'SELECT * FROM trace_request_metadata ORDER BY key'),
        metrics: rows(path, 'SELECT * FROM trace_metrics ORDER BY key'),
      });
    }
    expect(tables[0]!.spans).toHaveLength(4);
    expect(tables[0]).toEqual(tables[1]);
  });

  it('answers in call order, so spans land before the trace info sent after them', async () => {
    const path = file();
    const store = sqliteStore({ path });
    const exp = await experiment(store);
    // The final status depends on the order: a trace info replaces the status, while a
    // root span's status only settles a trace that is still in progress.
    const a = newTraceId();
    const b = newTraceId();
    const calls = [
      store.startTrace(makeTraceInfo(exp, a, { state: 'IN_PROGRESS' })),
      store.logSpans(exp, makeTraceTree(a)),
      store.logSpans(exp, makeTraceTree(b)),
      store.startTrace(makeTraceInfo(exp, b, { state: 'IN_PROGRESS' })),
    ];
    // Ten rewrites of one span, none awaited: the last one called is the one kept.
    const spans = makeTraceTree(newTraceId());
    for (let i = 0; i < 10; i++) calls.push(store.logSpans(exp, [rootWith(spans, i)]));
    await Promise.all(calls);
    expect((await store.getTraceInfo(a))?.state).toBe('OK');
    expect((await store.getTraceInfo(b))?.state).toBe('IN_PROGRESS');
    expect(storedOutputs(path, spans[0]!.spanId)).toBe(9);
    await store.close();
  });

  it('lets reads and trace changes called after a write see it, even when it was not awaited', async () => {
    const path = file();
    const store = sqliteStore({ path });
    const exp = await experiment(store);
    const traceId = newTraceId();
    void store.logSpans(exp, makeTraceTree(traceId));
    void store.startTrace(makeTraceInfo(exp, traceId));
    const tagged = store.setTraceTag(traceId, 'reviewed', 'yes'); // NOT_FOUND if it overtook
    const found = store.getTrace(traceId);
    await tagged;
    expect((await found)?.spans).toHaveLength(4);
    expect((await store.getTraceInfo(traceId))?.tags.reviewed).toBe('yes');
    void store.logSpans(exp, makeTraceTree(newTraceId()));
    const deleted = await store.deleteTraces({
      experimentId: exp,
      maxTimestampMillis: Date.now() + 60_000,
    });
    expect(deleted).toBe(2);
    await store.close();
  });

  it('keeps the call order while the writes wait out a lock held by another connection', async () => {
    const path = file();
    // busy_timeout 0: every write that meets the lock goes to the jittered async retry.
    const store = sqliteStore({ path, busyTimeoutMs: 0 });
    const exp = await experiment(store);
    await store.logSpans(exp, makeTraceTree(newTraceId())); // the thread is up
    const spans = makeTraceTree(newTraceId());
    const lock = new Database(path);
    lock.exec('BEGIN IMMEDIATE');
    const calls = Array.from({ length: 20 }, (_, i) => store.logSpans(exp, [rootWith(spans, i)]));
    await new Promise((r) => setTimeout(r, 50));
    lock.exec('ROLLBACK');
    lock.close();
    await Promise.all(calls);
    expect(storedOutputs(path, spans[0]!.spanId)).toBe(19);
    await store.close();
  });

  it('starts no thread for reads, runs or other writes', async () => {
    const before = threads.started.length;
    const store = sqliteStore({ path: file() });
    const exp = await experiment(store);
    const run = await store.createRun({ experimentId: exp, runName: 'r' });
    await store.logBatch(run.info.runId, { params: [{ key: 'p', value: '1' }] });
    await store.searchRuns({ experimentIds: [exp] });
    await store.searchTraces({ experimentIds: [exp] });
    await store.getTrace(newTraceId());
    await store.deleteTraces({ experimentId: exp, maxTimestampMillis: 1 });
    await store.setTraceTag(newTraceId(), 'k', 'v').catch(() => undefined); // NOT_FOUND
    await store.logSpans(exp, []); // nothing to write
    await store.close();
    expect(threads.started.length).toBe(before);

    // A read-only store writes nothing, so it never starts one either.
    const path = file();
    await sqliteStore({ path }).getExperiment('0'); // creates the file
    const ro = sqliteStore({ path, readOnly: true, traceWriter: 'worker' });
    const err = await ro.logSpans('0', makeTraceTree(newTraceId())).catch((e: unknown) => e);
    expect((err as GraphtraceError).code).toBe('READ_ONLY');
    await ro.close();
    expect(threads.started.length).toBe(before);
  });

  it('writes a call whose values cannot be cloned on this thread instead, keeping the call order', async () => {
    const path = file();
    const store = sqliteStore({ path });
    const exp = await experiment(store);
    const before = threads.started.length;
    const spans = makeTraceTree(newTraceId());
    const uncloneable = (outputs: string) => rootWith(spans, outputs, { callback: () => 1 });
    // The write done here waits for the calls before it and holds the calls after it.
    await Promise.all([
      store.logSpans(exp, [rootWith(spans, 'first')]),
      store.logSpans(exp, [uncloneable('second')]),
    ]);
    expect(storedOutputs(path, spans[0]!.spanId)).toBe('second');
    // A long one here (many spans to encode): were the next call not held, the thread would
    // write it first and this one would overwrite it.
    const many = Array.from({ length: 2000 }, (_, i) =>
      makeSpan(spans[0]!.traceId, { name: `filler-${i}`, attributes: { callback: () => i } }),
    );
    await Promise.all([
      store.logSpans(exp, [rootWith(spans, 'third')]),
      store.logSpans(exp, [...many, uncloneable('fourth')]),
      store.logSpans(exp, [rootWith(spans, 'fifth')]),
    ]);
    expect(storedOutputs(path, spans[0]!.spanId)).toBe('fifth');
    expect(threads.started.length).toBe(before + 1);

    // A whole batch with a function in it is written, the function dropped as JSON drops it.
    const traceId = newTraceId();
    const tree = makeTraceTree(traceId).map((s) => ({
      ...s,
      attributes: { ...s.attributes, onToken: () => undefined },
    }));
    await store.logSpans(exp, tree);
    const stored = await store.getTrace(traceId);
    expect(stored?.spans).toHaveLength(4);
    for (const s of stored!.spans) expect(s.attributes).not.toHaveProperty('onToken');
    await store.close();
  });

  it('rejects invalid input with the codes and messages of the inline writer', async () => {
    const path = file();
    const worker = sqliteStore({ path, traceWriter: 'worker' });
    const inline = sqliteStore({ path, traceWriter: 'inline' });
    const exp = await experiment(worker);
    const traceId = newTraceId();
    const good = makeTraceTree(traceId)[0]!;
    const before = threads.started.length;
    const calls: [string, (s: TrackingStore) => Promise<unknown>][] = [
      ['span id', (s) => s.logSpans(exp, [{ ...good, spanId: 'nope' }])],
      ['start time', (s) => s.logSpans(exp, [{ ...good, startTimeUnixNano: 1 as never }])],
      ['trace id', (s) => s.logSpans(exp, [{ ...good, traceId: '' }])],
      ['experiment', (s) => s.logSpans('987654', [good])],
      ['bigint attribute', (s) => s.logSpans(exp, [{ ...good, attributes: { n: 1n } }])],
      ['state', (s) => s.startTrace(makeTraceInfo(exp, traceId, { state: 'DONE' as never }))],
      ['request time', (s) => s.startTrace(makeTraceInfo(exp, traceId, { requestTime: 1.5 }))],
      ['info experiment', (s) => s.startTrace(makeTraceInfo('987654', traceId))],
    ];
    for (const [what, call] of calls) {
      const fromThread = (await call(worker).then(
        () => null,
        (e: unknown) => e,
      )) as Error & { code?: string };
      const fromHere = (await call(inline).then(
        () => null,
        (e: unknown) => e,
      )) as Error & { code?: string };
      expect(fromHere, what).toBeInstanceOf(Error);
      expect(fromThread, what).toBeInstanceOf(fromHere.constructor);
      expect({ code: fromThread.code, message: fromThread.message }, what).toEqual({
        code: fromHere.code,
        message: fromHere.message,
      });
    }
    const coded = (await calls[0]![1](worker).catch((e: unknown) => e)) as GraphtraceError;
    expect(coded).toBeInstanceOf(GraphtraceError);
    expect(coded.code).toBe('INVALID_ARGUMENT');
    // The thread took them all and goes on writing.
    await worker.logSpans(exp, [good]);
    expect(threads.started.length).toBe(before + 1);
    expect(count(path, 'SELECT count(*) AS n FROM spans')).toBe(1);
    await worker.close();
    await inline.close();
  });

  it('finishes every write already called when closed, even before the file is open', async () => {
    const path = file();
    const store = sqliteStore({ path });
    const before = threads.started.length;
    const ids = Array.from({ length: 30 }, newTraceId);
    // Experiment 0 exists in every new file: nothing is awaited before close().
    const calls = ids.flatMap((id) => [
      store.logSpans('0', makeTraceTree(id)),
      store.startTrace(makeTraceInfo('0', id)),
    ]);
    await store.close();
    await expect(Promise.all(calls)).resolves.toHaveLength(60);
    expect(count(path, 'SELECT count(*) AS n FROM spans')).toBe(120);
    expect(count(path, "SELECT count(*) AS n FROM trace_info WHERE status = 'OK'")).toBe(30);
    // The thread is gone, and later calls are refused.
    expect(threads.started.length).toBe(before + 1);
    expect(threads.started.at(-1)!.threadId).toBe(-1);
    const late = (await store
      .logSpans('0', makeTraceTree(newTraceId()))
      .catch((e: unknown) => e)) as GraphtraceError;
    expect(late.code).toBe('STORE_UNAVAILABLE');
  });

  it('rejects the writes of a thread that died with STORE_UNAVAILABLE and starts a new one', async () => {
    const path = file();
    // busy_timeout 0: the thread waits out the lock below on timers, so it reads the exit message.
    const store = sqliteStore({ path, busyTimeoutMs: 0 });
    const exp = await experiment(store);
    threads.exitable = true;
    await store.logSpans(exp, makeTraceTree(newTraceId()));
    const thread = threads.started.at(-1)!;
    const lock = new Database(path);
    lock.exec('BEGIN IMMEDIATE');
    const lost = newTraceId();
    const pending = store.logSpans(exp, makeTraceTree(lost)).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 100));
    const exited = new Promise((r) => thread.once('exit', r));
    thread.postMessage('test:exit');
    expect(await exited).toBe(7);
    const err = (await pending) as GraphtraceError;
    lock.exec('ROLLBACK');
    lock.close();
    expect(err).toBeInstanceOf(GraphtraceError);
    expect(err.code).toBe('STORE_UNAVAILABLE');
    expect(err.message).toMatch(
      /trace writer thread of sqlite:\/\/\/.* stopped \(it exited with code 7/,
    );

    const next = newTraceId();
    await store.logSpans(exp, makeTraceTree(next));
    expect(threads.started.at(-1)).not.toBe(thread);
    expect(count(path, 'SELECT count(*) AS n FROM spans WHERE trace_id = ?', next)).toBe(4);
    expect(count(path, 'SELECT count(*) AS n FROM spans WHERE trace_id = ?', lost)).toBe(0);
    await store.close();
  });

  it('rejects with STORE_UNAVAILABLE saying why when the thread cannot start, and retries', async () => {
    const store = sqliteStore({ path: file() });
    const exp = await experiment(store);
    threads.failNext = true;
    const err = (await store
      .logSpans(exp, makeTraceTree(newTraceId()))
      .catch((e: unknown) => e)) as GraphtraceError;
    expect(err.code).toBe('STORE_UNAVAILABLE');
    expect(err.message).toMatch(/trace writer thread .* stopped \(it failed: .*no-such-worker/);
    const traceId = newTraceId();
    await store.logSpans(exp, makeTraceTree(traceId));
    expect((await store.getTrace(traceId))?.spans).toHaveLength(4);
    await store.close();
  });

  it('lets a program that never calls close() exit by itself once its writes are done', async () => {
    const path = file();
    const child = spawn(
      process.execPath,
      [join(pkg, 'test', 'fixtures', 'trace-no-close.mjs'), path],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      output += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      output += d;
    });
    const started = Date.now();
    const exit = await new Promise<number | null | 'hung'>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve('hung');
      }, 10_000);
      child.on('exit', (code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
    expect(exit, output).toBe(0);
    expect(output).toBe('written\n');
    expect(Date.now() - started).toBeLessThan(10_000);
    // The awaited trace and the one still being written when the program ran out of code.
    expect(
      rows(path, "SELECT value FROM trace_tags WHERE key = 'mlflow.traceName' ORDER BY value"),
    ).toEqual([{ value: 'awaited' }, { value: 'unawaited' }]);
    expect(count(path, "SELECT count(*) AS n FROM trace_info WHERE status = 'OK'")).toBe(2);
    expect(count(path, 'SELECT count(*) AS n FROM spans')).toBe(6);
  });
});

describe('choosing the trace writer', () => {
  it('refuses a thread where the database cannot be shared with one, saying what to do', () => {
    for (const options of [
      { path: ':memory:' },
      { path: '' },
      { path: 'x.db', database: new Database(':memory:') },
    ]) {
      let err: unknown;
      try {
        sqliteStore({ ...options, traceWriter: 'worker' });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(GraphtraceError);
      expect((err as GraphtraceError).code).toBe('INVALID_ARGUMENT');
      expect((err as GraphtraceError).message).toMatch(
        /traceWriter: 'worker'.*traceWriter: 'inline'/,
      );
    }
    expect(() => sqliteStore({ path: 'x.db', traceWriter: 'thread' as never })).toThrow(
      /traceWriter must be 'worker' or 'inline'/,
    );
  });

  it('writes an in-memory database on this thread by default', async () => {
    const before = threads.started.length;
    const store = sqliteStore({ path: ':memory:' });
    const traceId = newTraceId();
    await store.logSpans('0', makeTraceTree(traceId));
    expect((await store.getTrace(traceId))?.spans).toHaveLength(4);
    expect(threads.started.length).toBe(before);
    await store.close();
  });
});
