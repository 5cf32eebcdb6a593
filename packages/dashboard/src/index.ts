export type { LiveOptions, LiveReadyEvent, LiveTracesEvent } from './api/live-types.js';
export type {
  ApiErrorBody,
  AssessmentBrief,
  AssessmentView,
  CostFigures,
  CostPoint,
  CostsResponse,
  CostUsd,
  CreateAssessmentResponse,
  ExperimentSummary,
  ExperimentsResponse,
  HealthResponse,
  MetricHistoryResponse,
  MetricsResponse,
  MetricView,
  ModelCost,
  ModelCostsResponse,
  NewTracesResponse,
  QualityResponse,
  RangeInfo,
  RunResponse,
  RunsResponse,
  RunView,
  SessionsResponse,
  SessionTraceRow,
  SessionTracesResponse,
  SessionView,
  SpanEventView,
  SpanView,
  TokenCounts,
  ToolCallView,
  ToolStatsView,
  ToolsResponse,
  TraceCountResponse,
  TraceDetailResponse,
  TraceListRow,
  TraceRow,
  TracesResponse,
  TurnToolCall,
} from './api/types.js';
export { DashboardError, type DashboardErrorCode, errorResponse } from './errors.js';
export {
  type CostQueriesOptions,
  costQueries,
} from './queries/cost-queries.js';
export { nearestRank } from './queries/percentile.js';
export { type ScanQueriesOptions, scanQueries } from './queries/scan-queries.js';
export {
  type TraceListScanOptions,
  traceListScan,
} from './queries/trace-list-scan.js';
export type {
  CostQueries,
  CostTimeseriesResult,
  DashboardQueries,
  ModelCostsResult,
  OrderedTracesPage,
  OrderedTracesQuery,
  TraceListQueries,
  TraceOrderPosition,
  TraceSortKey,
} from './queries/types.js';
export {
  createDashboardApp,
  type DashboardApp,
  type DashboardAppOptions,
} from './server/create-app.js';
export { isLoopbackHost } from './server/host-guard.js';
export {
  type DashboardServer,
  type StartDashboardOptions,
  startDashboard,
} from './server/start-dashboard.js';
