/**
 * Flushes pending spans when the process ends: on `beforeExit` (the event loop ran dry) and on
 * SIGINT/SIGTERM, within a timeout. Signal handlers re-raise the signal afterwards unless the
 * program has handlers of its own, so the default exit behaviour is kept.
 */
export interface Flushable {
  readonly pending: boolean;
  flush(): Promise<void>;
}

const live = new Set<Flushable>();
let installed = false;
let flushTimeoutMs = 5_000;

export function setExitFlushTimeout(ms: number): void {
  flushTimeoutMs = ms;
}

export async function flushAll(timeoutMs = Number.POSITIVE_INFINITY): Promise<boolean> {
  const all = Promise.all([...live].map((f) => f.flush().catch(() => undefined))).then(() => true);
  if (!Number.isFinite(timeoutMs)) return all;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
    timer.unref();
  });
  try {
    return await Promise.race([all, timeout]);
  } finally {
    clearTimeout(timer);
  }
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
  if (!installed) {
    installed = true;
    process.on('beforeExit', onBeforeExit);
    if (handleSignals) {
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    }
  }
  return () => {
    live.delete(f);
  };
}
