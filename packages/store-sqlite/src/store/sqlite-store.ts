import { dirname, resolve } from 'node:path';
import {
  type Assessment,
  type CreateRunInput,
  type DeleteTracesInput,
  type Experiment,
  GraphtraceError,
  type IdGenerator,
  type LogBatchInput,
  type Metric,
  type NewAssessment,
  type Page,
  type Run,
  type RunInfo,
  randomIds,
  type SearchRunsQuery,
  type SearchTracesQuery,
  type Span,
  type StoreCapabilities,
  type Trace,
  type TraceInfo,
  type TrackingStore,
  type UpdateRunInput,
} from '@graphtrace/core';
import type BetterSqlite3 from 'better-sqlite3';
import { fileError } from '../schema/file-errors.js';
import { createAssessment, getAssessments } from './assessments.js';
import { type Connection, openConnection } from './connection.js';
import type { StoreContext } from './context.js';
import {
  getExperiment,
  getExperimentByName,
  getOrCreateExperiment,
  searchExperiments,
} from './experiments.js';
import { getMetricHistory, getRun, searchRuns } from './read-runs.js';
import { getTrace, getTraceInfo, searchTraces } from './read-traces.js';
import { WorkerTraceWriter } from './trace-writer.js';
import { writeFailure } from './write-failure.js';
import { createRun, logBatch, updateRun } from './write-runs.js';
import { deleteTraces, logSpans, setTraceTag, startTrace } from './write-traces.js';

export interface SqliteStoreOptions {
  /** The database file (created with MLflow's schema when new). `:memory:` for tests. */
  path: string;
  /**
   * The MLflow schema of a file the store creates: a release (`3.9` … `3.17`, or `3.17.2`) or an
   * alembic revision. Default `3.9`, which every MLflow from 3.9.0 on opens (newer releases
   * upgrade it on first use). An existing file keeps its own revision, and the store writes it
   * in that revision's layout.
   */
  schemaVersion?: string;
  /**
   * Open the file read-only: it must exist; every write is refused with code READ_ONLY. An
   * existing file this user may not write (the file, its directory or its mount) is opened
   * read-only without it too, its writes refused with READ_ONLY saying what to make writable.
   */
  readOnly?: boolean;
  /** SQLite's busy_timeout in ms (default 5000); beyond it writes retry with backoff. */
  busyTimeoutMs?: number;
  /** How long to keep retrying a locked database after busy_timeout, in ms (default 60000). */
  maxBusyWaitMs?: number;
  /**
   * A better-sqlite3 connection to use instead of opening `path` (Kysely SqliteDialect style):
   * an instance stays yours (close() leaves it open); a factory's connection is closed by close().
   */
  database?: BetterSqlite3.Database | (() => BetterSqlite3.Database);
  /**
   * Artifact root for new experiments (`<root>/<id>`). Default: the root of the Default
   * experiment's location (MLflow's choice when it made the file), else `mlruns` beside the file.
   */
  defaultArtifactRoot?: string;
  /**
   * PRAGMA synchronous. Default 'normal' on connections the store opens (WAL: a process crash
   * loses no committed write, an OS crash or power cut may lose the last ones, the file stays
   * consistent either way); 'full' syncs every commit to disk (~0.3 ms each) for power-loss
   * durability. A given `database` instance keeps its own setting unless this is set.
   */
  synchronous?: 'normal' | 'full';
  /**
   * Where trace writes (`logSpans`, `startTrace`: the span pipeline's hot path) run.
   * 'worker': on a worker thread with its own connection to the file, so encoding spans and
   * writing them never blocks the traced program (one thread, started on the first trace
   * write). 'inline': on this thread, like every other call. Default 'worker' when the store
   * opens a file itself; 'inline' for `:memory:` and a given `database`, which another thread
   * cannot share (asking for 'worker' there throws), and for readOnly stores, which write nothing.
   */
  traceWriter?: 'worker' | 'inline';
  /** Clock in ms since epoch, for creation times (tests). */
  now?: () => number;
  /** Id factories for runs and assessments (tests). */
  ids?: IdGenerator;
}

const CAPABILITIES: StoreCapabilities = {
  persistent: true,
  deleteTraces: true,
  assessments: true,
  searchRunsFilter: true,
};

/**
 * The TrackingStore in MLflow's own SQLite schema, any revision from 3.9.0 to 3.17: what it
 * writes, `mlflow server` and MlflowClient of that release read, and it reads what they write.
 * Opens the file on first use; schema problems (an unknown revision, not an MLflow DB) reject
 * that call with a `SchemaError` and leave the file untouched.
 */
export class SqliteStore implements TrackingStore {
  readonly uri: string;
  readonly capabilities: StoreCapabilities;
  private opening: Promise<StoreContext> | null = null;
  private context: StoreContext | null = null;
  private closed = false;
  private readonly traceWriter: 'worker' | 'inline';
  /** Set on open when trace writes go to a worker thread. */
  private writer: WorkerTraceWriter | null = null;
  /** Trace writes called and not yet settled: close() lets them finish. */
  private readonly traceWrites = new Set<Promise<unknown>>();

  constructor(private readonly options: SqliteStoreOptions) {
    if (typeof options?.path !== 'string') {
      throw new GraphtraceError(
        'INVALID_ARGUMENT',
        'sqliteStore needs a path, e.g. { path: "mlflow.db" }',
      );
    }
    this.uri = `sqlite:///${options.path}`;
    this.traceWriter = chooseTraceWriter(options);
    // The writer thread keeps call order, so the span pipeline need not wait between writes.
    this.capabilities =
      this.traceWriter === 'worker'
        ? { ...CAPABILITIES, pipelinedTraceWrites: true }
        : CAPABILITIES;
  }

  /** The open store; the first call opens (and if needed creates) the database. */
  private ctx(): Promise<StoreContext> {
    if (this.closed)
      return Promise.reject(new GraphtraceError('STORE_UNAVAILABLE', `${this.uri} is closed`));
    if (this.context) return Promise.resolve(this.context);
    this.opening ??= this.open().then(
      (ctx) => {
        this.context = ctx;
        return ctx;
      },
      (err: unknown) => {
        this.opening = null; // a later call tries again (e.g. after `mlflow db upgrade`)
        throw err;
      },
    );
    return this.opening;
  }

  private async open(): Promise<StoreContext> {
    const o = this.options;
    const now = o.now ?? Date.now;
    const conn = await openConnection({
      path: o.path,
      uri: this.uri,
      readOnly: o.readOnly ?? false,
      busyTimeoutMs: o.busyTimeoutMs ?? 5000,
      maxBusyWaitMs: o.maxBusyWaitMs ?? 60_000,
      ...(o.database ? { database: o.database } : {}),
      ...(o.defaultArtifactRoot !== undefined
        ? { defaultArtifactRoot: o.defaultArtifactRoot }
        : {}),
      ...(o.synchronous ? { synchronous: o.synchronous } : {}),
      ...(o.schemaVersion !== undefined ? { schemaVersion: o.schemaVersion } : {}),
      now,
    });
    let artifactRoot: string;
    try {
      artifactRoot = o.defaultArtifactRoot ?? defaultArtifactRoot(conn, o.path);
    } catch (err) {
      conn.close();
      throw isMemoryPath(o.path) ? err : fileError(err, resolve(o.path));
    }
    const ctx: StoreContext = { conn, uri: this.uri, now, ids: o.ids ?? randomIds, artifactRoot };
    // A file whose schema is newer than ours opens read-only: its writes fail here at once.
    if (this.traceWriter === 'worker' && !conn.readOnly) {
      this.writer = new WorkerTraceWriter(
        {
          path: resolve(o.path),
          uri: this.uri,
          busyTimeoutMs: o.busyTimeoutMs ?? 5000,
          maxBusyWaitMs: o.maxBusyWaitMs ?? 60_000,
          ...(o.synchronous ? { synchronous: o.synchronous } : {}),
          ...(o.defaultArtifactRoot !== undefined
            ? { defaultArtifactRoot: o.defaultArtifactRoot }
            : {}),
          artifactRoot: ctx.artifactRoot,
        },
        ctx,
      );
    }
    return ctx;
  }

  /**
   * The open store once the trace writes called before have settled: they may run on the
   * writer thread, and a caller reading or changing a trace expects its own writes to be there
   * (as they are inline), awaited or not.
   */
  private async traceCtx(): Promise<StoreContext> {
    if (this.traceWrites.size > 0) await Promise.allSettled([...this.traceWrites]);
    return this.ctx();
  }

  /** Runs a trace write once the store is open, on the writer thread when there is one. */
  private traceWrite<T>(
    write: (ctx: StoreContext, writer: WorkerTraceWriter | null) => Promise<T>,
  ): Promise<T> {
    const p = this.ctx().then((ctx) => write(ctx, this.writer));
    this.traceWrites.add(p);
    const settle = () => this.traceWrites.delete(p);
    p.then(settle, settle);
    return p;
  }

  // ---- experiments

  async getOrCreateExperiment(
    name: string,
    options?: { tags?: Record<string, string> },
  ): Promise<Experiment> {
    return getOrCreateExperiment(await this.ctx(), name, options?.tags);
  }

  async getExperiment(experimentId: string): Promise<Experiment | null> {
    return getExperiment(await this.ctx(), experimentId);
  }

  async getExperimentByName(name: string): Promise<Experiment | null> {
    return getExperimentByName(await this.ctx(), name);
  }

  async searchExperiments(
    query: { maxResults?: number; pageToken?: string | null } = {},
  ): Promise<Page<Experiment>> {
    return searchExperiments(await this.ctx(), query);
  }

  // ---- runs

  async createRun(input: CreateRunInput): Promise<Run> {
    const ctx = await this.ctx();
    const runId = await createRun(ctx, input);
    return (await getRun(ctx, runId))!;
  }

  async updateRun(runId: string, update: UpdateRunInput): Promise<RunInfo> {
    const ctx = await this.ctx();
    await updateRun(ctx, runId, update);
    return (await getRun(ctx, runId))!.info;
  }

  async logBatch(runId: string, batch: LogBatchInput): Promise<void> {
    return logBatch(await this.ctx(), runId, batch);
  }

  async getRun(runId: string): Promise<Run | null> {
    return getRun(await this.ctx(), runId);
  }

  async searchRuns(query: SearchRunsQuery): Promise<Page<Run>> {
    return searchRuns(await this.ctx(), query);
  }

  async getMetricHistory(runId: string, key: string): Promise<Metric[]> {
    return getMetricHistory(await this.ctx(), runId, key);
  }

  // ---- traces

  startTrace(info: TraceInfo): Promise<TraceInfo> {
    return this.traceWrite((ctx, writer) =>
      writer ? writer.startTrace(info) : startTrace(ctx, info),
    ).catch(rethrowWriteFailure);
  }

  logSpans(experimentId: string, spans: readonly Span[]): Promise<void> {
    return this.traceWrite((ctx, writer) =>
      writer ? writer.logSpans(experimentId, spans) : logSpans(ctx, experimentId, spans),
    ).catch(rethrowWriteFailure);
  }

  async getTraceInfo(traceId: string): Promise<TraceInfo | null> {
    return getTraceInfo(await this.traceCtx(), traceId);
  }

  async getTrace(traceId: string): Promise<Trace | null> {
    return getTrace(await this.traceCtx(), traceId);
  }

  async searchTraces(query: SearchTracesQuery): Promise<Page<TraceInfo>> {
    return searchTraces(await this.traceCtx(), query);
  }

  async setTraceTag(traceId: string, key: string, value: string): Promise<void> {
    return setTraceTag(await this.traceCtx(), traceId, key, value);
  }

  async deleteTraces(input: DeleteTracesInput): Promise<number> {
    return deleteTraces(await this.traceCtx(), input);
  }

  // ---- assessments

  async createAssessment(assessment: NewAssessment): Promise<Assessment> {
    return createAssessment(await this.traceCtx(), assessment);
  }

  async getAssessments(traceId: string): Promise<Assessment[]> {
    return getAssessments(await this.traceCtx(), traceId);
  }

  /** Lets trace writes already called finish, then ends the writer thread and the connection. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.traceWrites.size > 0) await Promise.allSettled([...this.traceWrites]);
    const opening = this.opening;
    this.opening = null;
    const ctx = this.context ?? (await opening?.catch(() => null)) ?? null;
    this.context = null;
    const writer = this.writer;
    this.writer = null;
    await writer?.close();
    ctx?.conn.close();
  }
}

/**
 * MLflow records `<artifact root>/0` for the Default experiment when it creates a database;
 * new experiments follow the same root. A file without it gets `mlruns` beside it.
 */
function defaultArtifactRoot(conn: Connection, path: string): string {
  const row = conn.db
    .prepare('SELECT artifact_location FROM experiments WHERE experiment_id = 0')
    .get() as { artifact_location: string | null } | undefined;
  const location = row?.artifact_location;
  if (location && /\/0$/.test(location)) return location.slice(0, -2);
  return resolve(isMemoryPath(path) ? '.' : dirname(resolve(path)), 'mlruns');
}

function isMemoryPath(path: string): boolean {
  return path === ':memory:' || path === '';
}

/** 'worker' needs a file that a second connection, on another thread, can open. */
function chooseTraceWriter(o: SqliteStoreOptions): 'worker' | 'inline' {
  const shareable = !o.database && !isMemoryPath(o.path);
  if (o.traceWriter === undefined) return shareable && !o.readOnly ? 'worker' : 'inline';
  if (o.traceWriter !== 'worker' && o.traceWriter !== 'inline') {
    throw new GraphtraceError(
      'INVALID_ARGUMENT',
      `sqliteStore option traceWriter must be 'worker' or 'inline', got ${JSON.stringify(o.traceWriter)}`,
    );
  }
  if (o.traceWriter === 'worker' && !shareable) {
    throw new GraphtraceError(
      'INVALID_ARGUMENT',
      `sqliteStore option traceWriter: 'worker' writes traces through a second connection on a worker thread, which ${
        o.database ? 'a given `database` connection' : `the in-memory database "${o.path}"`
      } cannot share: open a database file by path, or set traceWriter: 'inline'`,
    );
  }
  return o.readOnly ? 'inline' : o.traceWriter;
}

export function sqliteStore(options: SqliteStoreOptions): SqliteStore {
  return new SqliteStore(options);
}

function rethrowWriteFailure(err: unknown): never {
  throw writeFailure(err);
}
