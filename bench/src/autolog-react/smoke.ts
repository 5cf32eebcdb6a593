import type { Mode } from './protocol.js';
import { alternate, askStats, spawn, warm } from './workers.js';

/**
 * CI's smoke run of one mode: its process, its spans per invocation (a peer that exports none
 * fails here), then one round, which fails if the exported count is not rounds × that. With a
 * model latency, the child is warmed up first as the slow-model rounds are.
 */
export async function smokeMode(
  mode: Mode,
  latencyMs = 0,
): Promise<{ spansPerInvocation: number; usPerInvocation: number }> {
  const w = await spawn(mode, mode, latencyMs);
  try {
    await askStats([w]);
    if (latencyMs > 0) await warm([w]);
    await alternate([w], 1, 0);
    return { spansPerInvocation: w.spansPerInvocation ?? 0, usPerInvocation: w.samples[0]! / 1000 };
  } finally {
    await w.exit();
  }
}
