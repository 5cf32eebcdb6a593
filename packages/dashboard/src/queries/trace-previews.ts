import type { TrackingStore } from '@graphtrace/core';
import { mapLimited } from './trace-scan.js';

/** Characters of request preview kept to tell a trace apart in a list. */
const PREVIEW_CHARS = 160;
/** Concurrent trace info reads. */
const CONCURRENCY = 4;

/** What tells apart traces of one name (every run of an agent has its name): the request. */
export interface TracePreview {
  requestPreview: string | null;
  /** ms since epoch */
  time: number;
}

/**
 * The request preview and start of each distinct trace among `traceIds` (a page of recent
 * assessments: at most its length of reads, by primary key); a trace not found is left out.
 */
export async function tracePreviews(
  store: TrackingStore,
  traceIds: readonly string[],
): Promise<Map<string, TracePreview>> {
  const ids = [...new Set(traceIds)];
  const infos = await mapLimited(ids, CONCURRENCY, (id) => store.getTraceInfo(id));
  const out = new Map<string, TracePreview>();
  for (const info of infos) {
    if (!info) continue;
    const p = info.requestPreview;
    out.set(info.traceId, {
      requestPreview:
        p === null || p.length <= PREVIEW_CHARS ? p : `${p.slice(0, PREVIEW_CHARS - 1)}…`,
      time: info.requestTime,
    });
  }
  return out;
}
