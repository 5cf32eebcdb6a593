import { userInfo } from 'node:os';
import { basename } from 'node:path';
import {
  builtinPrices,
  createPricer,
  modelPriceProblem,
  type Pricer,
  type PricerOptions,
} from '@graphtrace/pricing';
import { type Clock, systemClock } from '../clock.js';
import { GraphtraceError } from '../errors.js';
import { type IdGenerator, randomIds } from '../ids.js';
import { consoleLogger, type Logger } from '../logger.js';
import type { AssessmentSource, Expectation, Feedback } from '../model/assessment.js';
import { DEFAULT_EXPERIMENT_NAME } from '../model/experiment.js';
import { RunTagKey, TraceMetadataKey } from '../model/keys.js';
import type { Metric, RunInfo, RunStatus } from '../model/run.js';
import type { TrackingStore } from '../store/tracking-store.js';
import { contextValue, runInContext } from '../tracing/context.js';
import { registerFlushable } from '../tracing/exit-hooks.js';
import type { LiveSpan } from '../tracing/live-span.js';
import {
  maskSecretsInText,
  maskStringMap,
  secretKeyTest,
  toJsonSafe,
} from '../tracing/sanitize.js';
import type { TracingSettings } from '../tracing/settings.js';
import {
  DEFAULT_PIPELINE_OPTIONS,
  type PipelineOptions,
  type PipelineStats,
  SpanPipeline,
} from '../tracing/span-pipeline.js';
import {
  getCurrentActiveSpan,
  type SpanOptions,
  type StartSpanOptions,
  Tracer,
  type TraceUpdate,
  updateTrace,
} from '../tracing/tracer.js';
import {
  runInSpan,
  type SpanFn,
  type TraceDecorator,
  type TraceOptions,
  traceOrDecorate,
  withSpanArgs,
} from '../tracing/wrap.js';
import {
  type AgentMetrics,
  agentMetricsAsRunMetrics,
  agentMetricsForRun,
} from './agent-metrics.js';
import { randomRunName } from './run-names.js';

export interface TrackerOptions {
  store: TrackingStore;
  /** Experiment for runs and traces, created on first use. Default: MLflow's `Default`. */
  experimentName?: string;
  /** Use this existing experiment id instead of a name (MLFLOW_EXPERIMENT_ID). */
  experimentId?: string;
  clock?: Clock;
  logger?: Logger;
  ids?: IdGenerator;
  /** false: nothing is recorded; the tracing API still runs the user's functions. */
  enabled?: boolean;
  /** false: no inputs, outputs or previews are recorded. Default true. */
  logPrompts?: boolean;
  /** Extra key patterns (case-insensitive regexes) whose values are masked. */
  redact?: readonly (string | RegExp)[];
  /** Fraction of traces recorded (0..1), decided at each root span. Default 1. */
  sampling?: number;
  /** Characters of JSON kept per attribute value; beyond it values are cut with a marker. */
  maxPayloadChars?: number;
  maxEventsPerSpan?: number;
  pipeline?: Partial<PipelineOptions>;
  /**
   * Longest `flushTraces()` waits for the store; then the writes under way are stopped (a
   * resilient store spools them) and it returns. Default 10 000 ms.
   */
  flushTimeoutMs?: number;
  /**
   * Also flush on SIGINT/SIGTERM (then re-raise the signal). Default false: a signal listener
   * runs only when synchronous code yields, so it would keep a CPU-busy program going after
   * Ctrl+C. Programs with their own shutdown handler call `flushTraces()` there.
   */
  handleExitSignals?: boolean;
  /** Tags added to every run this tracker starts. */
  runTags?: Record<string, string>;
  /** Defaults for every trace (`mlflow.trace.session` / `mlflow.trace.user`). */
  session?: string;
  user?: string;
  /** Log the run's agent metrics (`agent.*`) when it ends. Default true. */
  logAgentMetrics?: boolean;
  /**
   * How model spans are priced (`mlflow.llm.cost`, `mlflow.trace.cost`): your own rates per
   * model, and whether MLflow's model catalog prices the rest. false: no costs. Default: the
   * catalog.
   */
  pricing?: PricerOptions | false;
}

const DEFAULT_FLUSH_TIMEOUT_MS = 10_000;

export interface ActiveRun {
  runId: string;
  experimentId: string;
  runName: string;
}

export interface StartRunOptions {
  runName?: string;
  tags?: Record<string, string>;
  params?: Record<string, unknown>;
}

export interface AssessmentInput {
  traceId: string;
  spanId?: string;
  name: string;
  value: unknown;
  rationale?: string;
  /** Default: a HUMAN source named after the OS user. */
  source?: AssessmentSource;
  metadata?: Record<string, string>;
}

/** The pricer for `pricing`, its user-given rates checked first. */
function pricerFrom(pricing: PricerOptions | false | undefined): Pricer | null {
  if (pricing === false) return null;
  for (const [model, price] of Object.entries(pricing?.models ?? {})) {
    const problem = modelPriceProblem(price);
    if (problem)
      throw new GraphtraceError(
        'INVALID_ARGUMENT',
        `pricing.models[${JSON.stringify(model)}] ${problem}`,
      );
  }
  if (pricing?.builtin !== false) {
    // Parse the catalog (some ms) now, not at the end of the program's first model call.
    setTimeout(() => {
      try {
        builtinPrices();
      } catch {
        // Reported when a call is priced.
      }
    }, 0).unref();
  }
  return createPricer(pricing ?? {});
}

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

/**
 * Runs, params, metrics, tags, assessments and traces for one experiment in one store.
 * Tracing calls never throw into user code; run and assessment calls reject with a
 * `GraphtraceError` when the store refuses (as MLflow's client raises).
 */
export class Tracker {
  readonly store: TrackingStore;
  readonly tracer: Tracer;
  readonly logger: Logger;
  private readonly pipeline: SpanPipeline;
  private readonly settings: TracingSettings;
  private experiment: Promise<string> | null = null;
  private readonly runStack: ActiveRun[] = [];
  private readonly unregister: () => void;
  private enabled: boolean;

  constructor(private readonly options: TrackerOptions) {
    this.store = options.store;
    this.logger = options.logger ?? consoleLogger;
    this.enabled = options.enabled ?? true;
    const sampling = options.sampling ?? 1;
    if (!(sampling >= 0 && sampling <= 1)) {
      throw new GraphtraceError(
        'INVALID_ARGUMENT',
        `sampling must be between 0 and 1, got ${sampling}`,
      );
    }
    this.settings = {
      clock: options.clock ?? systemClock,
      ids: options.ids ?? randomIds,
      logger: this.logger,
      logPrompts: options.logPrompts ?? true,
      maxPayloadChars: options.maxPayloadChars ?? 100_000,
      isSecretKey: secretKeyTest(options.redact),
      maxEventsPerSpan: options.maxEventsPerSpan ?? 1_000,
      sampling,
      pricer: pricerFrom(options.pricing),
      defaultTraceMetadata: {
        // Who and what produced the trace, as MLflow's SDK records it.
        [RunTagKey.USER]: osUser(),
        [RunTagKey.SOURCE_NAME]: basename(process.argv[1] ?? 'node'),
        [RunTagKey.SOURCE_TYPE]: 'LOCAL',
        ...(options.session !== undefined ? { [TraceMetadataKey.SESSION]: options.session } : {}),
        ...(options.user !== undefined ? { [TraceMetadataKey.USER]: options.user } : {}),
      },
    };
    const pipeline = new SpanPipeline(this.store, () => this.experimentId(), this.logger, {
      ...DEFAULT_PIPELINE_OPTIONS,
      ...options.pipeline,
    });
    this.pipeline = pipeline;
    this.tracer = new Tracer(
      this.settings,
      this.pipeline,
      () => this.currentRunId(),
      () => this.enabled,
    );
    this.unregister = registerFlushable(
      {
        get pending() {
          return pipeline.pending;
        },
        flush: (ms) => pipeline.flush(ms ?? this.flushTimeoutMs),
      },
      options.handleExitSignals ?? false,
    );
  }

  get experimentName(): string {
    return this.options.experimentName ?? DEFAULT_EXPERIMENT_NAME;
  }

  /** The experiment id, resolved (and the experiment created) on first use. */
  experimentId(): Promise<string> {
    if (!this.experiment) {
      const resolve = async () => {
        if (this.options.experimentId !== undefined) {
          const e = await this.store.getExperiment(this.options.experimentId);
          if (!e) {
            throw new GraphtraceError(
              'NOT_FOUND',
              `experiment id ${this.options.experimentId} does not exist in ${this.store.uri}: create it or set an experiment name instead`,
            );
          }
          return e.experimentId;
        }
        return (await this.store.getOrCreateExperiment(this.experimentName)).experimentId;
      };
      this.experiment = resolve().catch((err) => {
        this.experiment = null; // try again on the next call
        throw err;
      });
    }
    return this.experiment;
  }

  setEnabled(enabled: boolean): void {
    this.enabled = enabled;
  }

  // ---- tracing -------------------------------------------------------------------------------

  /** Wraps `fn` so each call records a span; `@tracker.trace()` decorates a class method. */
  trace<F extends (...args: any[]) => any>(fn: F, options?: TraceOptions): F;
  trace(options?: TraceOptions): TraceDecorator;
  trace(a?: unknown, b?: TraceOptions): unknown {
    return traceOrDecorate(() => this.tracer, a, b);
  }

  withSpan<T>(fn: SpanFn<T>, options?: SpanOptions): T;
  withSpan<T>(options: SpanOptions, fn: SpanFn<T>): T;
  withSpan<T>(a: SpanFn<T> | SpanOptions, b?: SpanFn<T> | SpanOptions): T {
    const [fn, options] = withSpanArgs(a, b);
    const span = this.startSpan(options);
    return runInSpan(span, () => fn(span), true, false);
  }

  /** A span that is not made active; end it yourself. */
  startSpan(options: StartSpanOptions): LiveSpan {
    return this.tracer.startSpan(options);
  }

  getCurrentActiveSpan(): LiveSpan | null {
    return getCurrentActiveSpan();
  }

  updateCurrentTrace(update: TraceUpdate): void {
    if (!updateTrace(getCurrentActiveSpan(), update)) {
      this.logger.debug('updateCurrentTrace called outside a span: nothing to update');
    }
  }

  /**
   * Resolves when every span ended so far is written to the store (or reported as failed), or
   * when the flush budget (`flushTimeoutMs`, or `options.timeoutMs`) runs out: the writes under
   * way are then stopped (a resilient store spools them) and a warning says what was left.
   */
  async flushTraces(options: { timeoutMs?: number } = {}): Promise<void> {
    await this.pipeline.flush(options.timeoutMs ?? this.flushTimeoutMs);
  }

  private get flushTimeoutMs(): number {
    return this.options.flushTimeoutMs ?? DEFAULT_FLUSH_TIMEOUT_MS;
  }

  stats(): PipelineStats {
    return this.pipeline.snapshot();
  }

  // ---- runs ----------------------------------------------------------------------------------

  private currentRunId(): string | null {
    return (
      contextValue<ActiveRun>('run')?.runId ??
      this.runStack[this.runStack.length - 1]?.runId ??
      null
    );
  }

  activeRun(): ActiveRun | null {
    return contextValue<ActiveRun>('run') ?? this.runStack[this.runStack.length - 1] ?? null;
  }

  private async createRun(options: StartRunOptions): Promise<ActiveRun> {
    const experimentId = await this.experimentId();
    const runName = options.runName ?? randomRunName();
    const tags = maskStringMap(
      {
        [RunTagKey.USER]: osUser(),
        [RunTagKey.SOURCE_NAME]: basename(process.argv[1] ?? 'node'),
        [RunTagKey.SOURCE_TYPE]: 'LOCAL',
        ...this.options.runTags,
        ...options.tags,
      },
      this.settings.isSecretKey,
    );
    const run = await this.store.createRun({
      experimentId,
      runName,
      startTime: this.settings.clock.nowMs(),
      userId: tags[RunTagKey.USER] ?? osUser(),
      tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
      runId: this.settings.ids.runId(),
    });
    const active = { runId: run.info.runId, experimentId, runName: run.info.runName };
    if (options.params) await this.logParams(options.params, active.runId);
    return active;
  }

  /** Starts a run and makes it the active one until `endRun()`. */
  async startRun(options: StartRunOptions = {}): Promise<ActiveRun> {
    const run = await this.createRun(options);
    this.runStack.push(run);
    return run;
  }

  /** Ends the active run (or `runId`): flushes its traces and logs its agent metrics first. */
  async endRun(status: RunStatus = 'FINISHED', runId?: string): Promise<RunInfo> {
    const id = runId ?? this.currentRunId();
    if (!id)
      throw new GraphtraceError(
        'NOT_FOUND',
        'endRun: no active run; start one with startRun() or withRun()',
      );
    if (this.options.logAgentMetrics ?? true) {
      try {
        await this.flushTraces();
        const metrics = await this.getRunAgentMetrics(id);
        if (metrics.traces > 0)
          await this.logMetrics(agentMetricsAsRunMetrics(metrics), { runId: id });
      } catch (err) {
        this.logger.warn(`could not log the agent metrics of run ${id}: ${(err as Error).message}`);
      }
    }
    const i = this.runStack.findIndex((r) => r.runId === id);
    if (i >= 0) this.runStack.splice(i, 1);
    return this.store.updateRun(id, { status, endTime: this.settings.clock.nowMs() });
  }

  /**
   * Runs `fn` inside a new run, scoped to its async context (concurrent `withRun` calls do not
   * see each other's run). The run ends FINISHED, or FAILED if `fn` throws.
   */
  async withRun<T>(
    fn: (run: ActiveRun) => T | Promise<T>,
    options: StartRunOptions = {},
  ): Promise<T> {
    const run = await this.createRun(options);
    let result: T;
    try {
      result = await runInContext('run', run, () => fn(run));
    } catch (err) {
      await this.endRun('FAILED', run.runId);
      throw err;
    }
    await this.endRun('FINISHED', run.runId);
    return result;
  }

  private async runIdFor(runId: string | undefined): Promise<string> {
    return runId ?? this.currentRunId() ?? (await this.startRun()).runId;
  }

  /** Params are stringified as MLflow does; secret keys are masked. Starts a run if none is active. */
  async logParams(params: Record<string, unknown>, runId?: string): Promise<void> {
    const id = await this.runIdFor(runId);
    const asStrings: Record<string, string> = {};
    for (const [k, v] of Object.entries(params)) {
      asStrings[k] =
        typeof v === 'string'
          ? v
          : JSON.stringify(
              toJsonSafe(v, { maxChars: 6000, isSecretKey: this.settings.isSecretKey }),
            );
    }
    const masked = maskStringMap(asStrings, this.settings.isSecretKey);
    await this.store.logBatch(id, {
      params: Object.entries(masked).map(([key, value]) => ({ key, value })),
    });
  }

  async logMetrics(
    metrics: Record<string, number>,
    options: { step?: number; timestamp?: number; runId?: string } = {},
  ): Promise<void> {
    const id = await this.runIdFor(options.runId);
    const timestamp = options.timestamp ?? this.settings.clock.nowMs();
    const step = options.step ?? 0;
    const batch: Metric[] = Object.entries(metrics).map(([key, value]) => ({
      key,
      value: Number(value),
      timestamp,
      step,
    }));
    await this.store.logBatch(id, { metrics: batch });
  }

  logMetric(
    key: string,
    value: number,
    options: { step?: number; timestamp?: number; runId?: string } = {},
  ): Promise<void> {
    return this.logMetrics({ [key]: value }, options);
  }

  async setTags(tags: Record<string, string>, runId?: string): Promise<void> {
    const id = await this.runIdFor(runId);
    const masked = maskStringMap(tags, this.settings.isSecretKey);
    await this.store.logBatch(id, {
      tags: Object.entries(masked).map(([key, value]) => ({ key, value })),
    });
  }

  /** The run's agent metrics, from the traces linked to it. Flush first for the latest. */
  async getRunAgentMetrics(runId?: string): Promise<AgentMetrics> {
    const id = runId ?? this.currentRunId();
    if (!id)
      throw new GraphtraceError(
        'NOT_FOUND',
        'getRunAgentMetrics: no run id given and no active run',
      );
    return agentMetricsForRun(this.store, await this.experimentId(), id);
  }

  // ---- assessments ---------------------------------------------------------------------------

  private assessmentBase(input: AssessmentInput) {
    return {
      traceId: input.traceId,
      spanId: input.spanId ?? null,
      name: input.name,
      rationale: input.rationale == null ? null : maskSecretsInText(String(input.rationale)),
      source: input.source ?? { sourceType: 'HUMAN' as const, sourceId: osUser() },
      metadata: input.metadata ?? {},
      runId: this.currentRunId(),
      assessmentId: `a-${this.settings.ids.assessmentId()}`,
      createTime: this.settings.clock.nowMs(),
    };
  }

  /** MLflow's `log_feedback`: a judgement (thumbs, score, label) on a trace or one of its spans. */
  async logFeedback(input: AssessmentInput): Promise<Feedback> {
    await this.flushTraces(); // the trace may still be on its way to the store
    return (await this.store.createAssessment({
      ...this.assessmentBase(input),
      kind: 'feedback',
      value: input.value,
    })) as Feedback;
  }

  /** MLflow's `log_expectation`: the expected answer for a trace or span. */
  async logExpectation(input: AssessmentInput): Promise<Expectation> {
    await this.flushTraces();
    return (await this.store.createAssessment({
      ...this.assessmentBase(input),
      kind: 'expectation',
      value: input.value,
    })) as Expectation;
  }

  /** Flushes and detaches from the exit hooks. The store stays open: it is the caller's. */
  async shutdown(): Promise<void> {
    await this.flushTraces();
    this.unregister();
  }
}

export function createTracker(options: TrackerOptions): Tracker {
  return new Tracker(options);
}
