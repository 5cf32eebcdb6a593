import { useMemo } from 'preact/hooks';
import type { CostsResponse, ModelCost, ModelCostsResponse } from '../../../src/api/types.js';
import { getJson } from '../api.js';
import { formatCompact, formatNumber, formatUsd } from '../format.js';
import { type Async, useAsync } from '../hooks.js';
import { Chart, type ChartSeries } from './chart.js';
import { Kpi } from './kpi.js';
import { CoverageNote, ErrorBox, Loading } from './states.js';

const COST_COLOR = '#0d9488';

/** A 400 about a parameter (the filter) is shown by the page's filter box, not here again. */
const aboutParam = (error: Error | undefined) =>
  error !== undefined && (error as { param?: string }).param !== undefined;

/**
 * The metrics page's cost section: what the range's traces cost (`mlflow.trace.cost`, summed
 * over the priced traces only), per interval, and per model (from the model spans). Loaded
 * apart from the other charts: without SQL for it, it is a scan and must not hold them up.
 */
export function CostPanel({
  experimentId,
  filter,
  bounds,
}: {
  experimentId: string | undefined;
  filter: string;
  bounds: { from: number; to: number };
}) {
  const params = { experiment: experimentId, filter, ...bounds };
  const deps = [experimentId, filter, bounds.from, bounds.to];
  const costs = useAsync((signal) => getJson<CostsResponse>('costs', params, signal), deps);
  const models = useAsync(
    (signal) => getJson<ModelCostsResponse>('costs/models', params, signal),
    deps,
  );
  const chart = useMemo(() => {
    const c = costs.data;
    if (!c) return null;
    return {
      x: c.points.map((p) => p.start),
      series: [
        {
          label: 'Cost',
          color: COST_COLOR,
          values: c.points.map((p) => p.cost?.total ?? null),
          kind: 'bars',
        },
      ] satisfies ChartSeries[],
    };
  }, [costs.data]);

  const c = costs.data;
  const t = c?.totals;
  return (
    <section class="cost-section" aria-labelledby="cost-title">
      <div class="section-head">
        <h2 id="cost-title">Cost</h2>
        {c ? <CoverageNote analytics={c.analytics} coverage={c.coverage} /> : null}
      </div>
      {costs.error && !aboutParam(costs.error) ? (
        <ErrorBox error={costs.error} onRetry={costs.reload} />
      ) : !c || !t || !chart ? (
        costs.error ? null : (
          <Loading label="Adding up costs…" />
        )
      ) : (
        <div class={costs.loading ? 'is-loading' : ''}>
          <div class="kpis cost-kpis">
            <Kpi label="Total cost" value={formatUsd(t.cost?.total)} />
            <Kpi
              label="Per priced trace"
              value={formatUsd(t.cost && t.pricedTraces > 0 ? t.cost.total / t.pricedTraces : null)}
            />
            <Kpi
              label="Priced traces"
              value={`${formatNumber(t.pricedTraces)} of ${formatNumber(t.traces)}`}
              title="Traces with a recorded cost; the others' models have no known price"
            />
            <Kpi
              label="Input · output"
              value={t.cost ? `${formatUsd(t.cost.input)} · ${formatUsd(t.cost.output)}` : '—'}
            />
          </div>
          <div class="charts">
            <Chart
              title="Cost per interval (USD)"
              x={chart.x}
              series={chart.series}
              format={formatUsd}
              emptyText="No priced model calls in this range"
            />
          </div>
          {t.pricedTraces < t.traces ? (
            <p class="muted small cost-note">
              {formatNumber(t.traces - t.pricedTraces)} of {formatNumber(t.traces)} traces have no
              cost (none of their models has a known price): they are left out of the sums, not
              counted as $0.
            </p>
          ) : null}
        </div>
      )}
      <ModelTable models={models} />
    </section>
  );
}

function ModelTable({ models }: { models: Async<ModelCostsResponse> }) {
  const m = models.data;
  return (
    <div class="model-costs">
      <div class="section-head">
        <h3 id="model-costs-title">Cost by model</h3>
        {m ? <CoverageNote analytics={m.analytics} coverage={m.coverage} /> : null}
      </div>
      {models.error && !aboutParam(models.error) ? (
        <ErrorBox error={models.error} onRetry={models.reload} />
      ) : !m ? (
        models.error ? null : (
          <Loading label="Reading the model calls…" />
        )
      ) : m.models.length === 0 ? (
        <p class="muted">No model calls (spans with `mlflow.llm.model`) in this range.</p>
      ) : (
        <div class={`table-wrap${models.loading ? ' is-loading' : ''}`}>
          <table class="table model-costs-table" aria-labelledby="model-costs-title">
            <thead>
              <tr>
                <th>Model</th>
                <th>Provider</th>
                <th class="num">Calls</th>
                <th class="num">Input tokens</th>
                <th class="num">Output tokens</th>
                <th class="num">Total cost</th>
                <th class="num">Cost / call</th>
              </tr>
            </thead>
            <tbody>
              {m.models.map((row) => (
                <ModelRow key={`${row.model}\u0000${row.provider ?? ''}`} row={row} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

function ModelRow({ row }: { row: ModelCost }) {
  const unpriced = `No known price for ${row.model}`;
  const partly = row.pricedCalls > 0 && row.pricedCalls < row.calls;
  return (
    <tr>
      <td>
        <code>{row.model}</code>
      </td>
      <td>{row.provider ?? <span class="muted">—</span>}</td>
      <td class="num">
        {formatNumber(row.calls)}
        {partly ? <div class="sub">{formatNumber(row.pricedCalls)} priced</div> : null}
      </td>
      <td class="num">{formatCompact(row.inputTokens)}</td>
      <td class="num">{formatCompact(row.outputTokens)}</td>
      <td
        class={`num${row.cost ? '' : ' muted'}`}
        title={
          row.cost
            ? `${formatUsd(row.cost.input)} input · ${formatUsd(row.cost.output)} output`
            : unpriced
        }
      >
        {formatUsd(row.cost?.total)}
      </td>
      <td class={`num${row.costPerCall === null ? ' muted' : ''}`}>{formatUsd(row.costPerCall)}</td>
    </tr>
  );
}
