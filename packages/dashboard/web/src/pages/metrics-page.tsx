import { useMemo } from 'preact/hooks';
import type { MetricsResponse } from '../../../src/api/types.js';
import { getJson } from '../api.js';
import { useApp } from '../app-context.js';
import { Chart, type ChartSeries } from '../components/chart.js';
import { CostPanel } from '../components/cost-panel.js';
import { FilterBox } from '../components/filter-box.js';
import { Kpi } from '../components/kpi.js';
import { RangePicker } from '../components/range-picker.js';
import { CoverageNote, Empty, ErrorBox, Loading } from '../components/states.js';
import {
  formatCompact,
  formatDuration,
  formatInterval,
  formatNumber,
  formatPercent,
  formatShortDateTime,
} from '../format.js';
import { useAsync, useFirstContentMark } from '../hooks.js';
import { useLiveReload } from '../live.js';
import { pageBounds, routeRange } from '../range.js';
import { href, navigate, type Route } from '../router.js';

const COLORS = {
  traces: '#6366f1',
  errors: '#ef4444',
  p50: '#0ea5e9',
  p95: '#f59e0b',
  input: '#8b5cf6',
  output: '#10b981',
  llm: '#3b82f6',
  tool: '#f97316',
};

const perTrace = (calls: number, traces: number) => (traces === 0 ? null : calls / traces);

export function MetricsPage({ route }: { route: Route }) {
  const { experiment } = useApp();
  const range = routeRange(route.params, '24h');
  const filter = route.params.get('filter') ?? '';
  const bounds = pageBounds(range, experiment, '24h');
  const metrics = useAsync(
    (signal) =>
      getJson<MetricsResponse>(
        'metrics',
        { experiment: experiment?.experimentId, filter, ...bounds },
        signal,
      ),
    [experiment?.experimentId, filter, bounds.from, bounds.to],
  );
  useLiveReload(experiment?.experimentId, metrics.reload);
  const set = (changes: Record<string, string | null>) =>
    navigate(href(['metrics'], { ...range.params, filter, ...changes }));

  const charts = useMemo(() => {
    const m = metrics.data;
    if (!m) return null;
    const x = m.points.map((p) => p.start);
    const s = (label: string, color: string, values: (number | null)[], kind?: 'bars') =>
      ({ label, color, values, ...(kind ? { kind } : {}) }) satisfies ChartSeries;
    return {
      x,
      traces: [
        s(
          'Traces',
          COLORS.traces,
          m.points.map((p) => p.traces),
          'bars',
        ),
        s(
          'Errors',
          COLORS.errors,
          m.points.map((p) => p.errors),
          'bars',
        ),
      ],
      latency: [
        s(
          'p50',
          COLORS.p50,
          m.points.map((p) => p.latencyP50Ms),
        ),
        s(
          'p95',
          COLORS.p95,
          m.points.map((p) => p.latencyP95Ms),
        ),
      ],
      errorRate: [
        s(
          'Error rate',
          COLORS.errors,
          m.points.map((p) => (p.traces === 0 ? null : p.errors / p.traces)),
        ),
      ],
      tokens: [
        s(
          'Input',
          COLORS.input,
          m.points.map((p) => p.inputTokens),
        ),
        s(
          'Output',
          COLORS.output,
          m.points.map((p) => p.outputTokens),
        ),
      ],
      llmCalls: [
        s(
          'LLM calls / trace',
          COLORS.llm,
          m.points.map((p) => perTrace(p.llmCalls, p.tracesWithCalls)),
        ),
      ],
      toolCalls: [
        s(
          'Tool calls / trace',
          COLORS.tool,
          m.points.map((p) => perTrace(p.toolCalls, p.tracesWithCalls)),
        ),
      ],
    };
  }, [metrics.data]);

  const m = metrics.data;
  const t = m?.totals;
  useFirstContentMark(
    'graphtrace:metrics:first-content',
    m !== undefined || metrics.error !== undefined,
  );
  return (
    <section class="page">
      <div class="page-head">
        <h1>Agent metrics</h1>
        <div class="page-actions">
          {m ? <CoverageNote analytics={m.analytics} coverage={m.coverage} /> : null}
          <RangePicker value={range} onChange={(p) => set(p)} />
        </div>
      </div>
      <FilterBox
        value={filter}
        error={metrics.error}
        onApply={(f) => set({ filter: f || null })}
        placeholder="Only traces matching, e.g. tags.env = 'prod'"
      />
      {metrics.error && !(metrics.error as { param?: string }).param ? (
        <ErrorBox error={metrics.error} onRetry={metrics.reload} />
      ) : !m || !charts || !t ? (
        <Loading label="Computing metrics…" />
      ) : (
        <div class={metrics.loading ? 'is-loading' : ''}>
          <p class="muted range-line">
            {formatShortDateTime(m.from)} – {formatShortDateTime(m.to)} · one point per{' '}
            {formatInterval(m.bucketMs)}
          </p>
          <div class="kpis">
            <Kpi label="Traces" value={formatNumber(t.traces)} />
            <Kpi
              label="Error rate"
              value={formatPercent(t.traces ? t.errors / t.traces : null)}
              tone={t.errors > 0 ? 'bad' : undefined}
            />
            <Kpi label="Latency p50" value={formatDuration(t.latencyP50Ms)} />
            <Kpi label="Latency p95" value={formatDuration(t.latencyP95Ms)} />
            <Kpi
              label="Tokens in / out"
              value={`${formatCompact(t.inputTokens)} / ${formatCompact(t.outputTokens)}`}
            />
            <Kpi
              label="LLM · tool calls / trace"
              value={
                t.tracesWithCalls
                  ? `${(t.llmCalls / t.tracesWithCalls).toFixed(1)} · ${(t.toolCalls / t.tracesWithCalls).toFixed(1)}`
                  : '—'
              }
            />
          </div>
          {t.traces === 0 ? (
            <Empty title="No traces in this range">
              {experiment?.lastTraceTime ? (
                <>
                  The newest trace is from {formatShortDateTime(experiment.lastTraceTime)}.{' '}
                  <button
                    type="button"
                    class="button"
                    onClick={() => set({ range: 'all', from: null, to: null })}
                  >
                    Show all time
                  </button>
                </>
              ) : (
                'Nothing has been recorded in this experiment yet.'
              )}
            </Empty>
          ) : (
            <div class="charts">
              <Chart
                title="Traces per interval"
                x={charts.x}
                series={charts.traces}
                format={formatCompact}
              />
              <Chart
                title="Latency (p50 / p95)"
                x={charts.x}
                series={charts.latency}
                format={formatDuration}
              />
              <Chart
                title="Error rate"
                x={charts.x}
                series={charts.errorRate}
                format={formatPercent}
                emptyText="No errors in this range"
              />
              <Chart
                title="Tokens (input / output)"
                x={charts.x}
                series={charts.tokens}
                format={formatCompact}
                emptyText="No token usage recorded"
              />
              <Chart
                title="LLM calls per trace"
                x={charts.x}
                series={charts.llmCalls}
                format={formatNumber}
                emptyText="No per-trace call counts recorded"
              />
              <Chart
                title="Tool calls per trace"
                x={charts.x}
                series={charts.toolCalls}
                format={formatNumber}
                emptyText="No tool calls recorded"
              />
            </div>
          )}
          {t.traces > 0 && t.tracesWithCalls < t.traces ? (
            <p class="muted small">
              Calls per trace come from graphtrace's per-trace counters and cover{' '}
              {formatNumber(t.tracesWithCalls)} of {formatNumber(t.traces)} traces (traces written
              by other SDKs have none).
            </p>
          ) : null}
          {t.traces > 0 ? (
            <CostPanel experimentId={experiment?.experimentId} filter={filter} bounds={bounds} />
          ) : null}
        </div>
      )}
    </section>
  );
}
