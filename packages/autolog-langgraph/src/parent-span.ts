import type { LiveSpan } from '@graphtrace/core';
import { AsyncLocalStorageProviderSingleton } from '@langchain/core/singletons';

/**
 * True when `candidate` is `span` or one of its ancestors, walking up through `open` (spans whose
 * ancestry is known: a handler's open spans; their ancestors are open too while they are).
 */
export function isAncestorOrSelf(
  candidate: LiveSpan,
  span: LiveSpan,
  open: ReadonlyMap<string, LiveSpan>,
): boolean {
  let s: LiveSpan | undefined = span;
  for (let hops = 0; s && hops < 1_000; hops++) {
    if (s === candidate || s.parentSpanId === candidate.spanId) return true;
    s = s.parentSpanId ? open.get(s.parentSpanId) : undefined;
  }
  return false;
}

/**
 * The parent for a new span, given the LangChain parent run's span and graphtrace's ambient
 * span. The ambient span wins only when it was opened inside the LangChain run (a user's
 * `withSpan` in a node); when it encloses the run (a user's span around `graph.invoke`) or
 * belongs to another trace, the LangChain parent wins.
 */
export function chooseParent(
  lcParent: LiveSpan | null,
  ambient: LiveSpan | null,
  open: ReadonlyMap<string, LiveSpan>,
): LiveSpan | null {
  const live = ambient && ambient.endTimeUnixNano === null ? ambient : null;
  if (!lcParent) return live;
  if (!live || live === lcParent || live.traceId !== lcParent.traceId) return lcParent;
  return isAncestorOrSelf(live, lcParent, open) ? lcParent : live;
}

/** Something that knows the span of a LangChain run id (each active callback handler). */
export interface RunSpanSource {
  spanOfRun(runId: string): LiveSpan | null;
}

const sources = new Set<RunSpanSource>();

export function addRunSpanSource(source: RunSpanSource): void {
  sources.add(source);
}

export function removeRunSpanSource(source: RunSpanSource): void {
  sources.delete(source);
}

/** The run id of the LangChain run whose code is executing in this async context, if any. */
export function currentRunId(): string | undefined {
  const config = AsyncLocalStorageProviderSingleton.getRunnableConfig() as
    | { callbacks?: unknown }
    | undefined;
  const callbacks = config?.callbacks as
    | { getParentRunId?: () => string | undefined; _parentRunId?: string }
    | undefined;
  if (!callbacks || typeof callbacks !== 'object' || Array.isArray(callbacks)) return undefined;
  return callbacks.getParentRunId?.() ?? callbacks._parentRunId;
}

/**
 * The span of the LangGraph node, tool or chain whose code is running in this async context:
 * use it as `parent` for spans you start by hand inside a node
 * (`tracker.startSpan({ name, parent: currentRunSpan() })`). Null outside traced runs.
 */
export function currentRunSpan(): LiveSpan | null {
  if (sources.size === 0) return null;
  const runId = currentRunId();
  if (!runId) return null;
  for (const source of sources) {
    const span = source.spanOfRun(runId);
    if (span) return span;
  }
  return null;
}
