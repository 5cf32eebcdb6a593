import { useEffect, useMemo, useState } from 'preact/hooks';
import type { AssessmentView, SpanView, TraceDetailResponse } from '../../../src/api/types.js';
import { getJson } from '../api.js';
import { StatusBadge, Tags } from '../components/badges.js';
import { FeedbackPanel } from '../components/feedback.js';
import { GraphTab } from '../components/graph-tab.js';
import { SpanDetail } from '../components/span-detail.js';
import { SpanTree } from '../components/span-tree.js';
import { ErrorBox, Loading } from '../components/states.js';
import { StoryView } from '../components/story-view.js';
import { TraceViewTabs } from '../components/trace-view-tabs.js';
import { useFollowExperiment } from '../experiment-choice.js';
import { formatDateTime, formatDuration, formatNumber, formatUsd } from '../format.js';
import { tracedGraphs } from '../graph-data.js';
import { useAsync, useFirstContentMark } from '../hooks.js';
import { href, navigate, type Route } from '../router.js';
import { traceViewOf } from '../trace-view.js';

/**
 * The span a trace opens on: where a failure started (the first failed span none of whose
 * children failed), else the root.
 */
function defaultSpan(spans: SpanView[]): string | null {
  const failedParents = new Set(
    spans.filter((s) => s.status.code === 'ERROR' && s.parentSpanId).map((s) => s.parentSpanId!),
  );
  const origin = spans.find((s) => s.status.code === 'ERROR' && !failedParents.has(s.spanId));
  return origin?.spanId ?? spans[0]?.spanId ?? null;
}

export function TracePage({ traceId, route }: { traceId: string; route: Route }) {
  const detail = useAsync(
    (signal) => getJson<TraceDetailResponse>(`traces/${encodeURIComponent(traceId)}`, {}, signal),
    [traceId],
  );
  const [added, setAdded] = useState<AssessmentView[]>([]);
  useEffect(() => setAdded([]), [traceId]);
  const data = detail.data?.trace.traceId === traceId ? detail.data : undefined;
  // Its session and run links look in the selected experiment: make it the trace's.
  useFollowExperiment(data?.trace.experimentId);
  const spans = data?.spans ?? [];
  const requested = route.params.get('span');
  const selectedId =
    requested && spans.some((s) => s.spanId === requested) ? requested : defaultSpan(spans);
  const selected = useMemo(
    () => spans.find((s) => s.spanId === selectedId) ?? null,
    [spans, selectedId],
  );
  const graphs = useMemo(() => tracedGraphs(spans), [spans]);
  useFirstContentMark(
    'graphtrace:trace:first-content',
    data !== undefined || detail.error !== undefined,
  );

  if (detail.error && !data) return <ErrorBox error={detail.error} onRetry={detail.reload} />;
  if (!data) return <Loading label="Loading the trace…" />;
  const t = data.trace;
  const assessments = [...data.assessments, ...added];
  const view = traceViewOf(route.params, t.state);
  const select = (spanId: string) =>
    navigate(href(['traces', traceId], { view: route.params.get('view'), span: spanId }), {
      replace: true,
    });

  return (
    <section class="page trace-page">
      <div class="crumbs">
        <a href={href(['traces'])}>← Traces</a>
      </div>
      <header class="trace-head">
        <div class="trace-title">
          <h1>{t.name ?? 'Trace'}</h1>
          <StatusBadge state={t.state} />
          <code class="trace-id" title="Trace id">
            {t.traceId}
          </code>
        </div>
        <dl class="facts">
          <div>
            <dt>Started</dt>
            <dd>{formatDateTime(t.time)}</dd>
          </div>
          <div>
            <dt>Latency</dt>
            <dd>{formatDuration(t.durationMs)}</dd>
          </div>
          <div>
            <dt>Tokens</dt>
            <dd>
              {t.tokens
                ? `${formatNumber(t.tokens.input)} in · ${formatNumber(t.tokens.output)} out${t.tokens.cacheRead ? ` · ${formatNumber(t.tokens.cacheRead)} cached` : ''}`
                : '—'}
            </dd>
          </div>
          <div class="trace-cost">
            <dt>Cost</dt>
            {t.cost ? (
              <dd title="mlflow.trace.cost: the model calls of this trace, priced">
                {formatUsd(t.cost.total)}{' '}
                <span class="muted small">
                  ({formatUsd(t.cost.input)} in · {formatUsd(t.cost.output)} out)
                </span>
              </dd>
            ) : (
              <dd class="muted" title="No model of this trace has a known price">
                —
              </dd>
            )}
          </div>
          <div>
            <dt>Calls</dt>
            <dd>
              {t.llmCalls ??
                spans.filter((s) => s.spanType === 'CHAT_MODEL' || s.spanType === 'LLM')
                  .length}{' '}
              LLM · {t.toolCalls ?? spans.filter((s) => s.spanType === 'TOOL').length} tool
            </dd>
          </div>
          {t.session ? (
            <div>
              <dt>Session</dt>
              <dd>
                {/* The experiment rides along, so a copied link opens the session where it is. */}
                <a href={href(['sessions', t.session], { experiment: t.experimentId })}>
                  {t.session}
                </a>
              </dd>
            </div>
          ) : null}
          {t.pause ? (
            <div class="trace-pause">
              <dt>Interrupt</dt>
              <dd>
                {t.pause.resumed ? (
                  <>
                    resumes{' '}
                    {t.pause.resumedFrom ? (
                      <a href={href(['traces', t.pause.resumedFrom])}>the paused trace</a>
                    ) : (
                      'a paused run'
                    )}
                    {t.pause.interrupted ? '; ' : ''}
                  </>
                ) : null}
                {t.pause.interrupted ? 'paused for input' : null}
              </dd>
            </div>
          ) : null}
          {t.user ? (
            <div>
              <dt>User</dt>
              <dd>{t.user}</dd>
            </div>
          ) : null}
          {t.runId ? (
            <div>
              <dt>Run</dt>
              <dd>
                <a href={href(['runs', t.runId])} class="mono small">
                  {t.runId.slice(0, 8)}
                </a>
              </dd>
            </div>
          ) : null}
        </dl>
        <Tags tags={t.tags} />
        {/* The story shows request and answer in full. */}
        {view === 'tree' && (t.requestPreview || t.responsePreview) ? (
          <div class="previews">
            {t.requestPreview ? (
              <div class="preview-box">
                <div class="preview-label">Request</div>
                <div class="preview-text">{t.requestPreview}</div>
              </div>
            ) : null}
            {t.responsePreview ? (
              <div class="preview-box">
                <div class="preview-label">Response</div>
                <div class="preview-text">{t.responsePreview}</div>
              </div>
            ) : null}
          </div>
        ) : null}
      </header>
      <TraceViewTabs
        traceId={traceId}
        view={view}
        spanId={requested}
        hasGraph={graphs.length > 0}
      />
      <div class="trace-body">
        {view === 'story' ? (
          <div class="panel story-panel">
            <StoryView traceId={traceId} spans={spans} />
          </div>
        ) : view === 'graph' ? (
          <div class="panel graph-panel">
            {graphs.length > 0 ? (
              <GraphTab traceId={traceId} graphs={graphs} />
            ) : (
              <p class="muted">This trace recorded no LangGraph graph.</p>
            )}
          </div>
        ) : (
          <div class="panel spans-panel">
            {spans.length === 0 ? (
              <p class="muted">This trace has no spans (yet).</p>
            ) : (
              <SpanTree spans={spans} selected={selectedId} onSelect={select} />
            )}
          </div>
        )}
        <div class="trace-side">
          {view === 'tree' ? (
            <div class="panel">
              {selected ? <SpanDetail span={selected} /> : <p class="muted">Select a span.</p>}
            </div>
          ) : null}
          <FeedbackPanel
            traceId={traceId}
            assessments={assessments}
            canAssess={data.canAssess}
            selectedSpan={
              view === 'tree' && selected ? { spanId: selected.spanId, name: selected.name } : null
            }
            onAdded={(a) => setAdded([...added, a])}
          />
        </div>
      </div>
    </section>
  );
}
