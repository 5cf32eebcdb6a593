/*
 * Chat messages out of a chat span's inputs and outputs, whatever wrote them: OpenAI chat
 * messages and completions (what graphtrace's LangGraph autolog records), LangChain message
 * dicts and serialized messages, Anthropic-style content blocks, the Responses API's
 * input/output lists. Pure functions: unit-tested without a browser.
 */

export interface ChatToolCall {
  id: string | null;
  name: string;
  /** Parsed when the arguments are JSON text. */
  arguments: unknown;
}

export interface ChatMessage {
  role: string;
  /** Text content (parts joined); null when the message only calls tools. */
  content: string | null;
  toolCalls: ChatToolCall[];
  /** For tool results: the call they answer. */
  toolCallId: string | null;
  name: string | null;
  /** The model's answer (from the span outputs) rather than its prompt. */
  output: boolean;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

const ROLE_BY_TYPE: Record<string, string> = {
  human: 'user',
  user: 'user',
  ai: 'assistant',
  assistant: 'assistant',
  system: 'system',
  developer: 'developer',
  tool: 'tool',
  function: 'tool',
  HumanMessage: 'user',
  HumanMessageChunk: 'user',
  AIMessage: 'assistant',
  AIMessageChunk: 'assistant',
  SystemMessage: 'system',
  ToolMessage: 'tool',
  FunctionMessage: 'tool',
};

export function parseMaybeJson(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const t = v.trim();
  if (!(t.startsWith('{') || t.startsWith('['))) return v;
  try {
    return JSON.parse(t);
  } catch {
    return v;
  }
}

function toolCall(c: unknown): ChatToolCall | null {
  if (!isObj(c)) return null;
  const id = typeof c.id === 'string' ? c.id : null;
  if (isObj(c.function)) {
    return {
      id,
      name: String(c.function.name ?? ''),
      arguments: parseMaybeJson(c.function.arguments),
    };
  }
  if (typeof c.name === 'string') {
    return { id, name: c.name, arguments: parseMaybeJson(c.args ?? c.input ?? c.arguments ?? {}) };
  }
  return null;
}

function contentOf(
  content: unknown,
  calls: ChatToolCall[],
): { text: string | null; toolId?: string } {
  if (content === null || content === undefined) return { text: null };
  if (typeof content === 'string') return { text: content };
  if (!Array.isArray(content)) return { text: JSON.stringify(content, null, 2) };
  const texts: string[] = [];
  let toolId: string | undefined;
  for (const part of content) {
    if (typeof part === 'string') texts.push(part);
    else if (isObj(part)) {
      if (typeof part.text === 'string') texts.push(part.text);
      else if (part.type === 'tool_use') {
        const call = toolCall(part);
        if (call) calls.push(call);
      } else if (part.type === 'tool_result') {
        toolId = typeof part.tool_use_id === 'string' ? part.tool_use_id : undefined;
        const inner = contentOf(part.content, calls);
        if (inner.text !== null) texts.push(inner.text);
      } else if (part.type === 'image_url' || part.type === 'image') texts.push('[image]');
      else texts.push(JSON.stringify(part));
    }
  }
  return { text: texts.length > 0 ? texts.join('\n') : null, ...(toolId ? { toolId } : {}) };
}

/** One message in any of the known shapes, or null. */
export function normaliseMessage(raw: unknown, output = false): ChatMessage | null {
  if (!isObj(raw)) return null;
  let m: Obj = raw;
  let role: string | undefined;
  // LangChain's serialized form: { lc: 1, type: 'constructor', id: [..., 'HumanMessage'], kwargs }
  if (raw.lc === 1 && isObj(raw.kwargs) && Array.isArray(raw.id)) {
    role = ROLE_BY_TYPE[String(raw.id[raw.id.length - 1])];
    m = raw.kwargs;
  }
  role ??=
    typeof m.role === 'string'
      ? (ROLE_BY_TYPE[m.role] ?? m.role)
      : typeof m.type === 'string'
        ? ROLE_BY_TYPE[m.type]
        : undefined;
  if (role === undefined || !('content' in m || 'tool_calls' in m)) return null;
  const calls: ChatToolCall[] = [];
  for (const c of Array.isArray(m.tool_calls) ? m.tool_calls : []) {
    const call = toolCall(c);
    if (call) calls.push(call);
  }
  if (isObj(m.function_call)) {
    const call = toolCall({ function: m.function_call });
    if (call) calls.push(call);
  }
  const { text, toolId } = contentOf(m.content, calls);
  const toolCallId = typeof m.tool_call_id === 'string' ? m.tool_call_id : (toolId ?? null);
  return {
    role: toolId && role === 'user' ? 'tool' : role,
    content: text === '' && calls.length > 0 ? null : text,
    toolCalls: calls,
    toolCallId,
    name: typeof m.name === 'string' ? m.name : null,
    output,
  };
}

function messageList(value: unknown): unknown[] | null {
  if (Array.isArray(value)) {
    // LangChain chat model inputs: a batch of message lists.
    if (value.length > 0 && value.every(Array.isArray)) return value[0] as unknown[];
    return value;
  }
  if (!isObj(value)) return null;
  for (const key of ['messages', 'input'])
    if (Array.isArray(value[key])) return messageList(value[key]);
  return null;
}

/** The messages of a model span's outputs (a completion's choices, generations, a list). */
export function outputMessages(outputs: unknown): unknown[] {
  if (!isObj(outputs)) return Array.isArray(outputs) ? outputs : [];
  if (Array.isArray(outputs.choices))
    return outputs.choices.map((c) => (isObj(c) ? c.message : undefined)).filter(isObj);
  if (Array.isArray(outputs.generations)) {
    const first = outputs.generations[0];
    const list = Array.isArray(first) ? first : outputs.generations;
    return list.map((g) => (isObj(g) ? (g.message ?? g) : undefined)).filter(isObj);
  }
  if (Array.isArray(outputs.output)) return outputs.output;
  if (Array.isArray(outputs.messages)) return outputs.messages.slice(-1);
  return [outputs];
}

/**
 * The conversation of a chat span: its input messages, then the model's answer. Null when the
 * inputs hold no recognisable message (the caller then shows the raw JSON).
 */
export function chatMessages(inputs: unknown, outputs: unknown): ChatMessage[] | null {
  const list = messageList(inputs);
  if (!list) return null;
  const messages = list.map((m) => normaliseMessage(m)).filter((m): m is ChatMessage => m !== null);
  if (messages.length === 0) return null;
  for (const m of outputMessages(outputs)) {
    const message = normaliseMessage(m, true);
    if (message) messages.push(message);
  }
  return messages;
}

/** Tool names by call id, to label tool results with the call they answer. */
export function toolNamesById(messages: readonly ChatMessage[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const m of messages) for (const c of m.toolCalls) if (c.id) names.set(c.id, c.name);
  return names;
}
