/** Span attribute keys MLflow reads. */
export const SpanAttributeKey = {
  TRACE_ID: 'mlflow.traceRequestId',
  SPAN_TYPE: 'mlflow.spanType',
  INPUTS: 'mlflow.spanInputs',
  OUTPUTS: 'mlflow.spanOutputs',
  FUNCTION_NAME: 'mlflow.spanFunctionName',
  CHAT_TOOLS: 'mlflow.chat.tools',
  CHAT_USAGE: 'mlflow.chat.tokenUsage',
  /** MLflow's TypeScript SDK name for CHAT_USAGE. */
  TOKEN_USAGE: 'mlflow.chat.tokenUsage',
  EXPERIMENT_ID: 'mlflow.experimentId',
  /** OpenTelemetry's session and user attributes, as MLflow's SDK names them. */
  SESSION_ID: 'session.id',
  USER_ID: 'user.id',
  MESSAGE_FORMAT: 'mlflow.message.format',
  MODEL: 'mlflow.llm.model',
  /** The model's provider (MLflow 3.10+), e.g. `openai`. */
  MODEL_PROVIDER: 'mlflow.llm.provider',
  /** `{ input_cost, output_cost, total_cost }` in USD (MLflow 3.10+). */
  LLM_COST: 'mlflow.llm.cost',
} as const;

/** Trace metadata keys (`trace_request_metadata`) MLflow reads. */
export const TraceMetadataKey = {
  SCHEMA_VERSION: 'mlflow.trace_schema.version',
  INPUTS: 'mlflow.traceInputs',
  OUTPUTS: 'mlflow.traceOutputs',
  TOKEN_USAGE: 'mlflow.trace.tokenUsage',
  SIZE_STATS: 'mlflow.trace.sizeStats',
  SIZE_BYTES: 'mlflow.trace.sizeBytes',
  SESSION: 'mlflow.trace.session',
  USER: 'mlflow.trace.user',
  /** MLflow's TypeScript SDK names for SESSION and USER. */
  TRACE_SESSION: 'mlflow.trace.session',
  TRACE_USER: 'mlflow.trace.user',
  MODEL_ID: 'mlflow.modelId',
  SOURCE_RUN: 'mlflow.sourceRun',
  /** `{ input_cost, output_cost, total_cost }` of the whole trace in USD (MLflow 3.10+). */
  COST: 'mlflow.trace.cost',
  /** Set by MLflow 3.12+'s start_trace: later span writes keep the info's figures. */
  INFO_FINALIZED: 'mlflow.trace.infoFinalized',
} as const;

/** Trace tag keys (`trace_tags`) MLflow reads. */
export const TraceTagKey = {
  TRACE_NAME: 'mlflow.traceName',
  SPANS_LOCATION: 'mlflow.trace.spansLocation',
  ARTIFACT_LOCATION: 'mlflow.artifactLocation',
  /** MLflow's TypeScript SDK name for ARTIFACT_LOCATION. */
  MLFLOW_ARTIFACT_LOCATION: 'mlflow.artifactLocation',
} as const;

/** The keys of a token usage record (`mlflow.chat.tokenUsage`), as MLflow's SDK names them. */
export const TokenUsageKey = {
  INPUT_TOKENS: 'input_tokens',
  OUTPUT_TOKENS: 'output_tokens',
  TOTAL_TOKENS: 'total_tokens',
  CACHE_READ_INPUT_TOKENS: 'cache_read_input_tokens',
  CACHE_CREATION_INPUT_TOKENS: 'cache_creation_input_tokens',
  CACHE_CREATION_INPUT_TOKENS_ABOVE_1HR: 'cache_creation_input_tokens_above_1hr',
} as const;

/** The keys of a cost record (`mlflow.llm.cost`, `mlflow.trace.cost`), in USD. */
export const CostKey = {
  INPUT_COST: 'input_cost',
  OUTPUT_COST: 'output_cost',
  TOTAL_COST: 'total_cost',
} as const;

/** Per-trace agent counters graphtrace records in the trace metadata. */
export const AgentMetadataKey = {
  LLM_CALLS: 'graphtrace.agent.llmCalls',
  TOOL_CALLS: 'graphtrace.agent.toolCalls',
  TOOL_ERRORS: 'graphtrace.agent.toolErrors',
  RETRIEVER_CALLS: 'graphtrace.agent.retrieverCalls',
  /** Graph node executions (written by autolog). */
  STEPS: 'graphtrace.agent.steps',
  SPANS: 'graphtrace.agent.spans',
} as const;

/** Run tag keys MLflow sets. */
export const RunTagKey = {
  RUN_NAME: 'mlflow.runName',
  USER: 'mlflow.user',
  SOURCE_NAME: 'mlflow.source.name',
  SOURCE_TYPE: 'mlflow.source.type',
} as const;

export const TRACE_SCHEMA_VERSION = '3';
export const TRACE_ID_PREFIX = 'tr-';
/** MLflow cuts request/response previews at this many characters. */
export const MAX_PREVIEW_CHARS = 1000;
/** MLflow's TypeScript SDK name for MAX_PREVIEW_CHARS. */
export const REQUEST_RESPONSE_PREVIEW_MAX_LENGTH = MAX_PREVIEW_CHARS;
/** The name of a span whose name was not given (MLflow's SDK default). */
export const DEFAULT_SPAN_NAME = 'span';
/** MLflow cuts `mlflow.traceInputs` / `mlflow.traceOutputs` at this many characters. */
export const MAX_TRACE_IO_CHARS = 250;

/** MLflow's preview rule: at most `max` characters, the cut marked with `...`. */
export function truncatePreview(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 3)}...`;
}
