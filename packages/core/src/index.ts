export type { ModelPrice, PricerOptions } from '@graphtrace/pricing';
export type {
  AnalyticsQueries,
  AssessmentNameSummary,
  AssessmentSummaryResult,
  CountScope,
  Coverage,
  ExperimentTraceStats,
  OrderedTracesPage,
  OrderedTracesQuery,
  QueryScope,
  RecentAssessmentsResult,
  SessionSummary,
  SessionsResult,
  TimeseriesPoint,
  TimeseriesResult,
  TimeseriesTotals,
  ToolCallRef,
  ToolStats,
  ToolsResult,
  TraceCount,
  TraceOrderPosition,
  TraceSortKey,
} from './analytics/analytics-queries.js';
export { type Clock, manualClock, systemClock } from './clock.js';
export {
  flushTraces,
  getDefaultTracker,
  getTracingContextHeadersForHttpRequest,
  type InitOptions,
  init,
  registerTrackerFactory,
  setDefaultTracker,
  startSpan,
  type TrackerFactory,
  trace,
  updateCurrentTrace,
  withSpan,
  withTracingContextFromHeaders,
  withTracingContextFromHeadersAsync,
} from './default-tracker.js';
export {
  causeChain,
  errorMessage,
  FilterSyntaxError,
  GraphtraceError,
  type GraphtraceErrorCode,
} from './errors.js';
export { parseFilter, parseOrderBy } from './filter/parse-filter.js';
export { formatTraceTree, formatUsd } from './format/trace-tree.js';
export { type IdGenerator, randomIds, sequentialIds } from './ids.js';
export { consoleLogger, type Logger, memoryLogger, silentLogger } from './logger.js';
export { MemoryStore, type MemoryStoreOptions, memoryStore } from './memory/memory-store.js';
export { type SdkSpan, type SdkTrace, type SdkTraceInfo, toSdkTrace } from './mlflow/sdk-trace.js';
export type {
  Assessment,
  AssessmentError,
  AssessmentSource,
  AssessmentSourceType,
  Expectation,
  Feedback,
  NewAssessment,
} from './model/assessment.js';
export {
  DEFAULT_EXPERIMENT_ID,
  DEFAULT_EXPERIMENT_NAME,
  type Experiment,
  type LifecycleStage,
} from './model/experiment.js';
export {
  AgentMetadataKey,
  CostKey,
  DEFAULT_SPAN_NAME,
  MAX_PREVIEW_CHARS,
  MAX_TRACE_IO_CHARS,
  REQUEST_RESPONSE_PREVIEW_MAX_LENGTH,
  RunTagKey,
  SpanAttributeKey,
  TokenUsageKey,
  TRACE_ID_PREFIX,
  TRACE_SCHEMA_VERSION,
  TraceMetadataKey,
  TraceTagKey,
} from './model/keys.js';
export {
  type Metric,
  type Param,
  RUN_STATUSES,
  type Run,
  type RunData,
  type RunInfo,
  type RunStatus,
  type RunTag,
} from './model/run.js';
export {
  type Span,
  type SpanEvent,
  type SpanLink,
  type SpanStatus,
  SpanStatusCode,
  SpanType,
  spanStatus,
} from './model/span.js';
export type { LlmCost, TokenUsage, Trace, TraceInfo, TraceState } from './model/trace.js';
export {
  DEFAULT_PRECHECK_TIMEOUT_MS,
  type FallbackStore,
  type FallbackStoreOptions,
  fallbackStore,
  isUnavailable,
  type ResilientMode,
  type ResilientStatus,
  type ResilientStore,
  type ResilientStoreOptions,
  resilientStore,
  type SpoolStatus,
  type SpoolWriter,
  type SpoolWriterOptions,
  type SyncSpoolOptions,
  type SyncSpoolResult,
  spoolWriter,
  syncSpool,
} from './resilience/index.js';
export type {
  CreateRunInput,
  DeleteTracesInput,
  LogBatchInput,
  Page,
  ReachabilityResult,
  SearchRunsQuery,
  SearchTracesQuery,
  StoreCapabilities,
  TraceWriter,
  TraceWriterCapabilities,
  TrackingCalls,
  TrackingStore,
  UpdateRunInput,
  WriteOptions,
} from './store/tracking-store.js';
export { type HeadersLike, parseTraceparent, type RemoteParent } from './tracing/distributed.js';
export { flushAll, setExitFlushTimeout } from './tracing/exit-hooks.js';
export {
  type EndSpanOptions,
  type HrTime,
  LiveSpan,
  type SpanStatusInput,
} from './tracing/live-span.js';
export {
  maskSecretsInText,
  REDACTED,
  sanitizeValue,
  secretKeyTest,
  toJsonSafe,
} from './tracing/sanitize.js';
export type { PayloadOptions } from './tracing/shared-payload.js';
export {
  getLastActiveTraceId,
  registerOnSpanEndHook,
  registerOnSpanStartHook,
  type SpanHook,
} from './tracing/span-hooks.js';
export type { PipelineOptions, PipelineStats } from './tracing/span-pipeline.js';
export {
  type ActiveSpanResolver,
  getCurrentActiveSpan,
  registerActiveSpanResolver,
  type SpanOptions,
  type StartSpanOptions,
  type TraceUpdate,
  updateTrace,
} from './tracing/tracer.js';
export { addTokenUsage, readLlmCost, readTokenUsage } from './tracing/usage-cost.js';
export type { SpanFn, TraceDecorator, TraceOptions } from './tracing/wrap.js';
export {
  type AgentMetrics,
  agentMetricsAsRunMetrics,
  summariseTraces,
} from './tracker/agent-metrics.js';
export { randomRunName } from './tracker/run-names.js';
export {
  type ActiveRun,
  type AssessmentInput,
  createTracker,
  type StartRunOptions,
  Tracker,
  type TrackerOptions,
} from './tracker/tracker.js';
