import { href } from '../router.js';
import type { TraceView } from '../trace-view.js';

/** Story, span tree or graph: links, so each view has its own URL (and the back button works). */
export function TraceViewTabs({
  traceId,
  view,
  spanId,
  hasGraph,
}: {
  traceId: string;
  view: TraceView;
  /** The span the tree shows, kept when switching back to it. */
  spanId: string | null;
  /** The trace recorded a LangGraph topology to draw. */
  hasGraph: boolean;
}) {
  const tabs: [TraceView, string, string][] = [
    ['story', 'Story', href(['traces', traceId], { view: 'story' })],
    ['tree', 'Spans & waterfall', href(['traces', traceId], { view: 'tree', span: spanId })],
  ];
  if (hasGraph) tabs.push(['graph', 'Graph', href(['traces', traceId], { view: 'graph' })]);
  return (
    <nav class="tabs trace-view-tabs" aria-label="Trace views">
      {tabs.map(([id, label, link]) => (
        <a
          key={id}
          href={link}
          class={`tab${view === id ? ' active' : ''}`}
          aria-current={view === id ? 'page' : undefined}
        >
          {label}
        </a>
      ))}
    </nav>
  );
}
