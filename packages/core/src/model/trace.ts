import type { Span } from './span.js';

export type TraceState = 'OK' | 'ERROR' | 'IN_PROGRESS' | 'STATE_UNSPECIFIED';

/** MLflow's V3 TraceInfo. */
export interface TraceInfo {
  /** `tr-` + 32 lowercase hex (the OpenTelemetry trace id with a prefix). */
  traceId: string;
  clientRequestId: string | null;
  /** Where the trace lives: an MLflow experiment. */
  experimentId: string;
  /** ms since epoch: when the root span started. */
  requestTime: number;
  /** ms; null while in progress. */
  executionDuration: number | null;
  state: TraceState;
  /** At most 1000 characters. */
  requestPreview: string | null;
  responsePreview: string | null;
  traceMetadata: Record<string, string>;
  tags: Record<string, string>;
}

export interface Trace {
  info: TraceInfo;
  spans: Span[];
}

/** Token counts as MLflow stores them in `mlflow.chat.tokenUsage` and `mlflow.trace.tokenUsage`. */
export interface TokenUsage {
  /** All input tokens, cached ones included. */
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
  /** The part of `input_tokens` read from the provider's prompt cache (MLflow 3.10+). */
  cache_read_input_tokens?: number;
  /** The part of `input_tokens` written to the prompt cache (MLflow 3.10+). */
  cache_creation_input_tokens?: number;
  /** The part of the cache writes with a 1-hour lifetime (Anthropic; MLflow 3.17+). */
  cache_creation_input_tokens_above_1hr?: number;
}

/** What model calls cost in USD (`mlflow.llm.cost` on a span, `mlflow.trace.cost` on a trace). */
export interface LlmCost {
  input_cost: number;
  output_cost: number;
  total_cost: number;
}
