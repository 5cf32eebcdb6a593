import { type TraceInfo, TraceMetadataKey, type TrackingStore } from '@graphtrace/core';
import { mapLimited } from './trace-scan.js';

/*
 * What a session opened with: the first user message of its first trace (in the range the
 * sessions list shows, like its other figures). Read from the trace info alone (no spans): `mlflow.traceInputs` (the root's inputs as
 * JSON text, cut at 250 characters by the tracker) when it still parses, else the request
 * preview (the last user message of the trace, which for an opening turn is the first).
 */

/** Characters of first input kept per session. */
export const FIRST_INPUT_CHARS = 200;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

const USER_ROLES = new Set(['user', 'human', 'HumanMessage', 'HumanMessageChunk']);

function textOf(content: unknown): string | null {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return null;
  const parts = content
    .map((p) => (typeof p === 'string' ? p : isObj(p) && typeof p.text === 'string' ? p.text : ''))
    .filter((p) => p !== '');
  return parts.length > 0 ? parts.join('\n') : null;
}

/** A user message's text in the OpenAI, LangChain dict or LangChain serialized shape. */
function userText(message: unknown): string | null {
  if (!isObj(message)) return null;
  let m = message;
  let role: unknown = m.role ?? m.type;
  if (m.lc === 1 && Array.isArray(m.id) && isObj(m.kwargs)) {
    role = m.id[m.id.length - 1];
    m = m.kwargs;
  }
  return typeof role === 'string' && USER_ROLES.has(role) ? textOf(m.content) : null;
}

/** The first user message in a value holding messages (`{messages}`, a list, a batch), or null. */
export function firstUserMessage(inputs: unknown): string | null {
  let list: unknown = inputs;
  if (isObj(list)) list = list.messages ?? list.input;
  if (Array.isArray(list) && list.length > 0 && list.every(Array.isArray)) list = list[0];
  if (!Array.isArray(list)) return null;
  for (const m of list) {
    const text = userText(m);
    if (text !== null && text.trim() !== '') return text;
  }
  return null;
}

function cut(s: string, max: number): string {
  const t = s.trim();
  return t.length <= max ? t : `${t.slice(0, max - 1)}…`;
}

/** The first user message of a trace, else its request preview, cut to 200 characters. */
export function firstInputOf(info: TraceInfo, max = FIRST_INPUT_CHARS): string | null {
  const raw = info.traceMetadata[TraceMetadataKey.INPUTS];
  if (raw !== undefined) {
    try {
      const parsed: unknown = JSON.parse(raw);
      const text = typeof parsed === 'string' ? parsed : firstUserMessage(parsed);
      if (text !== null && text.trim() !== '') return cut(text, max);
    } catch {
      // cut short by the tracker: the preview below is the message's own text
    }
  }
  return info.requestPreview ? cut(info.requestPreview, max) : null;
}

/**
 * The first input of each session, from its first trace in the listed range (the row's
 * `firstTime`): one `searchTraces` per session, pinned to that millisecond so the store reads
 * through its time index instead of ordering every trace of the session (at 100k traces, 50
 * sessions take ~40 ms this way, ~10 s ordered by time).
 */
export async function sessionFirstInputs(
  store: TrackingStore,
  experimentIds: string[],
  sessions: readonly { session: string; firstTime: number }[],
  quote: (value: string) => string,
  concurrency = 4,
): Promise<Map<string, string | null>> {
  const out = new Map<string, string | null>();
  if (experimentIds.length === 0) return out;
  await mapLimited(sessions, concurrency, async ({ session, firstTime }) => {
    const page = await store.searchTraces({
      experimentIds,
      filter: `metadata.\`${TraceMetadataKey.SESSION}\` = ${quote(session)} AND attributes.timestamp_ms = ${Math.trunc(firstTime)}`,
      maxResults: 1,
    });
    const first = page.items[0];
    out.set(session, first ? firstInputOf(first) : null);
  });
  return out;
}
