import type { GraphTopology } from './graph-topology.js';

/** Span attribute: the nodes one graph invocation ran, in order (see `PathStep`). */
export const PATH_ATTRIBUTE = 'langgraph.path';
/** Span attribute: path steps left out beyond the bound. */
export const PATH_DROPPED_ATTRIBUTE = 'langgraph.path_dropped';

/** One node execution of a graph invocation. */
export interface PathStep {
  /** LangGraph's superstep (`langgraph_step`); parallel branches share one. */
  readonly step: number;
  readonly node: string;
  /** The node's span, for linking the drawing to the trace. */
  readonly span_id: string;
  /**
   * The nodes whose edges triggered this one: those of the previous step with an edge to it
   * (all of them when the graph's edges are unknown or none matches, e.g. `Command({ goto })`);
   * `__start__` for the first step of a fresh invocation, empty for the first of a resumed one.
   */
  readonly from: readonly string[];
}

const MAX_PATH = 1000;
const START = '__start__';

/** What one graph invocation learns while it runs: its topology and the path it took. */
export class GraphRun {
  private readonly visits: { step: number; node: string; spanId: string }[] = [];
  private dropped = 0;

  constructor(
    readonly topology: GraphTopology | null,
    readonly resumed: boolean,
  ) {}

  addNode(step: unknown, node: string, spanId: string): void {
    if (this.visits.length >= MAX_PATH) {
      this.dropped++;
      return;
    }
    const s = typeof step === 'number' && Number.isFinite(step) ? step : this.lastStep() + 1;
    this.visits.push({ step: s, node, spanId });
  }

  get droppedSteps(): number {
    return this.dropped;
  }

  private lastStep(): number {
    return this.visits.at(-1)?.step ?? 0;
  }

  /** The path with each step's triggering nodes (visits are in start order, steps ascending). */
  path(): PathStep[] {
    const edges = new Set(this.topology?.edges.map((e) => `${e.source}\u0000${e.target}`));
    const out: PathStep[] = [];
    let previous: string[] = [];
    let current: string[] = [];
    let currentStep = Number.NaN;
    for (const v of this.visits) {
      if (v.step !== currentStep) {
        if (current.length > 0) previous = current;
        current = [];
        currentStep = v.step;
      }
      current.push(v.node);
      let from: string[];
      if (previous.length === 0) from = this.resumed ? [] : [START];
      else {
        const linked = previous.filter((p) => edges.has(`${p}\u0000${v.node}`));
        from = linked.length > 0 ? [...new Set(linked)] : [...new Set(previous)];
      }
      out.push({ step: v.step, node: v.node, span_id: v.spanId, from });
    }
    return out;
  }
}

/** LangGraph's `Command({ resume })` as a graph's input: the invocation resumes an interrupt. */
export function isResumeCommand(input: unknown): boolean {
  if (input === null || typeof input !== 'object') return false;
  const o = input as { lg_name?: unknown; resume?: unknown };
  return o.lg_name === 'Command' && o.resume !== undefined;
}

/** Threads and traces remembered, at most (oldest forgotten first). */
const MAX_REMEMBERED = 10_000;

/** A map of the most recently set keys, bounded. */
class RecentMap<V> {
  private readonly map = new Map<string, V>();

  get(key: string): V | undefined {
    return this.map.get(key);
  }

  set(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > MAX_REMEMBERED) {
      const oldest = this.map.keys().next().value;
      if (oldest !== undefined) this.map.delete(oldest);
    }
  }

  delete(key: string): void {
    this.map.delete(key);
  }
}

/** The last interrupted trace of each thread, so the invocation that resumes it can link back. */
export class InterruptedThreads {
  private readonly byThread = new RecentMap<{ traceId: string; spanId: string }>();

  remember(thread: string, traceId: string, spanId: string): void {
    this.byThread.set(thread, { traceId, spanId });
  }

  /** The interrupted trace a resume of `thread` continues; forgotten once taken. */
  take(thread: string): { traceId: string; spanId: string } | undefined {
    const hit = this.byThread.get(thread);
    this.byThread.delete(thread);
    return hit;
  }
}

/** A running count per trace id (several graph invocations can share one trace). */
export class TraceCounters {
  private readonly counts = new RecentMap<number>();

  /** Adds `n` to the trace's count and returns the new total. */
  add(traceId: string, n: number): number {
    const total = (this.counts.get(traceId) ?? 0) + n;
    this.counts.set(traceId, total);
    return total;
  }
}
