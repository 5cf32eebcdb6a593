import { GraphtraceError, type LiveSpan, SpanType, type Tracker } from '@graphtrace/core';
import { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import {
  type ChainSettings,
  INTERNAL_CHAINS,
  type InternalChains,
  recordChainEnd,
  recordChainError,
  startChain,
} from './chain-callbacks.js';
import { serializedName } from './convert.js';
import { FailureReporter } from './failure-reporter.js';
import { installGraphCapture } from './graph-topology.js';
import { LangGraphFacts, STEPS_METADATA_KEY } from './langgraph-facts.js';
import { recordModelEnd, startModel } from './model-callbacks.js';
import type { RunSpanSource } from './parent-span.js';
import { chainStartArgs } from './run-args.js';
import { RunBook } from './run-book.js';
import { isObj, type Obj, type RunRecord } from './run-record.js';
import { streamedText, TokenEvents } from './token-events.js';
import {
  recordCustomEvent,
  recordRetrieverEnd,
  recordRetrieverStart,
  recordToolEnd,
  recordToolStart,
} from './tool-callbacks.js';

/** LangChain dedupes handlers by name, so a second registration never doubles the spans. */
export const HANDLER_NAME = 'graphtrace_autolog';

export { INTERNAL_CHAINS, type InternalChains, STEPS_METADATA_KEY };

const DEFAULT_MAX_TOKEN_EVENTS = 200;

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
 *
 * The class only dispatches: the runs and their spans are kept by `RunBook`, and what each kind
 * of run records is in chain-, model- and tool-callbacks.
 */
export class GraphtraceCallbackHandler extends BaseCallbackHandler implements RunSpanSource {
  name = HANDLER_NAME;
  /** Callbacks run inline, so a trace is complete when `invoke` returns (no env var needed). */
  override awaitHandlers = true;
  override raiseError = false;

  readonly tracker: Tracker;
  private readonly failures: FailureReporter;
  private readonly book: RunBook;
  private readonly chains: ChainSettings;
  private readonly tokens: TokenEvents;
  private active = true;

  constructor(tracker: Tracker, options: GraphtraceCallbackHandlerOptions = {}) {
    super();
    this.tracker = tracker;
    const chains = options.recordInternalChains ?? 'full';
    if (!INTERNAL_CHAINS.includes(chains)) {
      throw new GraphtraceError(
        'INVALID_ARGUMENT',
        `recordInternalChains must be one of ${INTERNAL_CHAINS.join(', ')}, got ${JSON.stringify(chains)}`,
      );
    }
    this.failures = new FailureReporter(tracker.logger);
    const report = (kind: string, message: string) => this.failures.report(kind, message);
    const langgraph = new LangGraphFacts(report);
    this.book = new RunBook(tracker, this, langgraph, report);
    this.chains = { book: this.book, langgraph, internalChains: chains, user: options.user };
    this.tokens = new TokenEvents(options.maxTokenEvents ?? DEFAULT_MAX_TOKEN_EVENTS);
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
    if (!enabled) this.book.endAllOpen('autolog was disabled while this run was open');
  }

  /** Runs being recorded right now (for tests and diagnostics). */
  get openRuns(): number {
    return this.book.size;
  }

  /** Callback failures so far (for tests and diagnostics). */
  get failureCount(): number {
    return this.failures.count;
  }

  spanOfRun(runId: string): LiveSpan | null {
    return this.book.get(runId)?.anchor ?? null;
  }

  // ---- chains, graphs and nodes -----------------------------------------------------------

  override handleChainStart(
    chain: unknown,
    inputs: unknown,
    runId: string,
    ...rest: unknown[]
  ): void {
    this.whenActive('handleChainStart', () =>
      startChain(this.chains, chain, inputs, runId, chainStartArgs(rest)),
    );
  }

  override handleChainEnd(outputs: unknown, runId: string, ...rest: unknown[]): void {
    this.end('handleChainEnd', runId, (record) => {
      const kwargs = rest[2] as { inputs?: unknown } | undefined;
      recordChainEnd(record, outputs, kwargs?.inputs);
    });
  }

  override handleChainError(err: unknown, runId: string): void {
    this.end('handleChainError', runId, (record) => recordChainError(record, err));
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
    const inputs = () => ({ messages: messages[0] ?? [] });
    const run = { runId, parentRunId, extraParams, metadata, runName };
    this.whenActive('handleChatModelStart', () => startModel(this.book, 'chat', llm, run, inputs));
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
    const inputs = () => ({ prompts });
    const run = { runId, parentRunId, extraParams, metadata, runName };
    this.whenActive('handleLLMStart', () => startModel(this.book, 'llm', llm, run, inputs));
  }

  override handleLLMNewToken(
    token: string,
    _idx: unknown,
    runId: string,
    _parentRunId?: string,
    _tags?: string[],
    fields?: unknown,
  ): void {
    this.guard('handleLLMNewToken', () =>
      this.tokens.add(this.book.get(runId), token, isObj(fields) ? fields : undefined),
    );
  }

  /** The content-block stream protocol of newer chat models: text deltas count as tokens. */
  override handleChatModelStreamEvent(event: unknown, runId: string): void {
    this.guard('handleChatModelStreamEvent', () => {
      const text = streamedText(event);
      if (text !== undefined) this.tokens.add(this.book.get(runId), text, event as object);
    });
  }

  override handleLLMEnd(output: unknown, runId: string): void {
    this.end('handleLLMEnd', runId, (record) => recordModelEnd(record, output, this.tokens.max));
  }

  override handleLLMError(err: unknown, runId: string): void {
    this.endWithError('handleLLMError', err, runId);
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
    this.whenActive('handleToolStart', () => {
      const name = runName ?? serializedName(tool, 'tool');
      const record = this.book.open(runId, parentRunId, name, SpanType.TOOL, 'tool');
      if (record) recordToolStart(record, input, toolCallId);
    });
  }

  override handleToolEnd(output: unknown, runId: string): void {
    this.end('handleToolEnd', runId, (record) => recordToolEnd(record, output));
  }

  override handleToolError(err: unknown, runId: string): void {
    this.endWithError('handleToolError', err, runId);
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
    this.whenActive('handleRetrieverStart', () => {
      const spanName = name ?? serializedName(retriever, 'retriever');
      const record = this.book.open(runId, parentRunId, spanName, SpanType.RETRIEVER, 'retriever');
      if (record) recordRetrieverStart(record, query);
    });
  }

  override handleRetrieverEnd(documents: unknown, runId: string): void {
    this.end('handleRetrieverEnd', runId, (record) => recordRetrieverEnd(record, documents));
  }

  override handleRetrieverError(err: unknown, runId: string): void {
    this.endWithError('handleRetrieverError', err, runId);
  }

  /** `dispatchCustomEvent(name, data)` inside a run: an event on that run's span. */
  override handleCustomEvent(eventName: string, data: unknown, runId: string): void {
    this.guard('handleCustomEvent', () =>
      recordCustomEvent(this.book.get(runId)?.anchor, eventName, data),
    );
  }

  // ---- dispatch ------------------------------------------------------------------------------

  /** Runs one callback's work; a failure is reported, never thrown into the traced program. */
  private guard(method: string, work: () => void): void {
    try {
      work();
    } catch (err) {
      this.failures.fail(method, err);
    }
  }

  /** `guard`, for callbacks that start runs: nothing starts while autolog is off. */
  private whenActive(method: string, work: () => void): void {
    this.guard(method, () => {
      if (this.active) work();
    });
  }

  /** Ends a run after `write` recorded its outcome on it. */
  private end(method: string, runId: string, write: (record: RunRecord) => void): void {
    this.guard(method, () => this.book.end(runId, write));
  }

  private endWithError(method: string, err: unknown, runId: string): void {
    this.end(method, runId, (record) => record.span?.recordException(err));
  }
}
