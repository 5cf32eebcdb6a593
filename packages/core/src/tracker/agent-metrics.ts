import { AgentMetadataKey, TraceMetadataKey } from '../model/keys.js';
import type { TraceInfo } from '../model/trace.js';
import type { TrackingStore } from '../store/tracking-store.js';
import { readLlmCost, readTokenUsage } from '../tracing/usage-cost.js';

/** Agent metrics of a run, computed from the traces linked to it (`mlflow.sourceRun`). */
export interface AgentMetrics {
  traces: number;
  errorTraces: number;
  latencyMs: { mean: number; p50: number; p95: number; max: number };
  spans: number;
  llmCalls: number;
  toolCalls: number;
  toolErrors: number;
  retrieverCalls: number;
  /** Graph node executions (LangGraph steps). */
  steps: number;
  tokens: { input: number; output: number; total: number };
  /** USD summed over the traces that have a cost (`mlflow.trace.cost`); see `pricedTraces`. */
  cost: { input: number; output: number; total: number };
  /** Traces with a cost: a trace whose models have no known price has none. */
  pricedTraces: number;
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  // Nearest-rank: the smallest value with at least q of the observations at or below it.
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export function summariseTraces(traces: Iterable<TraceInfo>): AgentMetrics {
  const latencies: number[] = [];
  const m: AgentMetrics = {
    traces: 0,
    errorTraces: 0,
    latencyMs: { mean: 0, p50: 0, p95: 0, max: 0 },
    spans: 0,
    llmCalls: 0,
    toolCalls: 0,
    toolErrors: 0,
    retrieverCalls: 0,
    steps: 0,
    tokens: { input: 0, output: 0, total: 0 },
    cost: { input: 0, output: 0, total: 0 },
    pricedTraces: 0,
  };
  const count = (t: TraceInfo, key: string) => {
    const n = Number(t.traceMetadata[key] ?? 0);
    return Number.isFinite(n) ? n : 0;
  };
  for (const t of traces) {
    m.traces++;
    if (t.state === 'ERROR') m.errorTraces++;
    if (t.executionDuration !== null) latencies.push(t.executionDuration);
    m.spans += count(t, AgentMetadataKey.SPANS);
    m.llmCalls += count(t, AgentMetadataKey.LLM_CALLS);
    m.toolCalls += count(t, AgentMetadataKey.TOOL_CALLS);
    m.toolErrors += count(t, AgentMetadataKey.TOOL_ERRORS);
    m.retrieverCalls += count(t, AgentMetadataKey.RETRIEVER_CALLS);
    m.steps += count(t, AgentMetadataKey.STEPS);
    // A foreign trace with malformed usage or cost is counted without them.
    const u = readTokenUsage(t.traceMetadata[TraceMetadataKey.TOKEN_USAGE]);
    if (u) {
      m.tokens.input += u.input_tokens;
      m.tokens.output += u.output_tokens;
      m.tokens.total += u.total_tokens;
    }
    const c = readLlmCost(t.traceMetadata[TraceMetadataKey.COST]);
    if (c) {
      m.pricedTraces++;
      m.cost.input += c.input_cost;
      m.cost.output += c.output_cost;
      m.cost.total += c.total_cost;
    }
  }
  latencies.sort((a, b) => a - b);
  if (latencies.length > 0) {
    m.latencyMs = {
      mean: latencies.reduce((a, b) => a + b, 0) / latencies.length,
      p50: quantile(latencies, 0.5),
      p95: quantile(latencies, 0.95),
      max: latencies[latencies.length - 1]!,
    };
  }
  return m;
}

/** Pages through the run's traces (infos only, never spans) and summarises them. */
export async function agentMetricsForRun(
  store: TrackingStore,
  experimentId: string,
  runId: string,
): Promise<AgentMetrics> {
  const infos: TraceInfo[] = [];
  let pageToken: string | null = null;
  do {
    const page = await store.searchTraces({
      experimentIds: [experimentId],
      filter: `metadata.\`${TraceMetadataKey.SOURCE_RUN}\` = '${runId}'`,
      maxResults: 500,
      pageToken,
    });
    infos.push(...page.items);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return summariseTraces(infos);
}

/**
 * The run metrics graphtrace logs when a run with traces ends; the cost ones only when a
 * trace has a cost, so an unpriced model never reads as free.
 */
export function agentMetricsAsRunMetrics(m: AgentMetrics): Record<string, number> {
  const cost: Record<string, number> =
    m.pricedTraces === 0
      ? {}
      : {
          'agent.priced_traces': m.pricedTraces,
          'agent.input_cost_usd': m.cost.input,
          'agent.output_cost_usd': m.cost.output,
          'agent.total_cost_usd': m.cost.total,
        };
  return {
    'agent.traces': m.traces,
    'agent.error_rate': m.traces === 0 ? 0 : m.errorTraces / m.traces,
    'agent.latency_mean_ms': m.latencyMs.mean,
    'agent.latency_p50_ms': m.latencyMs.p50,
    'agent.latency_p95_ms': m.latencyMs.p95,
    'agent.llm_calls': m.llmCalls,
    'agent.tool_calls': m.toolCalls,
    'agent.tool_errors': m.toolErrors,
    'agent.steps': m.steps,
    'agent.input_tokens': m.tokens.input,
    'agent.output_tokens': m.tokens.output,
    'agent.total_tokens': m.tokens.total,
    ...cost,
  };
}
