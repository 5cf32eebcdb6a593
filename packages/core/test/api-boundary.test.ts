import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  getTracingContextHeadersForHttpRequest,
  type LiveSpan,
  withTracingContextFromHeaders,
} from '../src/index.js';
import { setup } from './helpers.js';

/** Values that broke tracing before: each one once made the API throw, hang or lose data. */
function hostileValues(): unknown[] {
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  class NullProto {}
  Object.setPrototypeOf(NullProto.prototype, null);
  let deep: unknown[] = [];
  for (let i = 0; i < 100_000; i++) deep = [deep];
  const sparse: unknown[] = [];
  sparse.length = 2 ** 32 - 1;
  const throwingProxy = new Proxy(
    {},
    {
      get() {
        throw new Error('trap');
      },
      ownKeys() {
        throw new Error('trap');
      },
      getPrototypeOf() {
        throw new Error('trap');
      },
    },
  );
  return [
    Object.create(null),
    new NullProto(),
    {
      toString() {
        throw new Error('no');
      },
      valueOf() {
        throw new Error('no');
      },
    },
    revoked.proxy,
    throwingProxy,
    deep,
    sparse,
    'x'.repeat(2_000_000),
    Symbol('s'),
    10n ** 30n,
    Number.NaN,
    -1,
    new Date(Number.NaN),
    () => 1,
    null,
    undefined,
    true,
    { code: 'STATUS_CODE_ERROR' },
    'abc',
  ];
}

const HOSTILE = hostileValues();

/**
 * A hostile value (by index: fast-check itself cannot inspect a revoked Proxy) or anything
 * fast-check makes.
 */
const anyValue = () =>
  fc.oneof(
    fc.nat({ max: HOSTILE.length - 1 }).map((i) => ({ hostile: i })),
    fc
      .anything({
        withBigInt: true,
        withDate: true,
        withMap: true,
        withSet: true,
        withNullPrototype: true,
        withSparseArray: true,
        withTypedArray: true,
        withObjectString: true,
      })
      .map((value) => ({ value })),
  );

/** Every place of the span API that takes a caller's value, fed `v`. */
function abuse(span: LiveSpan, v: unknown): void {
  const s = span as unknown as Record<string, (...args: unknown[]) => unknown>;
  s.setAttribute!(v, v);
  s.setAttribute!('k', v);
  s.setAttributes!(v);
  s.setPayload!(v, v, v);
  s.setPayload!('p', v, { convert: () => v });
  s.setPayload!('q', v, { immutable: true });
  s.setInputs!(v);
  s.setOutputs!(v);
  s.setStatus!(v, v);
  s.updateName!(v);
  s.setSpanType!(v);
  s.addEvent!(v, v, v);
  s.recordException!(v, v);
  s.addLink!(v);
  s.addLinks!(v);
  s.getAttribute!(v);
  s.toJson!();
}

/** A model call whose usage, provider and cost are `v`: what pricing reads. */
function abuseModelCall(span: LiveSpan, v: unknown, costToo: boolean): void {
  span.setAttribute('mlflow.llm.model', 'gpt-4o-mini');
  span.setAttribute('mlflow.llm.provider', v as string);
  span.setAttribute('mlflow.chat.tokenUsage', v as string);
  if (costToo) span.setAttribute('mlflow.llm.cost', v as string);
}

describe('the tracing API takes any value', () => {
  it('never throws into the caller, never changes what its code returns or throws, never loses another span', async () => {
    await fc.assert(
      fc.asyncProperty(anyValue(), fc.boolean(), async (pick, throwIt) => {
        const v = 'hostile' in pick ? HOSTILE[pick.hostile] : pick.value;
        const { tracker, store, traces } = setup({ maxPayloadChars: 2_000 });
        const sentinel = { sentinel: true };
        let outcome: unknown;
        try {
          outcome = await tracker.withSpan(
            { name: v as string, spanType: v as string, inputs: v, attributes: v as never },
            async (span) => {
              abuse(span, v);
              abuseModelCall(span, v, false);
              tracker.updateCurrentTrace({
                tags: v as never,
                metadata: { m: v } as never,
                session: v as string,
                user: v as string,
                clientRequestId: v as string,
                requestPreview: v as string,
                responsePreview: v as string,
              });
              expect(withTracingContextFromHeaders(v as never, () => 'ran')).toBe('ran');
              expect(getTracingContextHeadersForHttpRequest().traceparent).toMatch(/^00-/);
              const child = tracker.startSpan({ name: v as string, startTimeNs: v as bigint });
              abuse(child, v);
              abuseModelCall(child, v, true);
              child.end({
                endTimeNs: v as bigint,
                status: v as never,
                outputs: v,
                attributes: v as never,
              });
              if (throwIt) throw v;
              return sentinel;
            },
          );
        } catch (err) {
          outcome = { threw: err };
        }
        // The caller gets its own value back: the same object returned, the same one thrown.
        if (throwIt) expect((outcome as { threw: unknown }).threw).toBe(v);
        else expect(outcome).toBe(sentinel);
        // A well-behaved trace written after the abuse lands whole.
        await tracker.withSpan({ name: 'good' }, () => {
          tracker.withSpan({ name: 'child' }, () => 1);
        });
        const all = await traces();
        // A cost written is always three finite numbers, whatever the usage was.
        for (const t of all) {
          const cost = t.traceMetadata['mlflow.trace.cost'];
          if (cost !== undefined)
            expect(Object.values(JSON.parse(cost)).every(Number.isFinite), cost).toBe(true);
        }
        const good = all.find((t) => t.tags['mlflow.traceName'] === 'good');
        expect(good).toBeDefined();
        expect((await store.getTrace(good!.traceId))!.spans.map((s) => s.name).sort()).toEqual([
          'child',
          'good',
        ]);
        await tracker.shutdown();
      }),
      { numRuns: 150 },
    );
  }, 120_000);

  it('gives trace()-wrapped functions their own value back, returned or thrown, sync or async', async () => {
    await fc.assert(
      fc.asyncProperty(anyValue(), fc.boolean(), fc.boolean(), async (pick, throwIt, isAsync) => {
        const v = 'hostile' in pick ? HOSTILE[pick.hostile] : pick.value;
        const { tracker, traces } = setup({ maxPayloadChars: 2_000 });
        const body = (x: unknown) => {
          if (throwIt) throw x;
          return x;
        };
        const fn = isAsync
          ? tracker.trace(async (x: unknown) => body(x), { name: 'async' })
          : tracker.trace((x: unknown) => body(x), { name: 'sync' });
        let outcome: { value?: unknown; threw?: unknown };
        try {
          outcome = { value: await fn(v) };
        } catch (err) {
          outcome = { threw: err };
        }
        // Awaiting unwraps a returned thenable; compare with what the same await gives untraced.
        let expected: { value?: unknown; threw?: unknown };
        try {
          expected = { value: await (isAsync ? (async () => body(v))() : body(v)) };
        } catch (err) {
          expected = { threw: err };
        }
        if (!('threw' in expected)) expect(outcome.value).toBe(expected.value);
        else if (expected.threw === v) expect(outcome.threw).toBe(v);
        // `await` itself failing on the value (a revoked Proxy) throws a new error each time.
        else expect(String(outcome.threw)).toBe(String(expected.threw));
        expect((await traces()).length).toBeLessThanOrEqual(1);
        await tracker.shutdown();
      }),
      { numRuns: 150 },
    );
  }, 120_000);

  it('keeps the odd value it can read: names and types as text, ns times as numbers, MLflow status codes', async () => {
    const { tracker, store, traces, logger } = setup();
    await tracker.withSpan(
      { name: 42 as unknown as string, spanType: { t: 1 } as never },
      (root) => {
        const child = tracker.startSpan({ name: 'child', startTimeNs: 1_000_000_000 });
        child.end({ endTimeNs: 2_000_000_000, status: 'STATUS_CODE_ERROR' as never });
        const late = tracker.startSpan({ name: 'late', startTimeNs: 'abc' as never });
        late.end({ endTimeNs: 'abc' as never });
        root.setAttributes('not attributes' as never);
      },
    );
    const [t] = await traces();
    const spans = (await store.getTrace(t!.traceId))!.spans;
    const byName = Object.fromEntries(spans.map((s) => [s.name, s]));
    expect(byName['42']!.spanType).toBe('[object Object]');
    expect(byName.child!.startTimeUnixNano).toBe(1_000_000_000n);
    expect(byName.child!.endTimeUnixNano).toBe(2_000_000_000n);
    expect(byName.child!.status.code).toBe('ERROR');
    expect(byName.late!.endTimeUnixNano).toBeGreaterThan(byName.late!.startTimeUnixNano);
    expect(Object.keys(byName['42']!.attributes)).not.toContain('0');
    // Each kind of bad value is said once.
    const warnings = logger.lines.filter((l) => l.level === 'warn').map((l) => l.message);
    expect(warnings.filter((w) => w.includes('startSpan({ startTimeNs })'))).toHaveLength(1);
    expect(warnings.filter((w) => w.includes('end({ endTimeNs })'))).toHaveLength(1);
    expect(warnings.filter((w) => w.includes('setAttributes'))).toHaveLength(1);
    await tracker.shutdown();
  });

  it('bounds what it keeps: a 10 MB error message, name, tag and attribute cost their budget, not their size', async () => {
    const { tracker, store, traces } = setup({ maxPayloadChars: 1_000 });
    const huge = 'y'.repeat(10_000_000);
    const started = performance.now();
    expect(() =>
      tracker.withSpan({ name: huge }, (span) => {
        tracker.updateCurrentTrace({ tags: { big: huge }, metadata: { big: huge } });
        span.setAttribute('big', huge);
        for (let i = 0; i < 2_000; i++) span.setAttribute(`k${i}`, 'v'.repeat(900));
        throw new Error(huge);
      }),
    ).toThrow(huge);
    const elapsed = performance.now() - started;
    const [t] = await traces();
    const span = (await store.getTrace(t!.traceId))!.spans[0]!;
    expect(span.name.length).toBeLessThan(4_200);
    expect(t!.tags.big!.length).toBeLessThan(8_100);
    expect(t!.traceMetadata.big!.length).toBeLessThan(8_100);
    expect(JSON.stringify(span.attributes).length).toBeLessThan(5 * 1_000 + 512 * 40);
    const exception = span.events.find((e) => e.name === 'exception')!;
    expect(String(exception.attributes['exception.message']).length).toBeLessThan(1_100);
    expect(span.status.message!.length).toBeLessThan(8_100);
    // A hang guard, not a speed test: a 10 MB value is sliced, never walked whole (that took
    // 42 s before); the bound is far above any machine's noise.
    expect(elapsed).toBeLessThan(15_000);
    await tracker.shutdown();
  });
});
