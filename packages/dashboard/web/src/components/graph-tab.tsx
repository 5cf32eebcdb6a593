import type { TracedGraph } from '../graph-data.js';
import { useAsync } from '../hooks.js';
import { ErrorBox, Loading } from './states.js';

// The drawing and its layout library load with the first graph shown, not with every page.
let module: Promise<typeof import('./graph-view.js')> | null = null;

export function GraphTab({ traceId, graphs }: { traceId: string; graphs: TracedGraph[] }) {
  const view = useAsync(() => {
    module ??= import('./graph-view.js');
    return module;
  }, []);
  if (view.error) return <ErrorBox error={view.error} onRetry={view.reload} />;
  if (!view.data) return <Loading label="Drawing the graph…" />;
  const GraphView = view.data.default;
  return <GraphView traceId={traceId} graphs={graphs} />;
}
