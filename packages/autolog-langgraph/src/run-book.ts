import { getCurrentActiveSpan, type LiveSpan, SpanType, type Tracker } from '@graphtrace/core';
import type { LangGraphFacts } from './langgraph-facts.js';
import {
  addRunSpanSource,
  chooseParent,
  type RunSpanSource,
  removeRunSpanSource,
} from './parent-span.js';
import { claimRun, isDuplicateStart, releaseRun } from './run-claims.js';
import { newRunRecord, type RunKind, type RunRecord } from './run-record.js';

const MAX_OPEN_RUNS = 100_000;

/**
 * The runs one callback handler records and their spans: opening a span under the right parent,
 * keeping the record while the run is open, and ending spans, including those of runs LangChain
 * never closes. `owner` is the handler: it claims runs (run-claims) and is the `RunSpanSource`
 * that `currentRunSpan()` asks while runs are open.
 */
export class RunBook {
  private readonly runs = new Map<string, RunRecord>();
  /** The handler's open spans by span id, for walking a span's ancestry. */
  private readonly openSpans = new Map<string, LiveSpan>();

  constructor(
    private readonly tracker: Tracker,
    private readonly owner: RunSpanSource,
    private readonly langgraph: LangGraphFacts,
    private readonly report: (kind: string, message: string) => void,
  ) {}

  get size(): number {
    return this.runs.size;
  }

  get(runId: string): RunRecord | undefined {
    return this.runs.get(runId);
  }

  /** The record of a run's LangChain parent, if this handler records it. */
  parentOf(parentRunId: string | undefined): RunRecord | undefined {
    return parentRunId ? this.runs.get(parentRunId) : undefined;
  }

  /** A run delivered twice, or recorded by another handler of the tracker: one span (run-claims). */
  isDuplicate(runId: string, parentRunId: string | undefined): boolean {
    return isDuplicateStart(this.tracker, this.owner, runId, parentRunId, (id) =>
      this.runs.has(id),
    );
  }

  /** Starts a run with its own span under its parent run; undefined for a duplicate start. */
  open(
    runId: string,
    parentRunId: string | undefined,
    name: string,
    spanType: string,
    kind: RunKind,
  ): RunRecord | undefined {
    if (this.isDuplicate(runId, parentRunId)) return undefined;
    const parent = this.parentOf(parentRunId);
    const span = this.startSpan(parent, name, spanType);
    return this.track(newRunRecord(runId, parent, span, kind, false));
  }

  startSpan(parent: RunRecord | undefined, name: string, spanType: string): LiveSpan {
    // Resolvers would only name LangChain runs' spans, which `parent` already places.
    const ambient = getCurrentActiveSpan({ resolvers: false });
    const chosen = chooseParent(parent?.anchor ?? null, ambient, this.openSpans);
    const span = this.tracker.tracer.startSpan({ name, spanType, parent: chosen });
    this.openSpans.set(span.spanId, span);
    return span;
  }

  /** Keeps a started run's record (see `newRunRecord`) while the run is open. */
  track(record: RunRecord): RunRecord {
    const { runId, span } = record;
    if (this.runs.size >= MAX_OPEN_RUNS) {
      // Bounded memory: runs LangChain never closes must not pile up without limit.
      this.report('runs', `more than ${MAX_OPEN_RUNS} runs open at once; new runs end at once`);
      span?.setAttribute('graphtrace.unfinished', true);
      span?.end();
      return record;
    }
    record.top.open?.add(record);
    // Known to currentRunSpan() only while it has runs open, so handlers made per call and
    // dropped are never kept alive by the registry.
    if (this.runs.size === 0) addRunSpanSource(this.owner);
    this.runs.set(runId, record);
    claimRun(this.tracker, runId, this.owner);
    return record;
  }

  /** Ends an open run: `write` records its outcome on the run first. Unknown runs are ignored. */
  end(runId: string, write: (record: RunRecord) => void): void {
    const record = this.runs.get(runId);
    if (!record) return;
    write(record);
    this.finish(runId, record);
  }

  /** Ends every open run's span (autolog turned off), and forgets them. */
  endAllOpen(reason: string): void {
    const tops = new Set<RunRecord>();
    for (const r of this.runs.values()) tops.add(r.top);
    for (const top of tops) {
      this.sweep(top, reason);
      if (top.span?.isRecording()) {
        top.span.setAttribute('graphtrace.unfinished', true);
        top.span.end();
      }
    }
    for (const runId of this.runs.keys()) releaseRun(this.tracker, runId, this.owner);
    this.runs.clear();
    this.openSpans.clear();
    removeRunSpanSource(this.owner);
  }

  private finish(runId: string, record: RunRecord): void {
    this.forget(runId);
    const top = record.top;
    top.open?.delete(record);
    const span = record.span;
    if (!span) return;
    if (record.graphRun) this.langgraph.finishGraph(span, record.graphRun);
    if (record.isGraph && record.agentic) span.setSpanType(SpanType.AGENT);
    if (record.borrowed) return;
    if (record === top) {
      if (top.open && top.open.size > 0) this.sweep(top, 'not finished when its trace ended');
      this.langgraph.finishTop(top, span);
    }
    span.end();
  }

  private forget(runId: string): void {
    const record = this.runs.get(runId);
    if (record?.span && !record.borrowed) this.openSpans.delete(record.span.spanId);
    if (!this.runs.delete(runId)) return;
    releaseRun(this.tracker, runId, this.owner);
    if (this.runs.size === 0) removeRunSpanSource(this.owner);
  }

  /** Ends runs LangChain never closed (cancelled branches, abandoned streams), innermost first. */
  private sweep(top: RunRecord, reason: string): void {
    const open = [...(top.open ?? [])].filter((r) => r !== top).reverse();
    top.open?.clear();
    for (const r of open) {
      this.forget(r.runId);
      if (r.span?.isRecording()) {
        r.span.setAttribute('graphtrace.unfinished', true);
        r.span.setStatus({ code: 'ERROR', message: reason });
        r.span.end();
      }
    }
  }
}
