import { AgentMetadataKey, errorMessage, type LiveSpan, updateTrace } from '@graphtrace/core';
import {
  GraphRun,
  InterruptedThreads,
  isResumeCommand,
  PATH_ATTRIBUTE,
  PATH_DROPPED_ATTRIBUTE,
  TraceCounters,
} from './graph-run.js';
import { GRAPH_ATTRIBUTE, type GraphTopology, topologyOfRun } from './graph-topology.js';
import { type Obj, type RunRecord, threadOf } from './run-record.js';

/** Per-trace count of LangGraph node executions; core rolls it up into `agent.steps`. */
export const STEPS_METADATA_KEY = AgentMetadataKey.STEPS;
/** Span attribute and trace metadata key of interrupted and of resumed invocations. */
export const INTERRUPTED_ATTRIBUTE = 'langgraph.interrupted';
const RESUMED_ATTRIBUTE = 'langgraph.resumed';
/** Trace metadata: the interrupted trace a resumed invocation continues. */
const RESUMED_FROM_METADATA = 'langgraph.resumed_from';
/** Span attribute of a node that runs a compiled subgraph: the subgraph's name. */
const SUBGRAPH_ATTRIBUTE = 'langgraph.subgraph';

/**
 * What autolog records that only LangGraph has: each graph's topology and the path an
 * invocation took, subgraph nodes folded into one span, node executions per trace, and the link
 * from a resumed invocation to the interrupted one.
 */
export class LangGraphFacts {
  private readonly interruptedThreads = new InterruptedThreads();
  private readonly stepsOfTrace = new TraceCounters();

  constructor(private readonly report: (kind: string, message: string) => void) {}

  /** A graph run starts: its topology, and for `Command({ resume })` the link back. */
  startGraph(
    record: RunRecord,
    span: LiveSpan,
    chain: unknown,
    inputs: unknown,
    metadata: Obj | undefined,
  ): void {
    const resumed = isResumeCommand(inputs);
    record.graphRun = new GraphRun(this.topologyOf(chain), resumed);
    if (!resumed || !span.isRecording()) return;
    // The invocation continues an interrupted one of the same thread: link the two traces.
    span.setAttribute(RESUMED_ATTRIBUTE, true);
    updateTrace(span, { metadata: { [RESUMED_ATTRIBUTE]: 'true' } });
    const thread = threadOf(metadata);
    const from = thread === undefined ? undefined : this.interruptedThreads.take(thread);
    if (!from) return;
    span.addLink({ traceId: from.traceId, spanId: from.spanId, attributes: { reason: 'resume' } });
    updateTrace(span, { metadata: { [RESUMED_FROM_METADATA]: from.traceId } });
  }

  /**
   * A compiled graph added as a node runs as the node's run and, inside it, the graph's own
   * run of the same work: one span, the node's, carries both (the graph's name, topology, path
   * and agent type). `record` is the graph's run, tracked on the node's span.
   */
  foldSubgraph(record: RunRecord, span: LiveSpan, chain: unknown, name: string): void {
    record.borrowed = true;
    record.graphRun = new GraphRun(this.topologyOf(chain), false);
    if (span.isRecording()) span.setAttribute(SUBGRAPH_ATTRIBUTE, name);
  }

  /** A graph run ends: its topology (shared across traces) and its path. */
  finishGraph(span: LiveSpan, run: GraphRun): void {
    if (!span.isRecording()) return;
    if (run.topology) span.setPayload(GRAPH_ATTRIBUTE, run.topology, { immutable: true });
    const path = run.path();
    if (path.length > 0) span.setAttribute(PATH_ATTRIBUTE, path);
    if (run.droppedSteps > 0) span.setAttribute(PATH_DROPPED_ATTRIBUTE, run.droppedSteps);
  }

  /** The trace's outermost run ends: node executions counted, an interrupt remembered. */
  finishTop(top: RunRecord, span: LiveSpan): void {
    if (!span.isRecording()) return;
    if (top.steps > 0) {
      const steps = this.stepsOfTrace.add(span.traceId, top.steps);
      updateTrace(span, { metadata: { [STEPS_METADATA_KEY]: String(steps) } });
    }
    if (!top.interrupted) return;
    span.setAttribute(INTERRUPTED_ATTRIBUTE, true);
    updateTrace(span, { metadata: { [INTERRUPTED_ATTRIBUTE]: 'true' } });
    if (top.thread !== undefined)
      this.interruptedThreads.remember(top.thread, span.traceId, span.spanId);
  }

  private topologyOf(chain: unknown): GraphTopology | null {
    return topologyOfRun(chain, (err) =>
      this.report(
        'topology',
        `autolog: could not read the graph's nodes and edges: ${errorMessage(err)}`,
      ),
    );
  }
}
