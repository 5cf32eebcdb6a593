import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Benchmark, printReport } from './harness.js';

// `pnpm bench [name…] [--rounds N]`: runs the named benchmarks (all by default). Every module in
// benchmarks/ exports `benchmark`; adding a file is enough to register one.
const dir = join(dirname(fileURLToPath(import.meta.url)), 'benchmarks');
const benchmarks: Benchmark[] = [];
for (const file of readdirSync(dir)
  .filter((f) => f.endsWith('.js'))
  .sort()) {
  const mod = (await import(pathToFileURL(join(dir, file)).href)) as { benchmark?: Benchmark };
  if (mod.benchmark) benchmarks.push(mod.benchmark);
}

const args = process.argv.slice(2);
const roundsAt = args.indexOf('--rounds');
const rounds = roundsAt >= 0 ? Number(args[roundsAt + 1]) : 15;
const names = args.filter((a, i) => !a.startsWith('--') && i !== roundsAt + 1);
const selected = names.length ? benchmarks.filter((b) => names.includes(b.name)) : benchmarks;
if (selected.length === 0 || !(rounds > 0)) {
  console.error(
    `usage: pnpm bench [name…] [--rounds N]; benchmarks: ${benchmarks.map((b) => b.name).join(', ')}`,
  );
  process.exit(2);
}
console.log(`graphtrace benchmarks — node ${process.version}, ${rounds} rounds each`);
for (const b of selected) printReport(`${b.name}: ${b.description}`, await b.run({ rounds }));
