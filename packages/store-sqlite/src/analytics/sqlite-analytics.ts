import { resolve } from 'node:path';
import type {
  Assessment,
  AssessmentSummaryResult,
  CountScope,
  ExperimentTraceStats,
  OrderedTracesPage,
  OrderedTracesQuery,
  QueryScope,
  RecentAssessmentsResult,
  SessionsResult,
  TimeseriesResult,
  ToolsResult,
  TraceCount,
} from '@graphtrace/core';
import { GraphtraceError } from '@graphtrace/core';
import type BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import { fileError } from '../schema/file-errors.js';
import { openSchema } from '../schema/open-schema.js';
import { openReadOnlyFile } from '../store/open-file.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { assessmentSummary, assessmentsOfTraces, recentAssessments } from './assessments.js';
import { AnalyticsContext } from './context.js';
import { experimentNumbers, traceScopeWhere } from './scope.js';
import { sessions } from './sessions.js';
import { timeseries } from './timeseries.js';
import { tools } from './tools.js';
import { failedToolCalls, orderedTraces } from './trace-order.js';

export interface SqliteAnalyticsOptions {
  /**
   * Traces without graphtrace's per-trace agent counters (written by other SDKs) whose LLM and
   * tool spans are counted one by one in a time series; beyond this many in the range they are
   * left out of the call figures. Default 2000.
   */
  maxSpanCountedTraces?: number;
  /** SQLite's busy_timeout on the analytics connection, ms (default 5000). */
  busyTimeoutMs?: number;
  /** How long to retry a locked database after busy_timeout, ms (default 60000). */
  maxBusyWaitMs?: number;
  /**
   * `worker` (default for a file): queries run on a worker thread with a connection of its own,
   * so a long aggregate never blocks this thread (better-sqlite3 is synchronous). `inline`
   * runs them here. A given `database` is always used inline.
   */
  thread?: 'worker' | 'inline';
}

/** What the analytics read: a store's file, a path, or a connection you own. */
export type SqliteAnalyticsSource =
  | SqliteStore
  | { path: string }
  | { database: BetterSqlite3.Database; uri?: string };

/**
 * Aggregates over an MLflow SQLite tracking database, computed by SQL (GROUP BY and window
 * functions over MLflow's own indexes), never by loading traces into memory. It reads through a
 * read-only connection of its own, so it never writes and never holds the store's write lock.
 * Shapes match `DashboardQueries` of @graphtrace/dashboard.
 */
export class SqliteAnalytics {
  readonly kind = 'sql' as const;
  readonly description: string;
  private opening: Promise<AnalyticsContext> | null = null;
  private closed = false;
  /** Closes the connection when it is ours. */
  private release: (() => void) | null = null;
  private readonly maxSpanCountedTraces: number;

  constructor(
    private readonly source: SqliteAnalyticsSource,
    private readonly options: SqliteAnalyticsOptions = {},
  ) {
    this.maxSpanCountedTraces = options.maxSpanCountedTraces ?? 2000;
    const uri = uriOf(source);
    if (source instanceof SqliteStore && isMemoryPath(pathOf(source))) {
      throw new GraphtraceError(
        'UNSUPPORTED',
        `sqliteAnalytics reads the database through a connection of its own, which ${uri} cannot share: use a database file, or the dashboard's scanQueries(store)`,
      );
    }
    const thread =
      'database' in source || options.thread === 'inline' ? '' : ', on a worker thread';
    this.description = `SQL aggregates (GROUP BY over MLflow's indexed trace tables) on ${uri}${thread}`;
  }

  private ctx(): Promise<AnalyticsContext> {
    if (this.closed)
      return Promise.reject(new GraphtraceError('STORE_UNAVAILABLE', 'sqliteAnalytics is closed'));
    this.opening ??= this.open().catch((err: unknown) => {
      this.opening = null;
      throw err;
    });
    return this.opening;
  }

  private async open(): Promise<AnalyticsContext> {
    const source = this.source;
    const busyTimeoutMs = this.options.busyTimeoutMs ?? 5000;
    const maxBusyWaitMs = this.options.maxBusyWaitMs ?? 60_000;
    let db: BetterSqlite3.Database;
    let owned = true;
    let path: string | null = null;
    let snapshot: Uint8Array | null = null;
    if ('database' in source) {
      db = source.database;
      owned = false;
    } else {
      // The store creates and checks the file on first use; make sure that happened.
      if (source instanceof SqliteStore) await source.getExperiment('0');
      path = source instanceof SqliteStore ? pathOf(source) : source.path;
      try {
        ({ db, snapshot } = openReadOnlyFile(path));
      } catch (err) {
        const named = fileError(err, resolve(path));
        if (named !== err || err instanceof GraphtraceError) throw named;
        throw new GraphtraceError('STORE_UNAVAILABLE', `cannot open ${uriOf(source)}: ${err}`, {
          cause: err,
        });
      }
    }
    const file = path === null ? uriOf(source) : resolve(path);
    try {
      const opened = await openSchema(db, {
        busyTimeoutMs,
        ...(path === null ? {} : { file: path }),
      });
      const onWorker = path !== null && (this.options.thread ?? 'worker') === 'worker';
      const ctx = new AnalyticsContext(
        db,
        opened.db,
        opened.layout,
        { uri: uriOf(source), file },
        maxBusyWaitMs,
        onWorker ? { path: path!, busyTimeoutMs, snapshot } : null,
      );
      if (owned) this.release = () => db.close();
      return ctx;
    } catch (err) {
      if (owned) db.close();
      throw fileError(err, file);
    }
  }

  async experimentStats(experimentIds?: string[]): Promise<ExperimentTraceStats[]> {
    const ctx = await this.ctx();
    const ids = experimentIds === undefined ? null : experimentNumbers(experimentIds);
    if (ids !== null && ids.length === 0) return [];
    // One experiment at a time: the (experiment_id, timestamp_ms) index gives min and max at
    // once and a count by range, where GROUP BY over the index took 4x longer at 100k traces.
    const per = (column: string) =>
      sql`(SELECT ${sql.raw(column)} FROM trace_info t WHERE t.experiment_id = e.experiment_id)`;
    const rows = await ctx.all<{ experiment_id: number; n: number; lo: number; hi: number }>(sql`
      SELECT e.experiment_id, ${per('count(*)')} AS n, ${per('min(timestamp_ms)')} AS lo,
        ${per('max(timestamp_ms)')} AS hi
      FROM experiments e
      ${ids === null ? sql`` : sql`WHERE e.experiment_id IN (${sql.join(ids)})`}
      ORDER BY e.experiment_id`);
    return rows
      .filter((r) => r.n > 0)
      .map((r) => ({
        experimentId: String(r.experiment_id),
        traces: r.n,
        tracesExact: true,
        firstTraceTime: r.lo,
        lastTraceTime: r.hi,
      }));
  }

  async countTraces(scope: CountScope): Promise<TraceCount> {
    traceScopeWhere(scope); // a bad filter fails before the database is opened
    const ctx = await this.ctx();
    const where = traceScopeWhere(scope, { time: false, layout: ctx.layout });
    if (!where) return { count: 0, exact: true };
    const [row] = await ctx.all<{ n: number }>(
      sql`SELECT count(*) AS n FROM trace_info WHERE ${where}`,
    );
    return { count: row?.n ?? 0, exact: true };
  }

  async timeseries(scope: QueryScope, bucketMs: number): Promise<TimeseriesResult> {
    traceScopeWhere(scope); // a bad filter fails before the database is opened
    return timeseries(await this.ctx(), scope, bucketMs, this.maxSpanCountedTraces);
  }

  async tools(scope: QueryScope, options: { examples: number }): Promise<ToolsResult> {
    traceScopeWhere(scope);
    return tools(await this.ctx(), scope, options.examples);
  }

  async sessions(
    scope: QueryScope,
    page: { limit: number; offset: number },
  ): Promise<SessionsResult> {
    traceScopeWhere(scope);
    return sessions(await this.ctx(), scope, page);
  }

  async assessmentSummary(scope: QueryScope): Promise<AssessmentSummaryResult> {
    traceScopeWhere(scope);
    return assessmentSummary(await this.ctx(), scope);
  }

  async recentAssessments(
    scope: QueryScope,
    options: { limit: number; name?: string },
  ): Promise<RecentAssessmentsResult> {
    traceScopeWhere(scope);
    return recentAssessments(await this.ctx(), scope, options);
  }

  /**
   * A page of the trace list ordered by total cost or total tokens (which MLflow's `order_by`
   * cannot sort by), over every trace of the scope: keyset paging from `after`.
   */
  async orderedTraces(query: OrderedTracesQuery): Promise<OrderedTracesPage> {
    traceScopeWhere(query.scope);
    return orderedTraces(await this.ctx(), query);
  }

  /** Failed TOOL spans per trace, for a page of the trace list (traces without any left out). */
  async failedToolCalls(traceIds: readonly string[]): Promise<Record<string, number>> {
    if (traceIds.length === 0) return {};
    return failedToolCalls(await this.ctx(), traceIds);
  }

  /** The assessments of each of `traceIds`, oldest first (traces without any left out). */
  async assessmentsOf(traceIds: readonly string[]): Promise<Record<string, Assessment[]>> {
    if (traceIds.length === 0) return {};
    return assessmentsOfTraces(await this.ctx(), traceIds);
  }

  /** Closes the analytics connection (a given `database` stays open); the store is untouched. */
  async close(): Promise<void> {
    this.closed = true;
    const opening = this.opening;
    this.opening = null;
    const ctx = await opening?.catch(() => null);
    await ctx?.close();
    this.release?.();
    this.release = null;
  }
}

function pathOf(store: SqliteStore): string {
  return store.uri.slice('sqlite:///'.length);
}

function isMemoryPath(path: string): boolean {
  return path === ':memory:' || path === '';
}

function uriOf(source: SqliteAnalyticsSource): string {
  if (source instanceof SqliteStore) return source.uri;
  if ('path' in source) return `sqlite:///${source.path}`;
  return source.uri ?? `sqlite:///${source.database.name}`;
}

/** Indexed SQL aggregates over a SQLite store's database (see `SqliteAnalytics`). */
export function sqliteAnalytics(
  source: SqliteAnalyticsSource,
  options?: SqliteAnalyticsOptions,
): SqliteAnalytics {
  return new SqliteAnalytics(source, options);
}
