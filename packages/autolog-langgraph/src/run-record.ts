import type { LiveSpan } from '@graphtrace/core';
import type { GraphRun } from './graph-run.js';

/* What the callback handler keeps per LangChain run, and the checks it makes on runs. */

export type Obj = Record<string, unknown>;
export type RunKind = 'chain' | 'llm' | 'tool' | 'retriever';

export interface RunRecord {
  readonly runId: string;
  readonly span: LiveSpan | null;
  /** Where children attach: the run's own span, or for hidden runs the nearest visible one. */
  readonly anchor: LiveSpan | null;
  readonly kind: RunKind;
  readonly isGraph: boolean;
  /** The nearest enclosing LangGraph graph run (this run, when it is one). */
  readonly graph: RunRecord | null;
  /** This handler's outermost run of the trace: it owns steps, session and the final sweep. */
  top: RunRecord;
  /** On `top`: runs of the trace still open. */
  open: Set<RunRecord> | null;
  steps: number;
  sawModel: boolean;
  agentic: boolean;
  model: string | undefined;
  tokens: number;
  /** On graph runs: the graph's topology and the path this invocation took. */
  graphRun: GraphRun | null;
  /** A node whose runnable is a compiled subgraph: the subgraph's run shares its span. */
  subgraphNode: boolean;
  /** A subgraph run folded into its node's span (see `subgraphNode`): the node ends it. */
  borrowed: boolean;
  /** The graph node run this run is part of (itself for a node). */
  node: RunRecord | null;
  /** `reference` internal chains: the span whose state they ran on, instead of a payload copy. */
  payloadRef: string | null;
  /** On `top`: the last chain inputs recorded in the trace (see `recordChainInputs`). */
  recentInputs: object[];
  /** On `top`: some run of the trace was interrupted; and the trace's thread id. */
  interrupted: boolean;
  thread: string | undefined;
}

/**
 * A new run's record, under `parent` (if any) and on `span` (null for runs without their own
 * span: hidden runs, and internal chains when they are off).
 */
export function newRunRecord(
  runId: string,
  parent: RunRecord | undefined,
  span: LiveSpan | null,
  kind: RunKind,
  isGraph: boolean,
): RunRecord {
  const anchor = span ?? parent?.anchor ?? null;
  // A run whose span landed in another trace than its LangChain parent's (never expected) starts
  // its own book-keeping rather than mixing counters across traces.
  const sameTrace = parent && (!span || !parent.anchor || parent.anchor.traceId === span.traceId);
  const record: RunRecord = {
    runId,
    span,
    anchor,
    kind,
    isGraph,
    graph: isGraph ? null : (parent?.graph ?? null),
    top: undefined as unknown as RunRecord,
    open: null,
    steps: 0,
    sawModel: false,
    agentic: false,
    model: undefined,
    tokens: 0,
    recentInputs: [],
    graphRun: null,
    node: parent?.node ?? null,
    payloadRef: null,
    subgraphNode: false,
    borrowed: false,
    interrupted: false,
    thread: undefined,
  };
  if (isGraph) (record as { graph: RunRecord }).graph = record;
  if (parent && sameTrace) {
    record.top = parent.top;
  } else {
    record.top = record;
    record.open = new Set();
  }
  return record;
}

export const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object';

/** LangGraph's `thread_id` (LangChain copies `configurable` into run metadata). */
export function threadOf(metadata: Obj | undefined): string | undefined {
  const id = metadata?.thread_id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
}

/** Chain inputs remembered per trace for sharing (see `recordChainInputs`). */
export const RECENT_INPUTS = 4;

/** Same object, or plain objects/arrays holding the very same values. */
export function shallowEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (!isObj(a) || !isObj(b)) return false;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((v, i) => v === b[i]);
  }
  const proto = Object.getPrototypeOf(a);
  if ((proto !== Object.prototype && proto !== null) || Object.getPrototypeOf(b) !== proto)
    return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (a[k] !== b[k]) return false;
  return true;
}

/** A graph node whose runnable is a compiled graph (`addNode('name', compiledSubgraph)`). */
export function isSubgraphNodeRun(serialized: unknown): boolean {
  const kwargs = isObj(serialized) ? serialized.kwargs : undefined;
  const first = isObj(kwargs) ? kwargs.first : undefined;
  // The sequence's steps are the runnables themselves (JSON.stringify serializes them later).
  return isObj(first) && (first.lg_is_pregel === true || isGraphRun(first));
}

export function isGraphRun(serialized: unknown): boolean {
  const id = isObj(serialized) ? serialized.id : undefined;
  if (!Array.isArray(id)) return false;
  const last = id[id.length - 1];
  return (
    (id.includes('pregel') && id[0] === 'langgraph') ||
    (typeof last === 'string' && /^Compiled\w*Graph$|^Pregel$/.test(last))
  );
}

/** LangGraph's control-flow "errors" (interrupts, commands to a parent graph). */
export function bubbleUpKind(err: unknown): 'interrupt' | 'command' | null {
  if (!isObj(err)) return null;
  const name = (err as { name?: unknown }).name;
  if (name === 'GraphInterrupt' || name === 'NodeInterrupt') return 'interrupt';
  if (name === 'ParentCommand') return 'command';
  return (err as { is_bubble_up?: unknown }).is_bubble_up === true ? 'command' : null;
}
