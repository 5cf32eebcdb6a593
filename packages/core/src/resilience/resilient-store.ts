import { errorMessage, GraphtraceError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Assessment, NewAssessment } from '../model/assessment.js';
import {
  DEFAULT_EXPERIMENT_ID,
  DEFAULT_EXPERIMENT_NAME,
  type Experiment,
} from '../model/experiment.js';
import type { Metric, Run, RunInfo } from '../model/run.js';
import type { Span } from '../model/span.js';
import type { Trace, TraceInfo } from '../model/trace.js';
import type {
  CreateRunInput,
  DeleteTracesInput,
  LogBatchInput,
  Page,
  SearchRunsQuery,
  SearchRunsResult,
  SearchTracesQuery,
  SearchTracesResult,
  StoreCapabilities,
  TrackingStore,
  UpdateRunInput,
  WriteOptions,
} from '../store/tracking-store.js';
import {
  type CheckReachableOptions,
  checkReachable,
  DEFAULT_PRECHECK_TIMEOUT_MS,
  isServerUri,
} from './check-reachable.js';
import { countTraces, isUnavailable, type SyncSpoolResult, syncSpool } from './sync-spool.js';

export interface ResilientStoreOptions {
  /** The store to use when it answers (in practice an MLflow server store). */
  primary: TrackingStore;
  /** The URI checked before the first call; default `primary.uri`. Non-http URIs are not checked. */
  primaryUri?: string;
  /** Made only when the primary is unreachable at start (in practice `sqliteStore({ path: 'mlflow.db' })`). */
  fallback: () => TrackingStore | Promise<TrackingStore>;
  /** Named in the warning; default the fallback store's own `uri`. */
  fallbackUri?: string;
  /** Budget of the reachability check. Default 3000 ms. */
  precheckTimeoutMs?: number;
  /**
   * A durable store for traces the primary could not take mid-run (in practice
   * `sqliteStore({ path: '.graphtrace/spool.db' })`). Without it such traces are lost (and
   * reported by the span pipeline).
   */
  spool?: TrackingStore;
  logger: Logger;
  /** How often the spool tries to drain while the primary is away. Default 5000 ms. */
  drainIntervalMs?: number;
  /** Traces moved per drain round, so a drain never monopolises the process. Default 500. */
  drainBatch?: number;
  /** fetch for the reachability checks (tests). */
  fetch?: CheckReachableOptions['fetch'];
}

export type ResilientMode = 'unchecked' | 'primary' | 'fallback';

export interface ResilientStatus {
  mode: ResilientMode;
  /** True while trace writes go to the spool. */
  spooling: boolean;
  /** Traces written to the spool so far (batches of spans and infos count once per trace). */
  spooledWrites: number;
  /** Traces moved from the spool to the primary so far. */
  drainedTraces: number;
}

/** A TrackingStore with the fallback and spool behaviour; `status()` and `drainSpool()` for the curious. */
export interface ResilientStore extends TrackingStore {
  status(): ResilientStatus;
  /** Tries now to move spooled traces to the primary (no-op when it does not answer). */
  drainSpool(): Promise<SyncSpoolResult | null>;
}

const NOT_SPOOLED =
  'runs, params and metrics are not spooled (only traces are): retry when the server is back';

/**
 * Composes stores so one program writes to an MLflow server when there is one, to a local
 * store when there is not, and loses no trace when the server disappears mid-run:
 *
 * - Before the first call: a reachability check of the primary within a budget. Unreachable:
 *   one warning naming both URIs, and the fallback store serves the rest of the process.
 * - Mid-run: trace writes (`logSpans`, `startTrace`) the primary fails (after its own retries)
 *   go to the spool instead, with one warning; while the primary is away the spool keeps taking
 *   them, and a background timer drains the spool (bounded rounds) once the primary answers.
 * - Everything else fails with STORE_UNAVAILABLE while the primary is away.
 *
 * Uses only the TrackingStore port: the wiring code chooses the concrete stores.
 */
class ResilientStoreImpl implements ResilientStore {
  private mode: ResilientMode = 'unchecked';
  private decision: Promise<TrackingStore> | null = null;
  private fallbackStore: TrackingStore | null = null;
  private spooling = false;
  private spoolInFlight = 0;
  private spooledWrites = 0;
  private drainedTraces = 0;
  private drainTimer: NodeJS.Timeout | null = null;
  private draining: Promise<SyncSpoolResult | null> | null = null;
  private closed = false;
  /** Primary experiment id → name, so spooled traces land in a same-named spool experiment. */
  private readonly names = new Map<string, string>([
    [DEFAULT_EXPERIMENT_ID, DEFAULT_EXPERIMENT_NAME],
  ]);
  private readonly spoolIds = new Map<string, string>();
  private readonly primaryUri: string;

  constructor(private readonly o: ResilientStoreOptions) {
    this.primaryUri = o.primaryUri ?? o.primary.uri;
  }

  get uri(): string {
    return this.fallbackStore?.uri ?? this.o.primary.uri;
  }

  get capabilities(): StoreCapabilities {
    return (this.fallbackStore ?? this.o.primary).capabilities;
  }

  status(): ResilientStatus {
    return {
      mode: this.mode,
      spooling: this.spooling,
      spooledWrites: this.spooledWrites,
      drainedTraces: this.drainedTraces,
    };
  }

  // ---- choosing the store

  private target(): Promise<TrackingStore> {
    this.decision ??= this.decide().catch((err: unknown) => {
      this.decision = null; // a failed fallback factory is tried again on the next call
      throw err;
    });
    return this.decision;
  }

  private async decide(): Promise<TrackingStore> {
    if (!isServerUri(this.primaryUri)) {
      this.mode = 'primary';
      return this.o.primary;
    }
    const r = await checkReachable(this.primaryUri, {
      timeoutMs: this.o.precheckTimeoutMs ?? DEFAULT_PRECHECK_TIMEOUT_MS,
      ...(this.o.fetch ? { fetch: this.o.fetch } : {}),
    });
    if (r.ok) {
      this.mode = 'primary';
      return this.o.primary;
    }
    let fb: TrackingStore;
    try {
      fb = await this.o.fallback();
    } catch (err) {
      throw new GraphtraceError(
        'STORE_UNAVAILABLE',
        `MLflow server ${this.primaryUri} is unreachable (${r.reason}) and the fallback store could not be opened: ${errorMessage(err)}`,
        { cause: err },
      );
    }
    this.fallbackStore = fb;
    this.mode = 'fallback';
    const fbUri = this.o.fallbackUri ?? fb.uri;
    this.o.logger.warn(
      `MLflow server ${this.primaryUri} is unreachable (${r.reason}, decided in ${r.elapsedMs} ms): ` +
        `writing to ${fbUri} instead for the rest of this process. Start the server or correct the ` +
        `tracking URI for the next run; then \`graphtrace sync --from ${fbUri} --to ${this.primaryUri}\` ` +
        'copies what was written here.',
    );
    return fb;
  }

  /** Runs a non-trace call; on the primary, an outage becomes a clear STORE_UNAVAILABLE. */
  private async call<T>(fn: (s: TrackingStore) => Promise<T>): Promise<T> {
    const s = await this.target();
    try {
      return await fn(s);
    } catch (err) {
      if (s === this.o.primary && isUnavailable(err)) {
        throw new GraphtraceError('STORE_UNAVAILABLE', `${errorMessage(err)} (${NOT_SPOOLED})`, {
          cause: err,
        });
      }
      throw err;
    }
  }

  private remember(e: Experiment | null): Experiment | null {
    if (e) this.names.set(e.experimentId, e.name);
    return e;
  }

  // ---- experiments and runs: delegated

  async getOrCreateExperiment(name: string, options?: { tags?: Record<string, string> }) {
    return this.remember(await this.call((s) => s.getOrCreateExperiment(name, options)))!;
  }
  async getExperiment(experimentId: string) {
    return this.remember(await this.call((s) => s.getExperiment(experimentId)));
  }
  async getExperimentByName(name: string) {
    return this.remember(await this.call((s) => s.getExperimentByName(name)));
  }
  searchExperiments(query?: {
    maxResults?: number;
    pageToken?: string | null;
  }): Promise<Page<Experiment>> {
    return this.call((s) => s.searchExperiments(query));
  }
  createRun(input: CreateRunInput): Promise<Run> {
    return this.call((s) => s.createRun(input));
  }
  updateRun(runId: string, update: UpdateRunInput): Promise<RunInfo> {
    return this.call((s) => s.updateRun(runId, update));
  }
  logBatch(runId: string, batch: LogBatchInput): Promise<void> {
    return this.call((s) => s.logBatch(runId, batch));
  }
  getRun(runId: string): Promise<Run | null> {
    return this.call((s) => s.getRun(runId));
  }
  searchRuns(query: SearchRunsQuery): Promise<SearchRunsResult> {
    return this.call((s) => s.searchRuns(query));
  }
  getMetricHistory(runId: string, key: string): Promise<Metric[]> {
    return this.call((s) => s.getMetricHistory(runId, key));
  }

  // ---- trace writes: spooled when the primary is away

  // The caller's signal stops a wait on the primary (the write then goes to the spool); the
  // spool is local and always gets the write.
  async startTrace(info: TraceInfo, options?: WriteOptions): Promise<TraceInfo> {
    await this.writeTrace(
      (s) => s.startTrace(info, options),
      (spool, exp) => spool.startTrace({ ...info, experimentId: exp }),
      info.experimentId,
    );
    return info;
  }

  async logSpans(
    experimentId: string,
    spans: readonly Span[],
    options?: WriteOptions,
  ): Promise<void> {
    if (spans.length === 0) return;
    await this.writeTrace(
      (s) => s.logSpans(experimentId, spans, options),
      (spool, exp) => spool.logSpans(exp, spans),
      experimentId,
    );
  }

  private async writeTrace(
    direct: (s: TrackingStore) => Promise<unknown>,
    spooled: (spool: TrackingStore, spoolExperimentId: string) => Promise<unknown>,
    experimentId: string,
  ): Promise<void> {
    const s = await this.target();
    const spool = this.o.spool;
    if (s !== this.o.primary || !spool) {
      await direct(s);
      return;
    }
    if (!this.spooling) {
      try {
        await direct(s);
        return;
      } catch (err) {
        if (!isUnavailable(err)) throw err;
        this.enterOutage(err, spool);
      }
    }
    this.spoolInFlight++;
    try {
      await spooled(spool, await this.spoolExperiment(spool, experimentId));
      this.spooledWrites++;
    } catch (err) {
      throw new GraphtraceError(
        'STORE_UNAVAILABLE',
        `MLflow server ${this.primaryUri} is away and the spool ${spool.uri} refused the traces too: ${errorMessage(err)}`,
        { cause: err },
      );
    } finally {
      this.spoolInFlight--;
    }
  }

  private async spoolExperiment(spool: TrackingStore, primaryId: string): Promise<string> {
    let id = this.spoolIds.get(primaryId);
    if (id === undefined) {
      const name = this.names.get(primaryId) ?? `graphtrace-spool-experiment-${primaryId}`;
      id = (await spool.getOrCreateExperiment(name)).experimentId;
      this.spoolIds.set(primaryId, id);
    }
    return id;
  }

  private enterOutage(err: unknown, spool: TrackingStore): void {
    if (this.spooling) return;
    this.spooling = true;
    this.o.logger.warn(
      `MLflow server ${this.primaryUri} stopped answering (${errorMessage(err)}). Traces now go to ` +
        `the spool ${spool.uri} and are sent automatically when the server answers again ` +
        `(or run \`graphtrace sync --from ${spool.uri} --to ${this.primaryUri}\`). Meanwhile ${NOT_SPOOLED}.`,
    );
    this.scheduleDrain(this.o.drainIntervalMs ?? 5000);
  }

  private scheduleDrain(delayMs: number): void {
    if (this.drainTimer || this.closed) return;
    this.drainTimer = setTimeout(() => {
      this.drainTimer = null;
      void this.drainSpool().then(
        () => {
          if (this.spooling) this.scheduleDrain(this.o.drainIntervalMs ?? 5000);
        },
        (err: unknown) => {
          this.o.logger.debug(`spool drain failed: ${errorMessage(err)}`);
          if (this.spooling) this.scheduleDrain(this.o.drainIntervalMs ?? 5000);
        },
      );
    }, delayMs);
    // The drain never keeps a finished program alive; `graphtrace sync` covers what is left.
    this.drainTimer.unref();
  }

  private async primaryAnswers(): Promise<boolean> {
    if (isServerUri(this.primaryUri)) {
      const r = await checkReachable(this.primaryUri, {
        timeoutMs: Math.min(this.o.precheckTimeoutMs ?? DEFAULT_PRECHECK_TIMEOUT_MS, 2000),
        ...(this.o.fetch ? { fetch: this.o.fetch } : {}),
      });
      return r.ok;
    }
    try {
      await this.o.primary.getExperiment(DEFAULT_EXPERIMENT_ID);
      return true;
    } catch {
      return false;
    }
  }

  drainSpool(): Promise<SyncSpoolResult | null> {
    this.draining ??= this.drainOnce().finally(() => {
      this.draining = null;
    });
    return this.draining;
  }

  private async drainOnce(): Promise<SyncSpoolResult | null> {
    const spool = this.o.spool;
    if (!spool || this.mode !== 'primary' || this.closed) return null;
    if (!(await this.primaryAnswers())) return null;
    const result = await syncSpool({
      from: spool,
      to: this.o.primary,
      maxTraces: this.o.drainBatch ?? 500,
      logger: this.o.logger,
    });
    this.drainedTraces += result.traces;
    if (result.traces > 0)
      this.o.logger.info(
        `sent ${result.traces} spooled trace(s) from ${spool.uri} to ${this.primaryUri}`,
      );
    if (result.failed.length > 0) return result; // still away: the timer tries again
    if (this.spooling) {
      // New writes go to the primary at once; the backlog follows in the background. A trace
      // split between the two ends whole: copies never overwrite a finished info.
      this.spooling = false;
      this.o.logger.info(
        `MLflow server ${this.primaryUri} answers again: traces go to it directly`,
      );
    }
    // Until a round finds the spool empty with no spool write under way.
    if (result.remaining > 0 || result.traces > 0 || this.spoolInFlight > 0) this.scheduleDrain(0);
    return result;
  }

  // ---- trace reads and the rest: delegated

  getTraceInfo(traceId: string): Promise<TraceInfo | null> {
    return this.call((s) => s.getTraceInfo(traceId));
  }
  getTrace(traceId: string): Promise<Trace | null> {
    return this.call((s) => s.getTrace(traceId));
  }
  searchTraces(query: SearchTracesQuery): Promise<SearchTracesResult> {
    return this.call((s) => s.searchTraces(query));
  }
  setTraceTag(traceId: string, key: string, value: string): Promise<void> {
    return this.call((s) => s.setTraceTag(traceId, key, value));
  }
  deleteTraces(input: DeleteTracesInput): Promise<number> {
    return this.call((s) => s.deleteTraces(input));
  }
  createAssessment(assessment: NewAssessment): Promise<Assessment> {
    return this.call((s) => s.createAssessment(assessment));
  }
  getAssessments(traceId: string): Promise<Assessment[]> {
    return this.call((s) => s.getAssessments(traceId));
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.drainTimer) clearTimeout(this.drainTimer);
    this.drainTimer = null;
    await this.draining?.catch(() => undefined);
    const spool = this.o.spool;
    if (spool && this.mode === 'primary' && (this.spooledWrites > 0 || this.spooling)) {
      const left = await countTraces(spool).catch(() => null);
      if (left !== 0) {
        this.o.logger.warn(
          `${left ?? 'some'} trace(s) are still in the spool ${spool.uri}: run \`graphtrace sync --from ${spool.uri} --to ${this.primaryUri}\` when the server is back`,
        );
      }
    }
    const stores = new Set([this.o.primary, this.fallbackStore, this.o.spool]);
    for (const store of stores) await store?.close();
  }
}

/** See `ResilientStoreImpl`: a fallback-and-spool composition over the TrackingStore port. */
export function resilientStore(options: ResilientStoreOptions): ResilientStore {
  return new ResilientStoreImpl(options);
}
