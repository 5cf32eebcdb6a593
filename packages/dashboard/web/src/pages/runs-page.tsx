import { useMemo } from 'preact/hooks';
import type { MetricHistoryResponse, RunResponse, RunsResponse } from '../../../src/api/types.js';
import { getJson } from '../api.js';
import { useApp } from '../app-context.js';
import { RunStatusBadge } from '../components/badges.js';
import { Chart } from '../components/chart.js';
import { Empty, ErrorBox, Loading } from '../components/states.js';
import { useFollowExperiment } from '../experiment-choice.js';
import {
  formatCompact,
  formatDateTime,
  formatDuration,
  formatNumber,
  formatPercent,
  formatUsd,
  formatWhen,
} from '../format.js';
import { useAsync } from '../hooks.js';
import { href, navigate } from '../router.js';
import { defaultMetric, formatMetric, latest, ownMetrics } from '../run-metrics.js';

export function RunsPage() {
  const { experiment } = useApp();
  const runs = useAsync(
    (signal) =>
      getJson<RunsResponse>(
        'runs',
        { experiment: experiment?.experimentId, pageSize: 200 },
        signal,
      ),
    [experiment?.experimentId],
  );
  const list = runs.data?.runs ?? [];
  return (
    <section class="page">
      <div class="page-head">
        <h1>Runs</h1>
        <span class="muted">{experiment ? `in ${experiment.name}` : ''}</span>
      </div>
      {runs.error ? (
        <ErrorBox error={runs.error} onRetry={runs.reload} />
      ) : !runs.data ? (
        <Loading />
      ) : list.length === 0 ? (
        <Empty title="No runs in this experiment">
          Runs come from <code>tracker.withRun(…)</code> (params, metrics, the traces made inside).
        </Empty>
      ) : (
        <div class="table-wrap">
          <table class="table">
            <thead>
              <tr>
                <th>Run</th>
                <th>Status</th>
                <th>Started</th>
                <th class="num">Duration</th>
                <th class="num">Traces</th>
                <th class="num">Tokens</th>
                <th class="num">Cost</th>
                <th class="num">Error rate</th>
                <th>Params</th>
                <th>Metrics</th>
              </tr>
            </thead>
            <tbody>
              {list.map((r) => {
                const link = href(['runs', r.runId]);
                return (
                  <tr key={r.runId} class="clickable" onClick={() => navigate(link)}>
                    <td>
                      <a href={link}>{r.runName}</a>
                      <div class="sub mono">{r.runId.slice(0, 12)}</div>
                    </td>
                    <td>
                      <RunStatusBadge status={r.status} />
                    </td>
                    <td class="nowrap" title={formatDateTime(r.startTime)}>
                      {formatWhen(r.startTime)}
                    </td>
                    <td class="num">{r.endTime ? formatDuration(r.endTime - r.startTime) : '—'}</td>
                    {/* graphtrace's agent metrics, logged when a run with traces ends */}
                    <td class="num">{formatNumber(latest(r, 'agent.traces'))}</td>
                    <td class="num">{formatCompact(latest(r, 'agent.total_tokens'))}</td>
                    <td class="num">{formatUsd(latest(r, 'agent.total_cost_usd'))}</td>
                    <td class="num">{formatPercent(latest(r, 'agent.error_rate'))}</td>
                    <td>
                      {Object.entries(r.params)
                        .slice(0, 4)
                        .map(([k, v]) => (
                          <span class="tag" key={k}>
                            <span class="tag-key">{k}</span>
                            <span class="tag-value">{v}</span>
                          </span>
                        ))}
                    </td>
                    <td>
                      {ownMetrics(r.metrics)
                        .slice(0, 4)
                        .map((m) => (
                          <span class="tag" key={m.key}>
                            <span class="tag-key">{m.key}</span>
                            <span class="tag-value">{formatMetric(m)}</span>
                          </span>
                        ))}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

export function RunPage({ runId, metric }: { runId: string; metric: string | null }) {
  const run = useAsync(
    (signal) => getJson<RunResponse>(`runs/${encodeURIComponent(runId)}`, {}, signal),
    [runId],
  );
  const r = run.data?.run;
  // A run of another experiment: its traces link looks in the selected one.
  useFollowExperiment(r?.experimentId);
  const key = metric ?? (r ? defaultMetric(r.metrics) : null);
  const history = useAsync(
    (signal) =>
      key
        ? getJson<MetricHistoryResponse>(
            `runs/${encodeURIComponent(runId)}/metric-history`,
            { key },
            signal,
          )
        : Promise.resolve(null),
    [runId, key],
  );
  const chart = useMemo(() => {
    const h = history.data?.history ?? [];
    return { x: h.map((p) => p.step), values: h.map((p) => p.value) };
  }, [history.data]);

  if (run.error) return <ErrorBox error={run.error} onRetry={run.reload} />;
  if (!r) return <Loading />;
  return (
    <section class="page">
      <div class="crumbs">
        <a href={href(['runs'])}>← Runs</a>
      </div>
      <div class="page-head">
        <h1>{r.runName}</h1>
        <RunStatusBadge status={r.status} />
        <code class="trace-id">{r.runId}</code>
      </div>
      <dl class="facts">
        <div>
          <dt>Started</dt>
          <dd>{formatDateTime(r.startTime)}</dd>
        </div>
        <div>
          <dt>Duration</dt>
          <dd>{r.endTime ? formatDuration(r.endTime - r.startTime) : 'running'}</dd>
        </div>
        <div>
          <dt>User</dt>
          <dd>{r.userId}</dd>
        </div>
        <div>
          <dt>Traces</dt>
          <dd>
            <a href={href(['traces'], { filter: `attributes.run_id = '${r.runId}'` })}>
              show the run's traces
            </a>
          </dd>
        </div>
      </dl>
      <div class="run-grid">
        <div class="panel">
          <h2>Metrics</h2>
          {r.metrics.length === 0 ? (
            <p class="muted">No metrics logged.</p>
          ) : (
            <table class="table compact">
              <thead>
                <tr>
                  <th>Metric</th>
                  <th class="num">Latest</th>
                  <th class="num">Step</th>
                </tr>
              </thead>
              <tbody>
                {r.metrics.map((m) => (
                  <tr
                    key={m.key}
                    class={`clickable${m.key === key ? ' selected' : ''}`}
                    onClick={() =>
                      navigate(href(['runs', runId], { metric: m.key }), { replace: true })
                    }
                  >
                    <td>
                      <a href={href(['runs', runId], { metric: m.key })}>{m.key}</a>
                    </td>
                    <td class="num">{formatMetric(m)}</td>
                    <td class="num">{m.step}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {key ? (
            history.error ? (
              <ErrorBox error={history.error} onRetry={history.reload} />
            ) : history.data ? (
              <Chart
                title={`${key} by step`}
                x={chart.x}
                series={[{ label: key, color: '#6366f1', values: chart.values }]}
                timeAxis={false}
                format={(v) => formatNumber(v)}
                emptyText="Only zero values"
              />
            ) : (
              <Loading />
            )
          ) : null}
        </div>
        <div class="panel">
          <h2>Params</h2>
          <KeyValues values={r.params} empty="No params logged." />
          <h2>Tags</h2>
          <KeyValues values={r.tags} empty="No tags." />
        </div>
      </div>
    </section>
  );
}

function KeyValues({ values, empty }: { values: Record<string, string>; empty: string }) {
  const entries = Object.entries(values).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return <p class="muted">{empty}</p>;
  return (
    <table class="table compact kv">
      <tbody>
        {entries.map(([k, v]) => (
          <tr key={k}>
            <th>{k}</th>
            <td class="mono small">{v}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
