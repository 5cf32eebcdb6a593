import {
  type LlmCost,
  type QueryScope,
  readLlmCost,
  readTokenUsage,
  type Span,
  SpanAttributeKey,
  TraceMetadataKey,
  type TrackingStore,
} from '@graphtrace/core';
import { mapLimited, type ScanQueriesOptions, scanContext } from './trace-scan.js';
import type {
  CostFigures,
  CostPoint,
  CostQueries,
  CostTimeseriesResult,
  CostUsd,
  DashboardQueries,
  ModelCost,
  ModelCostsResult,
} from './types.js';

export type CostQueriesOptions = Pick<
  ScanQueriesOptions,
  'maxTraces' | 'maxDetailTraces' | 'pageSize' | 'concurrency'
>;

/** Adds a recorded cost into a running sum (null until the first priced item). */
function addCost(sum: CostUsd | null, c: LlmCost): CostUsd {
  const out = sum ?? { input: 0, output: 0, total: 0 };
  out.input += c.input_cost;
  out.output += c.output_cost;
  out.total += c.total_cost;
  return out;
}

function emptyFigures(): CostFigures {
  return { traces: 0, pricedTraces: 0, cost: null };
}

function stringAttribute(span: Span, key: string): string | null {
  const v = span.attributes[key];
  return typeof v === 'string' && v !== '' ? v : null;
}

/**
 * The model spans of a trace that count as calls: spans naming a model
 * (`mlflow.llm.model`), except one inside a model span that has token usage or a cost, whose
 * figures already include it (MLflow's rule when it sums a trace's tokens and cost).
 */
function modelCalls(spans: readonly Span[]): Span[] {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const inclusive = (s: Span) =>
    readLlmCost(s.attributes[SpanAttributeKey.LLM_COST]) !== null ||
    readTokenUsage(s.attributes[SpanAttributeKey.CHAT_USAGE]) !== null;
  return spans.filter((s) => {
    if (stringAttribute(s, SpanAttributeKey.MODEL) === null) return false;
    const seen = new Set<string>();
    for (let p = s.parentSpanId; p !== null && !seen.has(p); ) {
      seen.add(p);
      const parent = byId.get(p);
      if (!parent) break;
      if (stringAttribute(parent, SpanAttributeKey.MODEL) !== null && inclusive(parent))
        return false;
      p = parent.parentSpanId;
    }
    return true;
  });
}

/**
 * Cost aggregates by a bounded scan of any store: the time series reads trace infos
 * (`mlflow.trace.cost` metadata, at most `maxTraces` newest), the per-model table reads the
 * spans of at most `maxDetailTraces` traces. A trace or call without a recorded cost (a model
 * without a known price) is counted as a trace or call but never as $0: the sums and averages
 * are over priced ones only, and say how many those are.
 */
export function costQueries(store: TrackingStore, options: CostQueriesOptions = {}): CostQueries {
  const { maxTraces, maxDetail, concurrency, scan } = scanContext(store, options);

  return {
    async costTimeseries(scope: QueryScope, bucketMs: number): Promise<CostTimeseriesResult> {
      const { infos, complete } = await scan(scope, maxTraces);
      const buckets = new Map<number, CostPoint>();
      const totals = emptyFigures();
      for (const t of infos) {
        const b = Math.floor((t.requestTime - scope.from) / bucketMs);
        let p = buckets.get(b);
        if (!p) {
          p = { start: scope.from + b * bucketMs, ...emptyFigures() };
          buckets.set(b, p);
        }
        p.traces++;
        totals.traces++;
        const cost = readLlmCost(t.traceMetadata[TraceMetadataKey.COST]);
        if (!cost) continue;
        p.pricedTraces++;
        p.cost = addCost(p.cost, cost);
        totals.pricedTraces++;
        totals.cost = addCost(totals.cost, cost);
      }
      return {
        bucketMs,
        points: [...buckets.entries()].sort((a, b) => a[0] - b[0]).map(([, p]) => p),
        totals,
        coverage: { traces: infos.length, complete },
      };
    },

    async modelCosts(scope: QueryScope): Promise<ModelCostsResult> {
      const { infos, complete } = await scan(scope, maxDetail);
      const byModel = new Map<string, ModelCost>();
      await mapLimited(infos, concurrency, async (info) => {
        const trace = await store.getTrace(info.traceId);
        for (const s of modelCalls(trace?.spans ?? [])) {
          const model = stringAttribute(s, SpanAttributeKey.MODEL)!;
          const provider = stringAttribute(s, SpanAttributeKey.MODEL_PROVIDER);
          const key = `${model}\u0000${provider ?? ''}`;
          let m = byModel.get(key);
          if (!m) {
            m = {
              model,
              provider,
              calls: 0,
              pricedCalls: 0,
              inputTokens: 0,
              outputTokens: 0,
              cost: null,
              costPerCall: null,
            };
            byModel.set(key, m);
          }
          m.calls++;
          const usage = readTokenUsage(s.attributes[SpanAttributeKey.CHAT_USAGE]);
          if (usage) {
            m.inputTokens += usage.input_tokens;
            m.outputTokens += usage.output_tokens;
          }
          const cost = readLlmCost(s.attributes[SpanAttributeKey.LLM_COST]);
          if (cost) {
            m.pricedCalls++;
            m.cost = addCost(m.cost, cost);
          }
        }
      });
      const models = [...byModel.values()].map((m) => ({
        ...m,
        costPerCall: m.cost && m.pricedCalls > 0 ? m.cost.total / m.pricedCalls : null,
      }));
      models.sort(
        (a, b) =>
          (b.cost?.total ?? -1) - (a.cost?.total ?? -1) ||
          b.calls - a.calls ||
          a.model.localeCompare(b.model) ||
          (a.provider ?? '').localeCompare(b.provider ?? ''),
      );
      return { models, coverage: { traces: infos.length, complete } };
    },
  };
}

/**
 * The cost aggregates of `queries` when it computes them, else a scan of the store, and which
 * of the two answers (for the pages' "SQL · N traces" / "scan · …" line).
 */
export function costQueriesFor(
  queries: DashboardQueries,
  store: TrackingStore,
): { costs: CostQueries; kind: 'sql' | 'scan' } {
  const { costTimeseries, modelCosts } = queries;
  if (costTimeseries && modelCosts) {
    return {
      costs: {
        costTimeseries: costTimeseries.bind(queries),
        modelCosts: modelCosts.bind(queries),
      },
      kind: queries.kind,
    };
  }
  return { costs: costQueries(store), kind: 'scan' };
}
