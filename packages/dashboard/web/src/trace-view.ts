/*
 * Which view of a trace to show. The story (question, tool calls, answer) answers "why did the
 * agent do that?" on the first screen, so a trace opens on it; the span tree stays one click
 * away. Two cases open on the tree instead: a link to a span (`?span=`, from the tools page,
 * span links, older bookmarks) and a failed trace, whose first question is where and why it
 * failed: the tree opens on the failing span with its exception and stack trace. The graph
 * (LangGraph's nodes and edges with the path taken) is a third view, offered when recorded.
 */

export type TraceView = 'story' | 'tree' | 'graph';

export function traceViewOf(params: URLSearchParams, state: string | undefined): TraceView {
  const asked = params.get('view');
  if (asked === 'story' || asked === 'tree' || asked === 'graph') return asked;
  if (params.get('span')) return 'tree';
  return state === 'ERROR' ? 'tree' : 'story';
}
