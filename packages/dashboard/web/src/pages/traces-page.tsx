import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type {
  NewTracesResponse,
  TraceCountResponse,
  TraceListRow,
  TracesResponse,
} from '../../../src/api/types.js';
import { ApiError, getJson } from '../api.js';
import { useApp } from '../app-context.js';
import { StatusBadge, Tags } from '../components/badges.js';
import { FilterBox } from '../components/filter-box.js';
import { RangePicker } from '../components/range-picker.js';
import { looksLikeWords, SearchBox } from '../components/search-box.js';
import { Empty, ErrorBox, SkeletonRows } from '../components/states.js';
import {
  AssessmentsCell,
  CostCell,
  OrderNote,
  ResponseCell,
  ToolErrorBadge,
} from '../components/trace-cells.js';
import {
  formatAgo,
  formatCompact,
  formatDateTime,
  formatDuration,
  formatNumber,
  formatWhen,
} from '../format.js';
import { useAsync, useFirstContentMark } from '../hooks.js';
import { addNewTraces, useLiveTraces } from '../live.js';
import { listBounds, routeRange } from '../range.js';
import { href, navigate, type Route } from '../router.js';

const PAGE_SIZE = 50;

const SORTS = {
  time: 'timestamp_ms',
  name: 'name',
  status: 'status',
  latency: 'execution_time_ms',
  // Sorted by the server itself (the store cannot): SQL, or its newest 20,000 traces.
  tokens: 'total_tokens',
  cost: 'total_cost',
} as const;
type SortColumn = keyof typeof SORTS;

function parseSort(value: string | null): { column: SortColumn; desc: boolean } {
  const [column, dir] = (value ?? '').split(':');
  return column && column in SORTS
    ? { column: column as SortColumn, desc: dir !== 'asc' }
    : { column: 'time', desc: true };
}

export function TracesPage({ route }: { route: Route }) {
  const { experiment } = useApp();
  const experimentId = experiment?.experimentId ?? '';
  const filter = route.params.get('filter') ?? '';
  const search = route.params.get('search') ?? '';
  const sort = parseSort(route.params.get('sort'));
  const range = routeRange(route.params, 'all');
  // A preset's start is fixed when the page is opened, not moved on every render.
  const { from, to } = useMemo(() => listBounds(range), [route.params.toString()]);
  const orderBy = `${SORTS[sort.column]} ${sort.desc ? 'DESC' : 'ASC'}`;
  const newestFirst = sort.column === 'time' && sort.desc;
  const [tokens, setTokens] = useState<(string | null)[]>([null]);
  const [refresh, setRefresh] = useState(0);
  const [live, setLive] = useState(() => localStorage.getItem('graphtrace.live') !== 'off');
  const [pending, setPending] = useState<NewTracesResponse | null>(null);
  const [fresh, setFresh] = useState<Set<string>>(new Set());
  const shownIds = useRef<Set<string>>(new Set());
  const pageToken = tokens[tokens.length - 1] ?? null;
  const firstPage = tokens.length === 1;

  // A new filter, search, order or experiment starts again at the first page.
  useEffect(() => {
    setTokens([null]);
    setPending(null);
    setFresh(new Set());
  }, [experimentId, filter, search, orderBy, from, to]);

  const page = useAsync(
    (signal) =>
      getJson<TracesResponse>(
        'traces',
        {
          experiment: experimentId,
          filter,
          search,
          orderBy,
          pageSize: PAGE_SIZE,
          pageToken,
          from,
          to,
        },
        signal,
      ),
    [experimentId, filter, search, orderBy, pageToken, refresh, from, to],
  );
  // The count says which question it answers: a previous one's is never shown as this one's.
  const question = JSON.stringify([experimentId, filter, search, from, to]);
  const count = useAsync(
    async (signal) => ({
      question,
      ...(await getJson<TraceCountResponse>(
        'traces/count',
        { experiment: experimentId, filter, search, from, to },
        signal,
      )),
    }),
    [question, refresh],
  );

  // A filter (or search) the server refused: its mistake is shown, and no count or rows, which
  // would be the last valid query's.
  const invalid = page.error instanceof ApiError && page.error.param !== undefined;
  const total = !invalid && count.data?.question === question ? count.data : undefined;
  const rows = invalid ? [] : (page.data?.traces ?? []);
  useEffect(() => {
    if (!page.data) return;
    const previous = shownIds.current;
    const next = new Set(page.data.traces.map((t) => t.traceId));
    if (previous.size > 0 && firstPage && newestFirst)
      setFresh(new Set([...next].filter((id) => !previous.has(id))));
    shownIds.current = next;
  }, [page.data, firstPage, newestFirst]);
  useFirstContentMark(
    'graphtrace:traces:first-content',
    page.data !== undefined || page.error !== undefined,
  );

  const newest = rows.reduce((m, t) => Math.max(m, t.time), 0);
  // Pushed by the server (live.ts): the first page, newest first, refreshes in place; any
  // other view announces them with the "N new traces" button.
  useLiveTraces({
    experimentId,
    filter,
    search,
    // A custom range that has ended gains no new traces.
    enabled:
      live &&
      (to === undefined || to > Date.now()) &&
      page.data !== undefined &&
      page.error === undefined,
    shownNewest: firstPage && newestFirst ? newest : null,
    onTraces: (news) => {
      if (firstPage && newestFirst) {
        setRefresh((n) => n + 1);
        setPending(null);
      } else setPending((p) => addNewTraces(p, news));
    },
  });

  const setParams = (changes: Record<string, string | null>) => {
    const params: Record<string, string | null> = {
      filter,
      search,
      sort: route.params.get('sort'),
      ...range.params,
      ...changes,
    };
    navigate(href(['traces'], params));
  };
  const sortBy = (column: SortColumn) => {
    const desc = sort.column === column ? !sort.desc : column !== 'name' && column !== 'status';
    setParams({ sort: column === 'time' && desc ? null : `${column}:${desc ? 'desc' : 'asc'}` });
  };
  const header = (column: SortColumn, label: string, cls = '') => (
    <th
      class={`sortable ${cls}`}
      aria-sort={sort.column === column ? (sort.desc ? 'descending' : 'ascending') : 'none'}
    >
      <button type="button" onClick={() => sortBy(column)}>
        {label}
        <span class="sort-mark" aria-hidden="true">
          {sort.column === column ? (sort.desc ? '↓' : '↑') : ''}
        </span>
      </button>
    </th>
  );

  const start = (tokens.length - 1) * PAGE_SIZE;
  const otherError = page.error && !invalid ? page.error : undefined;
  const narrowed = filter !== '' || search !== '' || range.key !== 'all';

  return (
    <section class="page">
      <div class="page-head">
        <h1>Traces</h1>
        <div class="page-actions">
          <span class="count" aria-live="polite">
            {total
              ? `${total.count.toLocaleString('en-US')}${total.exact ? '' : '+'} ${narrowed ? 'matching' : 'traces'}`
              : ''}
          </span>
          <label class="toggle" title="Show new traces as they arrive">
            <input
              type="checkbox"
              checked={live}
              onChange={(e) => {
                const on = (e.target as HTMLInputElement).checked;
                setLive(on);
                localStorage.setItem('graphtrace.live', on ? 'on' : 'off');
              }}
            />
            <span class={`live-dot${live ? ' on' : ''}`} aria-hidden="true" />
            Live
          </label>
        </div>
      </div>
      <div class="trace-query">
        <SearchBox value={search} onApply={(text) => setParams({ search: text || null })} />
        <FilterBox
          value={filter}
          error={page.error}
          onApply={(f) => setParams({ filter: f || null })}
        />
      </div>
      {invalid && looksLikeWords(filter) ? (
        <p class="filter-hint">
          <button
            type="button"
            class="button"
            onClick={() => setParams({ filter: null, search: filter.trim() })}
          >
            Search for these words instead
          </button>{' '}
          <span class="muted">in each trace's request and response</span>
        </p>
      ) : null}
      <div class="quick-filters">
        <button
          type="button"
          class={`chip${filter === "attributes.status = 'ERROR'" ? ' active' : ''}`}
          onClick={() =>
            setParams({
              filter:
                filter === "attributes.status = 'ERROR'" ? null : "attributes.status = 'ERROR'",
            })
          }
        >
          Errors only
        </button>
        <button
          type="button"
          class="chip"
          onClick={() => setParams({ filter: null, sort: 'latency:desc' })}
        >
          Slowest first
        </button>
        <RangePicker value={range} onChange={(p) => setParams(p)} />
      </div>
      {pending && pending.count > 0 ? (
        <button
          type="button"
          class="new-traces"
          onClick={() => {
            setPending(null);
            setParams({ sort: null });
            setTokens([null]);
            setRefresh((n) => n + 1);
          }}
        >
          {pending.capped ? '100+' : pending.count} new trace{pending.count === 1 ? '' : 's'} — show
          newest
        </button>
      ) : null}
      {page.data?.search?.limitReached && !invalid ? (
        <p class="muted table-note">
          Searched {formatNumber(page.data.search.scanned)} traces for this page without filling it;
          “Older →” searches on.
        </p>
      ) : null}
      {invalid ? null : <OrderNote order={page.data?.order} />}
      {otherError ? (
        <ErrorBox error={otherError} onRetry={page.reload} />
      ) : (
        <div class={`table-wrap${page.loading && page.data && !invalid ? ' is-loading' : ''}`}>
          <table class="table traces-table">
            <thead>
              <tr>
                {header('time', 'Time')}
                {header('name', 'Trace')}
                <th>Response</th>
                {header('status', 'Status')}
                {header('latency', 'Latency', 'num')}
                {header('tokens', 'Tokens', 'num')}
                {header('cost', 'Cost', 'num')}
                <th>Assessments</th>
                <th>Session</th>
                <th>User</th>
                <th>Tags</th>
              </tr>
            </thead>
            <tbody>
              {page.data === undefined && page.error === undefined ? (
                <SkeletonRows rows={8} columns={11} />
              ) : (
                rows.map((t) => (
                  <TraceTableRow key={t.traceId} trace={t} fresh={fresh.has(t.traceId)} />
                ))
              )}
            </tbody>
          </table>
          {invalid ? (
            <p class="muted table-note">No traces shown: the query above has a mistake.</p>
          ) : page.data && rows.length === 0 ? (
            narrowed ? (
              <Empty
                title={`No traces match this ${filter ? 'filter' : search ? 'search' : 'time range'}`}
              >
                <button
                  type="button"
                  class="button"
                  onClick={() =>
                    setParams({ filter: null, search: null, range: null, from: null, to: null })
                  }
                >
                  Show every trace
                </button>
              </Empty>
            ) : (
              <Empty title="No traces recorded yet">
                Run your agent with graphtrace tracing on; new traces appear here as they arrive.
                <pre class="snippet">{`import { createTracker } from '@graphtrace/core';
import { sqliteStore } from '@graphtrace/store-sqlite';

const tracker = createTracker({ store: sqliteStore({ path: 'mlflow.db' }) });
await tracker.withSpan({ name: 'agent', spanType: 'AGENT' }, () => run());`}</pre>
              </Empty>
            )
          ) : null}
        </div>
      )}
      {rows.length > 0 || tokens.length > 1 ? (
        <div class="pager">
          <span class="muted">
            {rows.length === 0
              ? ''
              : `${(start + 1).toLocaleString('en-US')}–${(start + rows.length).toLocaleString('en-US')}`}
            {total ? ` of ${total.count.toLocaleString('en-US')}${total.exact ? '' : '+'}` : ''}
          </span>
          <button
            type="button"
            class="button"
            disabled={tokens.length === 1}
            onClick={() => setTokens(tokens.slice(0, -1))}
          >
            ← Newer
          </button>
          <button
            type="button"
            class="button"
            disabled={!page.data?.nextPageToken}
            onClick={() =>
              page.data?.nextPageToken && setTokens([...tokens, page.data.nextPageToken])
            }
          >
            Older →
          </button>
        </div>
      ) : null}
    </section>
  );
}

function TraceTableRow({ trace: t, fresh }: { trace: TraceListRow; fresh: boolean }) {
  const link = href(['traces', t.traceId]);
  return (
    <tr
      class={`clickable${t.state === 'ERROR' ? ' row-error' : ''}${fresh ? ' row-fresh' : ''}`}
      onClick={(e) => {
        if ((e.target as HTMLElement).closest('a')) return;
        navigate(link);
      }}
    >
      <td class="nowrap" title={formatDateTime(t.time)}>
        {formatWhen(t.time)}
        <div class="sub">{formatAgo(t.time)}</div>
      </td>
      <td class="trace-cell">
        <a href={link} class="trace-name">
          {t.name ?? t.traceId}
        </a>
        {t.requestPreview ? <div class="sub preview">{t.requestPreview}</div> : null}
      </td>
      <ResponseCell text={t.responsePreview} />
      <td class="nowrap">
        <StatusBadge state={t.state} />
        <ToolErrorBadge trace={t} />
      </td>
      <td class="num nowrap">{formatDuration(t.durationMs)}</td>
      <td
        class="num nowrap"
        title={t.tokens ? `${t.tokens.input} in / ${t.tokens.output} out` : ''}
      >
        {t.tokens ? (
          <>
            {formatCompact(t.tokens.total)}
            <div class="sub">
              {formatCompact(t.tokens.input)} / {formatCompact(t.tokens.output)}
            </div>
          </>
        ) : (
          '—'
        )}
      </td>
      <CostCell cost={t.cost} />
      <AssessmentsCell assessments={t.assessments} />
      <td class="nowrap">
        {t.session ? (
          <a href={href(['sessions', t.session])} class="mono small">
            {t.session}
          </a>
        ) : (
          <span class="muted">—</span>
        )}
      </td>
      <td class="nowrap">{t.user ?? <span class="muted">—</span>}</td>
      <td>
        <Tags tags={t.tags} />
      </td>
    </tr>
  );
}
