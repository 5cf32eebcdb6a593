import type { AssessmentBrief, TraceListRow, TracesResponse } from '../../../src/api/types.js';
import { formatNumber, formatUsd, truncate } from '../format.js';
import '../traces-list.css';
import { ThumbIcon } from './thumb-icon.js';

/** Assessments shown in a row; the rest are counted ("+2") and listed in the tooltip. */
const SHOWN_ASSESSMENTS = 3;

/** The start of the trace's response (its full preview, up to 300 characters, on hover). */
export function ResponseCell({ text }: { text: string | null }) {
  return text ? (
    <td class="response-cell">
      <div class="response-preview" title={text}>
        {text}
      </div>
    </td>
  ) : (
    <td class="response-cell muted">—</td>
  );
}

/** On an OK trace in which a tool call failed: the agent recovered, but something broke. */
export function ToolErrorBadge({ trace }: { trace: TraceListRow }) {
  const n = trace.toolErrors ?? 0;
  if (trace.state !== 'OK' || n === 0) return null;
  return (
    <span
      class="badge badge-tool-error"
      title={`${n} tool call${n === 1 ? '' : 's'} failed; the trace still ended OK`}
    >
      tool error{n > 1 ? ` ×${n}` : ''}
    </span>
  );
}

function valueText(a: AssessmentBrief): string {
  if (a.error !== null) return `error: ${a.error}`;
  if (a.value === true) return 'yes';
  if (a.value === false) return 'no';
  if (typeof a.value === 'string') return a.value;
  return JSON.stringify(a.value);
}

/** One line of the tooltip: name, value, who, and why. */
function describe(a: AssessmentBrief): string {
  const about = a.spanId ? ' (a span)' : '';
  const why = a.rationale ? ` — ${truncate(a.rationale, 120)}` : '';
  return `${a.name}${about}: ${truncate(valueText(a), 80)} · ${a.source}${why}`;
}

function AssessmentChip({ a }: { a: AssessmentBrief }) {
  const kind = a.kind === 'expectation' ? ' expectation' : '';
  if (a.error !== null) return <span class={`assessment-chip failed${kind}`}>!</span>;
  if (typeof a.value === 'boolean')
    return (
      <span class={`assessment-chip thumb ${a.value ? 'up' : 'down'}${kind}`}>
        <ThumbIcon up={a.value} size={14} />
        <span class="sr-only">{a.value ? 'yes' : 'no'}</span>
      </span>
    );
  const text = typeof a.value === 'number' ? formatNumber(a.value) : truncate(valueText(a), 14);
  return <span class={`assessment-chip${kind}`}>{text}</span>;
}

/**
 * A trace's feedback and expectations, compactly (thumbs, scores, labels); names, sources and
 * rationales in the tooltip.
 */
export function AssessmentsCell({ assessments }: { assessments: AssessmentBrief[] | null }) {
  if (!assessments || assessments.length === 0) return <td class="assessments-cell muted">—</td>;
  const more = assessments.length - SHOWN_ASSESSMENTS;
  return (
    <td class="assessments-cell" title={assessments.map(describe).join('\n')}>
      <span class="assessment-chips">
        {assessments.slice(0, SHOWN_ASSESSMENTS).map((a, i) => (
          <AssessmentChip key={i} a={a} />
        ))}
        {more > 0 ? <span class="assessment-more">+{more}</span> : null}
      </span>
    </td>
  );
}

/** A trace's cost; "—" when none of its models has a known price (unknown, not $0). */
export function CostCell({ cost }: { cost: TraceListRow['cost'] }) {
  return cost ? (
    <td
      class="num nowrap cost"
      title={`${formatUsd(cost.input)} input · ${formatUsd(cost.output)} output`}
    >
      {formatUsd(cost.total)}
    </td>
  ) : (
    <td class="num nowrap cost muted" title="No model of this trace has a known price">
      —
    </td>
  );
}

const ORDER_NAMES = { total_cost: 'cost', total_tokens: 'tokens' } as const;

/** Says when an order by cost or tokens covers only the newest traces (a bounded scan). */
export function OrderNote({ order }: { order: TracesResponse['order'] }) {
  if (!order?.coverage || order.coverage.complete) return null;
  return (
    <p class="muted table-note order-note" role="note">
      Sorted by {ORDER_NAMES[order.key]} among the newest{' '}
      {order.coverage.traces.toLocaleString('en-US')} traces of this filter only: this store cannot
      sort by {ORDER_NAMES[order.key]}, so older traces are not in this order.
    </p>
  );
}
