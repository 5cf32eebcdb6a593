import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ChildReply, ChildRequest, Mode } from './protocol.js';

/** One mode's child process, and the samples of its rounds (ns and CPU ns per invocation). */
export interface Worker {
  name: string;
  mode: Mode;
  proc: ChildProcess;
  samples: number[];
  cpu: number[];
  /** From `stats`, asked before the rounds. */
  spansPerInvocation?: number;
  ask(req: ChildRequest): Promise<ChildReply>;
  exit(): Promise<void>;
}

// The built child, from dist/ and from src/ alike (the smoke test imports this file's source).
const CHILD = fileURLToPath(new URL('../../dist/autolog-react/child.js', import.meta.url));

export function spawn(name: string, mode: Mode, latencyMs: number): Promise<Worker> {
  const proc = fork(CHILD, [mode, String(latencyMs)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let pending: ((r: ChildReply) => void) | null = null;
  let failed: Error | null = null;
  proc.on('message', (r: ChildReply) => {
    const p = pending;
    pending = null;
    p?.(r);
  });
  const ask = (req: ChildRequest) =>
    new Promise<ChildReply>((resolve, reject) => {
      if (failed) return reject(failed);
      pending = (r) => (r.error ? reject(new Error(`${name}: ${r.error}`)) : resolve(r));
      proc.send(req);
    });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const exit = async () => {
    if (proc.exitCode === null && proc.connected) proc.send({ cmd: 'exit' });
    await exited;
  };
  return new Promise((resolve, reject) => {
    pending = () => resolve({ name, mode, proc, samples: [], cpu: [], ask, exit });
    proc.once('error', reject);
    proc.once('exit', (code) => {
      failed = new Error(`${name} exited with ${code}`);
      if (pending) reject(failed);
    });
  });
}

/** Asks every worker for its spans (and callbacks) per invocation, once, before the rounds. */
export async function askStats(workers: Worker[]): Promise<Map<Mode, ChildReply>> {
  const out = new Map<Mode, ChildReply>();
  for (const w of workers) {
    const r = await w.ask({ cmd: 'stats' });
    w.spansPerInvocation = r.spansPerInvocation;
    out.set(w.mode, r);
  }
  return out;
}

/** Warms every worker up (see SLOW_WARM_INVOCATIONS), one after another. */
export async function warm(workers: Worker[]): Promise<void> {
  for (const w of workers) await w.ask({ cmd: 'warm' });
}

/** Asks a round of every worker; the order alternates so no mode always runs first. */
export async function alternate(workers: Worker[], rounds: number, warmup: number): Promise<void> {
  for (let r = 0; r < warmup + rounds; r++) {
    const order = r % 2 === 0 ? workers : [...workers].reverse();
    for (const w of order) {
      const { ns, cpuNs, ops, spans } = await w.ask({ cmd: 'round' });
      // A tracer that dropped spans (a full batch queue) would look cheaper than it is.
      if (spans !== undefined && w.spansPerInvocation && spans !== ops! * w.spansPerInvocation)
        throw new Error(
          `${w.name}: the round exported ${spans} spans, not ${ops} × ${w.spansPerInvocation}`,
        );
      if (r >= warmup) {
        w.samples.push(ns! / ops!);
        w.cpu.push(cpuNs! / ops!);
      }
    }
  }
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export function p95(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(0.95 * s.length))]!;
}
