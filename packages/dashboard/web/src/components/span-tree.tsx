import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { SpanView } from '../../../src/api/types.js';
import { formatDuration } from '../format.js';
import { TypeBadge } from './badges.js';

interface Row {
  span: SpanView;
  depth: number;
  hasChildren: boolean;
}

/** Children by parent (a span whose parent is missing is shown at the top), in start order. */
function childrenOf(spans: readonly SpanView[]): Map<string | null, SpanView[]> {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string | null, SpanView[]>();
  for (const s of spans) {
    const parent = s.parentSpanId && ids.has(s.parentSpanId) ? s.parentSpanId : null;
    const list = children.get(parent) ?? [];
    list.push(s);
    children.set(parent, list);
  }
  for (const list of children.values()) list.sort((a, b) => a.offsetMs - b.offsetMs);
  return children;
}

function visibleRows(
  children: Map<string | null, SpanView[]>,
  collapsed: ReadonlySet<string>,
): Row[] {
  const rows: Row[] = [];
  const walk = (parent: string | null, depth: number) => {
    for (const span of children.get(parent) ?? []) {
      const hasChildren = (children.get(span.spanId)?.length ?? 0) > 0;
      rows.push({ span, depth, hasChildren });
      if (hasChildren && !collapsed.has(span.spanId)) walk(span.spanId, depth + 1);
    }
  };
  walk(null, 0);
  return rows;
}

const TICKS = [0, 0.25, 0.5, 0.75, 1];

/** The duration beside its bar: after it, before it, or inside it when the bar fills the row. */
function BarLabel({ left, width, text }: { left: number; width: number; text: string }) {
  const end = left + width;
  if (end <= 80)
    return (
      <span class="bar-label" style={{ left: `${end}%` }}>
        {text}
      </span>
    );
  if (left >= 20)
    return (
      <span class="bar-label before" style={{ right: `${100 - left}%` }}>
        {text}
      </span>
    );
  return (
    <span class="bar-label inside" style={{ right: `${Math.max(0, 100 - end)}%` }}>
      {text}
    </span>
  );
}

/**
 * The span tree beside a waterfall: each row is a span, indented under its parent, with a bar
 * placed on the trace's time line. Arrow keys move the selection; ← / → fold and unfold.
 */
export function SpanTree({
  spans,
  selected,
  onSelect,
}: {
  spans: SpanView[];
  selected: string | null;
  onSelect: (spanId: string) => void;
}) {
  const [collapsed, setCollapsed] = useState<Set<string>>(new Set());
  const children = useMemo(() => childrenOf(spans), [spans]);
  const rows = useMemo(() => visibleRows(children, collapsed), [children, collapsed]);
  const total = useMemo(
    () => Math.max(0.001, ...spans.map((s) => s.offsetMs + (s.durationMs ?? 0))),
    [spans],
  );
  const toggle = (id: string, open?: boolean) => {
    const next = new Set(collapsed);
    if (open ?? next.has(id)) next.delete(id);
    else next.add(id);
    setCollapsed(next);
  };
  const box = useRef<HTMLDivElement>(null);
  // Keyboard selection moves the focus along (rows are a roving tab stop).
  useEffect(() => {
    const el = box.current;
    if (!el?.contains(document.activeElement) || !selected) return;
    el.querySelector<HTMLElement>(`[data-span-id="${selected}"]`)?.focus();
  }, [selected]);
  const onKeyDown = (e: KeyboardEvent) => {
    const i = rows.findIndex((r) => r.span.spanId === selected);
    if (e.key === 'ArrowDown' && i < rows.length - 1) onSelect(rows[i + 1]!.span.spanId);
    else if (e.key === 'ArrowUp' && i > 0) onSelect(rows[i - 1]!.span.spanId);
    else if (e.key === 'ArrowLeft' && i >= 0 && rows[i]!.hasChildren)
      toggle(rows[i]!.span.spanId, false);
    else if (e.key === 'ArrowRight' && i >= 0 && rows[i]!.hasChildren)
      toggle(rows[i]!.span.spanId, true);
    else return;
    e.preventDefault();
  };

  return (
    <div class="span-tree" role="tree" aria-label="Spans" ref={box}>
      <div class="span-tree-head" aria-hidden="true">
        <div class="span-col-name">Span</div>
        <div class="span-col-bar">
          {TICKS.map((t) => (
            <span key={t} class="tick" style={{ left: `${t * 100}%` }}>
              {t === 0 ? '0' : formatDuration(t * total)}
            </span>
          ))}
        </div>
      </div>
      {rows.map(({ span: s, depth, hasChildren }) => {
        const left = (s.offsetMs / total) * 100;
        const width = Math.max(0.4, ((s.durationMs ?? total - s.offsetMs) / total) * 100);
        const isSelected = s.spanId === selected;
        const failed = s.status.code === 'ERROR';
        return (
          <div
            key={s.spanId}
            role="treeitem"
            aria-selected={isSelected}
            aria-expanded={hasChildren ? !collapsed.has(s.spanId) : undefined}
            aria-level={depth + 1}
            data-span-id={s.spanId}
            class={`span-row${isSelected ? ' selected' : ''}${failed ? ' failed' : ''}`}
            tabIndex={isSelected || (selected === null && s === rows[0]?.span) ? 0 : -1}
            onClick={() => onSelect(s.spanId)}
            onKeyDown={onKeyDown}
          >
            <div class="span-col-name" style={{ paddingLeft: `${depth * 16 + 4}px` }}>
              {hasChildren ? (
                <button
                  type="button"
                  class="fold"
                  aria-label={collapsed.has(s.spanId) ? 'Expand' : 'Collapse'}
                  onClick={(e) => {
                    e.stopPropagation();
                    toggle(s.spanId);
                  }}
                >
                  {collapsed.has(s.spanId) ? '▸' : '▾'}
                </button>
              ) : (
                <span class="fold-space" />
              )}
              <TypeBadge type={s.spanType} />
              <span class="span-name" title={s.name}>
                {s.name}
              </span>
              {failed ? (
                <span class="error-mark" title={s.status.message ?? 'error'}>
                  !
                </span>
              ) : null}
            </div>
            <div class="span-col-bar">
              <div
                class={`bar bar-${s.spanType.toLowerCase()}${failed ? ' bar-error' : ''}`}
                style={{
                  left: `${Math.min(left, 99.6)}%`,
                  width: `${Math.min(width, 100 - left)}%`,
                }}
              />
              <BarLabel left={left} width={width} text={formatDuration(s.durationMs)} />
            </div>
          </div>
        );
      })}
    </div>
  );
}
