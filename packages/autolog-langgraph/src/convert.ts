/**
 * Turns what LangChain hands to callbacks (message classes, documents, LangGraph commands,
 * generations) into the plain shapes MLflow reads: OpenAI-style chat messages, chat completion
 * choices, MLflow documents. Duck-typed on purpose: the objects may come from another copy of
 * @langchain/core, where `instanceof` and class brands do not hold.
 */

import { addTokenUsage, type TokenUsage } from '@graphtrace/core';

export interface OpenAIToolCall {
  id?: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface OpenAIMessage {
  role: string;
  content: unknown;
  name?: string;
  tool_calls?: OpenAIToolCall[];
  tool_call_id?: string;
}

export interface ChatToolDefinition {
  type: 'function';
  function: { name: string; description?: string; parameters?: unknown };
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object';

/** A LangChain message (any copy of @langchain/core): it has a type getter and content. */
export function isLangChainMessage(v: unknown): v is Obj & { getType(): string } {
  return (
    isObj(v) &&
    typeof (v as { getType?: unknown }).getType === 'function' &&
    'content' in v &&
    'lc_kwargs' in v
  );
}

const ROLE_BY_TYPE: Record<string, string> = {
  human: 'user',
  ai: 'assistant',
  system: 'system',
  developer: 'developer',
  tool: 'tool',
  function: 'function',
  remove: 'remove',
};

function toolCallsOf(message: Obj): OpenAIToolCall[] | undefined {
  const calls = message.tool_calls;
  if (!Array.isArray(calls) || calls.length === 0) return undefined;
  return calls.filter(isObj).map((c) => ({
    ...(typeof c.id === 'string' ? { id: c.id } : {}),
    type: 'function' as const,
    function: {
      name: String(c.name ?? ''),
      arguments: typeof c.args === 'string' ? c.args : JSON.stringify(c.args ?? {}),
    },
  }));
}

/**
 * An OpenAI chat message made from a LangChain message. Never mutated once made, so core keeps
 * its sanitized form and every span that records it shares that (see `recordPayload`).
 */
export class ChatMessageRecord implements OpenAIMessage {
  role: string;
  content: unknown;
  declare name?: string;
  declare tool_calls?: OpenAIToolCall[];
  declare tool_call_id?: string;

  constructor(role: string, content: unknown) {
    this.role = role;
    this.content = content;
  }
}

// A graph's state carries the whole conversation into every node, chain and model call, so
// the same message objects are converted again and again: convert each once.
const converted = new WeakMap<object, ChatMessageRecord>();

/** A LangChain message (or a message-like dict) as an OpenAI chat message. */
export function toOpenAIMessage(message: unknown): OpenAIMessage | unknown {
  // The memo first: most sightings are of a message converted before, and the duck-typing
  // (`in` checks up the prototype chain) costs more than the lookup.
  const seen = isObj(message) ? converted.get(message) : undefined;
  if (seen) return seen;
  if (!isLangChainMessage(message)) return message;
  const out = convertMessage(message);
  converted.set(message, out);
  return out;
}

function convertMessage(message: Obj & { getType(): string }): ChatMessageRecord {
  const type = message.getType();
  const role =
    type === 'generic' || type === 'chat'
      ? String((message as { role?: unknown }).role ?? 'user')
      : (ROLE_BY_TYPE[type] ?? type);
  const out = new ChatMessageRecord(role, message.content);
  if (typeof message.name === 'string' && message.name) out.name = message.name;
  if (type === 'ai') {
    const calls = toolCallsOf(message);
    if (calls) out.tool_calls = calls;
  }
  if (type === 'tool' && typeof message.tool_call_id === 'string')
    out.tool_call_id = message.tool_call_id;
  return out;
}

function isDocument(v: Obj): boolean {
  return typeof v.pageContent === 'string' && 'metadata' in v;
}

/** A LangChain document as MLflow's document (`page_content`, `metadata`, `id`). */
export function toMlflowDocument(v: unknown): unknown {
  if (!isObj(v) || !isDocument(v)) return v;
  return {
    page_content: v.pageContent,
    metadata: v.metadata ?? {},
    ...(v.id !== undefined ? { id: v.id } : {}),
  };
}

const MAX_DEPTH = 6;

/**
 * The recordable form of a LangChain/LangGraph class instance (message, document, `Command`,
 * `Send`), or undefined for anything else.
 */
export function convertSpecial(value: object): unknown {
  const message = toOpenAIMessage(value);
  if (message !== value) return message;
  if (isDocument(value as Obj)) return toMlflowDocument(value);
  const lgName = (value as { lg_name?: unknown }).lg_name;
  if (lgName === 'Command' || lgName === 'Send') return recordable(value, MAX_DEPTH - 1);
  return undefined;
}

/**
 * A plain, recordable copy of a chain's inputs or outputs: messages become OpenAI chat messages,
 * documents MLflow documents, LangGraph `Command`/`Send` their fields. Anything else is left for
 * core's sanitizer (which bounds size, masks secrets and handles cycles).
 */
export function toRecordable(value: unknown): unknown {
  try {
    return recordable(value, 0);
  } catch (err) {
    // A value that cannot be read (a throwing getter, a revoked proxy) is shown, not fatal.
    return `[unreadable value: ${err instanceof Error ? err.message : String(err)}]`;
  }
}

function recordable(value: unknown, depth: number): unknown {
  if (!isObj(value) || depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((item) => {
      const r = recordable(item, depth + 1);
      if (r !== item) changed = true;
      return r;
    });
    return changed ? out : value;
  }
  const message = toOpenAIMessage(value);
  if (message !== value) return message;
  if (isDocument(value)) return toMlflowDocument(value);
  const lgName = (value as { lg_name?: unknown }).lg_name;
  if (lgName === 'Command') {
    const c = value as Obj;
    const out: Obj = {};
    for (const k of ['update', 'resume', 'goto', 'graph'])
      if (c[k] !== undefined && c[k] !== null) out[k] = recordable(c[k], depth + 1);
    return { Command: out };
  }
  if (lgName === 'Send') {
    const s = value as Obj;
    return { Send: { node: s.node, args: recordable(s.args, depth + 1) } };
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  let out: Obj | null = null;
  for (const key of Object.keys(value)) {
    const item = (value as Obj)[key];
    const r = recordable(item, depth + 1);
    if (r !== item) {
      out ??= { ...(value as Obj) };
      out[key] = r;
    }
  }
  return out ?? value;
}

// Bound tools are one array reused by every call of the bound model.
const toolCache = new WeakMap<object, ChatToolDefinition[]>();

/** The `mlflow.chat.tools` entries for tools bound to a model (OpenAI-style or name-only). */
export function toolDefinitions(raw: unknown): ChatToolDefinition[] {
  if (!Array.isArray(raw)) return [];
  let tools = toolCache.get(raw);
  if (!tools) {
    tools = convertTools(raw);
    toolCache.set(raw, tools);
  }
  return tools;
}

function convertTools(raw: unknown[]): ChatToolDefinition[] {
  const tools: ChatToolDefinition[] = [];
  for (const t of raw) {
    if (!isObj(t)) continue;
    const fn = t.function;
    if (t.type === 'function' && isObj(fn) && typeof fn.name === 'string') {
      tools.push({
        type: 'function',
        function: {
          name: fn.name,
          ...(typeof fn.description === 'string' ? { description: fn.description } : {}),
          ...(fn.parameters !== undefined ? { parameters: fn.parameters } : {}),
        },
      });
    } else if (typeof t.name === 'string') {
      // A LangChain tool or a provider-specific definition: its name and description still help.
      tools.push({
        type: 'function',
        function: {
          name: t.name,
          ...(typeof t.description === 'string' ? { description: t.description } : {}),
        },
      });
    }
  }
  return tools;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

const detail = (details: unknown, key: string): number | null =>
  isObj(details) ? num(details[key]) : null;

/**
 * Token usage in MLflow's keys from LangChain's `usage_metadata` or a provider's usage object,
 * cache reads and writes included (they are part of the input count, and priced apart).
 */
function usageFrom(u: unknown): TokenUsage | null {
  if (!isObj(u)) return null;
  const input = num(u.input_tokens) ?? num(u.promptTokens) ?? num(u.prompt_tokens);
  const output = num(u.output_tokens) ?? num(u.completionTokens) ?? num(u.completion_tokens);
  if (input === null && output === null) return null;
  const i = input ?? 0;
  const o = output ?? 0;
  const total = num(u.total_tokens) ?? num(u.totalTokens) ?? i + o;
  const usage: TokenUsage = { input_tokens: i, output_tokens: o, total_tokens: total };
  const read =
    num(u.cache_read_input_tokens) ??
    detail(u.input_token_details, 'cache_read') ??
    detail(u.prompt_tokens_details, 'cached_tokens');
  const write =
    num(u.cache_creation_input_tokens) ?? detail(u.input_token_details, 'cache_creation');
  const write1h = detail(u.input_token_details, 'ephemeral_1h_input_tokens');
  if (read !== null) usage.cache_read_input_tokens = read;
  if (write !== null) usage.cache_creation_input_tokens = write;
  if (write1h !== null) usage.cache_creation_input_tokens_above_1hr = write1h;
  return usage;
}

export interface GenerationLike {
  text?: string;
  message?: unknown;
  generationInfo?: Obj;
}

/** Generations of an `LLMResult` (a list of lists) flattened. */
export function generationsOf(output: unknown): GenerationLike[] {
  const gens = isObj(output) ? output.generations : undefined;
  if (!Array.isArray(gens)) return [];
  const flat: GenerationLike[] = [];
  for (const g of gens) {
    if (Array.isArray(g)) for (const x of g) if (isObj(x)) flat.push(x as GenerationLike);
  }
  return flat;
}

/**
 * Token usage of a model call: the messages' `usage_metadata` summed (a streamed answer is
 * already one aggregated generation), else the provider's `llmOutput.tokenUsage`.
 */
export function tokenUsageOf(output: unknown, generations: GenerationLike[]): TokenUsage | null {
  let total: TokenUsage | null = null;
  for (const g of generations) {
    const u = isObj(g.message) ? usageFrom(g.message.usage_metadata) : null;
    if (!u) continue;
    total ??= { input_tokens: 0, output_tokens: 0, total_tokens: 0 };
    addTokenUsage(total, u);
  }
  if (total) return total;
  const llmOutput = isObj(output) ? output.llmOutput : undefined;
  if (!isObj(llmOutput)) return null;
  return (
    usageFrom(llmOutput.tokenUsage) ??
    usageFrom(llmOutput.token_usage) ??
    usageFrom(llmOutput.estimatedTokenUsage)
  );
}

function finishReason(g: GenerationLike): string | undefined {
  const fromInfo = g.generationInfo?.finish_reason;
  if (typeof fromInfo === 'string') return fromInfo;
  const meta = isObj(g.message) ? g.message.response_metadata : undefined;
  const fromMeta = isObj(meta) ? meta.finish_reason : undefined;
  return typeof fromMeta === 'string' ? fromMeta : undefined;
}

/** A chat model's answer as an OpenAI chat completion (`choices[].message`). */
export function chatCompletionOf(generations: GenerationLike[], model: string | undefined): Obj {
  return {
    object: 'chat.completion',
    ...(model ? { model } : {}),
    choices: generations.map((g, index) => {
      const reason = finishReason(g);
      return {
        index,
        message: g.message ? toOpenAIMessage(g.message) : { role: 'assistant', content: g.text },
        ...(reason ? { finish_reason: reason } : {}),
      };
    }),
  };
}

/** A completion model's answer as an OpenAI text completion (`choices[].text`). */
export function textCompletionOf(generations: GenerationLike[]): Obj {
  return {
    object: 'text_completion',
    choices: generations.map((g, index) => {
      const reason = finishReason(g);
      return { index, text: g.text ?? '', ...(reason ? { finish_reason: reason } : {}) };
    }),
  };
}

/** A tool's input string as its arguments: JSON parsed when it is JSON, else the string. */
export function parseToolInput(input: unknown): unknown {
  if (typeof input !== 'string') return input;
  const s = input.trim();
  if (!(s.startsWith('{') || s.startsWith('['))) return input;
  try {
    return JSON.parse(s);
  } catch {
    return input;
  }
}

/** The model name a chat/LLM run reports, from LangSmith params or invocation params. */
export function modelNameOf(
  metadata: Obj | undefined,
  invocationParams: unknown,
): string | undefined {
  const fromMeta = metadata?.ls_model_name;
  if (typeof fromMeta === 'string' && fromMeta) return fromMeta;
  if (!isObj(invocationParams)) return undefined;
  for (const k of ['model', 'model_name', 'modelName', 'model_id', 'modelId']) {
    const v = invocationParams[k];
    if (typeof v === 'string' && v) return v;
  }
  return undefined;
}

/**
 * The provider of a chat/LLM run, as MLflow's LangChain tracer names it: LangSmith's
 * `ls_provider`, else the model's `_type` without its `chat` affix (`openai-chat` → `openai`).
 */
export function modelProviderOf(
  metadata: Obj | undefined,
  invocationParams: unknown,
): string | undefined {
  const fromMeta = metadata?.ls_provider;
  if (typeof fromMeta === 'string' && fromMeta) return fromMeta;
  const type = isObj(invocationParams) ? invocationParams._type : undefined;
  if (typeof type !== 'string' || !type) return undefined;
  return type.replace(/-chat$/, '').replace(/^chat-/, '') || undefined;
}

/** The last element of a serialized runnable's id (its class name), for unnamed runs. */
export function serializedName(serialized: unknown, fallback: string): string {
  if (!isObj(serialized)) return fallback;
  if (typeof serialized.name === 'string' && serialized.name) return serialized.name;
  const id = serialized.id;
  if (Array.isArray(id) && id.length > 0) {
    const last = id[id.length - 1];
    if (typeof last === 'string' && last) return last;
  }
  return fallback;
}
