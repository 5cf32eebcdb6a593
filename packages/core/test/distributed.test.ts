import { describe, expect, it } from 'vitest';
import {
  flushTraces,
  getTracingContextHeadersForHttpRequest,
  init,
  memoryStore,
  parseTraceparent,
  silentLogger,
  withSpan,
  withTracingContextFromHeaders,
  withTracingContextFromHeadersAsync,
} from '../src/index.js';
import { setup } from './helpers.js';

const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

describe('W3C trace context', () => {
  it('parses traceparent by the W3C rules', () => {
    expect(parseTraceparent(TRACEPARENT, 'vendor=x')).toEqual({
      traceId: 'tr-0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      sampled: true,
      traceState: 'vendor=x',
    });
    expect(parseTraceparent(TRACEPARENT.replace(/01$/, '00'))?.sampled).toBe(false);
    for (const bad of [
      undefined,
      '',
      'garbage',
      `ff${TRACEPARENT.slice(2)}`, // version ff is invalid
      `00-${'0'.repeat(32)}-b7ad6b7169203331-01`, // all-zero trace id
      `00-0af7651916cd43dd8448eb211c80319c-${'0'.repeat(16)}-01`, // all-zero span id
      `${TRACEPARENT}-extra`, // version 00 has exactly four fields
    ]) {
      expect(parseTraceparent(bad)).toBeNull();
    }
  });

  it("headers out of the active span, in on the other side: one trace, the callee's spans under the caller's span", async () => {
    const store = memoryStore();
    init({ store, experimentName: 'dist', handleExitSignals: false, logger: silentLogger });
    // The caller: its span sends the context, as a request's headers would.
    let headers: Record<string, string> = {};
    const callerSpanId = withSpan(
      (span) => {
        headers = getTracingContextHeadersForHttpRequest();
        return span.spanId;
      },
      { name: 'agent' },
    );
    expect(headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(headers.traceparent!.split('-')[2]).toBe(callerSpanId);
    // The callee, handling the request: any header case, array values, a fetch Headers object.
    const nodeStyle = { TraceParent: [headers.traceparent!] };
    const out = await withTracingContextFromHeadersAsync(nodeStyle, async () =>
      withSpan({ name: 'tool-service' }, () => withSpan({ name: 'lookup' }, () => 'found')),
    );
    expect(out).toBe('found');
    withTracingContextFromHeaders(new Headers(headers), () =>
      withSpan({ name: 'second-request' }, () => 1),
    );
    await flushTraces();
    const exp = (await store.getExperimentByName('dist'))!;
    const all = (await store.searchTraces({ experimentIds: [exp.experimentId] })).items;
    expect(all).toHaveLength(1); // the callee wrote no trace of its own
    const spans = (await store.getTrace(all[0]!.traceId))!.spans;
    const byId = new Map(spans.map((s) => [s.spanId, s.name]));
    expect(spans.map((s) => [s.name, s.parentSpanId ? byId.get(s.parentSpanId) : null])).toEqual([
      ['agent', null],
      ['tool-service', 'agent'],
      ['lookup', 'tool-service'],
      ['second-request', 'agent'],
    ]);
    expect(all[0]!.tags['mlflow.traceName']).toBe('agent');
  });

  it('a caller that did not record (flag 00) is not recorded here either; bad headers start traces of their own', async () => {
    const { tracker, traces, logger } = setup();
    init({ store: tracker.store, experimentName: 'tests', handleExitSignals: false, logger });
    withTracingContextFromHeaders({ traceparent: TRACEPARENT.replace(/01$/, '00') }, () =>
      tracker.withSpan({ name: 'unsampled' }, () => 1),
    );
    expect(
      withTracingContextFromHeaders({ traceparent: 'nonsense' }, () =>
        tracker.withSpan({ name: 'own-trace' }, () => 2),
      ),
    ).toBe(2);
    const all = await traces();
    expect(all.map((t) => t.tags['mlflow.traceName'])).toEqual(['own-trace']);
    const warnings = logger.lines.filter((l) => l.level === 'warn').map((l) => l.message);
    expect(warnings.join('\n')).toMatch(/no valid 'traceparent'/);
  });

  it('without an active span there is nothing to send: {} and one warning', () => {
    const { logger, store } = setup();
    init({ store, experimentName: 'tests', handleExitSignals: false, logger });
    expect(getTracingContextHeadersForHttpRequest()).toEqual({});
    expect(getTracingContextHeadersForHttpRequest()).toEqual({});
    const warnings = logger.lines.filter((l) => /no active span/.test(l.message));
    expect(warnings).toHaveLength(1);
  });
});
