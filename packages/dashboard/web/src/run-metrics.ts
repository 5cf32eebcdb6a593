import type { MetricView, RunView } from '../../src/api/types.js';
import { formatNumber } from './format.js';

/*
 * Which of a run's metrics to show first. A run with traces carries graphtrace's `agent.*`
 * metrics (core's agent-metrics.ts), and sorted by name the first of them is
 * `agent.error_rate`, most often 0: a chart of zeros, and a runs list that misses the traces
 * and tokens.
 */

const AGENT = 'agent.';

/** Charted first, in this order, when the run logs no metric of its own. */
const AGENT_CHART_ORDER = [
  'agent.total_tokens',
  'agent.latency_p50_ms',
  'agent.traces',
  'agent.llm_calls',
  'agent.tool_calls',
  'agent.total_cost_usd',
];

/** A run's latest value of a metric: undefined when not logged, null when not finite. */
export function latest(run: RunView, key: string): number | null | undefined {
  return run.metrics.find((m) => m.key === key)?.value;
}

/** The metrics a run logged itself (not graphtrace's agent metrics), by name. */
export function ownMetrics(metrics: readonly MetricView[]): MetricView[] {
  return metrics.filter((m) => !m.key.startsWith(AGENT));
}

/**
 * The metric a run page charts when none is asked for: the run's own metrics first (what the
 * user logged), then the agent's tokens, latency, traces…; the first with a value other than 0.
 */
export function defaultMetric(metrics: readonly MetricView[]): string | null {
  const byKey = new Map(metrics.map((m) => [m.key, m]));
  const ranked = [
    ...ownMetrics(metrics),
    ...AGENT_CHART_ORDER.flatMap((k) => byKey.get(k) ?? []),
    ...metrics,
  ];
  const telling = ranked.find((m) => m.value !== null && m.value !== 0);
  return (telling ?? metrics[0])?.key ?? null;
}

/** A metric value: two decimals, but a small one keeps two significant digits (a cost of
 * $0.000083 is not 0). NaN and ±Infinity (null in JSON) show as their text. */
export function formatMetric(m: MetricView): string {
  if (m.value === null) return m.text;
  const v = m.value;
  return v !== 0 && Math.abs(v) < 0.01 ? String(Number(v.toPrecision(2))) : formatNumber(v);
}
