import {
  AgentMetadataKey,
  MAX_PREVIEW_CHARS,
  MAX_TRACE_IO_CHARS,
  SpanAttributeKey,
  TRACE_SCHEMA_VERSION,
  TraceMetadataKey,
  TraceTagKey,
  truncatePreview,
} from '../model/keys.js';
import { SpanType } from '../model/span.js';
import type { LlmCost, TokenUsage } from '../model/trace.js';
import type { LiveSpan } from './live-span.js';
import { REDACTED, sanitizeValue } from './sanitize.js';
import type { FinishedTrace, PendingTraceInfo, TraceSink, TracingSettings } from './settings.js';
import { noteTraceEnded } from './span-hooks.js';
import { addCost, addTokenUsage, readLlmCost, readTokenUsage } from './usage-cost.js';

const LLM_TYPES = new Set<string>([SpanType.LLM, SpanType.CHAT_MODEL]);

/** A span's attributes together are kept within this many times `maxPayloadChars`. */
export const SPAN_BUDGET_FACTOR = 4;

const reported = new WeakMap<object, Set<string>>();

const previewText = (s: string | null) =>
  s === null ? null : truncatePreview(s, MAX_PREVIEW_CHARS);

type Message = { role?: unknown; content?: unknown };
const isMessage = (m: unknown): m is Message =>
  !!m && typeof m === 'object' && 'role' in m && 'content' in m;

/** Chat messages inside inputs/outputs in the shapes MLflow recognises (OpenAI chat and responses). */
function messagesIn(value: unknown): Message[] | null {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
  const o = value as Record<string, unknown>;
  for (const key of ['messages', 'input', 'output']) {
    const list = o[key];
    if (Array.isArray(list) && list.length > 0) return list.filter(isMessage);
  }
  const choices = o.choices;
  if (
    Array.isArray(choices) &&
    isMessage((choices[0] as { message?: unknown } | undefined)?.message)
  ) {
    return [(choices[0] as { message: Message }).message];
  }
  return 'request' in o ? messagesIn(o.request) : null;
}

function textOf(message: Message): string {
  const c = message.content;
  if (typeof c === 'string') return c;
  if (Array.isArray(c)) {
    for (const part of c) {
      if (typeof part === 'string') return part;
      if (
        part &&
        typeof part === 'object' &&
        ['text', 'output_text'].includes((part as { type?: string }).type ?? '')
      ) {
        return String((part as { text?: unknown }).text ?? '');
      }
    }
  }
  return '';
}

/**
 * MLflow's preview rule: the text of the last message of `role` when the value holds chat
 * messages, otherwise the JSON text of the value.
 */
function previewOf(value: unknown, role: 'user' | 'assistant'): string | null {
  if (value === undefined) return null;
  const messages = messagesIn(value);
  if (messages && messages.length > 0) {
    const last =
      [...messages].reverse().find((m) => m.role === role) ?? messages[messages.length - 1]!;
    const text = textOf(last);
    if (text) return text;
  }
  return JSON.stringify(value);
}

/** MLflow's percentile: linear interpolation between the nearest ranks. */
function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  const index = q * (sorted.length - 1);
  const lower = Math.floor(index);
  if (lower + 1 >= sorted.length) return sorted[sorted.length - 1]!;
  const weight = index - lower;
  return Math.trunc(sorted[lower]! * (1 - weight) + sorted[lower + 1]! * weight);
}

/**
 * The values of the spans no ancestor of which has one: a model span's usage or cost already
 * includes its children's (MLflow's aggregation rule for trace token usage and cost).
 */
function topmost<T>(
  values: ReadonlyMap<string, T>,
  parents: ReadonlyMap<string, string | null>,
): T[] {
  const out: T[] = [];
  for (const [spanId, value] of values) {
    let ancestor = parents.get(spanId) ?? null;
    while (ancestor !== null && !values.has(ancestor)) ancestor = parents.get(ancestor) ?? null;
    if (ancestor === null) out.push(value);
  }
  return out;
}

/**
 * Book-keeping for one trace while its spans are open: counters and token usage gathered as
 * spans end, and the MLflow trace info completed when the root span ends.
 */
export class ActiveTrace implements FinishedTrace {
  root: LiveSpan | null = null;
  ended = false;
  tags: Record<string, string> = {};
  metadata: Record<string, string>;
  clientRequestId: string | null = null;
  /** Set by `updateCurrentTrace`; MLflow then shows these instead of the root's inputs/outputs. */
  requestPreview: string | null = null;
  responsePreview: string | null = null;
  droppedEvents = 0;
  droppedAttributes = 0;
  private readonly parents = new Map<string, string | null>();
  private readonly usage = new Map<string, TokenUsage>();
  private readonly costs = new Map<string, LlmCost>();
  private readonly sizes: number[] = [];
  private llmCalls = 0;
  private toolCalls = 0;
  private toolErrors = 0;
  private retrieverCalls = 0;

  /**
   * Set when this is this process's part of a trace begun by a caller in another process (W3C
   * trace context): its spans are written, the trace info is left to the caller.
   */
  remote = false;
  /** W3C `tracestate` received with the caller's span, passed on to the services we call. */
  traceState: string | undefined;

  constructor(
    readonly traceId: string,
    readonly recording: boolean,
    readonly settings: TracingSettings,
    private readonly sink: TraceSink,
    readonly runId: string | null,
  ) {
    this.metadata = { ...settings.defaultTraceMetadata };
  }

  sanitize(value: unknown): unknown {
    return sanitizeValue(value, {
      maxChars: this.settings.maxPayloadChars,
      isSecretKey: this.settings.isSecretKey,
    }).value;
  }

  /**
   * An attribute value, masked and bounded: by `maxPayloadChars`, and by what is left of the
   * span's budget (SPAN_BUDGET_FACTOR × that) after `spanChars` already kept.
   */
  sanitizeWithSize(key: string, value: unknown, spanChars = 0): { value: unknown; chars: number } {
    if (this.settings.isSecretKey(key)) return { value: REDACTED, chars: REDACTED.length };
    return sanitizeValue(value, {
      maxChars: this.payloadBudget(spanChars),
      isSecretKey: this.settings.isSecretKey,
    });
  }

  /** Characters one more value of a span may take, after `spanChars` already kept. */
  payloadBudget(spanChars: number): number {
    const max = this.settings.maxPayloadChars;
    return Math.max(0, Math.min(max, SPAN_BUDGET_FACTOR * max - spanChars));
  }

  reportInternalError(err: unknown): void {
    this.sink.reportInternalError(err);
  }

  /** A value the tracing API could not take: said once per place and logger, then dropped. */
  reportBadValue(where: string, what: string): void {
    const logger = this.settings.logger;
    let said = reported.get(logger);
    if (!said) {
      said = new Set();
      reported.set(logger, said);
    }
    if (said.has(where)) return;
    said.add(where);
    logger.warn(`tracing: ${where} ${what} (said once; the traced program is unaffected)`);
  }

  onSpanEnd(span: LiveSpan): void {
    this.parents.set(span.spanId, span.parentSpanId);
    this.sizes.push(span.sizeChars);
    const usage = readTokenUsage(span.attributes[SpanAttributeKey.CHAT_USAGE]);
    if (usage) this.usage.set(span.spanId, usage);
    this.priceSpan(span, usage);
    if (LLM_TYPES.has(span.spanType)) this.llmCalls++;
    else if (span.spanType === SpanType.TOOL) {
      this.toolCalls++;
      if (span.status.code === 'ERROR') this.toolErrors++;
    } else if (span.spanType === SpanType.RETRIEVER) this.retrieverCalls++;
    this.sink.enqueueSpan(span);
    if (span === this.root) {
      this.ended = true;
      if (this.remote) return;
      noteTraceEnded(this.traceId);
      this.sink.enqueueTrace(this);
    }
  }

  /**
   * `mlflow.llm.cost` for a model span with a model name and token usage, as MLflow's store
   * adds it when spans are logged; a cost already on the span (set by the caller) wins. A
   * failure here is reported and leaves the span uncosted, never lost.
   */
  private priceSpan(span: LiveSpan, usage: TokenUsage | null): void {
    const attrs = span.attributes;
    const given = attrs[SpanAttributeKey.LLM_COST];
    // Most spans are neither model calls nor costed: nothing to do on the span's path.
    if (usage === null && given === undefined) return;
    try {
      let cost = readLlmCost(given);
      const model = attrs[SpanAttributeKey.MODEL];
      const pricer = this.settings.pricer;
      if (given === undefined && usage && pricer && typeof model === 'string') {
        const provider = attrs[SpanAttributeKey.MODEL_PROVIDER];
        cost = pricer.cost(model, typeof provider === 'string' ? provider : null, usage) ?? null;
        // Set on the ended span directly: three finite numbers need no sanitising.
        if (cost) attrs[SpanAttributeKey.LLM_COST] = cost;
      }
      if (cost) this.costs.set(span.spanId, cost);
    } catch (err) {
      this.sink.reportInternalError(err);
    }
  }

  private totalUsage(): TokenUsage | null {
    if (this.usage.size === 0) return null;
    const total: TokenUsage = { input_tokens: 0, output_tokens: 0, total_tokens: 0 };
    for (const u of topmost(this.usage, this.parents)) addTokenUsage(total, u);
    return total;
  }

  private totalCost(): LlmCost | null {
    if (this.costs.size === 0) return null;
    const total: LlmCost = { input_cost: 0, output_cost: 0, total_cost: 0 };
    for (const c of topmost(this.costs, this.parents)) addCost(total, c);
    return total;
  }

  /** The MLflow trace info, completed as MLflow does when the root ends. */
  buildInfo(): PendingTraceInfo {
    const root = this.root!;
    const startMs = Number(root.startTimeUnixNano / 1_000_000n);
    const durationMs = Number((root.endTimeUnixNano! - root.startTimeUnixNano) / 1_000_000n);
    const request = this.settings.logPrompts ? previewOf(root.inputs, 'user') : null;
    const response = this.settings.logPrompts ? previewOf(root.outputs, 'assistant') : null;
    const sizes = [...this.sizes].sort((a, b) => a - b);
    const totalSize = sizes.reduce((a, b) => a + b, 0);

    const metadata: Record<string, string> = {
      ...this.metadata,
      [TraceMetadataKey.SCHEMA_VERSION]: TRACE_SCHEMA_VERSION,
      [TraceMetadataKey.SIZE_BYTES]: String(totalSize),
      [TraceMetadataKey.SIZE_STATS]: JSON.stringify({
        total_size_bytes: totalSize,
        num_spans: sizes.length,
        max: sizes[sizes.length - 1] ?? 0,
        p25: percentile(sizes, 0.25),
        p50: percentile(sizes, 0.5),
        p75: percentile(sizes, 0.75),
      }),
      [AgentMetadataKey.SPANS]: String(sizes.length),
      [AgentMetadataKey.LLM_CALLS]: String(this.llmCalls),
      [AgentMetadataKey.TOOL_CALLS]: String(this.toolCalls),
      [AgentMetadataKey.TOOL_ERRORS]: String(this.toolErrors),
      [AgentMetadataKey.RETRIEVER_CALLS]: String(this.retrieverCalls),
    };
    // Unlike previews, these are the JSON text of the root's inputs and outputs.
    if (request !== null) {
      metadata[TraceMetadataKey.INPUTS] = truncatePreview(
        JSON.stringify(root.inputs),
        MAX_TRACE_IO_CHARS,
      );
    }
    if (response !== null) {
      metadata[TraceMetadataKey.OUTPUTS] = truncatePreview(
        JSON.stringify(root.outputs),
        MAX_TRACE_IO_CHARS,
      );
    }
    const usage = this.totalUsage();
    if (usage) metadata[TraceMetadataKey.TOKEN_USAGE] = JSON.stringify(usage);
    const cost = this.totalCost();
    if (cost && Number.isFinite(cost.total_cost))
      metadata[TraceMetadataKey.COST] = JSON.stringify(cost);
    if (this.runId) metadata[TraceMetadataKey.SOURCE_RUN] = this.runId;

    const info: PendingTraceInfo = {
      traceId: this.traceId,
      clientRequestId: this.clientRequestId,
      requestTime: startMs,
      executionDuration: durationMs,
      state: root.status.code === 'ERROR' ? 'ERROR' : 'OK',
      // A preview set by updateCurrentTrace wins; with log_prompts off there is none at all.
      requestPreview: previewText(
        this.settings.logPrompts ? (this.requestPreview ?? request) : null,
      ),
      responsePreview: previewText(
        this.settings.logPrompts ? (this.responsePreview ?? response) : null,
      ),
      traceMetadata: metadata,
      tags: { ...this.tags, [TraceTagKey.TRACE_NAME]: root.name },
    };
    if (this.droppedEvents > 0 || this.droppedAttributes > 0) {
      this.settings.logger.debug(
        `trace ${this.traceId}: ${this.droppedEvents} span events and ${this.droppedAttributes} span attributes beyond the per-span limits were dropped`,
      );
    }
    return info;
  }
}
