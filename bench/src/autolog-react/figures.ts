import type { BenchResult } from '../harness.js';
import { type ChildReply, type Mode, SLOW_LATENCY_MS } from './protocol.js';
import { median, p95, type Worker } from './workers.js';

/** One mode's medians, per invocation (µs) and its spans per invocation. */
interface Measured {
  us: number;
  cpuUs: number;
  spans: number;
}

function measure(w: Worker): Measured {
  return {
    us: median(w.samples) / 1000,
    cpuUs: median(w.cpu) / 1000,
    spans: w.spansPerInvocation ?? 0,
  };
}

const fixed = (x: number, digits = 1) => x.toFixed(digits);

/**
 * The table (per mode: median and p95 per invocation, spans per invocation, wall and CPU µs per
 * span over the floor; each mode divided by its own span count) and the derived figures.
 */
export function report(
  fast: Worker[],
  slow: Worker[],
  stats: Map<Mode, ChildReply>,
): { results: BenchResult[]; figures: Record<string, number> } {
  const m = new Map<Mode, Measured>(fast.map((w) => [w.mode, measure(w)]));
  const floor = m.get('floor')!;
  const wallPerSpan = (x: Measured) => (x.us - floor.us) / x.spans;
  const cpuPerSpan = (x: Measured) => (x.cpuUs - floor.cpuUs) / x.spans;
  const results: BenchResult[] = fast.map((w) => {
    const x = m.get(w.mode)!;
    const traced = x.spans > 0 && w.mode !== 'sqlite-limit';
    return {
      variant: w.name,
      medianNsPerOp: median(w.samples),
      p95NsPerOp: p95(w.samples),
      columns: {
        'spans/op': x.spans ? String(x.spans) : '',
        // The physical limit runs no agent: its per-span cost is its own, not over the floor.
        'µs/span over floor': traced ? fixed(wallPerSpan(x)) : '',
        'CPU µs/span over floor': traced ? fixed(cpuPerSpan(x)) : '',
      },
    };
  });
  for (const w of slow)
    results.push({ variant: w.name, medianNsPerOp: median(w.samples), p95NsPerOp: p95(w.samples) });

  const figures: Record<string, number> = {};
  const put = (key: string, value: () => number, ...needs: Mode[]) => {
    if (needs.every((n) => m.has(n))) figures[key] = value();
  };
  const at = (mode: Mode) => m.get(mode)!;
  const over = (x: number, base: number) => ((x - base) / base) * 100;
  figures['callbacks per invocation (floor handler)'] =
    stats.get('floor')?.callbacksPerInvocation ?? 0;
  put('untraced µs per invocation', () => at('untraced').us, 'untraced');
  put('floor µs per invocation', () => floor.us);
  put('floor over untraced %', () => over(floor.us, at('untraced').us), 'untraced');
  put('CPU µs per invocation: untraced', () => at('untraced').cpuUs, 'untraced');
  put('CPU µs per invocation: floor', () => floor.cpuUs);
  for (const [peer, name] of [
    ['langfuse', 'Langfuse'],
    ['openinference', 'OpenInference'],
  ] as const) {
    const ratio = (g: Mode) => wallPerSpan(at(g)) / wallPerSpan(at(peer));
    put(
      `graphtrace → memory ÷ ${name} → memory, per span over floor`,
      () => ratio('autolog-mem'),
      'autolog-mem',
      peer,
    );
    put(
      `graphtrace → SQLite (worker) ÷ ${name} → memory, per span over floor`,
      () => ratio('autolog-sql'),
      'autolog-sql',
      peer,
    );
  }
  const limit = () => at('sqlite-limit').us / at('sqlite-limit').spans;
  put(
    'physical limit (better-sqlite3 encode + insert, same rows), µs per span',
    limit,
    'sqlite-limit',
  );
  put(
    'CPU: physical limit, µs per span',
    () => at('sqlite-limit').cpuUs / at('sqlite-limit').spans,
    'sqlite-limit',
  );
  put(
    'graphtrace → SQLite (worker) − floor ÷ physical limit, per span',
    () => wallPerSpan(at('autolog-sql')) / limit(),
    'autolog-sql',
    'sqlite-limit',
  );
  // The SQLite path alone: what persisting adds to autolog → memory, on the traced program's
  // time and in CPU (the worker writer's included), each against the limit's.
  put(
    'graphtrace → SQLite (worker) − memory ÷ physical limit, per span',
    () => (wallPerSpan(at('autolog-sql')) - wallPerSpan(at('autolog-mem'))) / limit(),
    'autolog-sql',
    'autolog-mem',
    'sqlite-limit',
  );
  put(
    'CPU: graphtrace SQLite (worker) − memory ÷ physical limit, per span',
    () =>
      (at('autolog-sql').cpuUs - at('autolog-mem').cpuUs) /
      at('autolog-sql').spans /
      (at('sqlite-limit').cpuUs / at('sqlite-limit').spans),
    'autolog-sql',
    'autolog-mem',
    'sqlite-limit',
  );
  put(
    'in-thread writes ÷ worker writer (autolog − floor)',
    () => (at('autolog-sql-inline').us - floor.us) / (at('autolog-sql').us - floor.us),
    'autolog-sql-inline',
    'autolog-sql',
  );
  put(
    "scope 'process' ÷ 'context' (autolog memory − floor)",
    () => (at('autolog-mem-process').us - floor.us) / (at('autolog-mem').us - floor.us),
    'autolog-mem-process',
    'autolog-mem',
  );
  // Fewer or lighter spans: compared per invocation over the floor, not per span.
  const perInvocation = (x: Mode, y: Mode) => (at(x).us - floor.us) / (at(y).us - floor.us);
  for (const [mode, label] of [
    ['autolog-sql-reference', 'by reference'],
    ['autolog-sql-off', 'off'],
  ] as const) {
    put(
      `internal chains ${label} ÷ full (SQLite, worker; per invocation over floor)`,
      () => perInvocation(mode, 'autolog-sql'),
      mode,
      'autolog-sql',
    );
    put(
      `graphtrace → SQLite, internal chains ${label} ÷ Langfuse → memory, per invocation over floor`,
      () => perInvocation(mode, 'langfuse'),
      mode,
      'langfuse',
    );
  }
  const s = new Map(slow.map((w) => [w.mode, median(w.samples)]));
  const base = s.get('untraced');
  for (const [mode, label] of [
    ['floor', 'floor'],
    ['autolog-sql', 'autolog (SQLite, worker)'],
    ['autolog-sql-inline', 'autolog (SQLite, in-thread)'],
  ] as const) {
    const x = s.get(mode);
    if (base !== undefined && x !== undefined)
      figures[`with ${SLOW_LATENCY_MS} ms model: ${label} over untraced %`] = over(x, base);
  }
  return { results, figures };
}
