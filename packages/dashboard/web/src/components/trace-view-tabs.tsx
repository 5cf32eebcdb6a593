import { href } from '../router.js';
import type { TraceView } from '../trace-view.js';

/** Story or span tree: links, so each view has its own URL (and the back button works). */
export function TraceViewTabs({
  traceId,
  view,
  spanId,
}: {
  traceId: string;
  view: TraceView;
  /** The span the tree shows, kept when switching back to it. */
  spanId: string | null;
}) {
  const tabs: [TraceView, string, string][] = [
    ['story', 'Story', href(['traces', traceId], { view: 'story' })],
    ['tree', 'Spans & waterfall', href(['traces', traceId], { view: 'tree', span: spanId })],
  ];
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
