/**
 * Flushes pending spans when the process ends: on `beforeExit` (the event loop ran dry), within
 * a budget. Exit signals are left alone unless a tracker asks for them (`handleExitSignals`):
 * Node runs a signal listener only when the program's synchronous code yields, so any listener
 * would keep a CPU-busy program running (and running its next statements) after Ctrl+C.
 * Not signal-exit or exit-hook: their handlers run synchronously at exit or always take the
 * signals and exit, where this waits for an async flush and takes signals only when asked.
 */
export interface Flushable {
  readonly pending: boolean;
  /** Resolves true when everything was written; false when the budget (default: its own) ran out. */
  flush(timeoutMs?: number): Promise<boolean>;
}

const live = new Set<Flushable>();
let installedExit = false;
let installedSignals = false;
let flushTimeoutMs = 5_000;

/** The budget of the flush at exit (beforeExit and, when asked for, SIGINT/SIGTERM). Default 5 s. */
export function setExitFlushTimeout(ms: number): void {
  flushTimeoutMs = ms;
}

/** Flushes every tracker; resolves false when one did not finish within the budget. */
export async function flushAll(timeoutMs?: number): Promise<boolean> {
  const results = await Promise.all([...live].map((f) => f.flush(timeoutMs).catch(() => false)));
  return results.every(Boolean);
}

function onBeforeExit(): void {
  if ([...live].some((f) => f.pending)) void flushAll(flushTimeoutMs);
}

function onSignal(signal: NodeJS.Signals): void {
  void flushAll(flushTimeoutMs).finally(() => {
    process.removeListener(signal, onSignal);
    // Only re-raise when nobody else handles the signal: then the default action (exit) runs.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  });
}

export function registerFlushable(f: Flushable, handleSignals: boolean): () => void {
  live.add(f);
  if (!installedExit) {
    installedExit = true;
    process.on('beforeExit', onBeforeExit);
  }
  if (handleSignals && !installedSignals) {
    installedSignals = true;
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  return () => {
    live.delete(f);
  };
}
