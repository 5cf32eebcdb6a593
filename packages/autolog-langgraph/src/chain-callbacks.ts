import { type LiveSpan, SpanAttributeKey, SpanType, updateTrace } from '@graphtrace/core';
import { serializedName, toRecordable } from './convert.js';
import { INTERRUPTED_ATTRIBUTE, type LangGraphFacts } from './langgraph-facts.js';
import { recordPayload } from './payload.js';
import type { ChainStartArgs } from './run-args.js';
import type { RunBook } from './run-book.js';
import {
  bubbleUpKind,
  isGraphRun,
  isObj,
  isSubgraphNodeRun,
  newRunRecord,
  type Obj,
  RECENT_INPUTS,
  type RunRecord,
  shallowEqual,
  threadOf,
} from './run-record.js';

/* Chain runs: graphs, their nodes, and the chains inside nodes. */

/**
 * How chains inside a graph node (prompt templates, RunnableSequence, routing lambdas) are
 * recorded: `full` (default, as MLflow's autolog) as spans with their inputs and outputs;
 * `reference` as spans without a copy of the node's state they ran on (`graphtrace.payload_ref`
 * names the node's span, which has it); `off` not at all (model and tool calls under them
 * attach to the node).
 */
export type InternalChains = 'full' | 'reference' | 'off';
export const INTERNAL_CHAINS: readonly InternalChains[] = ['full', 'reference', 'off'];

/** LangChain's tag for runs that tracing UIs hide (LangGraph's `__start__`, for one). */
const HIDDEN_TAG = 'langsmith:hidden';
/** Span attribute of a `reference` internal chain: the span holding the state it ran on. */
const PAYLOAD_REF_ATTRIBUTE = 'graphtrace.payload_ref';

export interface ChainSettings {
  readonly book: RunBook;
  readonly langgraph: LangGraphFacts;
  readonly internalChains: InternalChains;
  /** `mlflow.trace.user` of traces started here, unless a run's metadata has `user_id`. */
  readonly user: string | undefined;
}

/** A chain run starts: a graph, a node of one, a chain inside a node, or a chain on its own. */
export function startChain(
  settings: ChainSettings,
  chain: unknown,
  inputs: unknown,
  runId: string,
  a: ChainStartArgs,
): void {
  const { book, langgraph, internalChains } = settings;
  if (book.isDuplicate(runId, a.parentRunId)) return;
  const parent = book.parentOf(a.parentRunId);
  const isGraph = isGraphRun(chain);
  // A hidden run is dropped only inside a traced run: a hidden root would scatter its
  // children over separate traces.
  if (parent && a.tags?.includes(HIDDEN_TAG)) {
    book.track(newRunRecord(runId, parent, null, 'chain', isGraph));
    return;
  }
  const name = a.runName ?? serializedName(chain, 'chain');
  if (isGraph && parent?.subgraphNode && parent.span) {
    const graph = book.track(newRunRecord(runId, parent, parent.span, 'chain', true));
    langgraph.foldSubgraph(graph, parent.span, chain, name);
    return;
  }
  const isNode = parent?.graphRun != null && a.metadata?.langgraph_node === name;
  // Chains inside a node (prompt, RunnableSequence, routing lambdas) run on the node's state.
  const internal = !isGraph && !isNode && parent?.graph != null;
  if (internal && internalChains === 'off') {
    book.track(newRunRecord(runId, parent, null, 'chain', false));
    return;
  }
  const span = book.startSpan(parent, name, SpanType.CHAIN);
  const record = book.track(newRunRecord(runId, parent, span, 'chain', isGraph));
  if (isNode && parent?.graphRun) {
    record.top.steps++;
    record.node = record;
    parent.graphRun.addNode(a.metadata?.langgraph_step, name, span.spanId);
    record.subgraphNode = isSubgraphNodeRun(chain);
  }
  if (internal && internalChains === 'reference') {
    record.payloadRef = record.node?.span?.spanId ?? parent?.anchor?.spanId ?? null;
    if (record.payloadRef && span.isRecording())
      span.setAttribute(PAYLOAD_REF_ATTRIBUTE, record.payloadRef);
  }
  if (record.top === record) labelTrace(record, span, a.metadata, settings.user);
  if (isGraph) langgraph.startGraph(record, span, chain, inputs, a.metadata);
  if (span.isRecording()) {
    if (span.logsPrompts && !record.payloadRef) recordChainInputs(span, record.top, inputs);
    // Runs inherit their node's metadata unchanged (plus LangSmith's model params, which
    // `mlflow.llm.model` and `invocation_params` already show): record it on graphs and
    // nodes only, not again on every chain, model and tool call inside them.
    if (a.metadata && (!parent || parent.isGraph || isGraph))
      recordPayload(span, 'metadata', a.metadata);
  }
}

/** A chain run ends: its outputs (and its inputs, when LangChain only gives them now). */
export function recordChainEnd(record: RunRecord, outputs: unknown, inputs: unknown): void {
  const span = record.borrowed || record.payloadRef ? null : record.span;
  if (!span?.isRecording() || !span.logsPrompts) return;
  if (inputs !== undefined && span.inputs === undefined)
    recordPayload(span, SpanAttributeKey.INPUTS, inputs);
  if (outputs !== undefined) recordPayload(span, SpanAttributeKey.OUTPUTS, outputs);
}

/** A chain run throws: an error, or one of LangGraph's interrupts and parent commands. */
export function recordChainError(record: RunRecord, err: unknown): void {
  const bubble = bubbleUpKind(err);
  if (bubble === 'interrupt') record.top.interrupted = true;
  // A folded subgraph's error reaches its node's run too, which records it once.
  const span = record.borrowed ? null : record.span;
  if (!span?.isRecording()) return;
  if (bubble === 'interrupt') {
    // An interrupt pauses the graph for human input: a normal outcome, not a failure.
    const interrupts = (err as { interrupts?: unknown }).interrupts;
    span.addEvent(
      'interrupt',
      span.logsPrompts && interrupts !== undefined ? { interrupts: toRecordable(interrupts) } : {},
    );
    span.setAttribute(INTERRUPTED_ATTRIBUTE, true);
  } else if (bubble === 'command') {
    span.addEvent('parent_command', {});
  } else {
    span.recordException(err);
  }
}

/**
 * Chains inside a node usually receive the node's state again (a sequence and its first step,
 * say), as the same object or a shallow copy of it. That state holds the whole conversation:
 * inputs shallow-equal to inputs recorded just before in the trace are recorded as those,
 * whose sanitized form core keeps (recorded values are never changed).
 */
function recordChainInputs(span: LiveSpan, top: RunRecord, inputs: unknown): void {
  const same = top.recentInputs.find((r) => shallowEqual(r, inputs));
  recordPayload(span, SpanAttributeKey.INPUTS, same ?? inputs, isObj(inputs));
  if (same || !isObj(inputs)) return;
  top.recentInputs.unshift(inputs);
  if (top.recentInputs.length > RECENT_INPUTS) top.recentInputs.pop();
}

/** The trace's session (LangGraph's thread id) and user. */
function labelTrace(
  top: RunRecord,
  span: LiveSpan,
  metadata: Obj | undefined,
  defaultUser: string | undefined,
): void {
  top.thread = threadOf(metadata);
  const user = metadata?.user_id ?? defaultUser;
  updateTrace(span, {
    ...(top.thread !== undefined ? { session: top.thread } : {}),
    ...(typeof user === 'string' || typeof user === 'number' ? { user: String(user) } : {}),
  });
}
