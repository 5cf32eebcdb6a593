/**
 * @langchain/core 1.x declares `handleChainStart(chain, inputs, runId, runType, tags, metadata,
 * runName, parentRunId, extra)`, but its CallbackManager calls handlers with
 * `(chain, inputs, runId, parentRunId, tags, metadata, runType, runName, extra)` (checked in
 * 1.4.0). Both orders are accepted: a run id is a UUID and a run type never is.
 */

const DASH = 45;

/**
 * A UUID's shape: 36 characters with dashes at 8, 13, 18 and 23 (LangChain run ids are UUIDs;
 * run types never are). Checked by position only: it runs on every callback.
 */
export const isRunId = (v: unknown): v is string =>
  typeof v === 'string' &&
  v.length === 36 &&
  v.charCodeAt(8) === DASH &&
  v.charCodeAt(13) === DASH &&
  v.charCodeAt(18) === DASH &&
  v.charCodeAt(23) === DASH;

export interface ChainStartArgs {
  parentRunId: string | undefined;
  tags: string[] | undefined;
  metadata: Record<string, unknown> | undefined;
  runType: string | undefined;
  runName: string | undefined;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const tagsOf = (v: unknown): string[] | undefined =>
  Array.isArray(v) ? (v as string[]) : undefined;
const metaOf = (v: unknown): Record<string, unknown> | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;

/** `rest` are the arguments after `runId` (positions 3..8). */
export function chainStartArgs(rest: readonly unknown[]): ChainStartArgs {
  const [a3, a4, a5, a6, a7] = rest;
  const declaredOrder =
    (typeof a3 === 'string' && !isRunId(a3)) || (a3 === undefined && isRunId(a7));
  if (declaredOrder) {
    return {
      runType: str(a3),
      tags: tagsOf(a4),
      metadata: metaOf(a5),
      runName: str(a6),
      parentRunId: isRunId(a7) ? a7 : undefined,
    };
  }
  return {
    parentRunId: isRunId(a3) ? a3 : undefined,
    tags: tagsOf(a4),
    metadata: metaOf(a5),
    runType: str(a6),
    runName: str(a7),
  };
}
