/** Span attribute keys MLflow reads. */
export const SpanAttributeKey = {
  TRACE_ID: 'mlflow.traceRequestId',
  SPAN_TYPE: 'mlflow.spanType',
  INPUTS: 'mlflow.spanInputs',
  OUTPUTS: 'mlflow.spanOutputs',
  FUNCTION_NAME: 'mlflow.spanFunctionName',
  CHAT_TOOLS: 'mlflow.chat.tools',
  CHAT_USAGE: 'mlflow.chat.tokenUsage',
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
/** MLflow cuts `mlflow.traceInputs` / `mlflow.traceOutputs` at this many characters. */
export const MAX_TRACE_IO_CHARS = 250;
