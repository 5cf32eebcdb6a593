/**
 * A small side-by-side benchmark harness: the variants of one benchmark run alternately, round
 * after round, in the same process, so machine noise hits them alike; results are medians and
 * ratios, never absolute pass/fail thresholds.
 */
export interface Variant {
  name: string;
  /** Runs one round and returns how many operations it did. */
  round(): Promise<number> | number;
}

export interface BenchResult {
  variant: string;
  medianNsPerOp: number;
  p95NsPerOp: number;
  /** Further per-variant columns (already formatted), e.g. spans per op. */
  columns?: Record<string, string>;
}

export interface Benchmark {
  name: string;
  description: string;
  run(options: BenchOptions): Promise<BenchReport>;
}

export interface BenchOptions {
  rounds: number;
  /** `--modes a,b`: for benchmarks made of modes, run only these (and their baselines). */
  modes?: string[];
}

export interface BenchReport {
  results: BenchResult[];
  /** Derived figures (ratios, per-span costs) with their unit in the key. */
  figures: Record<string, number>;
  notes?: string[];
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

export async function sideBySide(
  variants: Variant[],
  rounds: number,
  warmup = 3,
): Promise<BenchResult[]> {
  const samples = new Map<string, number[]>(variants.map((v) => [v.name, []]));
  for (let r = 0; r < warmup + rounds; r++) {
    // Alternate the order every round so neither variant always runs first.
    const order = r % 2 === 0 ? variants : [...variants].reverse();
    for (const v of order) {
      const t0 = process.hrtime.bigint();
      const ops = await v.round();
      const ns = Number(process.hrtime.bigint() - t0);
      if (r >= warmup) samples.get(v.name)!.push(ns / ops);
    }
  }
  return variants.map((v) => ({
    variant: v.name,
    medianNsPerOp: quantile(samples.get(v.name)!, 0.5),
    p95NsPerOp: quantile(samples.get(v.name)!, 0.95),
  }));
}

export function printReport(name: string, report: BenchReport): void {
  console.log(`\n## ${name}`);
  console.table(
    report.results.map((r) => ({
      variant: r.variant,
      'median µs/op': (r.medianNsPerOp / 1000).toFixed(3),
      'p95 µs/op': (r.p95NsPerOp / 1000).toFixed(3),
      ...r.columns,
    })),
  );
  for (const [k, v] of Object.entries(report.figures))
    console.log(`${k}: ${Number.isInteger(v) ? v : v.toFixed(3)}`);
  for (const n of report.notes ?? []) console.log(`note: ${n}`);
}
