// Sums the JSON reports vitest writes in each package (`.reports/vitest.json`).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Passed, failed and skipped tests over the reports of `dirs` (missing reports count nothing). */
export function sumReports(dirs) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const dir of dirs) {
    const file = join(dir, '.reports', 'vitest.json');
    if (!existsSync(file)) continue;
    const r = JSON.parse(readFileSync(file, 'utf8'));
    passed += r.numPassedTests ?? 0;
    failed += r.numFailedTests ?? 0;
    skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  }
  return { passed, failed, skipped };
}
