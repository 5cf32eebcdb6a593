import { SpanAttributeKey, TraceMetadataKey } from '../model/keys.js';
import type { Span } from '../model/span.js';
import type { Trace } from '../model/trace.js';
import { readLlmCost, readTokenUsage } from '../tracing/usage-cost.js';

/**
 * US dollars for people: cents from $1 on, two significant digits below, so a call of
 * $0.00042 never reads as $0.00.
 */
export function formatUsd(usd: number): string {
  if (!Number.isFinite(usd)) return '?';
  const sign = usd < 0 ? '-' : '';
  const n = Math.abs(usd);
  if (n === 0 || n >= 1)
    return `${sign}$${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  // toFixed, not toPrecision, which switches to exponents below 1e-6.
  const decimals = Math.max(2, 1 - Math.floor(Math.log10(n)));
  return `${sign}$${n.toFixed(decimals).replace(/(\.\d\d\d*?)0+$/, '$1')}`;
}

function durationMs(s: Span): string {
  if (s.endTimeUnixNano === null) return 'running';
  const ms = Number(s.endTimeUnixNano - s.startTimeUnixNano) / 1e6;
  return ms < 10 ? `${ms.toFixed(2)} ms` : `${ms.toFixed(1)} ms`;
}

function describeSpan(s: Span): string {
  const parts = [`${s.name} [${s.spanType}]`, durationMs(s)];
  parts.push(
    s.status.code === 'ERROR'
      ? `ERROR${s.status.message ? `: ${s.status.message}` : ''}`
      : s.status.code,
  );
  const usage = readTokenUsage(s.attributes[SpanAttributeKey.CHAT_USAGE]);
  if (usage) parts.push(`tokens ${usage.input_tokens} in / ${usage.output_tokens} out`);
  const cost = readLlmCost(s.attributes[SpanAttributeKey.LLM_COST]);
  if (cost) parts.push(formatUsd(cost.total_cost));
  return parts.join('  ');
}

/**
 * The span tree of a trace as indented text, children in start order; spans whose parent is
 * missing are shown at the top level.
 */
export function formatTraceTree(trace: Trace): string {
  const ids = new Set(trace.spans.map((s) => s.spanId));
  const children = new Map<string | null, Span[]>();
  for (const s of trace.spans) {
    const parent = s.parentSpanId && ids.has(s.parentSpanId) ? s.parentSpanId : null;
    const list = children.get(parent) ?? [];
    list.push(s);
    children.set(parent, list);
  }
  for (const list of children.values())
    list.sort((a, b) => (a.startTimeUnixNano < b.startTimeUnixNano ? -1 : 1));
  const cost = readLlmCost(trace.info.traceMetadata[TraceMetadataKey.COST]);
  const lines = [
    `trace ${trace.info.traceId}  ${trace.info.state}  ${trace.info.executionDuration ?? '?'} ms${cost ? `  cost ${formatUsd(cost.total_cost)}` : ''}`,
  ];
  const walk = (parent: string | null, prefix: string) => {
    const list = children.get(parent) ?? [];
    list.forEach((s, i) => {
      const last = i === list.length - 1;
      lines.push(`${prefix}${last ? '└─ ' : '├─ '}${describeSpan(s)}`);
      walk(s.spanId, prefix + (last ? '   ' : '│  '));
    });
  };
  walk(null, '');
  return lines.join('\n');
}
