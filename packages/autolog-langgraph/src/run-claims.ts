import type { Tracker } from '@graphtrace/core';

/**
 * Which of graphtrace's handlers records each open LangChain run, per tracker.
 *
 * LangChain can deliver one run to graphtrace twice: the same handler listed twice in a
 * callback manager (older @langchain/core concatenated inherited and explicit callbacks,
 * langchainjs #11648), or autolog's handler plus another GraphtraceCallbackHandler for the same
 * tracker (LangChain dedupes handlers by identity, so `withConfig({ callbacks: [new
 * GraphtraceCallbackHandler(tracker)] })` inside a traced node reaches both). The first handler
 * to start a run records it; a second start, and the runs under a run another handler records,
 * are skipped, so each run is one span. Entries live while their run is open, so the map is
 * bounded by the handlers' open runs; handlers of different trackers never affect each other.
 */
const owners = new WeakMap<Tracker, Map<string, object>>();

/**
 * Whether `handler` should skip this run start: it already records the run (a second delivery),
 * another handler of the tracker does, or another one records the parent run `handler` does not
 * know. `knows` says whether `handler` has a run open.
 */
export function isDuplicateStart(
  tracker: Tracker,
  handler: object,
  runId: string,
  parentRunId: string | undefined,
  knows: (runId: string) => boolean,
): boolean {
  if (knows(runId)) return true;
  const claimed = owners.get(tracker);
  if (!claimed) return false;
  const owner = claimed.get(runId);
  if (owner !== undefined) return owner !== handler;
  if (parentRunId === undefined || knows(parentRunId)) return false;
  const parentOwner = claimed.get(parentRunId);
  return parentOwner !== undefined && parentOwner !== handler;
}

/** `handler` records `runId` from now on. */
export function claimRun(tracker: Tracker, runId: string, handler: object): void {
  let claimed = owners.get(tracker);
  if (!claimed) {
    claimed = new Map();
    owners.set(tracker, claimed);
  }
  if (!claimed.has(runId)) claimed.set(runId, handler);
}

/** `handler` is done with `runId` (ended, swept, or the handler was turned off). */
export function releaseRun(tracker: Tracker, runId: string, handler: object): void {
  const claimed = owners.get(tracker);
  if (claimed?.get(runId) === handler) claimed.delete(runId);
}
