import { type Span, SpanType, type TrackingStore } from '@graphtrace/core';
import { mapLimited } from './trace-scan.js';

/*
 * The tool calls of each turn of a session (its TOOL spans), so the session page shows what the
 * agent did between question and answer. The spans of every turn are read: at most `maxTraces`
 * turns get them, the rest say "not read" (null) rather than "no tools".
 */

/** Turns of one session whose spans are read, at most. */
export const TURN_TOOLS_TRACES = 200;

export interface TurnToolCall {
  name: string;
  spanId: string;
  /** The span's status message (or "error") when the call failed, else null. */
  error: string | null;
}

/**
 * The TOOL spans of a trace in start order, leaving out tools run inside another tool (a
 * sub-agent's), which the outer call stands for.
 */
export function turnToolCalls(spans: readonly Span[]): TurnToolCall[] {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const insideTool = (s: Span): boolean => {
    let parent = s.parentSpanId === null ? undefined : byId.get(s.parentSpanId);
    for (let hops = 0; parent && hops < spans.length; hops++) {
      if (parent.spanType === SpanType.TOOL) return true;
      parent = parent.parentSpanId === null ? undefined : byId.get(parent.parentSpanId);
    }
    return false;
  };
  return spans
    .filter((s) => s.spanType === SpanType.TOOL && !insideTool(s))
    .sort((a, b) =>
      a.startTimeUnixNano < b.startTimeUnixNano
        ? -1
        : a.startTimeUnixNano > b.startTimeUnixNano
          ? 1
          : 0,
    )
    .map((s) => ({
      name: s.name,
      spanId: s.spanId,
      error: s.status.code === 'ERROR' ? (s.status.message ?? 'error') : null,
    }));
}

/** Tool calls per trace id; a trace past `maxTraces` (or gone) maps to null. */
export async function turnTools(
  store: TrackingStore,
  traceIds: readonly string[],
  options: { maxTraces?: number; concurrency?: number } = {},
): Promise<Map<string, TurnToolCall[] | null>> {
  const out = new Map<string, TurnToolCall[] | null>(traceIds.map((id) => [id, null]));
  const read = traceIds.slice(0, options.maxTraces ?? TURN_TOOLS_TRACES);
  await mapLimited(read, options.concurrency ?? 4, async (traceId) => {
    const trace = await store.getTrace(traceId);
    if (trace) out.set(traceId, turnToolCalls(trace.spans));
  });
  return out;
}
