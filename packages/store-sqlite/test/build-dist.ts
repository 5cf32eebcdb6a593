import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');

function newest(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((n) => newest(join(path, n))));
}

/**
 * vitest globalSetup: the trace writer thread and the child-process tests run the built
 * package, so rebuild it once, before any test file, when the sources are newer than dist.
 */
export default function setup(): void {
  const built = (() => {
    try {
      return newest(join(pkg, 'dist'));
    } catch {
      return 0;
    }
  })();
  if (built < newest(join(pkg, 'src'))) {
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
      cwd: pkg,
      stdio: 'inherit',
    });
  }
}
