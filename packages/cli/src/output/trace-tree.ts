import {
  readLlmCost,
  readTokenUsage,
  type Span,
  SpanAttributeKey,
  type Trace,
} from '@graphtrace/core';
import type { Colors } from './colors.js';
import { formatCount, formatDuration, formatUsd } from './format.js';
import { displayWidth, truncate } from './table.js';

export interface TraceTreeOptions {
  colors: Colors;
  /** Terminal width to fit; the timing bar takes what the other columns leave. */
  width: number;
}

interface Row {
  span: Span;
  prefix: string;
}

/** Spans in tree order; spans whose parent is missing are roots. */
export function treeRows(spans: readonly Span[]): Row[] {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string | null, Span[]>();
  for (const s of spans) {
    const parent = s.parentSpanId && ids.has(s.parentSpanId) ? s.parentSpanId : null;
    const list = children.get(parent) ?? [];
    list.push(s);
    children.set(parent, list);
  }
  for (const list of children.values())
    list.sort((a, b) =>
      a.startTimeUnixNano < b.startTimeUnixNano
        ? -1
        : a.startTimeUnixNano > b.startTimeUnixNano
          ? 1
          : 0,
    );
  const rows: Row[] = [];
  const walk = (parent: string | null, indent: string, depth: number) => {
    const list = children.get(parent) ?? [];
    list.forEach((s, i) => {
      const last = i === list.length - 1;
      rows.push({ span: s, prefix: depth === 0 ? '' : `${indent}${last ? '└─ ' : '├─ '}` });
      walk(s.spanId, depth === 0 ? '' : indent + (last ? '   ' : '│  '), depth + 1);
    });
  };
  walk(null, '', 0);
  return rows;
}

/** The error a span reports: its status message, else the message of an `exception` event. */
export function spanError(span: Span): string | null {
  if (span.status.code !== 'ERROR') return null;
  if (span.status.message) return span.status.message;
  const ev = span.events.find((e) => e.name === 'exception');
  const msg = ev?.attributes['exception.message'];
  const type = ev?.attributes['exception.type'];
  if (typeof msg === 'string' && msg !== '')
    return typeof type === 'string' && type !== '' ? `${type}: ${msg}` : msg;
  return 'error';
}

function durationOf(span: Span): string {
  if (span.endTimeUnixNano === null) return 'running';
  return formatDuration(Number(span.endTimeUnixNano - span.startTimeUnixNano) / 1e6);
}

/** A bar `width` cells wide marking where the span runs within [t0, t1]. */
export function timingBar(span: Span, t0: bigint, t1: bigint, width: number): string {
  const total = Number(t1 - t0) || 1;
  const end = span.endTimeUnixNano ?? t1;
  const from = Math.min(
    width - 1,
    Math.max(0, Math.floor((Number(span.startTimeUnixNano - t0) / total) * width)),
  );
  const to = Math.min(width, Math.max(from + 1, Math.ceil((Number(end - t0) / total) * width)));
  return `${' '.repeat(from)}${'█'.repeat(to - from)}${' '.repeat(width - to)}`;
}

/**
 * The span tree of a trace for a terminal: one line per span with its type, duration, a timing
 * bar relative to the whole trace, token usage, cost (a column only when some span has one) and,
 * after a failed span's other cells, its error.
 */
export function renderTraceTree(trace: Trace, options: TraceTreeOptions): string {
  const c = options.colors;
  const rows = treeRows(trace.spans);
  if (rows.length === 0) return c.dim('(no spans recorded)');
  let t0 = rows[0]!.span.startTimeUnixNano;
  let t1 = t0;
  for (const { span } of rows) {
    if (span.startTimeUnixNano < t0) t0 = span.startTimeUnixNano;
    const end = span.endTimeUnixNano ?? span.startTimeUnixNano;
    if (end > t1) t1 = end;
  }
  // The prefix keeps its spaces (truncate collapses whitespace): only the name is cut.
  const names = rows.map(
    (r) => `${r.prefix}${truncate(r.span.name, Math.max(12, 48 - displayWidth(r.prefix)))}`,
  );
  const types = rows.map((r) => r.span.spanType);
  const durations = rows.map((r) => durationOf(r.span));
  const usages = rows.map((r) => readTokenUsage(r.span.attributes[SpanAttributeKey.CHAT_USAGE]));
  const tokens = usages.map((u) =>
    u ? `${formatCount(u.input_tokens)} in / ${formatCount(u.output_tokens)} out` : '',
  );
  const costs = rows.map((r) => readLlmCost(r.span.attributes[SpanAttributeKey.LLM_COST]));
  const showCost = costs.some((c) => c !== null);
  // `-` on an unpriced model call: its price is unknown, not zero.
  const costTexts = costs.map((cost, i) =>
    cost ? formatUsd(cost.total_cost) : usages[i] ? formatUsd(null) : '',
  );
  const w = (list: string[], header: string) =>
    Math.max(displayWidth(header), ...list.map((s) => displayWidth(s)));
  const nameW = w(names, 'SPAN');
  const typeW = w(types, 'TYPE');
  const durW = w(durations, 'DURATION');
  const tokW = w(tokens, 'TOKENS');
  const costW = w(costTexts, 'COST');
  // Columns before the error, with their two-space gaps; the bar has its two edge marks.
  const columns = nameW + typeW + durW + tokW + (showCost ? costW + 2 : 0) + 2 * 4 + 2;
  const barW = Math.max(10, Math.min(40, options.width - columns));
  const padR = (s: string, n: number) => s + ' '.repeat(Math.max(0, n - displayWidth(s)));
  const padL = (s: string, n: number) => ' '.repeat(Math.max(0, n - displayWidth(s))) + s;

  const lines = [
    c.bold(
      [
        padR('SPAN', nameW),
        padR('TYPE', typeW),
        padL('DURATION', durW),
        padR('TIMELINE', barW + 2),
        padR('TOKENS', tokW),
        ...(showCost ? [padL('COST', costW)] : []),
        rows.some((r) => r.span.status.code === 'ERROR') ? 'ERROR' : '',
      ]
        .join('  ')
        .trimEnd(),
    ),
  ];
  rows.forEach((r, i) => {
    const error = spanError(r.span);
    const bar = timingBar(r.span, t0, t1, barW);
    const cells = [
      padR(names[i]!, nameW),
      c.dim(padR(types[i]!, typeW)),
      padL(durations[i]!, durW),
      `${c.dim('▕')}${error ? c.red(bar) : c.cyan(bar)}${c.dim('▏')}`,
      padR(tokens[i]!, tokW),
      ...(showCost ? [padL(costTexts[i]!, costW)] : []),
    ];
    if (error) {
      // An error is cut only to fit the terminal, never below 40.
      const used = columns + barW + 2;
      cells.push(c.red(`✗ ${truncate(error, Math.max(40, options.width - used - 2))}`));
    }
    lines.push(cells.join('  ').trimEnd());
  });
  return lines.join('\n');
}
