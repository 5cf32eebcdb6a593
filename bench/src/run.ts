import { withSpanBenchmark } from './benchmarks/with-span.js';
import { type Benchmark, printReport } from './harness.js';

// `pnpm bench [name…] [--rounds N]`: runs the named benchmarks (all by default).
const benchmarks: Benchmark[] = [withSpanBenchmark];

const args = process.argv.slice(2);
const roundsAt = args.indexOf('--rounds');
const rounds = roundsAt >= 0 ? Number(args[roundsAt + 1]) : 15;
const names = args.filter((a, i) => !a.startsWith('--') && i !== roundsAt + 1);
const selected = names.length ? benchmarks.filter((b) => names.includes(b.name)) : benchmarks;
if (selected.length === 0) {
  console.error(
    `unknown benchmark: ${names.join(', ')}; available: ${benchmarks.map((b) => b.name).join(', ')}`,
  );
  process.exit(2);
}
console.log(`graphtrace benchmarks — node ${process.version}, ${rounds} rounds each`);
for (const b of selected) printReport(`${b.name}: ${b.description}`, await b.run({ rounds }));
