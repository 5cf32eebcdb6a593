import { maskSecretsInText, parseFilter, TraceMetadataKey } from '@graphtrace/core';
import type { Hono } from 'hono';
import { DashboardError } from '../errors.js';
import { turnTools } from '../queries/turn-tools.js';
import type { ApiContext } from './context.js';
import {
  countQuery,
  createAssessmentBody,
  emptyQuery,
  newTracesQuery,
  parseBody,
  parseQuery,
  sessionTracesQuery,
  tracesQuery,
} from './query.js';
import { countTracesText, textMatcher } from './text-search.js';
import { rangeFilter, traceLister } from './trace-list.js';
import type {
  CreateAssessmentResponse,
  NewTracesResponse,
  SessionTracesResponse,
  TraceCountResponse,
  TraceDetailResponse,
  TracesResponse,
} from './types.js';
import { assessmentView, spanViews, traceDetail, traceRow } from './views.js';

/** Newer traces counted for the live-refresh badge, at most. */
const NEW_TRACES_CAP = 100;
/** Cache keys of trace counts (forgotten when new traces arrive). */
export const COUNT_KEY = 'count:';
/** Traces of one session shown, at most. */
const SESSION_TRACES = 500;

/** A value quoted for an MLflow filter string: the parser reads `\` as an escape. */
export function quoteFilterValue(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export function andFilter(...parts: (string | undefined)[]): string | undefined {
  const kept = parts.filter((p): p is string => p !== undefined && p.trim() !== '');
  return kept.length === 0 ? undefined : kept.map((p) => p.trim()).join(' AND ');
}

async function readJson(request: Request): Promise<unknown> {
  // Requiring JSON also keeps other sites' plain HTML forms from posting here (they cannot
  // send this content type without a CORS preflight, which the dashboard never grants).
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/json\b/i.test(type)) {
    throw new DashboardError(
      'UNSUPPORTED_MEDIA_TYPE',
      'send the body as JSON with Content-Type: application/json',
      { status: 415 },
    );
  }
  try {
    return await request.json();
  } catch {
    throw new DashboardError('INVALID_BODY', 'the body is not valid JSON');
  }
}

/** The trace list, counts, live refresh, one trace, feedback, and a session's traces. */
export function registerTraceRoutes(app: Hono, ctx: ApiContext): void {
  const listTraces = traceLister(ctx);
  app.get('/api/traces', async (c) => {
    const body: TracesResponse = await listTraces(parseQuery(new URL(c.req.url), tracesQuery));
    return c.json(body);
  });

  app.get('/api/traces/count', async (c) => {
    const q = parseQuery(new URL(c.req.url), countQuery);
    const experimentIds = await ctx.experimentIds(q.experiment);
    const filter = rangeFilter(q.filter, q.from, q.to);
    const scope = { experimentIds, ...(filter === undefined ? {} : { filter }) };
    const text = q.search?.trim();
    parseFilter(q.filter, 'traces'); // the user's filter alone: a mistake's column is its own
    const body: TraceCountResponse = (await ctx.aggregates.get(
      `${COUNT_KEY}${JSON.stringify([scope, text ?? null])}`,
      () => (text ? countTracesText(ctx.store, scope, text) : ctx.queries.countTraces(scope)),
    )) as TraceCountResponse;
    return c.json(body);
  });

  app.get('/api/traces/new', async (c) => {
    const q = parseQuery(new URL(c.req.url), newTracesQuery);
    parseFilter(q.filter, 'traces');
    const page = await ctx.store.searchTraces({
      experimentIds: await ctx.experimentIds(q.experiment),
      filter: andFilter(q.filter, `attributes.timestamp_ms > ${q.since}`)!,
      maxResults: NEW_TRACES_CAP,
    });
    // Counts cached before these traces arrived are short of them: the refresh this answer
    // leads to must not show "40 traces" beside 41 rows.
    if (page.items.length > 0) ctx.aggregates.forget(COUNT_KEY);
    const text = q.search?.trim();
    const found = text ? page.items.filter(textMatcher(text)) : page.items;
    const body: NewTracesResponse = {
      count: found.length,
      capped: page.nextPageToken !== null,
      newest: found[0]?.requestTime ?? null,
    };
    return c.json(body);
  });

  app.get('/api/traces/:traceId', async (c) => {
    parseQuery(new URL(c.req.url), emptyQuery);
    const traceId = c.req.param('traceId');
    const trace = await ctx.store.getTrace(traceId);
    if (!trace)
      throw new DashboardError('NOT_FOUND', `no trace ${traceId} in ${ctx.store.uri}`, {
        status: 404,
      });
    const canAssess = ctx.store.capabilities.assessments;
    const assessments = canAssess ? await ctx.store.getAssessments(traceId) : [];
    const body: TraceDetailResponse = {
      trace: traceDetail(trace.info),
      spans: spanViews(trace.spans),
      assessments: assessments.map((a) => assessmentView(a)),
      canAssess,
    };
    return c.json(body);
  });

  app.post('/api/traces/:traceId/assessments', async (c) => {
    parseQuery(new URL(c.req.url), emptyQuery);
    const traceId = c.req.param('traceId');
    const input = parseBody(await readJson(c.req.raw), createAssessmentBody);
    if (!ctx.store.capabilities.assessments) {
      throw new DashboardError(
        'UNSUPPORTED',
        `${ctx.store.uri} does not store assessments, so feedback cannot be recorded there`,
        { status: 501 },
      );
    }
    if (input.spanId !== undefined) {
      const trace = await ctx.store.getTrace(traceId);
      if (trace && !trace.spans.some((s) => s.spanId === input.spanId)) {
        throw new DashboardError('NOT_FOUND', `trace ${traceId} has no span ${input.spanId}`, {
          status: 404,
          param: 'spanId',
        });
      }
    }
    const assessment = await ctx.store.createAssessment({
      kind: input.kind,
      traceId,
      spanId: input.spanId ?? null,
      name: input.name,
      value: input.value,
      rationale: input.rationale === undefined ? null : maskSecretsInText(input.rationale),
      source: input.source ?? { sourceType: 'HUMAN', sourceId: ctx.user },
      metadata: { 'graphtrace.source': 'dashboard' },
    });
    // Quality figures include it from now on.
    ctx.aggregates.clear();
    const body: CreateAssessmentResponse = { assessment: assessmentView(assessment) };
    return c.json(body, 201);
  });

  app.get('/api/sessions/:session/traces', async (c) => {
    const q = parseQuery(new URL(c.req.url), sessionTracesQuery);
    const session = c.req.param('session');
    const page = await ctx.store.searchTraces({
      experimentIds: await ctx.experimentIds(q.experiment),
      filter: `metadata.\`${TraceMetadataKey.SESSION}\` = ${quoteFilterValue(session)}`,
      orderBy: ['timestamp_ms ASC'],
      maxResults: SESSION_TRACES,
    });
    const tools = await turnTools(
      ctx.store,
      page.items.map((t) => t.traceId),
    );
    const body: SessionTracesResponse = {
      session,
      traces: page.items.map((t) => ({ ...traceRow(t), tools: tools.get(t.traceId) ?? null })),
      truncated: page.nextPageToken !== null,
    };
    return c.json(body);
  });
}
