import type { TraceWriter } from '../store/trace-writer.js';
import type { TrackingCalls, TrackingStore } from '../store/tracking-store.js';

/** Every method of the read and tracking port, so a wrapper can forward them without listing each. */
const TRACKING_CALLS = [
  'getOrCreateExperiment',
  'getExperiment',
  'getExperimentByName',
  'searchExperiments',
  'createRun',
  'updateRun',
  'logBatch',
  'getRun',
  'searchRuns',
  'getMetricHistory',
  'getTraceInfo',
  'getTrace',
  'searchTraces',
  'setTraceTag',
  'deleteTraces',
  'createAssessment',
  'getAssessments',
] as const satisfies readonly (keyof TrackingCalls)[];

// A method added to the port and not listed above fails the build here, not at run time.
type Unlisted = Exclude<keyof TrackingCalls, (typeof TRACKING_CALLS)[number]>;
const everyCallListed: [Unlisted] extends [never] ? true : Unlisted = true;
void everyCallListed;

/** Runs one call of the port on a store the wrapper chooses (and may translate its errors). */
export type CallRunner = <T>(call: (store: TrackingStore) => Promise<T>) => Promise<T>;

/** The read and tracking port, each call handed to `run` with the store it is to run on. */
export function forwardCalls(run: CallRunner): TrackingCalls {
  const calls: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const name of TRACKING_CALLS) {
    calls[name] = (...args) =>
      run((store) => (store[name] as (...a: unknown[]) => Promise<unknown>).apply(store, args));
  }
  // Built by name from a list checked against the interface above.
  return calls as unknown as TrackingCalls;
}

/**
 * A wrapper's optional `reachable`: present only when the store it wraps has one, and asked of
 * the store the wrapper uses at the time (`current`); a store without one counts as answering.
 */
export function forwardReachable(
  wrapped: TraceWriter,
  current: () => TraceWriter = () => wrapped,
): Pick<TraceWriter, 'reachable'> {
  if (!wrapped.reachable) return {};
  return {
    reachable: (timeoutMs) =>
      current().reachable?.(timeoutMs) ?? Promise.resolve({ ok: true, reason: 'ok', elapsedMs: 0 }),
  };
}
