import type {
  AssessmentNameSummary,
  AssessmentSummaryResult,
  CountScope,
  ExperimentTraceStats,
  QueryScope,
  RecentAssessmentsResult,
  SessionSummary,
  SessionsResult,
  TimeseriesPoint,
  TimeseriesResult,
  ToolCallRef,
  ToolStats,
  ToolsResult,
  TraceCount,
} from '@graphtrace/core';
import {
  AgentMetadataKey,
  type Assessment,
  emptyTimeseriesTotals,
  parseFilter,
  readTokenUsage,
  SpanType,
  type TraceInfo,
  TraceMetadataKey,
  TraceTagKey,
  type TrackingStore,
} from '@graphtrace/core';
import { costQueries } from './cost-queries.js';
import { nearestRank } from './percentile.js';
import { traceListScan } from './trace-list-scan.js';
import { mapLimited, type ScanScope, scanTraces } from './trace-scan.js';
import type { CostQueries, DashboardQueries, TraceListQueries } from './types.js';

export interface ScanQueriesOptions {
  /** Most trace infos one aggregate reads, newest first (default 20,000). */
  maxTraces?: number;
  /** Most traces whose spans or assessments are fetched one by one (default 1,000). */
  maxDetailTraces?: number;
  /** Trace infos per searchTraces call (default 500). */
  pageSize?: number;
  /** Concurrent getTrace / getAssessments calls (default 4). */
  concurrency?: number;
  /** Traces counted per experiment for the experiment list, at most (default 1,000). */
  maxCountedPerExperiment?: number;
}

const NS_PER_MS = 1_000_000n;

function metadataNumber(info: TraceInfo, key: string): number | null {
  const raw = info.traceMetadata[key];
  if (raw === undefined) return null;
  const n = Number(raw);
  return Number.isFinite(n) ? n : null;
}

function tokensOf(info: TraceInfo): { input: number; output: number } {
  const u = readTokenUsage(info.traceMetadata[TraceMetadataKey.TOKEN_USAGE]);
  return u ? { input: u.input_tokens, output: u.output_tokens } : { input: 0, output: 0 };
}

/**
 * The analytics port for stores without aggregate queries: pages through `searchTraces`
 * (newest first, `pageSize` infos a call) up to `maxTraces` trace infos per aggregate, and
 * fetches spans or assessments for at most `maxDetailTraces` traces (costs too: see
 * cost-queries.ts). Memory stays bounded by
 * those limits; when a limit cuts a range short the result says so (`coverage.complete` false)
 * and the dashboard shows it.
 */
export function scanQueries(
  store: TrackingStore,
  options: ScanQueriesOptions = {},
): DashboardQueries & CostQueries & TraceListQueries {
  const maxTraces = options.maxTraces ?? 20_000;
  const maxDetail = options.maxDetailTraces ?? 1_000;
  const pageSize = options.pageSize ?? 500;
  const concurrency = options.concurrency ?? 4;
  const maxCounted = options.maxCountedPerExperiment ?? 1_000;

  const scan = (scope: ScanScope, limit: number) => scanTraces(store, scope, limit, pageSize);
  const costs = costQueries(store, options);

  return {
    ...costs,
    ...traceListScan(store, options),
    kind: 'scan',
    description: `scan of ${store.uri} through searchTraces: at most ${maxTraces.toLocaleString('en-US')} newest traces per aggregate, spans and assessments of at most ${maxDetail.toLocaleString('en-US')}`,

    async experimentStats(experimentIds?: string[]): Promise<ExperimentTraceStats[]> {
      let ids = experimentIds;
      if (ids === undefined) {
        ids = [];
        let pageToken: string | null = null;
        do {
          const page = await store.searchExperiments({ maxResults: 1000, pageToken });
          ids.push(...page.items.map((e) => e.experimentId));
          pageToken = page.nextPageToken;
        } while (pageToken);
      }
      const stats = await mapLimited(
        ids,
        concurrency,
        async (experimentId): Promise<ExperimentTraceStats | null> => {
          const newest = await store.searchTraces({ experimentIds: [experimentId], maxResults: 1 });
          const last = newest.items[0];
          if (!last) return null;
          const oldest = await store.searchTraces({
            experimentIds: [experimentId],
            orderBy: ['timestamp_ms ASC'],
            maxResults: 1,
          });
          // Listing experiments must stay quick: count only so far.
          const counted = await scan({ experimentIds: [experimentId] }, maxCounted);
          return {
            experimentId,
            traces: counted.infos.length,
            tracesExact: counted.complete,
            firstTraceTime: oldest.items[0]?.requestTime ?? last.requestTime,
            lastTraceTime: last.requestTime,
          };
        },
      );
      return stats.filter((s): s is ExperimentTraceStats => s !== null);
    },

    async countTraces(scope: CountScope): Promise<TraceCount> {
      const { infos, complete } = await scan(scope, maxTraces);
      return { count: infos.length, exact: complete };
    },

    async timeseries(scope: QueryScope, bucketMs: number): Promise<TimeseriesResult> {
      const { infos, complete } = await scan(scope, maxTraces);
      const buckets = new Map<number, TimeseriesPoint & { latencies: number[] }>();
      const all: number[] = [];
      for (const t of infos) {
        const b = Math.floor((t.requestTime - scope.from) / bucketMs);
        let p = buckets.get(b);
        if (!p) {
          p = {
            start: scope.from + b * bucketMs,
            ...emptyTimeseriesTotals(),
            latencies: [],
          };
          buckets.set(b, p);
        }
        p.traces++;
        if (t.state === 'ERROR') p.errors++;
        if (t.executionDuration !== null) {
          p.latencies.push(t.executionDuration);
          all.push(t.executionDuration);
        }
        const tokens = tokensOf(t);
        p.inputTokens += tokens.input;
        p.outputTokens += tokens.output;
        const llm = metadataNumber(t, AgentMetadataKey.LLM_CALLS);
        if (llm !== null) {
          p.llmCalls += llm;
          p.toolCalls += metadataNumber(t, AgentMetadataKey.TOOL_CALLS) ?? 0;
          p.tracesWithCalls++;
        }
      }
      const points = [...buckets.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([, { latencies, ...p }]) => {
          latencies.sort((a, b) => a - b);
          return {
            ...p,
            latencyP50Ms: nearestRank(latencies, 50),
            latencyP95Ms: nearestRank(latencies, 95),
          };
        });
      all.sort((a, b) => a - b);
      const sum = (f: (p: TimeseriesPoint) => number) => points.reduce((n, p) => n + f(p), 0);
      return {
        bucketMs,
        points,
        totals: {
          traces: infos.length,
          errors: sum((p) => p.errors),
          latencyP50Ms: nearestRank(all, 50),
          latencyP95Ms: nearestRank(all, 95),
          inputTokens: sum((p) => p.inputTokens),
          outputTokens: sum((p) => p.outputTokens),
          llmCalls: sum((p) => p.llmCalls),
          toolCalls: sum((p) => p.toolCalls),
          tracesWithCalls: sum((p) => p.tracesWithCalls),
        },
        coverage: { traces: infos.length, complete },
      };
    },

    async tools(scope: QueryScope, opts: { examples: number }): Promise<ToolsResult> {
      const { infos, complete } = await scan(scope, maxDetail);
      const calls = new Map<string, { refs: ToolCallRef[]; errors: number }>();
      await mapLimited(infos, concurrency, async (info) => {
        const trace = await store.getTrace(info.traceId);
        for (const s of trace?.spans ?? []) {
          if (s.spanType !== SpanType.TOOL) continue;
          const entry = calls.get(s.name) ?? { refs: [], errors: 0 };
          calls.set(s.name, entry);
          const failed = s.status.code === 'ERROR';
          if (failed) entry.errors++;
          entry.refs.push({
            traceId: s.traceId,
            spanId: s.spanId,
            time: Number(s.startTimeUnixNano / NS_PER_MS),
            durationMs:
              s.endTimeUnixNano === null
                ? null
                : Number(s.endTimeUnixNano - s.startTimeUnixNano) / Number(NS_PER_MS),
            error: failed ? (s.status.message ?? null) : null,
          });
        }
      });
      const tools: ToolStats[] = [...calls.entries()].map(([name, { refs, errors }]) => {
        const finished = refs.filter((r) => r.durationMs !== null);
        const durations = finished.map((r) => r.durationMs!).sort((a, b) => a - b);
        return {
          name,
          calls: refs.length,
          errors,
          latencyP50Ms: nearestRank(durations, 50),
          latencyP95Ms: nearestRank(durations, 95),
          latencyMaxMs: durations.length === 0 ? null : durations[durations.length - 1]!,
          slowest: [...finished]
            .sort((a, b) => b.durationMs! - a.durationMs! || b.time - a.time)
            .slice(0, opts.examples),
          failing: refs
            .filter((r) => r.error !== null)
            .sort((a, b) => b.time - a.time)
            .slice(0, opts.examples),
        };
      });
      tools.sort((a, b) => b.calls - a.calls || a.name.localeCompare(b.name));
      return { tools, coverage: { traces: infos.length, complete } };
    },

    async sessions(
      scope: QueryScope,
      page: { limit: number; offset: number },
    ): Promise<SessionsResult> {
      const { infos, complete } = await scan(scope, maxTraces);
      const bySession = new Map<string, SessionSummary>();
      let traces = 0;
      for (const t of infos) {
        const session = t.traceMetadata[TraceMetadataKey.SESSION];
        if (session === undefined) continue;
        traces++;
        const end = t.requestTime + (t.executionDuration ?? 0);
        const tokens = tokensOf(t);
        const user = t.traceMetadata[TraceMetadataKey.USER] ?? null;
        const s = bySession.get(session);
        if (!s) {
          bySession.set(session, {
            session,
            traces: 1,
            errors: t.state === 'ERROR' ? 1 : 0,
            firstTime: t.requestTime,
            lastTime: end,
            inputTokens: tokens.input,
            outputTokens: tokens.output,
            user,
          });
          continue;
        }
        s.traces++;
        if (t.state === 'ERROR') s.errors++;
        s.firstTime = Math.min(s.firstTime, t.requestTime);
        s.lastTime = Math.max(s.lastTime, end);
        s.inputTokens += tokens.input;
        s.outputTokens += tokens.output;
        if (user !== null && (s.user === null || user > s.user)) s.user = user;
      }
      const sorted = [...bySession.values()].sort(
        (a, b) => b.lastTime - a.lastTime || (a.session < b.session ? -1 : 1),
      );
      return {
        sessions: sorted.slice(page.offset, page.offset + page.limit),
        total: sorted.length,
        coverage: { traces, complete },
      };
    },

    async assessmentSummary(scope: QueryScope): Promise<AssessmentSummaryResult> {
      const { assessments, traces, complete } = await assessmentsIn(scope);
      const byKey = new Map<string, AssessmentNameSummary & { values: string[] }>();
      for (const a of assessments) {
        const key = `${a.kind}\u0000${a.name}`;
        let s = byKey.get(key);
        if (!s) {
          s = {
            name: a.name,
            kind: a.kind,
            count: 0,
            numeric: null,
            booleans: null,
            labels: [],
            errors: 0,
            lastTime: 0,
            values: [],
          };
          byKey.set(key, s);
        }
        s.count++;
        s.lastTime = Math.max(s.lastTime, a.createTime);
        if (a.kind === 'feedback' && a.error) s.errors++;
        const v = a.value;
        if (typeof v === 'number' && Number.isFinite(v)) {
          const n = s.numeric ?? { count: 0, mean: 0, min: v, max: v };
          n.mean = (n.mean * n.count + v) / (n.count + 1);
          n.count++;
          n.min = Math.min(n.min, v);
          n.max = Math.max(n.max, v);
          s.numeric = n;
        } else if (typeof v === 'boolean') {
          s.booleans ??= { true: 0, false: 0 };
          s.booleans[v ? 'true' : 'false']++;
        } else if (typeof v === 'string') s.values.push(v);
      }
      const names = [...byKey.values()].map(({ values, ...s }) => {
        const counts = new Map<string, number>();
        for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
        return {
          ...s,
          labels: [...counts.entries()]
            .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
            .slice(0, 5)
            .map(([value, count]) => ({ value, count })),
        };
      });
      names.sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));
      return { names, coverage: { traces, complete } };
    },

    async recentAssessments(
      scope: QueryScope,
      opts: { limit: number; name?: string },
    ): Promise<RecentAssessmentsResult> {
      const { assessments, complete } = await assessmentsIn(scope);
      const picked = assessments
        .filter((a) => opts.name === undefined || a.name === opts.name)
        .sort((a, b) => b.createTime - a.createTime || (a.assessmentId < b.assessmentId ? -1 : 1))
        .slice(0, opts.limit);
      return {
        assessments: picked,
        coverage: { traces: new Set(picked.map((a) => a.traceId)).size, complete },
      };
    },
  };

  /**
   * Valid assessments created in the range, from the newest `maxDetailTraces` traces that
   * started before its end (an assessment is made after its trace).
   */
  async function assessmentsIn(scope: QueryScope): Promise<{
    assessments: (Assessment & { traceName: string | null })[];
    traces: number;
    complete: boolean;
  }> {
    if (!store.capabilities.assessments) {
      parseFilter(scope.filter, 'traces');
      return { assessments: [], traces: 0, complete: true };
    }
    const { infos, complete } = await scan(
      { experimentIds: scope.experimentIds, filter: scope.filter, to: scope.to },
      maxDetail,
    );
    const lists = await mapLimited(infos, concurrency, async (info) =>
      (await store.getAssessments(info.traceId)).map((a) => ({
        ...a,
        traceName: info.tags[TraceTagKey.TRACE_NAME] ?? null,
      })),
    );
    const assessments = lists
      .flat()
      .filter((a) => a.valid && a.createTime >= scope.from && a.createTime < scope.to);
    return {
      assessments,
      traces: new Set(assessments.map((a) => a.traceId)).size,
      complete,
    };
  }
}
