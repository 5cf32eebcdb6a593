#!/usr/bin/env node
// The lint step's package check: every public package, as packed, passes publint (exports,
// files, formats) and Are the Types Wrong (types for require and import under node10, node16
// and bundler resolution). Needs the packages built.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);

let failed = 0;
for (const name of readdirSync(join(root, 'packages')).sort()) {
  const dir = join(root, 'packages', name);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  if (pkg.private) continue;
  for (const [tool, args] of [
    ['publint', ['--strict', '--pack', 'pnpm']],
    ['attw', ['--pack', '.', '--format', 'ascii']],
  ]) {
    const r = spawnSync(bin(tool), args, { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) {
      failed += 1;
      console.error(`${pkg.name}: ${tool} failed\n${r.stdout}${r.stderr}`);
    }
  }
}
if (failed > 0) {
  console.error(`check-packages: ${failed} check(s) failed; fix the package.json exports or types`);
  process.exit(1);
}
console.log('check-packages: publint and attw clean for every public package');
