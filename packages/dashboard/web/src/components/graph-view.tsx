import { Graph, layout } from '@dagrejs/dagre';
import { useMemo } from 'preact/hooks';
import '../graph.css';
import {
  END,
  edgeKey,
  type PathStep,
  START,
  summarizePath,
  type TracedGraph,
} from '../graph-data.js';
import { href } from '../router.js';

/*
 * A LangGraph graph as autolog recorded it, drawn with the path one invocation took: nodes it
 * ran are filled (with their run count), edges it took are drawn bold (with their count), the
 * rest stay faint. Each node and each step of the path links to its span in the tree. Layout
 * by dagre, the layered layout LangGraph's own drawings use.
 */

const NODE_H = 34;
const CHAR_W = 7.2;
const PAD = 24;

interface Placed {
  nodes: { id: string; x: number; y: number; w: number; h: number }[];
  edges: {
    source: string;
    target: string;
    conditional: boolean;
    points: { x: number; y: number }[];
  }[];
  width: number;
  height: number;
}

function place(graph: TracedGraph): Placed {
  const g = new Graph({ multigraph: false });
  g.setGraph({ rankdir: 'TB', nodesep: 28, ranksep: 44, marginx: PAD, marginy: PAD });
  g.setDefaultEdgeLabel(() => ({}));
  for (const id of graph.nodes) {
    const terminal = id === START || id === END;
    g.setNode(id, { width: terminal ? 70 : Math.max(80, id.length * CHAR_W + 28), height: NODE_H });
  }
  for (const e of graph.edges) g.setEdge(e.source, e.target);
  layout(g);
  const conditional = new Set(
    graph.edges.filter((e) => e.conditional).map((e) => edgeKey(e.source, e.target)),
  );
  const label = g.graph();
  return {
    nodes: g.nodes().map((id) => {
      const n = g.node(id);
      return { id, x: n.x, y: n.y, w: n.width, h: n.height };
    }),
    edges: g.edges().map((e) => ({
      source: e.v,
      target: e.w,
      conditional: conditional.has(edgeKey(e.v, e.w)),
      points: g.edge(e).points ?? [],
    })),
    width: label.width ?? 0,
    height: label.height ?? 0,
  };
}

function edgePath(points: { x: number; y: number }[]): string {
  return points
    .map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`)
    .join(' ');
}

const spanLink = (traceId: string, spanId: string) =>
  href(['traces', traceId], { view: 'tree', span: spanId });

function stepTitle(p: PathStep): string {
  return `step ${p.step}${p.from.length > 0 ? ` ← ${p.from.join(', ')}` : ' (resumed here)'}`;
}

export function GraphDrawing({ traceId, graph }: { traceId: string; graph: TracedGraph }) {
  const finished =
    graph.span.status.code !== 'ERROR' && graph.span.attributes['langgraph.interrupted'] !== true;
  const placed = useMemo(() => place(graph), [graph]);
  // One page may draw several graphs: marker ids must not collide.
  const markerId = `graph-arrow-${graph.span.spanId}`;
  const { visits, traversed } = useMemo(() => summarizePath(graph, finished), [graph, finished]);
  return (
    <figure class="graph-figure">
      <svg
        class="graph-svg"
        width={placed.width}
        height={placed.height}
        viewBox={`0 0 ${placed.width} ${placed.height}`}
        role="img"
        aria-label={`Graph ${graph.span.name}: ${graph.nodes.length} nodes, ${graph.path.length} steps run`}
      >
        <defs>
          {(['plain', 'taken'] as const).map((kind) => (
            <marker
              key={kind}
              id={`${markerId}-${kind}`}
              viewBox="0 0 10 10"
              refX="9"
              refY="5"
              markerWidth="7"
              markerHeight="7"
              orient="auto-start-reverse"
            >
              <path class={`graph-arrow-head ${kind}`} d="M0,0 L10,5 L0,10 z" />
            </marker>
          ))}
        </defs>
        {placed.edges.map((e) => {
          const count = traversed.get(edgeKey(e.source, e.target)) ?? 0;
          const mid = e.points[Math.floor(e.points.length / 2)];
          return (
            <g
              key={edgeKey(e.source, e.target)}
              class={`graph-edge${count > 0 ? ' taken' : ''}${e.conditional ? ' conditional' : ''}`}
              data-edge={`${e.source}>${e.target}`}
              data-count={count}
            >
              <path
                d={edgePath(e.points)}
                marker-end={`url(#${markerId}-${count > 0 ? 'taken' : 'plain'})`}
              />
              {count > 1 && mid ? (
                <text x={mid.x + 6} y={mid.y} class="graph-edge-count">
                  ×{count}
                </text>
              ) : null}
            </g>
          );
        })}
        {placed.nodes.map((n) => {
          const runs = visits.get(n.id) ?? [];
          const terminal = n.id === START || n.id === END;
          const last = runs.at(-1);
          const body = (
            <>
              <rect
                x={n.x - n.w / 2}
                y={n.y - n.h / 2}
                width={n.w}
                height={n.h}
                rx={terminal ? n.h / 2 : 6}
              />
              <text x={n.x} y={n.y + 4} text-anchor="middle">
                {terminal ? n.id.replace(/__/g, '') : n.id}
                {runs.length > 1 ? ` ×${runs.length}` : ''}
              </text>
            </>
          );
          return (
            <g
              key={n.id}
              class={`graph-node${runs.length > 0 ? ' ran' : ''}${terminal ? ' terminal' : ''}`}
              data-node={n.id}
              data-runs={runs.length}
            >
              {last?.spanId ? (
                <a href={spanLink(traceId, last.spanId)}>
                  <title>{`${n.id}: ran ${runs.length}× (${runs.map(stepTitle).join('; ')}). Open its span.`}</title>
                  {body}
                </a>
              ) : (
                body
              )}
            </g>
          );
        })}
      </svg>
      {graph.truncated ? (
        <figcaption class="muted small">
          Only the first nodes and edges of this large graph were recorded.
        </figcaption>
      ) : null}
    </figure>
  );
}

function PathList({ traceId, graph }: { traceId: string; graph: TracedGraph }) {
  if (graph.path.length === 0) return <p class="muted small">No node of this graph ran.</p>;
  return (
    <ol class="graph-path">
      {graph.path.map((p, i) => (
        <li key={`${p.spanId}-${i}`} data-step={p.step}>
          <span class="muted small">step {p.step}</span>{' '}
          {p.spanId ? <a href={spanLink(traceId, p.spanId)}>{p.node}</a> : p.node}
          <span class="muted small">
            {p.from.length > 0 ? ` ← ${p.from.join(', ')}` : ' ← resumed'}
          </span>
        </li>
      ))}
      {graph.droppedSteps > 0 ? (
        <li class="muted small">… and {graph.droppedSteps} more steps (not recorded)</li>
      ) : null}
    </ol>
  );
}

/** Each graph of the trace (the root graph, then subgraphs run as nodes) with its path. */
export default function GraphView({ traceId, graphs }: { traceId: string; graphs: TracedGraph[] }) {
  return (
    <div class="graph-view">
      {graphs.map((g, i) => (
        <section key={g.span.spanId} class="graph-section" data-graph-span={g.span.spanId}>
          <h3>
            {i === 0 ? g.span.name : `Subgraph ${g.span.name}`}{' '}
            <span class="muted small" title="Hash of the graph's nodes and edges">
              {g.version ? `version ${g.version}` : ''}
            </span>
          </h3>
          <div class="graph-layout">
            <GraphDrawing traceId={traceId} graph={g} />
            <PathList traceId={traceId} graph={g} />
          </div>
        </section>
      ))}
    </div>
  );
}
