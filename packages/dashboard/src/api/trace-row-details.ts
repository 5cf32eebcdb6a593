import { AgentMetadataKey, type Assessment, type TraceInfo } from '@graphtrace/core';
import type { TraceListQueries } from '../queries/types.js';
import type { ApiContext } from './context.js';
import type { AssessmentBrief, TraceListRow } from './types.js';
import { traceRow } from './views.js';

/*
 * What a page of the trace list shows beyond the trace infos: failed tool calls (for the
 * "tool error" badge on traces that still ended OK) and assessments. Both are read for the
 * page's rows only, at most `DETAIL_ROWS` of them, never for a whole experiment.
 */

/** Rows of a page whose tool errors and assessments are read, at most. */
export const DETAIL_ROWS = 100;
/** Assessments shown per row, at most. */
const ASSESSMENTS_PER_ROW = 20;

function counter(info: TraceInfo, key: string): number | null {
  const raw = info.traceMetadata[key];
  if (raw === undefined || raw.trim() === '') return null;
  const n = Number(raw);
  return Number.isFinite(n) ? n : null;
}

export function assessmentBrief(a: Assessment): AssessmentBrief {
  const error =
    a.kind === 'feedback' && a.error ? (a.error.errorMessage ?? a.error.errorCode) : null;
  return {
    name: a.name,
    kind: a.kind,
    value: error === null ? a.value : null,
    error,
    rationale: a.rationale,
    source: `${a.source.sourceType}${a.source.sourceId ? ` · ${a.source.sourceId}` : ''}`,
    spanId: a.spanId,
  };
}

export async function traceListRows(
  ctx: ApiContext,
  list: TraceListQueries,
  infos: readonly TraceInfo[],
): Promise<TraceListRow[]> {
  const detailed = infos.slice(0, DETAIL_ROWS);
  // graphtrace counts failed tool calls per trace as it records it; traces of other SDKs have
  // no counter, and only an OK one needs its spans read (a failed trace shows "Error" anyway).
  const unread = detailed
    .filter((i) => i.state === 'OK' && counter(i, AgentMetadataKey.TOOL_ERRORS) === null)
    .map((i) => i.traceId);
  const [failed, assessments] = await Promise.all([
    unread.length > 0 ? list.failedToolCalls(unread) : ({} as Record<string, number>),
    ctx.store.capabilities.assessments ? list.assessmentsOf(detailed.map((i) => i.traceId)) : null,
  ]);
  const read = new Set(unread);
  return infos.map((info, i) => {
    const id = info.traceId;
    const own = counter(info, AgentMetadataKey.TOOL_ERRORS);
    const found = assessments && i < detailed.length ? (assessments[id] ?? []) : undefined;
    return {
      ...traceRow(info),
      toolErrors: own ?? (read.has(id) ? (failed[id] ?? 0) : null),
      assessments:
        found === undefined
          ? null
          : found
              .filter((a) => a.valid)
              .sort((a, b) => a.createTime - b.createTime)
              .slice(0, ASSESSMENTS_PER_ROW)
              .map(assessmentBrief),
    };
  });
}
