// The port and its result shapes live in core, so stores implement them without depending on
// the dashboard.
import type { AnalyticsQueries } from '@graphtrace/core';

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

/** The dashboard's name for core's analytics port. */
export type DashboardQueries = AnalyticsQueries;
