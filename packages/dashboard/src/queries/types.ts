import type { AnalyticsQueries } from '@graphtrace/core';

/** The dashboard's name for core's analytics port (its result types are core's too). */
export type DashboardQueries = AnalyticsQueries;
