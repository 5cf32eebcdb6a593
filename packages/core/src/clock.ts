/** Time source; injectable for tests. */
export interface Clock {
  /** ns since epoch */
  nowNs(): bigint;
  /** ms since epoch */
  nowMs(): number;
}

// Anchor a monotonic high-resolution counter to the wall clock once, so span times are
// precise to the ns and never go backwards within a process.
const offsetNs = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();

export const systemClock: Clock = {
  nowNs: () => process.hrtime.bigint() + offsetNs,
  nowMs: () => Date.now(),
};

/** A clock that moves only when told: `advance(ms)`. */
export function manualClock(startMs = 1_700_000_000_000): Clock & { advance(ms: number): void } {
  let ns = BigInt(startMs) * 1_000_000n;
  return {
    nowNs: () => ns,
    nowMs: () => Number(ns / 1_000_000n),
    advance(ms: number) {
      ns += BigInt(Math.round(ms * 1_000_000));
    },
  };
}
