import type { Mode } from './protocol.js';
import { alternate, askStats, spawn } from './workers.js';

/**
 * CI's smoke run of one mode: its process, its spans per invocation (a peer that exports none
 * fails here), then one round, which fails if the exported count is not rounds × that.
 */
export async function smokeMode(
  mode: Mode,
): Promise<{ spansPerInvocation: number; usPerInvocation: number }> {
  const w = await spawn(mode, mode, 0);
  try {
    await askStats([w]);
    await alternate([w], 1, 0);
    return { spansPerInvocation: w.spansPerInvocation ?? 0, usPerInvocation: w.samples[0]! / 1000 };
  } finally {
    await w.exit();
  }
}
