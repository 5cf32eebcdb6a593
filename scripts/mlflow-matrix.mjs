#!/usr/bin/env node
// `pnpm test:mlflow-matrix`: the version-parameterised interop suites against one release of
// every MLflow minor from 3.9 to 3.17 (each in its own cached virtualenv), then one table.
// Too long for the README's test command (which checks 3.9.0 and 3.17.2); run before a release.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(import.meta.url), '..', '..');
/** Each check: a label, the package, its test files. */
const CHECKS = [
  ['DDL & new file', 'packages/store-sqlite', ['test/schema-interop.test.ts']],
  ['graphtrace→MLflow', 'packages/store-sqlite', ['test/interop-graphtrace-writes.test.ts']],
  ['MLflow→graphtrace', 'packages/store-sqlite', ['test/interop-mlflow-writes.test.ts']],
  ['span links', 'packages/store-sqlite', ['test/interop-links.test.ts']],
  ['db upgrade = mlflow', 'packages/store-sqlite', ['test/interop-upgrade.test.ts']],
  ['server conformance', 'packages/store-mlflow', ['test/conformance-sqlite.test.ts']],
  ['server read-back', 'packages/store-mlflow', ['test/interop-readback.test.ts']],
  ['outage spool', 'packages/store-mlflow', ['test/interop-outage.test.ts']],
  ['sync', 'packages/cli', ['test/interop-sync.test.ts']],
];

const build = spawnSync('pnpm', ['exec', 'turbo', 'run', 'build', '--output-logs=errors-only'], {
  cwd: root,
  stdio: 'inherit',
});
if (build.status !== 0) process.exit(build.status ?? 1);

// The releases come from the testkit (built above): one of every minor from 3.9 to 3.17.
const { MLFLOW_MATRIX_VERSIONS } = await import(
  join(root, 'packages', 'mlflow-testkit', 'dist', 'index.js')
);
const only = process.argv.slice(2);
const versions = only.length > 0 ? only : MLFLOW_MATRIX_VERSIONS;
const env = { ...process.env, GRAPHTRACE_MLFLOW_VERSIONS: versions.join(','), CI: 'true' };
const reports = join(root, '.reports', 'mlflow-matrix');
mkdirSync(reports, { recursive: true });

/** version → check → { passed, failed } */
const table = new Map(versions.map((v) => [v, new Map()]));
let failures = 0;
for (const [label, pkg, files] of CHECKS) {
  const out = join(reports, `${label.replace(/\W+/g, '-')}.json`);
  console.error(`\n== ${label}: ${files.join(' ')} (MLflow ${versions.join(', ')})`);
  spawnSync(
    'pnpm',
    [
      'exec',
      'vitest',
      'run',
      ...files,
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${out}`,
    ],
    { cwd: join(root, pkg), stdio: 'inherit', env },
  );
  let report;
  try {
    report = JSON.parse(readFileSync(out, 'utf8'));
  } catch {
    failures++;
    for (const v of versions) table.get(v).set(label, { passed: 0, failed: 1 });
    continue;
  }
  for (const file of report.testResults ?? []) {
    for (const t of file.assertionResults ?? []) {
      const version = t.ancestorTitles
        .map((a) => /\(MLflow (\d+\.\d+\.\d+)\)/.exec(a)?.[1])
        .find(Boolean);
      if (!version || !table.has(version)) continue;
      const cell = table.get(version).get(label) ?? { passed: 0, failed: 0 };
      if (t.status === 'passed') cell.passed++;
      else if (t.status === 'failed') {
        cell.failed++;
        failures++;
      }
      table.get(version).set(label, cell);
    }
  }
}

const labels = CHECKS.map(([label]) => label);
const lines = [
  `| MLflow | ${labels.join(' | ')} |`,
  `|---|${labels.map(() => '---').join('|')}|`,
  ...versions.map((v) => {
    const cells = labels.map((l) => {
      const c = table.get(v).get(l);
      if (!c) return '–';
      return c.failed > 0 ? `✗ ${c.failed} of ${c.passed + c.failed}` : `✓ ${c.passed}`;
    });
    return `| ${v} | ${cells.join(' | ')} |`;
  }),
];
console.log(`\n${lines.join('\n')}\n`);
process.exit(failures > 0 ? 1 : 0);
