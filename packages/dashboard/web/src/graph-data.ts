import type { SpanView } from '../../src/api/types.js';

/*
 * The LangGraph facts autolog records on graph spans: `langgraph.graph` (the compiled graph's
 * nodes and edges) and `langgraph.path` (each node execution: step, node, span, the nodes
 * whose edges led there). Read defensively: any store may hold spans written by other tools.
 */

export interface GraphEdge {
  source: string;
  target: string;
  conditional: boolean;
}

export interface PathStep {
  step: number;
  node: string;
  spanId: string;
  from: string[];
}

export interface TracedGraph {
  /** The span that ran the graph (the root graph, or a node running a subgraph). */
  span: SpanView;
  version: string;
  nodes: string[];
  edges: GraphEdge[];
  truncated: boolean;
  path: PathStep[];
  /** Path steps beyond the recorded bound. */
  droppedSteps: number;
}

export const START = '__start__';
export const END = '__end__';

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object';
const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

function graphOf(span: SpanView): TracedGraph | null {
  const g = span.attributes['langgraph.graph'];
  if (!isObj(g)) return null;
  const nodes = strings(g.nodes);
  if (nodes.length === 0) return null;
  const known = new Set(nodes);
  const edges = (Array.isArray(g.edges) ? g.edges : [])
    .filter(isObj)
    .map((e) => ({
      source: String(e.source),
      target: String(e.target),
      conditional: e.conditional === true,
    }))
    .filter((e) => known.has(e.source) && known.has(e.target));
  const path = (
    Array.isArray(span.attributes['langgraph.path']) ? span.attributes['langgraph.path'] : []
  )
    .filter(isObj)
    .filter((p) => typeof p.node === 'string')
    .map((p) => ({
      step: typeof p.step === 'number' ? p.step : 0,
      node: p.node as string,
      spanId: typeof p.span_id === 'string' ? p.span_id : '',
      from: strings(p.from),
    }));
  const dropped = span.attributes['langgraph.path_dropped'];
  return {
    span,
    version: typeof g.version === 'string' ? g.version : '',
    nodes,
    edges,
    truncated: g.truncated === true,
    path,
    droppedSteps: typeof dropped === 'number' ? dropped : 0,
  };
}

/** Every graph the trace ran, outermost first (spans come in tree order). */
export function tracedGraphs(spans: readonly SpanView[]): TracedGraph[] {
  const out: TracedGraph[] = [];
  for (const s of spans) {
    const g = graphOf(s);
    if (g) out.push(g);
  }
  return out;
}

export interface PathSummary {
  /** Node → its executions in order. */
  visits: Map<string, PathStep[]>;
  /** `source→target` → times the invocation went along that edge. */
  traversed: Map<string, number>;
}

export const edgeKey = (source: string, target: string) => `${source}\u0000${target}`;

/**
 * Which nodes ran and which edges were taken. The edge into `__end__` counts as taken when the
 * graph finished: its last step's nodes that have one.
 */
export function summarizePath(graph: TracedGraph, finished: boolean): PathSummary {
  const visits = new Map<string, PathStep[]>();
  const traversed = new Map<string, number>();
  const bump = (k: string) => traversed.set(k, (traversed.get(k) ?? 0) + 1);
  for (const p of graph.path) {
    visits.set(p.node, [...(visits.get(p.node) ?? []), p]);
    for (const f of p.from) bump(edgeKey(f, p.node));
  }
  const last = graph.path.at(-1);
  if (finished && last) {
    const ends = new Set(graph.edges.filter((e) => e.target === END).map((e) => e.source));
    for (const p of graph.path)
      if (p.step === last.step && ends.has(p.node)) bump(edgeKey(p.node, END));
  }
  return { visits, traversed };
}
