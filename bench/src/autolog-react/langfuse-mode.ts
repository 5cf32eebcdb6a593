import { registerConfigureHook, setContextVariable } from '@langchain/core/context';
import { CallbackHandler } from '@langfuse/langchain';
import { setLangfuseTracerProvider } from '@langfuse/tracing';
import type { ModeTracing } from './mode-tracing.js';
import { otelToMemory } from './otel-memory.js';

/**
 * Langfuse's LangChain handler, published through the same inheritable configure hook as
 * graphtrace's autolog, so every invocation is traced without `callbacks`. Its spans go to the
 * tracer provider given to setLangfuseTracerProvider (else the global one): ours, in memory.
 */
export function setUpLangfuse(): ModeTracing {
  const { provider, tracing } = otelToMemory('Langfuse');
  setLangfuseTracerProvider(provider);
  registerConfigureHook({ contextVar: 'bench_langfuse', inheritable: true });
  setContextVariable('bench_langfuse', new CallbackHandler());
  return tracing;
}
