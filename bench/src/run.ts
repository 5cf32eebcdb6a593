import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Benchmark, printReport } from './harness.js';

// `pnpm bench [name…] [--rounds N] [--modes a,b]`: runs the named benchmarks (all by default);
// --modes narrows a benchmark made of modes (autolog-react). Every module in benchmarks/ exports
// `benchmark`; adding a file is enough to register one.
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
const modesAt = args.indexOf('--modes');
const modes = modesAt >= 0 ? (args[modesAt + 1] ?? '').split(',').filter(Boolean) : undefined;
// An option's value is not a benchmark's name (an absent option's index is -1: no value).
const values = new Set([roundsAt, modesAt].filter((at) => at >= 0).map((at) => at + 1));
const names = args.filter((a, i) => !a.startsWith('--') && !values.has(i));
const selected = names.length ? benchmarks.filter((b) => names.includes(b.name)) : benchmarks;
if (selected.length === 0 || !(rounds > 0)) {
  console.error(
    `usage: pnpm bench [name…] [--rounds N] [--modes a,b]; benchmarks: ${benchmarks.map((b) => b.name).join(', ')}`,
  );
  process.exit(2);
}
console.log(`graphtrace benchmarks — node ${process.version}, ${rounds} rounds each`);
for (const b of selected)
  printReport(`${b.name}: ${b.description}`, await b.run({ rounds, modes }));
