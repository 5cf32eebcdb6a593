import {
  type QueryScope,
  SpanType,
  type ToolCallRef,
  type ToolStats,
  type ToolsResult,
} from '@graphtrace/core';
import { nearestRank } from './percentile.js';
import { mapLimited, type ScanContext } from './trace-scan.js';

const NS_PER_MS = 1_000_000n;

/**
 * Per tool (TOOL spans by name) from the spans of the newest `maxDetail` traces: calls, errors,
 * latency, and the `examples` slowest and latest failing calls.
 */
export async function scanTools(
  ctx: ScanContext,
  scope: QueryScope,
  opts: { examples: number },
): Promise<ToolsResult> {
  const { infos, complete } = await ctx.scan(scope, ctx.maxDetail);
  const calls = new Map<string, { refs: ToolCallRef[]; errors: number }>();
  await mapLimited(infos, ctx.concurrency, async (info) => {
    const trace = await ctx.store.getTrace(info.traceId);
    for (const s of trace?.spans ?? []) {
      if (s.spanType !== SpanType.TOOL) continue;
      const entry = calls.get(s.name) ?? { refs: [], errors: 0 };
      calls.set(s.name, entry);
      const failed = s.status.code === 'ERROR';
      if (failed) entry.errors++;
      entry.refs.push({
        traceId: s.traceId,
        spanId: s.spanId,
        time: Number(s.startTimeUnixNano / NS_PER_MS),
        durationMs:
          s.endTimeUnixNano === null
            ? null
            : Number(s.endTimeUnixNano - s.startTimeUnixNano) / Number(NS_PER_MS),
        error: failed ? (s.status.message ?? null) : null,
      });
    }
  });
  const tools: ToolStats[] = [...calls.entries()].map(([name, { refs, errors }]) => {
    const finished = refs.filter((r) => r.durationMs !== null);
    const durations = finished.map((r) => r.durationMs!).sort((a, b) => a - b);
    return {
      name,
      calls: refs.length,
      errors,
      latencyP50Ms: nearestRank(durations, 50),
      latencyP95Ms: nearestRank(durations, 95),
      latencyMaxMs: durations.length === 0 ? null : durations[durations.length - 1]!,
      slowest: [...finished]
        .sort((a, b) => b.durationMs! - a.durationMs! || b.time - a.time)
        .slice(0, opts.examples),
      failing: refs
        .filter((r) => r.error !== null)
        .sort((a, b) => b.time - a.time)
        .slice(0, opts.examples),
    };
  });
  tools.sort((a, b) => b.calls - a.calls || a.name.localeCompare(b.name));
  return { tools, coverage: { traces: infos.length, complete } };
}
