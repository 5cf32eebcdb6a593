import {
  type QueryScope,
  type SessionSummary,
  type SessionsResult,
  TraceMetadataKey,
} from '@graphtrace/core';
import { type ScanContext, tokensOf } from './trace-scan.js';

/**
 * Sessions (`mlflow.trace.session`) of the newest `maxTraces` traces of the range, most
 * recently active first, a page of them.
 */
export async function scanSessions(
  ctx: ScanContext,
  scope: QueryScope,
  page: { limit: number; offset: number },
): Promise<SessionsResult> {
  const { infos, complete } = await ctx.scan(scope, ctx.maxTraces);
  const bySession = new Map<string, SessionSummary>();
  let traces = 0;
  for (const t of infos) {
    const session = t.traceMetadata[TraceMetadataKey.SESSION];
    if (session === undefined) continue;
    traces++;
    const end = t.requestTime + (t.executionDuration ?? 0);
    const tokens = tokensOf(t);
    const user = t.traceMetadata[TraceMetadataKey.USER] ?? null;
    const s = bySession.get(session);
    if (!s) {
      bySession.set(session, {
        session,
        traces: 1,
        errors: t.state === 'ERROR' ? 1 : 0,
        firstTime: t.requestTime,
        lastTime: end,
        inputTokens: tokens.input,
        outputTokens: tokens.output,
        user,
      });
      continue;
    }
    s.traces++;
    if (t.state === 'ERROR') s.errors++;
    s.firstTime = Math.min(s.firstTime, t.requestTime);
    s.lastTime = Math.max(s.lastTime, end);
    s.inputTokens += tokens.input;
    s.outputTokens += tokens.output;
    if (user !== null && (s.user === null || user > s.user)) s.user = user;
  }
  const sorted = [...bySession.values()].sort(
    (a, b) => b.lastTime - a.lastTime || (a.session < b.session ? -1 : 1),
  );
  return {
    sessions: sorted.slice(page.offset, page.offset + page.limit),
    total: sorted.length,
    coverage: { traces, complete },
  };
}
