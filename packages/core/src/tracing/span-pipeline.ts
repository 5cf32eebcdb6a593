import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import { TraceMetadataKey } from '../model/keys.js';
import type { Span } from '../model/span.js';
import type { TraceInfo } from '../model/trace.js';
import type { TraceWriter, WriteOptions } from '../store/trace-writer.js';
import type { FinishedTrace, PendingTraceInfo, TraceSink } from './settings.js';
import { WriteDeadline } from './write-deadline.js';

export interface PipelineOptions {
  /** Spans and trace infos held in memory at most; beyond it new ones are dropped (and counted). */
  maxQueueSize: number;
  /** Items written to the store per batch. */
  batchSize: number;
  /** How long a partial batch waits for company before it is written. */
  scheduleDelayMs: number;
  /**
   * Longest wait for one batch's writes; then the store is told to stop (a resilient store
   * spools the batch, any other loses it, counted), so a hung server never holds the queue.
   */
  writeTimeoutMs: number;
}

export const DEFAULT_PIPELINE_OPTIONS: PipelineOptions = {
  maxQueueSize: 50_000,
  batchSize: 1_000,
  scheduleDelayMs: 50,
  writeTimeoutMs: 10_000,
};

/** After a flush's budget runs out and its writes are told to stop, how long they get to settle. */
const SETTLE_MS = 1_000;

export interface PipelineStats {
  queued: number;
  exportedSpans: number;
  exportedTraces: number;
  droppedSpans: number;
  droppedTraces: number;
  failedBatches: number;
}

type Item = { span: Span } | { trace: FinishedTrace };

/** Failures of the store as a whole (retrying trace by trace would only fail again, slower). */
const STORE_WIDE = new Set([
  'STORE_UNAVAILABLE',
  'READ_ONLY',
  'UNAUTHENTICATED',
  'PERMISSION_DENIED',
]);

function storeWide(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && STORE_WIDE.has(code);
}

/** `p`'s value, or false when it has not settled within `ms` (infinite: no bound). */
async function raceTimeout(p: Promise<boolean>, ms: number): Promise<boolean> {
  if (!Number.isFinite(ms)) return p;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, ms));
    timer.unref();
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

function groupByTrace(spans: readonly Span[]): Span[][] {
  const groups = new Map<string, Span[]>();
  for (const s of spans) {
    const g = groups.get(s.traceId);
    if (g) g.push(s);
    else groups.set(s.traceId, [s]);
  }
  return [...groups.values()];
}

/**
 * MLflow's reader compares the span rows of a trace with `num_spans` in its size stats and
 * refuses a trace with fewer ("not fully exported"); spans we dropped must not be counted.
 */
function discountLostSpans(info: PendingTraceInfo, lost: number): PendingTraceInfo {
  const raw = info.traceMetadata[TraceMetadataKey.SIZE_STATS];
  if (!raw) return info;
  const stats = JSON.parse(raw) as { num_spans?: number };
  stats.num_spans = Math.max(0, (stats.num_spans ?? 0) - lost);
  return {
    ...info,
    traceMetadata: { ...info.traceMetadata, [TraceMetadataKey.SIZE_STATS]: JSON.stringify(stats) },
  };
}

/**
 * The bounded, batched, asynchronous path from ended spans to a store. Enqueueing is a push
 * onto an array: the traced code never waits for a store, and a store failure is logged once
 * (then counted) but never thrown.
 */
export class SpanPipeline implements TraceSink {
  private queue: Item[] = [];
  private timer: NodeJS.Timeout | null = null;
  private exporting: Promise<void> | null = null;
  /** Stores that order trace writes themselves take batches without waiting for earlier ones. */
  private readonly pipelined: boolean;
  private readonly inFlight = new Set<Promise<void>>();
  /** Items handed to a pipelined store and not yet answered: they count against the bound. */
  private inFlightItems = 0;
  private handOverQueued = false;
  private failing = false;
  private warnedOverflow = false;
  /** Aborted when a flush's budget runs out: the writes under way then stop waiting. */
  private giveUp = new AbortController();
  /** Spans of a trace that never reached the store, until its info is written. */
  private readonly lost = new Map<string, number>();
  readonly stats: PipelineStats = {
    queued: 0,
    exportedSpans: 0,
    exportedTraces: 0,
    droppedSpans: 0,
    droppedTraces: 0,
    failedBatches: 0,
  };

  constructor(
    /** Only the write port: the pipeline never reads, so any wrapper of trace writes fits. */
    private readonly store: TraceWriter,
    private readonly experimentId: () => Promise<string>,
    private readonly logger: Logger,
    private readonly options: PipelineOptions = DEFAULT_PIPELINE_OPTIONS,
  ) {
    this.pipelined = store.capabilities.pipelinedTraceWrites === true;
  }

  get pending(): boolean {
    return this.queue.length > 0 || this.exporting !== null || this.inFlight.size > 0;
  }

  enqueueSpan(span: Span): void {
    if (this.admit()) this.queue.push({ span });
    else this.loseSpans([span]);
  }

  private loseSpans(spans: readonly Span[]): void {
    this.stats.droppedSpans += spans.length;
    for (const s of spans) this.lost.set(s.traceId, (this.lost.get(s.traceId) ?? 0) + 1);
    // Traces whose root never ends would otherwise keep their entry forever.
    while (this.lost.size > 10_000) this.lost.delete(this.lost.keys().next().value!);
  }

  enqueueTrace(trace: FinishedTrace): void {
    // Trace infos are few and small: they are admitted even over the limit, so a trace whose
    // spans were dropped still shows up with its summary.
    this.admit();
    this.queue.push({ trace });
    // A store that writes on another thread gets each finished trace at once: waiting for a
    // timer would leave the writing to the end whenever the traced program keeps this thread
    // busy. A microtask lets traces ending together go as one batch.
    if (this.pipelined && !this.handOverQueued) {
      this.handOverQueued = true;
      queueMicrotask(() => {
        this.handOverQueued = false;
        void this.drain();
      });
    }
  }

  reportInternalError(err: unknown): void {
    this.logger.error(
      `internal tracing error (the traced program is unaffected): ${errorMessage(err)}`,
    );
  }

  private admit(): boolean {
    if (this.queue.length + this.inFlightItems < this.options.maxQueueSize) {
      this.schedule();
      return true;
    }
    if (!this.warnedOverflow) {
      this.warnedOverflow = true;
      this.logger.warn(
        `span queue full (${this.options.maxQueueSize} items): new spans are dropped until the store catches up; raise maxQueueSize or call flushTraces() more often`,
      );
    }
    return false;
  }

  private schedule(): void {
    if (this.timer || this.exporting) return;
    const delay =
      this.queue.length + 1 >= this.options.batchSize ? 0 : this.options.scheduleDelayMs;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.drain();
    }, delay);
    // Pending exports never keep the process alive on their own; beforeExit flushes them.
    this.timer.unref();
  }

  /**
   * Writes until the queue is empty: one export at a time, in order; or, for a pipelined
   * store, every batch at once (the store keeps them in order).
   */
  private drain(): Promise<void> {
    if (this.pipelined) {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.options.batchSize);
        this.inFlightItems += batch.length;
        const p = this.exportBatch(batch);
        this.inFlight.add(p);
        void p.then(() => {
          this.inFlight.delete(p);
          this.inFlightItems -= batch.length;
        });
      }
      return Promise.all(this.inFlight).then(() => {});
    }
    if (!this.exporting) {
      this.exporting = (async () => {
        try {
          while (this.queue.length > 0)
            await this.exportBatch(this.queue.splice(0, this.options.batchSize));
        } finally {
          this.exporting = null;
        }
      })();
    }
    return this.exporting;
  }

  private async exportBatch(batch: Item[]): Promise<void> {
    const spans: Span[] = [];
    const traces: FinishedTrace[] = [];
    for (const item of batch) {
      if ('span' in item) spans.push(item.span);
      else traces.push(item.trace);
    }
    let experimentId: string;
    try {
      experimentId = await this.experimentId();
    } catch (err) {
      this.loseSpans(spans);
      this.loseTraces(traces);
      this.failed(err);
      return;
    }
    const write = new WriteDeadline(this.options.writeTimeoutMs, this.giveUp.signal);
    try {
      await this.writeBatch(experimentId, spans, traces, write);
    } finally {
      write.done();
    }
  }

  private async writeBatch(
    experimentId: string,
    spans: Span[],
    traces: FinishedTrace[],
    write: WriteOptions,
  ): Promise<void> {
    // Spans first, and the infos only once they are written: a trace info is never stored
    // counting spans that failed to be. (For a pipelined store other batches go on meanwhile.)
    const failedTraces = new Set<string>();
    if (spans.length > 0) {
      const err = await this.writeSpans(experimentId, spans, write);
      if (err !== null) {
        // One bad span must not take the others with it: unless the store as a whole failed,
        // each trace's spans are written on their own and only the failing trace's are lost.
        const groups = groupByTrace(spans);
        if (storeWide(err) || groups.length === 1) {
          this.loseSpans(spans);
          this.loseTraces(traces);
          this.failed(err);
          return;
        }
        for (const group of groups) {
          const e = await this.writeSpans(experimentId, group, write);
          if (e === null) continue;
          this.loseSpans(group);
          failedTraces.add(group[0]!.traceId);
          this.failed(e);
        }
      }
    }
    let recovered = failedTraces.size === 0;
    for (const t of traces) {
      try {
        await this.store.startTrace(this.finishedInfo(t, experimentId), write);
        this.stats.exportedTraces++;
      } catch (err) {
        this.loseTraces([t]);
        this.failed(err);
        recovered = false;
        // A store that is down fails every trace alike: the rest of the batch goes too.
        if (storeWide(err)) {
          this.loseTraces(traces.slice(traces.indexOf(t) + 1));
          return;
        }
      }
    }
    if (recovered && this.failing) {
      this.failing = false;
      this.logger.info(
        `export to ${this.store.uri} recovered after ${this.stats.failedBatches} failed batch(es)`,
      );
    }
  }

  /** Writes spans; resolves to the error, or null when they were written (and counted). */
  private async writeSpans(
    experimentId: string,
    spans: Span[],
    write: WriteOptions,
  ): Promise<unknown | null> {
    try {
      await this.store.logSpans(experimentId, spans, write);
      this.stats.exportedSpans += spans.length;
      return null;
    } catch (err) {
      return err;
    }
  }

  private loseTraces(traces: readonly FinishedTrace[]): void {
    this.stats.droppedTraces += traces.length;
    for (const t of traces) this.lost.delete(t.traceId);
  }

  /** A failed write: counted, and said once until the store answers again. */
  private failed(err: unknown): void {
    this.stats.failedBatches++;
    if (this.failing) return;
    this.failing = true;
    this.logger.warn(
      `could not write traces to ${this.store.uri}: ${errorMessage(err)}. The traced program goes on; what could not be written is dropped and counted.`,
    );
  }

  /** The trace's MLflow info, its span count discounted by the spans that never left here. */
  private finishedInfo(t: FinishedTrace, experimentId: string): TraceInfo {
    const lost = this.lost.get(t.traceId);
    this.lost.delete(t.traceId);
    const info = t.buildInfo();
    return { ...(lost ? discountLostSpans(info, lost) : info), experimentId };
  }

  /**
   * Resolves true when everything enqueued before the call has been written (or has failed).
   * With a budget: once it runs out, the writes under way and those still queued are told to
   * stop waiting (a resilient store spools them), and after a short settling time the flush
   * resolves false, whatever the store does.
   */
  async flush(timeoutMs = Number.POSITIVE_INFINITY): Promise<boolean> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const done = (async () => {
      while (this.pending) await this.drain();
      return true;
    })();
    let drained = await raceTimeout(done, timeoutMs);
    if (!drained) {
      const giveUp = this.giveUp;
      giveUp.abort(new Error(`the flush budget of ${timeoutMs} ms ran out`));
      // What was queued when the budget ran out is given up too; later spans start afresh.
      void done.finally(() => {
        if (this.giveUp === giveUp) this.giveUp = new AbortController();
      });
      drained = await raceTimeout(done, SETTLE_MS);
      this.logger.warn(
        `the store ${this.store.uri} did not take every trace within the flush budget of ${timeoutMs} ms: ` +
          `the writes under way were stopped (a server with a spool keeps them there); ` +
          `${this.queue.length + this.inFlightItems} item(s) were still queued`,
      );
    }
    this.stats.queued = this.queue.length;
    return drained;
  }

  snapshot(): PipelineStats {
    return { ...this.stats, queued: this.queue.length };
  }
}
