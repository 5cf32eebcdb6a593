import { describe, expect, it } from 'vitest';
import { SpanType } from '../src/index.js';
import { setup, shape, sleep } from './helpers.js';

describe('span nesting follows the async context', () => {
  it('nests across await, Promise.all and timers', async () => {
    const { tracker, traces, spansOf } = setup();
    await tracker.withSpan({ name: 'root' }, async () => {
      await tracker.withSpan({ name: 'a' }, async () => {
        await sleep(1);
        await tracker.withSpan({ name: 'a1' }, () => 1);
      });
      await Promise.all([
        tracker.withSpan({ name: 'p1' }, async () => sleep(2)),
        tracker.withSpan({ name: 'p2' }, async () => {
          await new Promise<void>((resolve) =>
            setTimeout(() => {
              tracker.withSpan({ name: 'in-timer' }, () => resolve());
            }, 1),
          );
        }),
      ]);
    });
    const [t] = await traces();
    expect(shape(await spansOf(t!.traceId))).toEqual([
      'a1<a',
      'a<root',
      'in-timer<p2',
      'p1<root',
      'p2<root',
      'root<root',
    ]);
  });

  it('nests inside async generators, and the generator span ends when iteration ends', async () => {
    const { tracker, traces, spansOf } = setup();
    const numbers = tracker.trace(async function* numbers(n: number) {
      for (let i = 0; i < n; i++) {
        await sleep(1);
        yield tracker.withSpan({ name: `make-${i}` }, () => i);
      }
    });
    const seen: number[] = [];
    await tracker.withSpan({ name: 'root' }, async () => {
      for await (const x of numbers(3)) seen.push(x);
    });
    expect(seen).toEqual([0, 1, 2]);
    const [t] = await traces();
    const spans = await spansOf(t!.traceId);
    expect(shape(spans)).toEqual([
      'make-0<numbers',
      'make-1<numbers',
      'make-2<numbers',
      'numbers<root',
      'root<root',
    ]);
    const gen = spans.find((s) => s.name === 'numbers')!;
    expect(gen.attributes['mlflow.spanOutputs']).toEqual([0, 1, 2]);
    expect(gen.attributes['mlflow.spanInputs']).toEqual({ n: 3 });
    const last = spans.find((s) => s.name === 'make-2')!;
    expect(gen.endTimeUnixNano! >= last.endTimeUnixNano!).toBe(true);
  });

  it('ends a generator span with what was seen when the consumer stops early', async () => {
    const { tracker, traces, spansOf } = setup();
    let closed = false;
    const gen = tracker.trace(async function* forever() {
      try {
        for (let i = 0; ; i++) yield i;
      } finally {
        closed = true;
      }
    });
    for await (const x of gen()) if (x === 2) break;
    expect(closed).toBe(true);
    const [t] = await traces();
    const [span] = await spansOf(t!.traceId);
    expect(span!.attributes['mlflow.spanOutputs']).toEqual([0, 1, 2]);
    expect(span!.status.code).toBe('OK');
  });

  it('ends the span of a function returning a stream when the stream is consumed', async () => {
    const { tracker, traces, spansOf } = setup();
    const streamWords = tracker.trace(
      async (text: string) =>
        new ReadableStream<string>({
          start(controller) {
            for (const w of text.split(' ')) controller.enqueue(w);
            controller.close();
          },
        }),
    );
    const stream = await streamWords('one two three');
    expect(stream).toBeInstanceOf(ReadableStream);
    expect((await traces()).length).toBe(0);
    const words: string[] = [];
    for await (const w of stream as unknown as AsyncIterable<string>) words.push(w);
    expect(words).toEqual(['one', 'two', 'three']);
    const [t] = await traces();
    const [span] = await spansOf(t!.traceId);
    expect(span!.attributes['mlflow.spanOutputs']).toEqual(['one', 'two', 'three']);
  });

  it('keeps 200 concurrent traces apart', async () => {
    const { tracker, traces, spansOf } = setup();
    const work = tracker.trace(async function job(i: number) {
      await sleep(Math.random() * 5);
      await tracker.withSpan({ name: `step-${i}` }, async (span) => {
        span.setAttribute('job', i);
        await sleep(Math.random() * 5);
        await tracker.withSpan({ name: `inner-${i}` }, async () => sleep(Math.random() * 3));
      });
      return i;
    });
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => work(i)));
    expect(results).toEqual(Array.from({ length: 200 }, (_, i) => i));
    const all = await traces();
    expect(all).toHaveLength(200);
    for (const t of all) {
      const spans = await spansOf(t.traceId);
      expect(spans).toHaveLength(3);
      const root = spans.find((s) => s.parentSpanId === null)!;
      const i = (root.attributes['mlflow.spanInputs'] as { i: number }).i;
      expect(shape(spans)).toEqual([`inner-${i}<step-${i}`, `job<root`, `step-${i}<job`]);
      expect(spans.every((s) => s.traceId === t.traceId)).toBe(true);
    }
  });

  it('records an exception as ERROR with an exception event, and rethrows it', async () => {
    const { tracker, traces, spansOf } = setup();
    const boom = tracker.trace(async function failing() {
      await sleep(1);
      throw new TypeError('bad input');
    });
    await expect(tracker.withSpan({ name: 'root' }, () => boom())).rejects.toThrow('bad input');
    expect(() =>
      tracker.withSpan({ name: 'sync' }, () => {
        throw new RangeError('sync failure');
      }),
    ).toThrow('sync failure');
    const all = await traces();
    expect(all.map((t) => t.state)).toEqual(['ERROR', 'ERROR']);
    const rootTrace = all.find((t) => t.tags['mlflow.traceName'] === 'root')!;
    const failing = (await spansOf(rootTrace.traceId)).find((s) => s.name === 'failing')!;
    expect(failing.status).toEqual({ code: 'ERROR', message: 'TypeError: bad input' });
    expect(failing.events[0]).toMatchObject({
      name: 'exception',
      attributes: { 'exception.type': 'TypeError', 'exception.message': 'bad input' },
    });
    expect(String(failing.events[0]!.attributes['exception.stacktrace'])).toContain(
      'TypeError: bad input',
    );
  });

  it('records inputs by parameter name, outputs, function name and span type', async () => {
    const { tracker, traces, spansOf } = setup();
    const add = tracker.trace((a: number, b: number) => a + b, {
      name: 'add',
      spanType: SpanType.TOOL,
    });
    expect(add(2, 3)).toBe(5);
    const [t] = await traces();
    const [span] = await spansOf(t!.traceId);
    expect(span!.spanType).toBe('TOOL');
    expect(span!.attributes['mlflow.spanInputs']).toEqual({ a: 2, b: 3 });
    expect(span!.attributes['mlflow.spanOutputs']).toBe(5);
    expect(t!.requestPreview).toBe('{"a":2,"b":3}');
    expect(t!.responsePreview).toBe('5');
  });

  it('preserves `this` for traced methods', async () => {
    const { tracker } = setup();
    const obj = { base: 10, plus: undefined as unknown as (n: number) => number };
    obj.plus = tracker.trace(function (this: typeof obj, n: number) {
      return this.base + n;
    });
    expect(obj.plus(5)).toBe(15);
  });

  it('startSpan takes an explicit parent and is not made active', async () => {
    const { tracker, traces, spansOf } = setup();
    const root = tracker.startSpan({ name: 'root', spanType: SpanType.AGENT, inputs: { q: 1 } });
    expect(tracker.getCurrentActiveSpan()).toBeNull();
    const child = tracker.startSpan({ name: 'child', parent: root });
    child.end({ outputs: 'done' });
    root.end();
    const [t] = await traces();
    expect(shape(await spansOf(t!.traceId))).toEqual(['child<root', 'root<root']);
  });

  it('getCurrentActiveSpan is the innermost span', async () => {
    const { tracker } = setup();
    await tracker.withSpan({ name: 'outer' }, async (outer) => {
      expect(tracker.getCurrentActiveSpan()).toBe(outer);
      await tracker.withSpan({ name: 'inner' }, async (inner) => {
        await sleep(1);
        expect(tracker.getCurrentActiveSpan()).toBe(inner);
      });
      expect(tracker.getCurrentActiveSpan()).toBe(outer);
    });
    expect(tracker.getCurrentActiveSpan()).toBeNull();
  });
});

describe("active span resolvers (spans tracked in another library's context)", () => {
  it('nest a withSpan under the deeper of our active span and the resolved one', async () => {
    const { registerActiveSpanResolver } = await import('../src/index.js');
    const { tracker, traces, spansOf } = setup();
    let external: ReturnType<typeof tracker.startSpan> | null = null;
    const unregister = registerActiveSpanResolver(() => external);
    try {
      await tracker.withSpan({ name: 'outer' }, async (outer) => {
        external = tracker.startSpan({ name: 'node', parent: outer });
        await tracker.withSpan({ name: 'user-span' }, async () => {
          await tracker.withSpan({ name: 'inner' }, () => 1);
        });
        external.end();
        external = null;
        await tracker.withSpan({ name: 'after' }, () => 1);
      });
    } finally {
      unregister();
    }
    const [t] = await traces();
    expect(shape(await spansOf(t!.traceId))).toEqual([
      'after<outer',
      'inner<user-span',
      'node<outer',
      'outer<root',
      'user-span<node',
    ]);
  });
});
