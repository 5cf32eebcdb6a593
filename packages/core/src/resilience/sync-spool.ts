import { errorMessage, GraphtraceError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Experiment } from '../model/experiment.js';
import type { Span } from '../model/span.js';
import type { TraceInfo } from '../model/trace.js';
import type { TrackingStore } from '../store/tracking-store.js';

export interface SyncSpoolOptions {
  /** The store holding traces to move (a spool, or a local `mlflow.db`). */
  from: TrackingStore;
  /** Where they go (the MLflow server). */
  to: TrackingStore;
  /** Move at most this many traces in this call (the rest stay for the next). Default: all. */
  maxTraces?: number;
  /** Keep the traces in `from` after copying them (a copy instead of a move). Default false. */
  keep?: boolean;
  logger?: Logger;
  /** Stop early (between traces) when this says so. */
  signal?: AbortSignal;
  /**
   * Traces copied at the same time. A server answers each request in a few milliseconds but
   * a copy is three round trips; several at once move a backlog at the server's own pace.
   * Default 8.
   */
  concurrency?: number;
}

export interface SyncSpoolResult {
  /** Traces now complete on `to` and removed from `from` (or kept, with `keep`). */
  traces: number;
  /** Spans written to `to` (spans it already had are not sent again). */
  spans: number;
  /** Traces `to` already had in full: nothing was written for them. */
  alreadyPresent: number;
  /** Traces that could not be copied; they stay in `from`. */
  failed: { traceId: string; error: string }[];
  /** Traces left in `from` because of `maxTraces` or `signal`. */
  remaining: number;
}

const PAGE = 100;

/** An error that means "the store is not answering" rather than "this request is wrong". */
export function isUnavailable(err: unknown): boolean {
  return !(err instanceof GraphtraceError) || err.code === 'STORE_UNAVAILABLE';
}

/** Every active experiment of a store. */
async function allExperiments(store: TrackingStore): Promise<Experiment[]> {
  const out: Experiment[] = [];
  let pageToken: string | null = null;
  do {
    const page = await store.searchExperiments({ maxResults: 500, pageToken });
    out.push(...page.items);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return out;
}

/** Trace ids of one experiment, oldest first. */
async function traceIds(store: TrackingStore, experimentId: string): Promise<string[]> {
  const ids: string[] = [];
  let pageToken: string | null = null;
  do {
    const res = await store.searchTraces({
      experimentIds: [experimentId],
      orderBy: ['timestamp_ms ASC'],
      maxResults: PAGE,
      pageToken,
    });
    ids.push(...res.items.map((t) => t.traceId));
    pageToken = res.nextPageToken;
  } while (pageToken);
  return ids;
}

/** How many traces a store holds, in all its active experiments (a spool's backlog). */
export async function countTraces(store: TrackingStore): Promise<number> {
  let n = 0;
  for (const exp of await allExperiments(store))
    n += (await traceIds(store, exp.experimentId)).length;
  return n;
}

/** Whether `have` already holds everything `want` says (so writing it again would change nothing). */
function infoCovered(have: TraceInfo, want: TraceInfo): boolean {
  if (have.state !== want.state || have.requestTime !== want.requestTime) return false;
  if (have.executionDuration !== want.executionDuration) return false;
  for (const [k, v] of Object.entries(want.tags)) if (have.tags[k] !== v) return false;
  for (const [k, v] of Object.entries(want.traceMetadata))
    if (have.traceMetadata[k] !== v) return false;
  return true;
}

/** Spans per `logSpans` call of a copy. */
const SPANS_PER_CALL = 500;

/**
 * Copies one trace to `to` without writing anything twice: spans `to` already has (by span id)
 * are not sent; the info is written when `to` lacks it or lacks some of it. Returns the number
 * of spans sent and whether anything was written.
 */
export async function copyTrace(
  spans: readonly Span[],
  info: TraceInfo,
  to: TrackingStore,
  targetExperimentId: string,
): Promise<{ spans: number; wrote: boolean }> {
  const existing = await to.getTrace(info.traceId);
  const have = new Set(existing?.spans.map((s) => s.spanId) ?? []);
  const missing = spans.filter((s) => !have.has(s.spanId));
  // In parts: one huge trace is never one request (or one transaction) at the target.
  for (let i = 0; i < missing.length; i += SPANS_PER_CALL)
    await to.logSpans(targetExperimentId, missing.slice(i, i + SPANS_PER_CALL));
  // A spooled info still IN_PROGRESS was made up from spans by the spool: the target's own
  // record (or the real info, when it comes) is better.
  const writeInfo =
    !existing || (info.state !== 'IN_PROGRESS' && !infoCovered(existing.info, info));
  if (writeInfo) await to.startTrace({ ...info, experimentId: targetExperimentId });
  else if (missing.length > 0 && existing.info.state !== 'IN_PROGRESS') {
    // An MLflow server adds the token usage of late spans to the trace's total, which the
    // complete info already counts: writing that info again restores the right total.
    await to.startTrace(existing.info);
  }
  return { spans: missing.length, wrote: missing.length > 0 || writeInfo };
}

/**
 * Replays what a spool holds into a target store, then removes it from the spool: for each
 * trace, spans then info; experiments are matched by name (ids differ between stores). Safe to
 * run again after a failure or on a trace the target already has: nothing is written twice.
 * Only traces are moved; a spool holds nothing else.
 */
export async function syncSpool(options: SyncSpoolOptions): Promise<SyncSpoolResult> {
  const { from, to, logger } = options;
  if (!options.keep && !from.capabilities.deleteTraces) {
    throw new GraphtraceError(
      'UNSUPPORTED',
      `${from.uri} cannot delete traces, so it cannot be drained; pass keep: true to copy instead`,
    );
  }
  const result: SyncSpoolResult = {
    traces: 0,
    spans: 0,
    alreadyPresent: 0,
    failed: [],
    remaining: 0,
  };
  let budget = options.maxTraces ?? Number.POSITIVE_INFINITY;
  const targets = new Map<string, Promise<string>>();
  const target = (name: string) => {
    let id = targets.get(name);
    if (id === undefined) {
      id = to.getOrCreateExperiment(name).then((e) => e.experimentId);
      id.catch(() => targets.delete(name)); // asked again by the next trace
      targets.set(name, id);
    }
    return id;
  };
  for (const exp of await allExperiments(from)) {
    const ids = await traceIds(from, exp.experimentId);
    if (ids.length === 0) continue;
    const done: string[] = [];
    const flushDeletes = async () => {
      if (options.keep || done.length === 0) return;
      await from.deleteTraces({ experimentId: exp.experimentId, traceIds: done.splice(0) });
    };
    const copyOne = async (traceId: string) => {
      try {
        const trace = await from.getTrace(traceId);
        if (!trace) return; // deleted meanwhile
        const copied = await copyTrace(trace.spans, trace.info, to, await target(exp.name));
        result.traces++;
        result.spans += copied.spans;
        if (!copied.wrote) result.alreadyPresent++;
        done.push(traceId);
      } catch (err) {
        result.failed.push({ traceId, error: errorMessage(err) });
        logger?.debug(`sync: trace ${traceId} stays in ${from.uri}: ${errorMessage(err)}`);
        // The target went away: the other traces would fail the same way, after retries each.
        if (isUnavailable(err)) budget = 0;
      }
    };
    let next = 0;
    const step = async () => {
      const traceId = ids[next++]!;
      if (budget <= 0 || options.signal?.aborted) {
        result.remaining++;
        return;
      }
      budget--;
      await copyOne(traceId);
      if (done.length >= PAGE) await flushDeletes();
    };
    const worker = async () => {
      while (next < ids.length) await step();
    };
    // One trace alone first: a target that is away then fails once, not once per worker.
    await step();
    const workers = Math.max(1, Math.min(options.concurrency ?? 8, ids.length));
    await Promise.all(Array.from({ length: workers }, worker));
    await flushDeletes();
  }
  return result;
}
