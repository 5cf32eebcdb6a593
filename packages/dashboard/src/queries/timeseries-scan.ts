import {
  AgentMetadataKey,
  type QueryScope,
  type TimeseriesPoint,
  type TimeseriesResult,
  type TraceInfo,
} from '@graphtrace/core';
import { emptyTimeseriesTotals } from '@graphtrace/core/store-kit';
import { nearestRank } from './percentile.js';
import { type ScanContext, tokensOf } from './trace-scan.js';

function metadataNumber(info: TraceInfo, key: string): number | null {
  const raw = info.traceMetadata[key];
  if (raw === undefined) return null;
  const n = Number(raw);
  return Number.isFinite(n) ? n : null;
}

/**
 * Traces per bucket of the range from the newest `maxTraces` trace infos: errors, latency
 * percentiles, tokens and the agent counters graphtrace writes per trace (no spans read).
 */
export async function scanTimeseries(
  ctx: ScanContext,
  scope: QueryScope,
  bucketMs: number,
): Promise<TimeseriesResult> {
  const { infos, complete } = await ctx.scan(scope, ctx.maxTraces);
  const buckets = new Map<number, TimeseriesPoint & { latencies: number[] }>();
  const all: number[] = [];
  for (const t of infos) {
    const b = Math.floor((t.requestTime - scope.from) / bucketMs);
    let p = buckets.get(b);
    if (!p) {
      p = {
        start: scope.from + b * bucketMs,
        ...emptyTimeseriesTotals(),
        latencies: [],
      };
      buckets.set(b, p);
    }
    p.traces++;
    if (t.state === 'ERROR') p.errors++;
    if (t.executionDuration !== null) {
      p.latencies.push(t.executionDuration);
      all.push(t.executionDuration);
    }
    const tokens = tokensOf(t);
    p.inputTokens += tokens.input;
    p.outputTokens += tokens.output;
    const llm = metadataNumber(t, AgentMetadataKey.LLM_CALLS);
    if (llm !== null) {
      p.llmCalls += llm;
      p.toolCalls += metadataNumber(t, AgentMetadataKey.TOOL_CALLS) ?? 0;
      p.tracesWithCalls++;
    }
  }
  const points = [...buckets.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([, { latencies, ...p }]) => {
      latencies.sort((a, b) => a - b);
      return {
        ...p,
        latencyP50Ms: nearestRank(latencies, 50),
        latencyP95Ms: nearestRank(latencies, 95),
      };
    });
  all.sort((a, b) => a - b);
  const sum = (f: (p: TimeseriesPoint) => number) => points.reduce((n, p) => n + f(p), 0);
  return {
    bucketMs,
    points,
    totals: {
      traces: infos.length,
      errors: sum((p) => p.errors),
      latencyP50Ms: nearestRank(all, 50),
      latencyP95Ms: nearestRank(all, 95),
      inputTokens: sum((p) => p.inputTokens),
      outputTokens: sum((p) => p.outputTokens),
      llmCalls: sum((p) => p.llmCalls),
      toolCalls: sum((p) => p.toolCalls),
      tracesWithCalls: sum((p) => p.tracesWithCalls),
    },
    coverage: { traces: infos.length, complete },
  };
}
