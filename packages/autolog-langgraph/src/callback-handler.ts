import {
  errorMessage,
  GraphtraceError,
  getCurrentActiveSpan,
  type LiveSpan,
  type Logger,
  SpanAttributeKey,
  SpanType,
  type Tracker,
  updateTrace,
} from '@graphtrace/core';
import { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import {
  chatCompletionOf,
  generationsOf,
  modelNameOf,
  modelProviderOf,
  parseToolInput,
  serializedName,
  textCompletionOf,
  tokenUsageOf,
  toMlflowDocument,
  toolDefinitions,
  toRecordable,
} from './convert.js';
import { installGraphCapture } from './graph-topology.js';
import { INTERRUPTED_ATTRIBUTE, LangGraphFacts, STEPS_METADATA_KEY } from './langgraph-facts.js';
import {
  addRunSpanSource,
  chooseParent,
  type RunSpanSource,
  removeRunSpanSource,
} from './parent-span.js';
import { recordPayload } from './payload.js';
import { chainStartArgs } from './run-args.js';
import { claimRun, isDuplicateStart, releaseRun } from './run-claims.js';
import {
  bubbleUpKind,
  isGraphRun,
  isObj,
  isSubgraphNodeRun,
  type Obj,
  RECENT_INPUTS,
  type RunKind,
  type RunRecord,
  shallowEqual,
  threadOf,
} from './run-record.js';

/** LangChain dedupes handlers by name, so a second registration never doubles the spans. */
export const HANDLER_NAME = 'graphtrace_autolog';

export { STEPS_METADATA_KEY };

/** LangChain's tag for runs that tracing UIs hide (LangGraph's `__start__`, for one). */
const HIDDEN_TAG = 'langsmith:hidden';

/** Span attribute of a `reference` internal chain: the span holding the state it ran on. */
const PAYLOAD_REF_ATTRIBUTE = 'graphtrace.payload_ref';
const DEFAULT_MAX_TOKEN_EVENTS = 200;
const MAX_OPEN_RUNS = 100_000;

/**
 * How chains inside a graph node (prompt templates, RunnableSequence, routing lambdas) are
 * recorded: `full` (default, as MLflow's autolog) as spans with their inputs and outputs;
 * `reference` as spans without a copy of the node's state they ran on (`graphtrace.payload_ref`
 * names the node's span, which has it); `off` not at all (model and tool calls under them
 * attach to the node).
 */
export type InternalChains = 'full' | 'reference' | 'off';
export const INTERNAL_CHAINS: readonly InternalChains[] = ['full', 'reference', 'off'];

export interface GraphtraceCallbackHandlerOptions {
  /** `mlflow.trace.user` of traces this handler starts, unless a run's metadata has `user_id`. */
  user?: string;
  /** Streamed tokens recorded as `new_token` span events per model call, at most. Default 200. */
  maxTokenEvents?: number;
  /** Chains inside graph nodes: `full` (default), `reference` or `off` (see `InternalChains`). */
  recordInternalChains?: InternalChains;
}

/**
 * A LangChain callback handler that records every run (graph, node, chain, chat model, LLM,
 * tool, retriever) as an MLflow span through a graphtrace `Tracker`. Spans nest by LangChain's
 * `parentRunId`, never by ambient context, so concurrent invocations never mix. Every callback
 * catches its own errors and reports them through the tracker's logger.
 */
export class GraphtraceCallbackHandler extends BaseCallbackHandler implements RunSpanSource {
  name = HANDLER_NAME;
  /** Callbacks run inline, so a trace is complete when `invoke` returns (no env var needed). */
  override awaitHandlers = true;
  override raiseError = false;

  readonly tracker: Tracker;
  private readonly logger: Logger;
  private readonly user: string | undefined;
  private readonly maxTokenEvents: number;
  private readonly internalChains: InternalChains;
  private readonly runs = new Map<string, RunRecord>();
  /** This handler's open spans by span id, for walking a span's ancestry. */
  private readonly openSpans = new Map<string, LiveSpan>();
  private readonly reported = new Set<string>();
  private readonly langgraph = new LangGraphFacts((kind, message) => this.report(kind, message));
  private failures = 0;
  /** The last streamed chunk or event recorded: the same one delivered again is no new token. */
  private lastDelivery: object | undefined;
  private active = true;

  constructor(tracker: Tracker, options: GraphtraceCallbackHandlerOptions = {}) {
    super();
    this.tracker = tracker;
    this.logger = tracker.logger;
    this.user = options.user;
    this.maxTokenEvents = options.maxTokenEvents ?? DEFAULT_MAX_TOKEN_EVENTS;
    const chains = options.recordInternalChains ?? 'full';
    if (!INTERNAL_CHAINS.includes(chains)) {
      throw new GraphtraceError(
        'INVALID_ARGUMENT',
        `recordInternalChains must be one of ${INTERNAL_CHAINS.join(', ')}, got ${JSON.stringify(chains)}`,
      );
    }
    this.internalChains = chains;
    installGraphCapture();
  }

  /** LangChain copies handlers into child managers; one instance keeps all runs together. */
  override copy(): this {
    return this;
  }

  /** Whether callbacks are recorded; turning it off ends the spans still open. */
  get enabled(): boolean {
    return this.active;
  }

  setEnabled(enabled: boolean): void {
    this.active = enabled;
    this.ignoreLLM = !enabled;
    this.ignoreChain = !enabled;
    this.ignoreAgent = !enabled;
    this.ignoreRetriever = !enabled;
    this.ignoreCustomEvent = !enabled;
    if (!enabled) this.endAllOpen('autolog was disabled while this run was open');
  }

  /** Runs being recorded right now (for tests and diagnostics). */
  get openRuns(): number {
    return this.runs.size;
  }

  spanOfRun(runId: string): LiveSpan | null {
    return this.runs.get(runId)?.anchor ?? null;
  }

  /** A run delivered twice, or recorded by another handler of the tracker: one span (run-claims). */
  private isDuplicate(runId: string, parentRunId: string | undefined): boolean {
    return isDuplicateStart(this.tracker, this, runId, parentRunId, (id) => this.runs.has(id));
  }

  // ---- chains, graphs and nodes -----------------------------------------------------------

  override handleChainStart(
    chain: unknown,
    inputs: unknown,
    runId: string,
    ...rest: unknown[]
  ): void {
    try {
      if (!this.active) return;
      const a = chainStartArgs(rest);
      if (this.isDuplicate(runId, a.parentRunId)) return;
      const parent = a.parentRunId ? this.runs.get(a.parentRunId) : undefined;
      const isGraph = isGraphRun(chain);
      // A hidden run is dropped only inside a traced run: a hidden root would scatter its
      // children over separate traces.
      if (parent && a.tags?.includes(HIDDEN_TAG)) {
        this.track(runId, parent, null, 'chain', isGraph);
        return;
      }
      const name = a.runName ?? serializedName(chain, 'chain');
      if (isGraph && parent?.subgraphNode && parent.span) {
        const graph = this.track(runId, parent, parent.span, 'chain', true);
        this.langgraph.foldSubgraph(graph, parent.span, chain, name);
        return;
      }
      const isNode = parent?.graphRun != null && a.metadata?.langgraph_node === name;
      // Chains inside a node (prompt, RunnableSequence, routing lambdas) run on the node's state.
      const internal = !isGraph && !isNode && parent?.graph != null;
      if (internal && this.internalChains === 'off') {
        this.track(runId, parent, null, 'chain', false);
        return;
      }
      const span = this.startSpan(parent, name, SpanType.CHAIN);
      const record = this.track(runId, parent, span, 'chain', isGraph);
      if (isNode && parent?.graphRun) {
        record.top.steps++;
        record.node = record;
        parent.graphRun.addNode(a.metadata?.langgraph_step, name, span.spanId);
        record.subgraphNode = isSubgraphNodeRun(chain);
      }
      if (internal && this.internalChains === 'reference') {
        record.payloadRef = record.node?.span?.spanId ?? parent?.anchor?.spanId ?? null;
        if (record.payloadRef && span.isRecording())
          span.setAttribute(PAYLOAD_REF_ATTRIBUTE, record.payloadRef);
      }
      if (record.top === record) this.labelTrace(record, span, a.metadata);
      if (isGraph) this.langgraph.startGraph(record, span, chain, inputs, a.metadata);
      if (span.isRecording()) {
        if (span.logsPrompts && !record.payloadRef)
          this.recordChainInputs(span, record.top, inputs);
        // Runs inherit their node's metadata unchanged (plus LangSmith's model params, which
        // `mlflow.llm.model` and `invocation_params` already show): record it on graphs and
        // nodes only, not again on every chain, model and tool call inside them.
        if (a.metadata && (!parent || parent.isGraph || isGraph))
          recordPayload(span, 'metadata', a.metadata);
      }
    } catch (err) {
      this.fail('handleChainStart', err);
    }
  }

  override handleChainEnd(outputs: unknown, runId: string, ...rest: unknown[]): void {
    try {
      const record = this.runs.get(runId);
      if (!record) return;
      const kwargs = rest[2] as { inputs?: unknown } | undefined;
      const span = record.borrowed || record.payloadRef ? null : record.span;
      if (span?.isRecording() && span.logsPrompts) {
        if (kwargs?.inputs !== undefined && span.inputs === undefined)
          recordPayload(span, SpanAttributeKey.INPUTS, kwargs.inputs);
        if (outputs !== undefined) recordPayload(span, SpanAttributeKey.OUTPUTS, outputs);
      }
      this.finish(runId, record);
    } catch (err) {
      this.fail('handleChainEnd', err);
    }
  }

  override handleChainError(err: unknown, runId: string): void {
    try {
      const record = this.runs.get(runId);
      if (!record) return;
      const bubble = bubbleUpKind(err);
      if (bubble === 'interrupt') record.top.interrupted = true;
      // A folded subgraph's error reaches its node's run too, which records it once.
      const span = record.borrowed ? null : record.span;
      if (span?.isRecording()) {
        if (bubble === 'interrupt') {
          // An interrupt pauses the graph for human input: a normal outcome, not a failure.
          const interrupts = (err as { interrupts?: unknown }).interrupts;
          span.addEvent(
            'interrupt',
            span.logsPrompts && interrupts !== undefined
              ? { interrupts: toRecordable(interrupts) }
              : {},
          );
          span.setAttribute(INTERRUPTED_ATTRIBUTE, true);
        } else if (bubble === 'command') {
          span.addEvent('parent_command', {});
        } else {
          span.recordException(err);
        }
      }
      this.finish(runId, record);
    } catch (e) {
      this.fail('handleChainError', e);
    }
  }

  // ---- models ------------------------------------------------------------------------------

  override handleChatModelStart(
    llm: unknown,
    messages: unknown[][],
    runId: string,
    parentRunId?: string,
    extraParams?: Obj,
    _tags?: string[],
    metadata?: Obj,
    runName?: string,
  ): void {
    try {
      if (!this.active) return;
      this.startModel('chat', llm, runId, parentRunId, extraParams, metadata, runName, () => ({
        messages: messages[0] ?? [],
      }));
    } catch (err) {
      this.fail('handleChatModelStart', err);
    }
  }

  override handleLLMStart(
    llm: unknown,
    prompts: string[],
    runId: string,
    parentRunId?: string,
    extraParams?: Obj,
    _tags?: string[],
    metadata?: Obj,
    runName?: string,
  ): void {
    try {
      if (!this.active) return;
      this.startModel('llm', llm, runId, parentRunId, extraParams, metadata, runName, () => ({
        prompts,
      }));
    } catch (err) {
      this.fail('handleLLMStart', err);
    }
  }

  private startModel(
    kind: 'chat' | 'llm',
    llm: unknown,
    runId: string,
    parentRunId: string | undefined,
    extraParams: Obj | undefined,
    metadata: Obj | undefined,
    runName: string | undefined,
    inputs: () => unknown,
  ): void {
    if (this.isDuplicate(runId, parentRunId)) return;
    const parent = parentRunId ? this.runs.get(parentRunId) : undefined;
    const name = runName ?? serializedName(llm, kind === 'chat' ? 'chat model' : 'llm');
    const span = this.startSpan(parent, name, kind === 'chat' ? SpanType.CHAT_MODEL : SpanType.LLM);
    const record = this.track(runId, parent, span, 'llm', false);
    if (record.graph) record.graph.sawModel = true;
    const invocation = isObj(extraParams?.invocation_params)
      ? (extraParams.invocation_params as Obj)
      : undefined;
    record.model = modelNameOf(metadata, invocation);
    if (!span.isRecording()) return;
    if (span.logsPrompts) recordPayload(span, SpanAttributeKey.INPUTS, inputs());
    if (kind === 'chat') span.setAttribute(SpanAttributeKey.MESSAGE_FORMAT, 'openai');
    if (record.model) span.setAttribute(SpanAttributeKey.MODEL, record.model);
    const provider = modelProviderOf(metadata, invocation);
    if (provider) span.setAttribute(SpanAttributeKey.MODEL_PROVIDER, provider);
    if (invocation) {
      const { tools, ...params } = invocation;
      recordPayload(span, 'invocation_params', params);
      const options = isObj(extraParams?.options) ? extraParams.options : undefined;
      const defs = toolDefinitions(tools ?? options?.tools);
      if (defs.length > 0) span.setPayload(SpanAttributeKey.CHAT_TOOLS, defs, { immutable: true });
    }
  }

  override handleLLMNewToken(
    token: string,
    _idx: unknown,
    runId: string,
    _parentRunId?: string,
    _tags?: string[],
    fields?: unknown,
  ): void {
    try {
      this.token(runId, token, isObj(fields) ? fields : undefined);
    } catch (err) {
      this.fail('handleLLMNewToken', err);
    }
  }

  /** The content-block stream protocol of newer chat models: text deltas count as tokens. */
  override handleChatModelStreamEvent(event: unknown, runId: string): void {
    try {
      if (!isObj(event) || event.event !== 'content-block-delta') return;
      const delta = event.delta;
      if (isObj(delta) && delta.type === 'text-delta' && typeof delta.text === 'string')
        this.token(runId, delta.text, event);
    } catch (err) {
      this.fail('handleChatModelStreamEvent', err);
    }
  }

  private token(runId: string, token: string, delivery: object | undefined): void {
    const record = this.runs.get(runId);
    const span = record?.span;
    if (!record || !span?.isRecording()) return;
    // LangChain passes each handler the same chunk object: seen just now, it is a second delivery.
    if (delivery !== undefined && delivery === this.lastDelivery) return;
    this.lastDelivery = delivery;
    record.tokens++;
    // Keyed `text`, not `token`: core masks attribute keys ending in "token" as secrets.
    if (record.tokens <= this.maxTokenEvents)
      span.addEvent('new_token', span.logsPrompts ? { text: token } : {});
  }

  override handleLLMEnd(output: unknown, runId: string): void {
    try {
      const record = this.runs.get(runId);
      if (!record) return;
      const span = record.span;
      if (span?.isRecording()) {
        const generations = generationsOf(output);
        const usage = tokenUsageOf(output, generations);
        if (usage) span.setAttribute(SpanAttributeKey.CHAT_USAGE, usage);
        if (span.logsPrompts) {
          const isChat = span.spanType === SpanType.CHAT_MODEL;
          recordPayload(
            span,
            SpanAttributeKey.OUTPUTS,
            isChat ? chatCompletionOf(generations, record.model) : textCompletionOf(generations),
          );
        }
        if (record.tokens > this.maxTokenEvents)
          span.setAttribute('graphtrace.droppedTokenEvents', record.tokens - this.maxTokenEvents);
      }
      this.finish(runId, record);
    } catch (err) {
      this.fail('handleLLMEnd', err);
    }
  }

  override handleLLMError(err: unknown, runId: string): void {
    this.failRun('handleLLMError', err, runId);
  }

  // ---- tools and retrievers ------------------------------------------------------------------

  override handleToolStart(
    tool: unknown,
    input: string,
    runId: string,
    parentRunId?: string,
    _tags?: string[],
    _metadata?: Obj,
    runName?: string,
    toolCallId?: string,
  ): void {
    try {
      if (!this.active || this.isDuplicate(runId, parentRunId)) return;
      const parent = parentRunId ? this.runs.get(parentRunId) : undefined;
      const name = runName ?? serializedName(tool, 'tool');
      const span = this.startSpan(parent, name, SpanType.TOOL);
      const record = this.track(runId, parent, span, 'tool', false);
      if (record.graph?.sawModel) record.graph.agentic = true;
      if (!span.isRecording()) return;
      if (span.logsPrompts) recordPayload(span, SpanAttributeKey.INPUTS, parseToolInput(input));
      if (toolCallId) span.setAttribute('tool_call_id', toolCallId);
    } catch (err) {
      this.fail('handleToolStart', err);
    }
  }

  override handleToolEnd(output: unknown, runId: string): void {
    try {
      const record = this.runs.get(runId);
      if (!record) return;
      if (record.span?.isRecording() && record.span.logsPrompts)
        recordPayload(record.span, SpanAttributeKey.OUTPUTS, output);
      this.finish(runId, record);
    } catch (err) {
      this.fail('handleToolEnd', err);
    }
  }

  override handleToolError(err: unknown, runId: string): void {
    this.failRun('handleToolError', err, runId);
  }

  override handleRetrieverStart(
    retriever: unknown,
    query: string,
    runId: string,
    parentRunId?: string,
    _tags?: string[],
    _metadata?: Obj,
    name?: string,
  ): void {
    try {
      if (!this.active || this.isDuplicate(runId, parentRunId)) return;
      const parent = parentRunId ? this.runs.get(parentRunId) : undefined;
      const span = this.startSpan(
        parent,
        name ?? serializedName(retriever, 'retriever'),
        SpanType.RETRIEVER,
      );
      this.track(runId, parent, span, 'retriever', false);
      if (!span.isRecording()) return;
      if (span.logsPrompts) span.setInputs(query);
    } catch (err) {
      this.fail('handleRetrieverStart', err);
    }
  }

  override handleRetrieverEnd(documents: unknown, runId: string): void {
    try {
      const record = this.runs.get(runId);
      if (!record) return;
      if (record.span?.isRecording() && record.span.logsPrompts) {
        record.span.setOutputs(
          Array.isArray(documents) ? documents.map(toMlflowDocument) : documents,
        );
      }
      this.finish(runId, record);
    } catch (err) {
      this.fail('handleRetrieverEnd', err);
    }
  }

  override handleRetrieverError(err: unknown, runId: string): void {
    this.failRun('handleRetrieverError', err, runId);
  }

  /** `dispatchCustomEvent(name, data)` inside a run: an event on that run's span. */
  override handleCustomEvent(eventName: string, data: unknown, runId: string): void {
    try {
      const span = this.runs.get(runId)?.anchor;
      if (span?.isRecording())
        span.addEvent(
          eventName,
          span.logsPrompts && data !== undefined ? { data: toRecordable(data) } : {},
        );
    } catch (err) {
      this.fail('handleCustomEvent', err);
    }
  }

  // ---- book-keeping ---------------------------------------------------------------------------

  private startSpan(parent: RunRecord | undefined, name: string, spanType: string): LiveSpan {
    // Resolvers would only name LangChain runs' spans, which `parent` already places.
    const ambient = getCurrentActiveSpan({ resolvers: false });
    const chosen = chooseParent(parent?.anchor ?? null, ambient, this.openSpans);
    const span = this.tracker.tracer.startSpan({ name, spanType, parent: chosen });
    this.openSpans.set(span.spanId, span);
    return span;
  }

  private track(
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
    if (this.runs.size === 0) addRunSpanSource(this);
    this.runs.set(runId, record);
    claimRun(this.tracker, runId, this);
    return record;
  }

  /**
   * Chains inside a node usually receive the node's state again (a sequence and its first step,
   * say), as the same object or a shallow copy of it. That state holds the whole conversation:
   * inputs shallow-equal to inputs recorded just before in the trace are recorded as those,
   * whose sanitized form core keeps (recorded values are never changed).
   */
  private recordChainInputs(span: LiveSpan, top: RunRecord, inputs: unknown): void {
    const same = top.recentInputs.find((r) => shallowEqual(r, inputs));
    recordPayload(span, SpanAttributeKey.INPUTS, same ?? inputs, isObj(inputs));
    if (same || !isObj(inputs)) return;
    top.recentInputs.unshift(inputs);
    if (top.recentInputs.length > RECENT_INPUTS) top.recentInputs.pop();
  }

  private labelTrace(top: RunRecord, span: LiveSpan, metadata: Obj | undefined): void {
    top.thread = threadOf(metadata);
    const user = metadata?.user_id ?? this.user;
    updateTrace(span, {
      ...(top.thread !== undefined ? { session: top.thread } : {}),
      ...(typeof user === 'string' || typeof user === 'number' ? { user: String(user) } : {}),
    });
  }

  private failRun(method: string, err: unknown, runId: string): void {
    try {
      const record = this.runs.get(runId);
      if (!record) return;
      record.span?.recordException(err);
      this.finish(runId, record);
    } catch (e) {
      this.fail(method, e);
    }
  }

  private forget(runId: string): void {
    const record = this.runs.get(runId);
    if (record?.span && !record.borrowed) this.openSpans.delete(record.span.spanId);
    if (!this.runs.delete(runId)) return;
    releaseRun(this.tracker, runId, this);
    if (this.runs.size === 0) removeRunSpanSource(this);
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

  private endAllOpen(reason: string): void {
    const tops = new Set<RunRecord>();
    for (const r of this.runs.values()) tops.add(r.top);
    for (const top of tops) {
      this.sweep(top, reason);
      if (top.span?.isRecording()) {
        top.span.setAttribute('graphtrace.unfinished', true);
        top.span.end();
      }
    }
    for (const runId of this.runs.keys()) releaseRun(this.tracker, runId, this);
    this.runs.clear();
    this.openSpans.clear();
    removeRunSpanSource(this);
  }

  private fail(method: string, err: unknown): void {
    this.report(method, `autolog: ${method} failed: ${errorMessage(err)}`);
  }

  /** Reports the first failure of each kind as a warning, later ones at debug level. */
  private report(kind: string, message: string): void {
    this.failures++;
    try {
      if (this.reported.has(kind)) this.logger.debug(message);
      else {
        this.reported.add(kind);
        this.logger.warn(message);
      }
    } catch {
      // A logger that throws must not break the traced program either.
    }
  }

  /** Callback failures so far (for tests and diagnostics). */
  get failureCount(): number {
    return this.failures;
  }
}
