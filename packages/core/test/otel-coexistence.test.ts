import { context, trace as otelTrace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, describe, expect, it } from 'vitest';
import { setup, shape, sleep } from './helpers.js';

describe('beside a global OpenTelemetry set-up', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const manager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(manager);
  otelTrace.setGlobalTracerProvider(provider);

  afterAll(async () => {
    await provider.shutdown();
    otelTrace.disable();
    context.disable();
  });

  it('both keep their own trees, and the global provider is untouched', async () => {
    const { tracker, traces, spansOf } = setup();
    const userTracer = otelTrace.getTracer('user-app');
    await userTracer.startActiveSpan('http-request', async (httpSpan) => {
      await tracker.withSpan({ name: 'agent' }, async () => {
        await userTracer.startActiveSpan('db-query', async (db) => {
          await sleep(1);
          await tracker.withSpan({ name: 'tool' }, () => 1);
          db.end();
        });
      });
      httpSpan.end();
    });

    expect(otelTrace.getTracerProvider()).not.toBe(undefined);
    // The user's spans: both exported by their provider, still parented to each other.
    const userSpans = exporter.getFinishedSpans();
    expect(userSpans.map((s) => s.name).sort()).toEqual(['db-query', 'http-request']);
    const http = userSpans.find((s) => s.name === 'http-request')!;
    const db = userSpans.find((s) => s.name === 'db-query')!;
    expect(db.parentSpanContext?.spanId).toBe(http.spanContext().spanId);
    expect(db.spanContext().traceId).toBe(http.spanContext().traceId);

    // graphtrace's spans: their own trace, agent → tool, none of the user's spans in it.
    const [t] = await traces();
    const spans = await spansOf(t!.traceId);
    expect(shape(spans)).toEqual(['agent<root', 'tool<agent']);
    expect(t!.traceId.slice(3)).not.toBe(http.spanContext().traceId);
  });
});
