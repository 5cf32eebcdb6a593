import type { SpanView, TokenCounts } from '../../src/api/types.js';
import {
  type ChatMessage,
  chatMessages,
  normaliseMessage,
  outputMessages,
  parseMaybeJson,
} from './chat.js';

/*
 * The agent's story out of a trace's spans: what it was asked (the root's input messages), each
 * model call with the tools it called (name, arguments), what each tool returned or how it
 * failed, and the answer. Tool calls are tied to their TOOL spans by the `tool_call_id`
 * attribute autolog records, else by name and order; a trace without chat-shaped records
 * (manual spans) still tells what it can: root inputs and outputs, model and tool spans in
 * order. Pure: unit-tested without a browser.
 */

const MODEL_TYPES = new Set(['CHAT_MODEL', 'LLM']);
const TOOL = 'TOOL';

/** One run of a tool call: its TOOL span (several when a retry policy ran it again). */
export interface ToolRun {
  spanId: string;
  name: string;
  durationMs: number | null;
  /** "Type: message" of the exception (or the status message) when the run failed. */
  error: string | null;
  /** The result (a tool message's content, JSON text parsed); undefined when not recorded. */
  result?: unknown;
}

export interface StoryToolCall {
  id: string | null;
  name: string;
  arguments: unknown;
  /** The model call that issued it. */
  modelSpanId: string;
  runs: ToolRun[];
  /** What the model was told (a tool message answering this call) when no TOOL span ran it. */
  reply: string | null;
}

export interface ModelStep {
  kind: 'model';
  spanId: string;
  name: string;
  spanType: string;
  model: string | null;
  tokens: TokenCounts | null;
  durationMs: number | null;
  error: string | null;
  /** What the model said (null when it only called tools). */
  text: string | null;
  toolCalls: StoryToolCall[];
  /** The raw outputs when they hold no chat message (a plain LLM span). */
  output?: unknown;
  /** The raw inputs when they hold no chat message (a completion prompt). */
  prompt?: unknown;
}

/** A TOOL span no model call asked for (a manual trace, or a tool the code ran itself). */
export interface ToolStep {
  kind: 'tool';
  arguments: unknown;
  run: ToolRun;
}

export type StoryStep = ModelStep | ToolStep;

export interface StoryAnswer {
  /** The answer's text; null when it is not text (see `value`). */
  text: string | null;
  value?: unknown;
  /** The span it came from: the last model call, or the root. */
  spanId: string;
  fromModel: boolean;
}

export interface Story {
  rootSpanId: string | null;
  /** The root's input messages (system prompt, earlier turns, the question); null when none. */
  conversation: ChatMessage[] | null;
  /** The root's inputs when they hold no message; undefined when not recorded. */
  input?: unknown;
  steps: StoryStep[];
  answer: StoryAnswer | null;
  /** Where the trace failed (the first failed span none of whose children failed). */
  failure: { spanId: string; name: string; error: string } | null;
}

/** "Type: message" of a failed span's exception event, else its status message. */
export function spanError(span: SpanView): string | null {
  if (span.status.code !== 'ERROR') return null;
  const event = span.events.find((e) => e.name === 'exception');
  if (event) {
    const type = event.attributes['exception.type'];
    const message = event.attributes['exception.message'];
    if (typeof message === 'string' && message !== '')
      return typeof type === 'string' && type !== '' ? `${type}: ${message}` : message;
  }
  return span.status.message ?? 'error';
}

/** The root span: the first (in start order) whose parent is not in the trace. */
export function rootOf(spans: readonly SpanView[]): SpanView | null {
  const ids = new Set(spans.map((s) => s.spanId));
  return spans.find((s) => s.parentSpanId === null || !ids.has(s.parentSpanId)) ?? null;
}

/** Model and tool spans with no model or tool span above them: what ran inside is their detail. */
function topmostCalls(spans: readonly SpanView[]): SpanView[] {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const isCall = (s: SpanView) => s.spanType === TOOL || MODEL_TYPES.has(s.spanType);
  return spans.filter((s) => {
    if (!isCall(s)) return false;
    let parent = s.parentSpanId === null ? undefined : byId.get(s.parentSpanId);
    for (let hops = 0; parent && hops < spans.length; hops++) {
      if (isCall(parent)) return false;
      parent = parent.parentSpanId === null ? undefined : byId.get(parent.parentSpanId);
    }
    return true;
  });
}

function toolResult(span: SpanView): unknown {
  if (!('outputs' in span)) return undefined;
  // Autolog records a tool's result as the tool message it became: show its content.
  const message = normaliseMessage(span.outputs);
  if (message?.role === 'tool') return parseMaybeJson(message.content);
  return parseMaybeJson(span.outputs);
}

function toolRun(span: SpanView): ToolRun {
  const error = spanError(span);
  const run: ToolRun = { spanId: span.spanId, name: span.name, durationMs: span.durationMs, error };
  const result = toolResult(span);
  if (result !== undefined) run.result = result;
  return run;
}

function modelOutput(span: SpanView): { text: string | null; calls: ModelStep['toolCalls'] } {
  const calls: StoryToolCall[] = [];
  const texts: string[] = [];
  let found = false;
  for (const raw of outputMessages(span.outputs)) {
    const m = normaliseMessage(raw, true);
    if (!m) continue;
    found = true;
    if (m.content !== null && m.content.trim() !== '') texts.push(m.content);
    for (const c of m.toolCalls)
      calls.push({
        id: c.id,
        name: c.name,
        arguments: c.arguments,
        modelSpanId: span.spanId,
        runs: [],
        reply: null,
      });
  }
  if (!found && typeof span.outputs === 'string') texts.push(span.outputs);
  return { text: texts.length > 0 ? texts.join('\n') : null, calls };
}

function modelStep(span: SpanView): ModelStep {
  const { text, calls } = modelOutput(span);
  const step: ModelStep = {
    kind: 'model',
    spanId: span.spanId,
    name: span.name,
    spanType: span.spanType,
    model: span.model,
    tokens: span.tokens,
    durationMs: span.durationMs,
    error: spanError(span),
    text,
    toolCalls: calls,
  };
  const readable = text !== null || calls.length > 0;
  if (!readable && 'outputs' in span && span.outputs !== null) step.output = span.outputs;
  if ('inputs' in span && chatMessages(span.inputs, undefined) === null) step.prompt = span.inputs;
  return step;
}

/** Tool messages by the call they answer, from every message the model calls and root saw. */
function repliesById(spans: readonly SpanView[], root: SpanView | null): Map<string, string> {
  const replies = new Map<string, string>();
  const add = (messages: ChatMessage[] | null) => {
    for (const m of messages ?? [])
      if (m.role === 'tool' && m.toolCallId && m.content !== null)
        replies.set(m.toolCallId, m.content);
  };
  for (const s of spans) if (MODEL_TYPES.has(s.spanType)) add(chatMessages(s.inputs, undefined));
  if (root && 'outputs' in root) add(chatMessages(root.outputs, undefined));
  return replies;
}

/** The answer's text in a root's outputs: a string, or the last assistant message. */
function answerText(outputs: unknown): string | null {
  if (outputs === undefined || outputs === null) return null;
  if (typeof outputs === 'string') return outputs;
  const messages = outputMessages(outputs)
    .map((m) => normaliseMessage(m, true))
    .filter((m): m is ChatMessage => m !== null && m.role === 'assistant' && m.content !== null);
  const last = messages[messages.length - 1];
  return last && last.content!.trim() !== '' ? last.content : null;
}

/** The span a failed trace failed in: the first failed span none of whose children failed. */
export function failureOrigin(spans: readonly SpanView[]): SpanView | null {
  const failedParents = new Set(
    spans.filter((s) => s.status.code === 'ERROR' && s.parentSpanId).map((s) => s.parentSpanId!),
  );
  return spans.find((s) => s.status.code === 'ERROR' && !failedParents.has(s.spanId)) ?? null;
}

export function deriveStory(spans: readonly SpanView[]): Story {
  const ordered = [...spans].sort((a, b) => a.offsetMs - b.offsetMs);
  const root = rootOf(ordered);
  const calls = topmostCalls(ordered);
  const models = calls.filter((s) => MODEL_TYPES.has(s.spanType)).map(modelStep);
  const tools = calls.filter((s) => s.spanType === TOOL);
  const offsets = new Map(ordered.map((s) => [s.spanId, s.offsetMs]));

  // Tie each tool call to the TOOL spans that ran it: by call id, else by name and order.
  const claimed = new Set<string>();
  const allCallIds = new Set(
    models.flatMap((m) => m.toolCalls.flatMap((c) => (c.id === null ? [] : [c.id]))),
  );
  const callIdOf = (s: SpanView) =>
    typeof s.attributes.tool_call_id === 'string' ? s.attributes.tool_call_id : null;
  const runsById = new Map<string, SpanView[]>();
  for (const t of tools) {
    const id = callIdOf(t);
    if (id !== null) runsById.set(id, [...(runsById.get(id) ?? []), t]);
  }
  for (const m of models)
    for (const c of m.toolCalls) {
      const byId = (c.id === null ? undefined : runsById.get(c.id)) ?? [];
      const matched =
        byId.length > 0
          ? byId
          : tools
              .filter(
                (t) =>
                  !claimed.has(t.spanId) &&
                  t.name === c.name &&
                  t.offsetMs >= (offsets.get(m.spanId) ?? 0) &&
                  !allCallIds.has(callIdOf(t) ?? ''),
              )
              .slice(0, 1);
      for (const t of matched) claimed.add(t.spanId);
      c.runs = matched.map(toolRun);
    }
  const replies = repliesById(ordered, root);
  for (const m of models)
    for (const c of m.toolCalls)
      if (c.runs.length === 0 && c.id !== null) c.reply = replies.get(c.id) ?? null;

  const steps: StoryStep[] = [
    ...models,
    ...tools
      .filter((t) => !claimed.has(t.spanId))
      .map(
        (t): ToolStep => ({ kind: 'tool', arguments: parseMaybeJson(t.inputs), run: toolRun(t) }),
      ),
  ];
  const at = (s: StoryStep) => offsets.get(s.kind === 'model' ? s.spanId : s.run.spanId) ?? 0;
  steps.sort((a, b) => at(a) - at(b));

  // The answer: the last model call's words when they are what the trace returned (or the
  // root recorded no output), else what the root returned.
  let answer: StoryAnswer | null = null;
  const last = steps[steps.length - 1];
  const rootOutput = root && 'outputs' in root ? root.outputs : undefined;
  const rootText = answerText(rootOutput);
  if (
    last?.kind === 'model' &&
    last.toolCalls.length === 0 &&
    last.text !== null &&
    last.error === null &&
    (rootText !== null
      ? rootText.trim() === last.text.trim()
      : rootOutput === undefined || rootOutput === null)
  ) {
    steps.pop();
    answer = { text: last.text, spanId: last.spanId, fromModel: true };
  } else if (root && rootText !== null) {
    answer = { text: rootText, spanId: root.spanId, fromModel: false };
  } else if (root && rootOutput !== undefined && rootOutput !== null) {
    answer = { text: null, value: rootOutput, spanId: root.spanId, fromModel: false };
  }

  const conversation = root ? chatMessages(root.inputs, undefined) : null;
  const story: Story = {
    rootSpanId: root?.spanId ?? null,
    conversation,
    steps,
    answer,
    failure: null,
  };
  if (root && conversation === null && 'inputs' in root) story.input = root.inputs;
  if (root?.status.code === 'ERROR') {
    const origin = failureOrigin(ordered) ?? root;
    story.failure = { spanId: origin.spanId, name: origin.name, error: spanError(origin)! };
  }
  return story;
}

/** The question: the last user message of the conversation. */
export function questionOf(story: Story): string | null {
  const users = (story.conversation ?? []).filter((m) => m.role === 'user' && m.content !== null);
  return users[users.length - 1]?.content ?? null;
}
