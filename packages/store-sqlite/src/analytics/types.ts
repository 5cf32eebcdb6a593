// The analytics result shapes live in core, beside the port they answer (`AnalyticsQueries`).
export type {
  AssessmentNameSummary,
  AssessmentSummaryResult,
  CountScope,
  Coverage,
  ExperimentTraceStats,
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
} from '@graphtrace/core';
