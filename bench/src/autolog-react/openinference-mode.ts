import { LangChainInstrumentation } from '@arizeai/openinference-instrumentation-langchain';
import * as CallbackManagerModule from '@langchain/core/callbacks/manager';
import type { ModeTracing } from './mode-tracing.js';
import { otelToMemory } from './otel-memory.js';

/**
 * OpenInference's LangChain instrumentation, applied by hand as its docs say for ESM: it wraps
 * CallbackManager._configureSync so every run gets its tracer (the process-wide equivalent of a
 * configure hook), here on our in-memory tracer provider.
 */
export function setUpOpenInference(): ModeTracing {
  const { provider, tracing } = otelToMemory('OpenInference');
  new LangChainInstrumentation({ tracerProvider: provider }).manuallyInstrument(
    CallbackManagerModule,
  );
  return tracing;
}
