import { useState } from 'preact/hooks';
import type { ToolCallView, ToolsResponse } from '../../../src/api/types.js';
import { getJson } from '../api.js';
import { useApp } from '../app-context.js';
import { RangePicker } from '../components/range-picker.js';
import '../tool-calls.css';
import { CoverageNote, Empty, ErrorBox, Loading } from '../components/states.js';
import { formatDuration, formatNumber, formatPercent, formatWhen } from '../format.js';
import { useAsync, useFirstContentMark } from '../hooks.js';
import { pageBounds, routeRange } from '../range.js';
import { href, navigate, type Route } from '../router.js';

export function ToolsPage({ route }: { route: Route }) {
  const { experiment } = useApp();
  const range = routeRange(route.params, '24h');
  const bounds = pageBounds(range, experiment, '24h');
  const tools = useAsync(
    (signal) =>
      getJson<ToolsResponse>('tools', { experiment: experiment?.experimentId, ...bounds }, signal),
    [experiment?.experimentId, bounds.from, bounds.to],
  );
  const [open, setOpen] = useState<string | null>(null);
  const data = tools.data;
  useFirstContentMark(
    'graphtrace:tools:first-content',
    data !== undefined || tools.error !== undefined,
  );
  return (
    <section class="page">
      <div class="page-head">
        <h1>Tools</h1>
        <div class="page-actions">
          {data ? <CoverageNote analytics={data.analytics} coverage={data.coverage} /> : null}
          <RangePicker value={range} onChange={(p) => navigate(href(['tools'], p))} />
        </div>
      </div>
      {tools.error ? (
        <ErrorBox error={tools.error} onRetry={tools.reload} />
      ) : !data ? (
        <Loading label="Computing tool statistics…" />
      ) : data.tools.length === 0 ? (
        <Empty title="No tool calls in this range">
          Tool calls are spans of type TOOL.{' '}
          {range.key !== 'all' ? (
            <button
              type="button"
              class="button"
              onClick={() => navigate(href(['tools'], { range: 'all' }))}
            >
              Show all time
            </button>
          ) : null}
        </Empty>
      ) : (
        <div class={`table-wrap${tools.loading ? ' is-loading' : ''}`}>
          <table class="table tools-table">
            <thead>
              <tr>
                <th>Tool</th>
                <th class="num">Calls</th>
                <th class="num">Errors</th>
                <th>Error rate</th>
                <th class="num">p50</th>
                <th class="num">p95</th>
                <th class="num">Max</th>
              </tr>
            </thead>
            <tbody>
              {data.tools.map((t) => {
                const rate = t.calls ? t.errors / t.calls : 0;
                const expanded = open === t.name;
                return [
                  <tr
                    key={t.name}
                    class={`clickable${expanded ? ' expanded' : ''}`}
                    onClick={() => setOpen(expanded ? null : t.name)}
                  >
                    <td>
                      <button
                        type="button"
                        class="fold"
                        aria-expanded={expanded}
                        aria-label={`Calls of ${t.name}`}
                      >
                        {expanded ? '▾' : '▸'}
                      </button>
                      <code>{t.name}</code>
                    </td>
                    <td class="num">{formatNumber(t.calls)}</td>
                    <td class={`num${t.errors ? ' bad' : ''}`}>{formatNumber(t.errors)}</td>
                    <td>
                      <div class="ratebar" title={formatPercent(rate)}>
                        <span style={{ width: `${Math.max(rate * 100, rate > 0 ? 2 : 0)}%` }} />
                      </div>
                      <span class="small">{formatPercent(rate)}</span>
                    </td>
                    <td class="num">{formatDuration(t.latencyP50Ms)}</td>
                    <td class="num">{formatDuration(t.latencyP95Ms)}</td>
                    <td class="num">{formatDuration(t.latencyMaxMs)}</td>
                  </tr>,
                  expanded ? (
                    <tr key={`${t.name}-calls`} class="detail-row">
                      <td colSpan={7}>
                        <div class="call-lists">
                          <CallList title="Slowest calls" calls={t.slowest} />
                          <CallList
                            title="Recent failures"
                            calls={t.failing}
                            empty="No failed calls"
                          />
                        </div>
                      </td>
                    </tr>
                  ) : null,
                ];
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function CallList({
  title,
  calls,
  empty = 'None',
}: {
  title: string;
  calls: ToolCallView[];
  empty?: string;
}) {
  return (
    <div>
      <h3>{title}</h3>
      {calls.length === 0 ? (
        <p class="muted">{empty}</p>
      ) : (
        <ul class="calls">
          {calls.map((c) => (
            <li key={`${c.traceId}/${c.spanId}`}>
              <a href={href(['traces', c.traceId], { span: c.spanId })}>
                {formatWhen(c.time)} · {formatDuration(c.durationMs)}
              </a>
              {c.arguments !== null ? (
                <code class="call-args" title="Arguments (the tool span's inputs)">
                  {c.arguments}
                </code>
              ) : null}
              {c.error ? <span class="call-error">{c.error}</span> : null}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
