import {
  SpanAttributeKey,
  type ToolCallRef,
  type ToolStats,
  type TrackingStore,
} from '@graphtrace/core';
import { mapLimited } from './trace-scan.js';

/*
 * The arguments of the tool calls the tools page lists (slowest and failed), read from their
 * TOOL spans' inputs. The analytics port (core's, also implemented in SQL) only names the calls,
 * so the few traces they belong to are read here: at most `maxTraces`, a handful per tool.
 */

/** Characters of arguments kept per call: enough to see what was asked, never a whole payload. */
export const TOOL_ARGUMENTS_CHARS = 300;
/** Traces read for arguments per request, at most (a call beyond them has none). */
export const TOOL_ARGUMENTS_TRACES = 100;

/** One listed call of a tool, with its arguments. */
export interface ToolCallView extends ToolCallRef {
  /** The TOOL span's inputs as compact JSON text, cut to 300 characters; null when not recorded. */
  arguments: string | null;
}

export interface ToolStatsView extends Omit<ToolStats, 'slowest' | 'failing'> {
  slowest: ToolCallView[];
  failing: ToolCallView[];
}

/** Compact JSON text of a value (JSON text is re-read so it prints the same way), cut to `max`. */
export function compactArguments(value: unknown, max = TOOL_ARGUMENTS_CHARS): string | null {
  if (value === undefined || value === null) return null;
  let v = value;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      // plain text arguments: shown as they are
    }
  }
  let text: string;
  try {
    text =
      typeof v === 'string'
        ? v
        : JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));
  } catch {
    return null;
  }
  if (text === undefined) return null;
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export async function withToolArguments(
  store: TrackingStore,
  tools: readonly ToolStats[],
  options: { maxTraces?: number; concurrency?: number } = {},
): Promise<ToolStatsView[]> {
  const wanted = new Set<string>();
  for (const t of tools) for (const c of [...t.slowest, ...t.failing]) wanted.add(c.traceId);
  const traceIds = [...wanted].slice(0, options.maxTraces ?? TOOL_ARGUMENTS_TRACES);
  const bySpan = new Map<string, string | null>();
  await mapLimited(traceIds, options.concurrency ?? 4, async (traceId) => {
    const trace = await store.getTrace(traceId);
    for (const s of trace?.spans ?? [])
      bySpan.set(`${traceId}/${s.spanId}`, compactArguments(s.attributes[SpanAttributeKey.INPUTS]));
  });
  const withArgs = (c: ToolCallRef): ToolCallView => ({
    ...c,
    arguments: bySpan.get(`${c.traceId}/${c.spanId}`) ?? null,
  });
  return tools.map((t) => ({
    ...t,
    slowest: t.slowest.map(withArgs),
    failing: t.failing.map(withArgs),
  }));
}
