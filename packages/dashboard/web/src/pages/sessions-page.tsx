import type {
  SessionsResponse,
  SessionTraceRow,
  SessionTracesResponse,
} from '../../../src/api/types.js';
import { getJson } from '../api.js';
import { useApp } from '../app-context.js';
import { StatusBadge } from '../components/badges.js';
import { RangePicker } from '../components/range-picker.js';
import { SessionElsewhere } from '../components/session-elsewhere.js';
import { CoverageNote, Empty, ErrorBox, Loading } from '../components/states.js';
import { TurnTools } from '../components/turn-tools.js';
import {
  formatAgo,
  formatCompact,
  formatDateTime,
  formatDuration,
  formatNumber,
  formatShortDateTime,
  formatWhen,
} from '../format.js';
import { useAsync } from '../hooks.js';
import { useLiveReload } from '../live.js';
import { pageBounds, routeRange } from '../range.js';
import { href, navigate, type Route } from '../router.js';

const PAGE = 50;

export function SessionsPage({ route }: { route: Route }) {
  const { experiment } = useApp();
  const range = routeRange(route.params, '24h');
  const offset = Math.max(0, Number(route.params.get('offset') ?? 0) || 0);
  const bounds = pageBounds(range, experiment, '24h');
  const sessions = useAsync(
    (signal) =>
      getJson<SessionsResponse>(
        'sessions',
        { experiment: experiment?.experimentId, ...bounds, limit: PAGE, offset },
        signal,
      ),
    [experiment?.experimentId, bounds.from, bounds.to, offset],
  );
  useLiveReload(experiment?.experimentId, sessions.reload);
  const data = sessions.data;
  const go = (changes: Record<string, string | number | null>) =>
    navigate(href(['sessions'], { ...range.params, offset: offset || null, ...changes }));
  return (
    <section class="page">
      <div class="page-head">
        <h1>Sessions</h1>
        <div class="page-actions">
          {data ? <CoverageNote analytics={data.analytics} coverage={data.coverage} /> : null}
          <RangePicker value={range} onChange={(p) => go({ ...p, offset: null })} />
        </div>
      </div>
      {sessions.error ? (
        <ErrorBox error={sessions.error} onRetry={sessions.reload} />
      ) : !data ? (
        <Loading label="Grouping traces by session…" />
      ) : data.sessions.length === 0 ? (
        <Empty title="No sessions in this range">
          Traces join a session through their <code>mlflow.trace.session</code> metadata, e.g.{' '}
          <code>{"tracker.updateCurrentTrace({ session: 'chat-42' })"}</code>.
        </Empty>
      ) : (
        <>
          <div class={`table-wrap${sessions.loading ? ' is-loading' : ''}`}>
            <table class="table">
              <thead>
                <tr>
                  <th>Session</th>
                  <th>First input</th>
                  <th class="num">Traces</th>
                  <th class="num">Errors</th>
                  <th>Started</th>
                  <th>Last activity</th>
                  <th class="num">Span</th>
                  <th class="num">Tokens</th>
                  <th>User</th>
                </tr>
              </thead>
              <tbody>
                {data.sessions.map((s) => {
                  const link = href(['sessions', s.session]);
                  return (
                    <tr key={s.session} class="clickable" onClick={() => navigate(link)}>
                      <td>
                        <a href={link} class="mono">
                          {s.session}
                        </a>
                      </td>
                      <td class="first-input" title={s.firstInput ?? undefined}>
                        {s.firstInput ?? <span class="muted">—</span>}
                      </td>
                      <td class="num">{formatNumber(s.traces)}</td>
                      <td class={`num${s.errors ? ' bad' : ''}`}>{formatNumber(s.errors)}</td>
                      <td class="nowrap" title={formatDateTime(s.firstTime)}>
                        {formatWhen(s.firstTime)}
                      </td>
                      <td class="nowrap" title={formatDateTime(s.lastTime)}>
                        {formatAgo(s.lastTime)}
                      </td>
                      <td class="num">{formatDuration(s.lastTime - s.firstTime)}</td>
                      <td class="num">{formatCompact(s.inputTokens + s.outputTokens)}</td>
                      <td>{s.user ?? <span class="muted">—</span>}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <div class="pager">
            <span class="muted">
              {offset + 1}–{offset + data.sessions.length} of {formatNumber(data.total)} sessions
            </span>
            <button
              type="button"
              class="button"
              disabled={offset === 0}
              onClick={() => go({ offset: Math.max(0, offset - PAGE) || null })}
            >
              ← Previous
            </button>
            <button
              type="button"
              class="button"
              disabled={offset + PAGE >= data.total}
              onClick={() => go({ offset: offset + PAGE })}
            >
              Next →
            </button>
          </div>
        </>
      )}
    </section>
  );
}

/** One session's traces in order, read like the conversation they were. */
export function SessionPage({ session }: { session: string }) {
  const { experiment } = useApp();
  const data = useAsync(
    (signal) =>
      getJson<SessionTracesResponse>(
        `sessions/${encodeURIComponent(session)}/traces`,
        { experiment: experiment?.experimentId },
        signal,
      ),
    [session, experiment?.experimentId],
  );
  const traces = data.data?.traces ?? [];
  return (
    <section class="page">
      <div class="crumbs">
        <a href={href(['sessions'])}>← Sessions</a>
      </div>
      <div class="page-head">
        <h1>
          Session <code>{session}</code>
        </h1>
        {traces.length > 0 ? (
          <span class="muted">
            {traces.length} trace{traces.length === 1 ? '' : 's'} ·{' '}
            {formatShortDateTime(traces[0]!.time)} –{' '}
            {formatShortDateTime(traces[traces.length - 1]!.time)}
          </span>
        ) : null}
      </div>
      {data.error ? (
        <ErrorBox error={data.error} onRetry={data.reload} />
      ) : !data.data || (data.loading && traces.length === 0) ? (
        <Loading />
      ) : traces.length === 0 ? (
        <SessionElsewhere session={session} />
      ) : (
        <ol class="session-timeline">
          {traces.map((t, i) => (
            <li
              key={t.traceId}
              class={`${t.state === 'ERROR' ? 'failed' : ''}${t.pause?.resumed ? ' resumed' : ''}`}
              data-trace-id={t.traceId}
            >
              <div class="turn-head">
                <span class="turn-index">#{i + 1}</span>
                <a href={href(['traces', t.traceId])}>{t.name ?? t.traceId}</a>
                <StatusBadge state={t.state} />
                <PauseNote pause={t.pause} turns={traces} />
                <span class="muted">
                  {formatDateTime(t.time)} · {formatDuration(t.durationMs)}
                  {t.tokens ? ` · ${formatCompact(t.tokens.total)} tokens` : ''}
                </span>
              </div>
              {t.requestPreview ? (
                <div class="bubble user">{requestText(t.requestPreview, t.pause)}</div>
              ) : null}
              <TurnTools traceId={t.traceId} tools={t.tools} />
              {t.responsePreview ? <div class="bubble assistant">{t.responsePreview}</div> : null}
            </li>
          ))}
          {data.data.truncated ? <li class="muted">Only the first 500 traces are shown.</li> : null}
        </ol>
      )}
    </section>
  );
}

/**
 * A LangGraph interrupt splits one conversation turn over two traces: the paused invocation and
 * the one that resumed it. Each says so, the resumed one naming the turn it continues.
 */
function PauseNote({
  pause,
  turns,
}: {
  pause: SessionTraceRow['pause'];
  turns: SessionTraceRow[];
}) {
  if (!pause) return null;
  const from = pause.resumedFrom ? turns.findIndex((x) => x.traceId === pause.resumedFrom) : -1;
  return (
    <>
      {pause.resumed ? (
        <span class="pause-note resumed" title="Resumed with Command({ resume })">
          ↳ resumes{' '}
          {pause.resumedFrom ? (
            <a href={href(['traces', pause.resumedFrom])}>
              {from >= 0 ? `#${from + 1}` : 'the paused trace'}
            </a>
          ) : (
            'a paused turn'
          )}
        </span>
      ) : null}
      {pause.interrupted ? (
        <span class="pause-note paused" title="Interrupted: the graph waits for input">
          paused for input
        </span>
      ) : null}
    </>
  );
}

/** A resumed turn's input is LangGraph's `Command({ resume })`: show the answer it carries. */
function requestText(preview: string, pause: SessionTraceRow['pause']): string {
  if (!pause?.resumed) return preview;
  try {
    const resume = (JSON.parse(preview) as { Command?: { resume?: unknown } }).Command?.resume;
    if (resume !== undefined)
      return `resume: ${typeof resume === 'string' ? resume : JSON.stringify(resume)}`;
  } catch {
    // A cut preview is not JSON: shown as it is.
  }
  return preview;
}
