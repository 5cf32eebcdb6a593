// The behaviour MLflow's TypeScript SDK (`@mlflow/core`) promises, held against graphtrace: our
// own tests, written from the SDK's documented and tested behaviour.
import { afterEach, describe, expect, it } from 'vitest';
import {
  getLastActiveTraceId,
  init,
  type LiveSpan,
  registerOnSpanEndHook,
  registerOnSpanStartHook,
  SpanStatusCode,
  SpanType,
} from '../src/index.js';
import { spanFromMlflowJson, spanToMlflowJson } from '../src/store-kit.js';
import { setup } from './helpers.js';

const warnings = (logger: { lines: { level: string; message: string }[] }) =>
  logger.lines.filter((l) => l.level === 'warn').map((l) => l.message);

const undo: (() => void)[] = [];
afterEach(() => {
  for (const u of undo.splice(0)) u();
});

describe('startSpan and the live span', () => {
  it('defaults: type UNKNOWN, OK on end, times as [s, ns] tuples matching the stored ns', async () => {
    const { tracker, traces, spansOf } = setup();
    const span = tracker.startSpan({ name: 'basic' });
    span.setInputs({ q: 1 }).setOutputs({ a: 2 }).setAttribute('k', 'v');
    span.setStatus('OK');
    expect(span.endTime).toBeNull();
    span.end();
    const [info] = await traces();
    expect(info!.state).toBe('OK');
    const [stored] = await spansOf(info!.traceId);
    expect(stored!.spanType).toBe(SpanType.UNKNOWN);
    expect(span.startTime).toEqual([
      Number(stored!.startTimeUnixNano / 1_000_000_000n),
      Number(stored!.startTimeUnixNano % 1_000_000_000n),
    ]);
    expect(span.endTime![0] * 1e9 + span.endTime![1]).toBe(Number(stored!.endTimeUnixNano));
    expect(span.status.statusCode).toBe(SpanStatusCode.OK);
    expect(span.status.description).toBe('');
    expect(span.getAttribute('k')).toBe('v');
    expect(span.parentId).toBeNull();
  });

  it('startTimeNs and endTimeNs are ns numbers; end() takes outputs, attributes and an SDK status', async () => {
    const { tracker, traces, spansOf } = setup();
    const span = tracker.startSpan({
      name: 'timed',
      spanType: SpanType.LLM,
      inputs: { prompt: 'hi' },
      attributes: { version: 1 },
      startTimeNs: 1e9,
    });
    span.end({
      outputs: 'bye',
      attributes: { extra: true },
      status: SpanStatusCode.ERROR,
      endTimeNs: 3e9,
    });
    expect(span.startTime).toEqual([1, 0]);
    expect(span.endTime).toEqual([3, 0]);
    const [info] = await traces();
    expect(info).toMatchObject({ state: 'ERROR', requestTime: 1000, executionDuration: 2000 });
    const [stored] = await spansOf(info!.traceId);
    expect(stored!.status.code).toBe('ERROR');
    expect(stored!.attributes).toMatchObject({ version: 1, extra: true });
  });

  it('recordException then end({ status }) with a status object keeps its description', async () => {
    const { tracker, traces, spansOf } = setup();
    const span = tracker.startSpan({ name: 'failing' });
    span.recordException(new Error('boom'));
    span.end({
      status: { statusCode: SpanStatusCode.ERROR, description: 'test-error' } as never,
    });
    const [info] = await traces();
    expect(info!.state).toBe('ERROR');
    const [stored] = await spansOf(info!.traceId);
    expect(stored!.status).toEqual({ code: 'ERROR', message: 'test-error' });
    expect(stored!.events[0]!.name).toBe('exception');
  });

  it('setStatus keeps ERROR against a value without a code, and every spelling of a code works', () => {
    const { tracker } = setup();
    const span = tracker.startSpan({ name: 's' });
    span.setStatus(SpanStatusCode.ERROR, 'bad');
    span.setStatus({ nonsense: true } as never);
    expect(span.status).toMatchObject({ code: 'ERROR', statusCode: 'STATUS_CODE_ERROR' });
    span.setStatus('OK');
    expect(span.status.statusCode).toBe('STATUS_CODE_OK');
    span.end();
  });

  it('explicit parents nest; a span started outside any context is a trace of its own', async () => {
    const { tracker, traces, spansOf } = setup();
    const parent = tracker.startSpan({ name: 'parent' });
    const c1 = tracker.startSpan({ name: 'c1', parent });
    const c2 = tracker.startSpan({ name: 'c2', parent });
    const c3 = tracker.startSpan({ name: 'c3', parent: c2 });
    for (const s of [c3, c2, c1, parent]) s.end();
    tracker.startSpan({ name: 'alone' }).end();
    const all = await traces();
    expect(all).toHaveLength(2);
    const nested = all.find((t) => t.tags['mlflow.traceName'] === 'parent')!;
    const spans = await spansOf(nested.traceId);
    expect(spans.map((s) => s.name)).toEqual(['parent', 'c1', 'c2', 'c3']);
    expect(c3.parentId).toBe(c2.spanId);
  });

  it('toJson gives the span in MLflow span JSON shape', () => {
    const { tracker } = setup();
    const span = tracker.startSpan({ name: 'json', inputs: { x: 1 } });
    span.setOutputs(2);
    span.end();
    const json = span.toJson();
    expect(json).toMatchObject({
      name: 'json',
      parent_span_id: null,
      status: { code: 'STATUS_CODE_OK', message: '' },
      attributes: {
        'mlflow.spanInputs': { x: 1 },
        'mlflow.spanOutputs': 2,
        'mlflow.spanType': 'UNKNOWN',
        'mlflow.traceRequestId': span.traceId,
      },
    });
    expect(Buffer.from(json.span_id as string, 'base64').toString('hex')).toBe(span.spanId);
    expect(typeof json.start_time_unix_nano).toBe('bigint');
  });
});

describe('withSpan and trace()', () => {
  it("withSpan: name 'span' by default, the return value as outputs unless set, errors rethrown as ERROR", async () => {
    const { tracker, traces, spansOf } = setup();
    expect(tracker.withSpan(() => 8)).toBe(8);
    expect(
      tracker.withSpan((s) => {
        s.setOutputs('explicit');
        return 'returned';
      }),
    ).toBe('returned');
    await expect(
      tracker.withSpan(async () => {
        throw new Error('Division by zero');
      }),
    ).rejects.toThrow('Division by zero');
    const all = await traces();
    const spans = (await Promise.all(all.map((t) => spansOf(t.traceId)))).flat();
    expect(spans.map((s) => s.name)).toEqual(['span', 'span', 'span']);
    // Neither a named callback nor an empty name changes it (the SDK ignores both).
    const step = () => 1;
    tracker.withSpan(step);
    tracker.withSpan({ name: '' }, function named() {
      return 2;
    });
    const more = (await traces()).filter((t) => !all.some((a) => a.traceId === t.traceId));
    expect(more.map((t) => t.tags['mlflow.traceName'])).toEqual(['span', 'span']);
    const outputs = spans.map((s) => s.attributes['mlflow.spanOutputs']);
    expect(outputs).toEqual(expect.arrayContaining([8, 'explicit']));
    const failed = spans.find((s) => s.status.code === 'ERROR')!;
    expect(failed.status.message).toMatch(/Division by zero/);
  });

  it("trace(): named after the function, type UNKNOWN, inputs by parameter name, 'span' and {} for anonymous zero-argument ones", async () => {
    const { tracker, traces, spansOf } = setup();
    function myFunc(x: number) {
      return x * 2;
    }
    expect(tracker.trace(myFunc)(5)).toBe(10);
    expect(tracker.trace(() => 'anon')()).toBe('anon');
    const bound = tracker.trace(myFunc.bind(null));
    expect(bound(7)).toBe(14);
    const spans = (await Promise.all((await traces()).map((t) => spansOf(t.traceId)))).flat();
    const byInputs = spans.map((s) => [s.name, s.spanType, s.attributes['mlflow.spanInputs']]);
    expect(byInputs).toEqual(
      expect.arrayContaining([
        ['myFunc', 'UNKNOWN', { x: 5 }],
        ['span', 'UNKNOWN', {}],
        ['bound myFunc', 'UNKNOWN', { args: [7] }],
      ]),
    );
  });

  it('@trace() decorates methods in TC39 and legacy form, keeping `this` and the method name', async () => {
    const { tracker, traces, spansOf } = setup();
    class Calc {
      factor = 42;
      multiply(x: number) {
        return this.factor * x;
      }
      add(a: number, b: number) {
        return a + b;
      }
    }
    // TC39 (TypeScript 5 decorators): (method, context) returns the replacement.
    const tc39 = tracker.trace()(Calc.prototype.multiply, { kind: 'method', name: 'multiply' });
    Object.defineProperty(Calc.prototype, 'multiply', { value: tc39 });
    // experimentalDecorators: (prototype, key, descriptor) returns the descriptor.
    const descriptor = Object.getOwnPropertyDescriptor(Calc.prototype, 'add')!;
    Object.defineProperty(
      Calc.prototype,
      'add',
      tracker.trace({ name: 'adder', spanType: SpanType.TOOL })(Calc.prototype, 'add', descriptor),
    );
    const calc = new Calc();
    expect(calc.multiply(5)).toBe(210);
    expect(calc.add(10, 20)).toBe(30);
    const spans = (await Promise.all((await traces()).map((t) => spansOf(t.traceId)))).flat();
    expect(spans.map((s) => [s.name, s.spanType, s.attributes['mlflow.spanInputs']])).toEqual(
      expect.arrayContaining([
        ['multiply', 'UNKNOWN', { x: 5 }],
        ['adder', 'TOOL', { a: 10, b: 20 }],
      ]),
    );
  });
});

describe('trace-level API', () => {
  it('getLastActiveTraceId is the trace whose root ended last', async () => {
    const { tracker } = setup();
    const root = tracker.startSpan({ name: 'root' });
    const child = tracker.startSpan({ name: 'child', parent: root });
    child.end();
    expect(getLastActiveTraceId()).not.toBe(root.traceId);
    root.end();
    expect(getLastActiveTraceId()).toBe(root.traceId);
  });

  it('updateCurrentTrace sets the previews MLflow shows; a non-string preview is reported and ignored', async () => {
    const { tracker, traces, logger } = setup();
    tracker.withSpan(
      () => {
        tracker.updateCurrentTrace({ requestPreview: 'custom request', clientRequestId: 'req-1' });
        tracker.updateCurrentTrace({ responsePreview: 42 as never });
        return 'the real output';
      },
      { inputs: { q: 'the real input' } },
    );
    const [info] = await traces();
    expect(info).toMatchObject({
      requestPreview: 'custom request',
      responsePreview: '"the real output"', // MLflow's preview of a string is its JSON text
      clientRequestId: 'req-1',
    });
    expect(warnings(logger).join('\n')).toMatch(/responsePreview.*takes a string/);
  });
});

describe("init() in the SDK's form", () => {
  it('without a store and without @graphtrace/setup loaded, says what to install', () => {
    let err: unknown;
    try {
      init({ trackingUri: 'sqlite:///never.db', experimentId: '0' });
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({
      code: 'PACKAGE_NOT_INSTALLED',
      message: expect.stringMatching(/npm i @graphtrace\/setup .*or pass init\(\{ store \}\)/),
    });
  });
});

describe('span hooks', () => {
  it('start hooks see the span with its options applied, end hooks the ended span; unregistering stops them', async () => {
    const { tracker } = setup();
    const seen: string[] = [];
    undo.push(
      registerOnSpanStartHook((s: LiveSpan) => {
        seen.push(`start ${s.name} ${s.spanType} ${JSON.stringify(s.inputs)}`);
        s.setAttribute('hooked', true);
      }),
    );
    const offEnd = registerOnSpanEndHook((s) => {
      seen.push(`end ${s.name} ${s.status.statusCode} ${s.getAttribute('hooked')}`);
    });
    tracker.startSpan({ name: 'a', spanType: SpanType.TOOL, inputs: { n: 1 } }).end();
    offEnd();
    tracker.startSpan({ name: 'b' }).end();
    expect(seen).toEqual([
      'start a TOOL {"n":1}',
      'end a STATUS_CODE_OK true',
      'start b UNKNOWN undefined',
    ]);
  });

  it('a hook that throws is reported once; the span and the traced program go on', async () => {
    const { tracker, traces, logger } = setup();
    undo.push(
      registerOnSpanEndHook(() => {
        throw new Error('hook bug');
      }),
    );
    expect(tracker.withSpan(() => 1)).toBe(1);
    expect(tracker.withSpan(() => 2)).toBe(2);
    expect(await traces()).toHaveLength(2);
    expect(warnings(logger).filter((m) => /end hook threw \(hook bug\)/.test(m))).toHaveLength(1);
  });
});

describe('span links', () => {
  it('addLink takes MLflow and OpenTelemetry spellings, drops a link without ids, and survives MLflow span JSON', async () => {
    const { tracker, traces, spansOf, logger } = setup();
    const hex = '0af7651916cd43dd8448eb211c80319c';
    tracker.withSpan({ name: 'linked' }, (s) => {
      s.addLink({
        traceId: `tr-${hex}`,
        spanId: 'b7ad6b7169203331',
        attributes: { kind: 'resume' },
      });
      s.addLink({ context: { traceId: hex, spanId: '00f067aa0ba902b7', traceFlags: 1 } });
      s.addLink({ traceId: 'nope', spanId: 'x' });
      expect(s.toJson().links).toHaveLength(2);
    });
    const [info] = await traces();
    const [span] = await spansOf(info!.traceId);
    const expected = [
      { traceId: `tr-${hex}`, spanId: 'b7ad6b7169203331', attributes: { kind: 'resume' } },
      { traceId: `tr-${hex}`, spanId: '00f067aa0ba902b7', attributes: null },
    ];
    expect(span!.links).toEqual(expected);
    expect(spanFromMlflowJson(spanToMlflowJson(span!)).links).toEqual(expected);
    expect(warnings(logger).join('\n')).toMatch(/addLink needs a trace id and a span id/);
    // A span without links is written as before: no `links` key at all.
    const plain = tracker.startSpan({ name: 'plain' });
    plain.end();
    expect(spanToMlflowJson(plain)).not.toMatch(/"links"/);
  });
});
