import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { Serializable } from '@langchain/core/load/serializable';

/** A compiled LangGraph graph's shape, as recorded on its span (`langgraph.graph`). */
export interface GraphTopology {
  /** Short hash of nodes and edges: equal for invocations of the same graph version. */
  readonly version: string;
  readonly nodes: readonly string[];
  readonly edges: readonly GraphEdge[];
  /** Present when the graph had more nodes or edges than are kept. */
  readonly truncated?: true;
}

export interface GraphEdge {
  readonly source: string;
  readonly target: string;
  readonly conditional?: true;
}

/** Span attribute holding the topology of the graph the span ran. */
export const GRAPH_ATTRIBUTE = 'langgraph.graph';

// Bounds: a generated graph can be arbitrarily large; the drawing needs its shape, not all of it.
const MAX_NODES = 500;
const MAX_EDGES = 2000;
const MAX_ID_CHARS = 200;

/** Serialized forms LangGraph passed to `handleChainStart`, mapped back to their graph. */
const graphOfSerialized = new WeakMap<object, object>();
const topologyOfGraph = new WeakMap<object, GraphTopology | null>();
let installed = false;

type ToJson = (this: unknown) => unknown;

function wrapToJson(proto: { toJSON: ToJson } | undefined): void {
  if (!proto || typeof proto.toJSON !== 'function') return;
  const original = proto.toJSON;
  if ((original as { graphtrace?: true }).graphtrace) return;
  const wrapped = function toJSON(this: unknown): unknown {
    const out = original.call(this);
    // A compiled graph is serialized exactly when it reports its own run to the callbacks:
    // remembering which graph made the object is how the handler learns the graph's shape.
    if (
      out !== null &&
      typeof out === 'object' &&
      (this as { lg_is_pregel?: unknown })?.lg_is_pregel === true
    )
      graphOfSerialized.set(out, this as object);
    return out;
  };
  (wrapped as { graphtrace?: true }).graphtrace = true;
  proto.toJSON = wrapped;
}

/**
 * Lets the handler see the compiled graph behind a graph run. LangChain callbacks get only the
 * graph's serialized form, so `Serializable.prototype.toJSON` of @langchain/core (the ES module
 * and, when present, the CommonJS copy an app may `require`) remembers which graph produced it.
 * Once per process; the wrapper returns exactly what the original returns.
 */
export function installGraphCapture(): void {
  if (installed) return;
  installed = true;
  wrapToJson(Serializable.prototype as unknown as { toJSON: ToJson });
  try {
    const cjs = createRequire(import.meta.url)('@langchain/core/load/serializable') as {
      Serializable?: { prototype: { toJSON: ToJson } };
    };
    wrapToJson(cjs.Serializable?.prototype);
  } catch {
    // No CommonJS build of @langchain/core: nothing else to wrap.
  }
}

const clip = (s: string) => (s.length > MAX_ID_CHARS ? s.slice(0, MAX_ID_CHARS) : s);

function computeTopology(graph: object): GraphTopology | null {
  const getGraph = (graph as { getGraph?: (o?: object) => unknown }).getGraph;
  if (typeof getGraph !== 'function') return null;
  const drawn = getGraph.call(graph, { xray: false }) as {
    nodes?: Record<string, { id?: unknown }>;
    edges?: { source?: unknown; target?: unknown; conditional?: unknown }[];
  };
  const allNodes = Object.values(drawn?.nodes ?? {}).map((n) => String(n.id));
  const allEdges = Array.isArray(drawn?.edges) ? drawn.edges : [];
  const nodes = allNodes.slice(0, MAX_NODES).map(clip);
  const edges: GraphEdge[] = allEdges.slice(0, MAX_EDGES).map((e) => ({
    source: clip(String(e.source)),
    target: clip(String(e.target)),
    ...(e.conditional === true ? { conditional: true as const } : {}),
  }));
  const version = createHash('sha256')
    .update(JSON.stringify([nodes, edges]))
    .digest('hex')
    .slice(0, 12);
  const truncated = allNodes.length > MAX_NODES || allEdges.length > MAX_EDGES;
  return { version, nodes, edges, ...(truncated ? { truncated: true as const } : {}) };
}

/**
 * The topology of the graph whose run `serialized` announced; computed once per compiled
 * graph. Null when the graph is unknown (a copy of @langchain/core not wrapped) or cannot be
 * drawn; `onError` hears why.
 */
export function topologyOfRun(
  serialized: unknown,
  onError: (err: unknown) => void,
): GraphTopology | null {
  if (serialized === null || typeof serialized !== 'object') return null;
  const graph = graphOfSerialized.get(serialized);
  if (!graph) return null;
  const cached = topologyOfGraph.get(graph);
  if (cached !== undefined) return cached;
  let topology: GraphTopology | null = null;
  try {
    topology = computeTopology(graph);
  } catch (err) {
    onError(err);
  }
  topologyOfGraph.set(graph, topology);
  return topology;
}
