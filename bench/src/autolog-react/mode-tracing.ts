import type { Mode } from './protocol.js';

/** What a mode set up in its child process: how its rounds end, are checked and emptied. */
export interface ModeTracing {
  /** Timed, at the end of every round, so the tracer's export or write is in the figure. */
  flush(): Promise<void>;
  /**
   * Untimed, after every round: empties what the round recorded so every round meets the same
   * heap and file, and returns how many spans it held where that is cheap to know.
   */
  settle(): Promise<number | undefined>;
  /** Untimed: the spans one invocation, just run, produced. */
  countSpans(): Promise<number>;
  /** Replaces the agent's invocations in a round (the physical-limit mode runs no agent). */
  work?(invocations: number): Promise<void> | void;
  /** Callbacks delivered so far (the floor handler counts them). */
  callbacks?(): number;
  cleanup(): void;
}

export const nothingToTrace: ModeTracing = {
  async flush() {},
  async settle() {
    return undefined;
  },
  async countSpans() {
    return 0;
  },
  cleanup() {},
};

/** Sets `mode` up; `invoke` runs the agent once (the physical-limit mode records one run). */
export async function setUpMode(mode: Mode, invoke: () => Promise<unknown>): Promise<ModeTracing> {
  switch (mode) {
    case 'untraced':
      return nothingToTrace;
    case 'floor':
      return (await import('./floor-mode.js')).setUpFloor();
    case 'langfuse':
      return (await import('./langfuse-mode.js')).setUpLangfuse();
    case 'openinference':
      return (await import('./openinference-mode.js')).setUpOpenInference();
    case 'sqlite-limit':
      return (await import('./sqlite-limit-mode.js')).setUpSqliteLimit(invoke);
    default:
      return (await import('./graphtrace-mode.js')).setUpGraphtrace(mode);
  }
}
