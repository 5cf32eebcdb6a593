import type {
  AssessmentNameSummary,
  AssessmentView,
  QualityResponse,
} from '../../../src/api/types.js';
import { getJson } from '../api.js';
import { useApp } from '../app-context.js';
import { AssessmentValue } from '../components/feedback.js';
import { RangePicker } from '../components/range-picker.js';
import { CoverageNote, Empty, ErrorBox, Loading } from '../components/states.js';
import { ThumbIcon } from '../components/thumb-icon.js';
import {
  formatAgo,
  formatDateTime,
  formatNumber,
  formatPercent,
  formatWhen,
  truncate,
} from '../format.js';
import { useAsync } from '../hooks.js';
import { pageBounds, routeRange } from '../range.js';
import { href, navigate, type Route } from '../router.js';

export function QualityPage({ route }: { route: Route }) {
  const { experiment } = useApp();
  const range = routeRange(route.params, '24h');
  const name = route.params.get('name') ?? '';
  const bounds = pageBounds(range, experiment, '24h');
  const quality = useAsync(
    (signal) =>
      getJson<QualityResponse>(
        'quality',
        { experiment: experiment?.experimentId, ...bounds, name },
        signal,
      ),
    [experiment?.experimentId, bounds.from, bounds.to, name],
  );
  const data = quality.data;
  const go = (changes: Record<string, string | null>) =>
    navigate(href(['quality'], { ...range.params, name, ...changes }));
  return (
    <section class="page">
      <div class="page-head">
        <h1>Quality</h1>
        <div class="page-actions">
          {data ? <CoverageNote analytics={data.analytics} coverage={data.coverage} /> : null}
          <RangePicker value={range} onChange={(p) => go(p)} />
        </div>
      </div>
      {quality.error ? (
        <ErrorBox error={quality.error} onRetry={quality.reload} />
      ) : !data ? (
        <Loading label="Aggregating assessments…" />
      ) : !data.assessmentsSupported ? (
        <Empty title="This store does not record assessments" />
      ) : data.names.length === 0 ? (
        <Empty title="No feedback or expectations in this range">
          Add feedback from a trace's page, or log it in code with{' '}
          <code>{"tracker.logFeedback({ traceId, name: 'helpfulness', value: 4 })"}</code>.
        </Empty>
      ) : (
        <>
          <div class="cards">
            {data.names.map((n) => (
              <SummaryCard
                key={`${n.kind}:${n.name}`}
                summary={n}
                active={name === n.name}
                onClick={() => go({ name: name === n.name ? null : n.name })}
              />
            ))}
          </div>
          <h2 class="section-title">
            {name ? (
              <>
                Recent “{name}”{' '}
                <button type="button" class="link-button" onClick={() => go({ name: null })}>
                  show all
                </button>
              </>
            ) : (
              'Recent assessments'
            )}
          </h2>
          <div class="table-wrap">
            <table class="table">
              <thead>
                <tr>
                  <th>When</th>
                  <th>Name</th>
                  <th>Value</th>
                  <th>Rationale</th>
                  <th>Source</th>
                  <th>Trace</th>
                </tr>
              </thead>
              <tbody>
                {data.recent.map((a) => (
                  <tr key={a.assessmentId}>
                    <td class="nowrap" title={formatDateTime(a.createTime)}>
                      {formatAgo(a.createTime)}
                    </td>
                    <td>
                      {a.name} <span class={`kind kind-${a.kind}`}>{a.kind}</span>
                    </td>
                    <td>
                      <AssessmentValue a={a} />
                    </td>
                    <td class="rationale-cell">{a.rationale ?? <span class="muted">—</span>}</td>
                    <td class="nowrap small">
                      {a.source.sourceType.toLowerCase().replace('_', ' ')} {a.source.sourceId}
                    </td>
                    <td class="trace-ref">
                      <TraceLink a={a} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

/**
 * The assessed trace: its request, since every trace of an agent has the agent's name; the
 * name, start and id below it.
 */
function TraceLink({ a }: { a: AssessmentView }) {
  const preview = a.traceRequestPreview;
  return (
    <>
      <a href={href(['traces', a.traceId], { span: a.spanId })} title={a.traceId}>
        {preview ? truncate(preview, 80) : (a.traceName ?? a.traceId.slice(0, 12))}
      </a>
      <div class="sub">
        {[
          preview ? a.traceName : null,
          a.traceTime ? formatWhen(a.traceTime) : null,
          a.traceId.slice(0, 11),
          a.spanId ? `span ${a.spanId.slice(0, 8)}` : null,
        ]
          .filter((part) => part)
          .join(' · ')}
      </div>
    </>
  );
}

function SummaryCard({
  summary: s,
  active,
  onClick,
}: {
  summary: AssessmentNameSummary;
  active: boolean;
  onClick: () => void;
}) {
  const thumbs = s.booleans ? s.booleans.true + s.booleans.false : 0;
  return (
    <button type="button" class={`card${active ? ' active' : ''}`} onClick={onClick}>
      <div class="card-head">
        <strong>{s.name}</strong>
        <span class={`kind kind-${s.kind}`}>{s.kind}</span>
      </div>
      <div class="card-count">{formatNumber(s.count)}</div>
      {s.numeric ? (
        <div class="card-line">
          mean <strong>{formatNumber(s.numeric.mean)}</strong>
          <span class="muted">
            {' '}
            (min {formatNumber(s.numeric.min)}, max {formatNumber(s.numeric.max)})
          </span>
        </div>
      ) : null}
      {s.booleans ? (
        <div class="card-line">
          <div class="thumbbar" title={`${s.booleans.true} up / ${s.booleans.false} down`}>
            <span class="up" style={{ width: `${(s.booleans.true / thumbs) * 100}%` }} />
          </div>
          <span class="thumb up">
            <ThumbIcon up /> {formatPercent(s.booleans.true / thumbs)}
          </span>{' '}
          ·{' '}
          <span class="thumb down">
            <ThumbIcon up={false} /> {formatPercent(s.booleans.false / thumbs)}
          </span>
        </div>
      ) : null}
      {s.labels.length > 0 ? (
        <div class="card-line labels">
          {s.labels.map((l) => (
            <span key={l.value} class="chip static">
              {l.value} <span class="muted">×{l.count}</span>
            </span>
          ))}
        </div>
      ) : null}
      {s.errors > 0 ? <div class="card-line bad">{s.errors} failed to assess</div> : null}
      <div class="sub">last {formatAgo(s.lastTime)}</div>
    </button>
  );
}
