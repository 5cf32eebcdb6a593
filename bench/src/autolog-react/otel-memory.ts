import { awaitAllCallbacks } from '@langchain/core/callbacks/promises';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  InMemorySpanExporter,
} from '@opentelemetry/sdk-trace-base';
import type { ModeTracing } from './mode-tracing.js';

/**
 * A peer's OpenTelemetry pipeline as a test would build it: a tracer provider whose
 * BatchSpanProcessor (default settings) exports to memory. No context manager is registered:
 * both peers parent their spans from LangChain's run ids, not from the active context.
 */
export function otelToMemory(peer: string) {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  const flush = async () => {
    // The peers' handlers run in LangChain's background queue (they do not await handlers):
    // the round is done when that queue is idle and the processor has exported.
    await awaitAllCallbacks();
    await provider.forceFlush();
  };
  const drain = async () => {
    await flush();
    const n = exporter.getFinishedSpans().length;
    exporter.reset();
    // A peer that silently records nothing must not look fast.
    if (n === 0) throw new Error(`${peer} exported no spans: it is not tracing the agent`);
    return n;
  };
  const tracing: ModeTracing = { flush, settle: drain, countSpans: drain, cleanup() {} };
  return { provider, tracing };
}
