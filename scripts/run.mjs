#!/usr/bin/env node
// The README's two commands, `npm run main` and `npm test`, and the MLflow version matrix.
// They must work on a fresh machine with only Node.js 20, npm and python3, without root,
// so pnpm itself is installed here (pinned) into a cache outside the sources.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheDir, npmInstallInto } from './cache.mjs';
import { sumReports } from './vitest-reports.mjs';

const PNPM_VERSION = '12.4.2';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');

let env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1', TURBO_NO_UPDATE_NOTIFIER: '1' };

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env, ...opts });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

function must(cmd, args, opts) {
  const code = run(cmd, args, opts);
  if (code !== 0) {
    console.error(`graphtrace: \`${cmd} ${args.join(' ')}\` failed with exit code ${code}`);
    process.exit(code);
  }
}

function ensurePnpm() {
  const prefix = join(cacheDir, `pnpm-${PNPM_VERSION}`);
  const bin = join(prefix, 'node_modules', '.bin', 'pnpm');
  if (!existsSync(bin)) {
    console.error(`graphtrace: installing pnpm ${PNPM_VERSION} into ${prefix}`);
    must('npm', npmInstallInto(prefix, `pnpm@${PNPM_VERSION}`));
  }
  // turbo looks the package manager up on PATH.
  env = { ...env, PATH: `${dirname(bin)}${delimiter}${env.PATH ?? ''}` };
  return bin;
}

/** Sums the JSON reports vitest wrote in every package, so the run ends with one clear line. */
function summarise() {
  const dirs = ['packages', 'apps'].flatMap((d) =>
    existsSync(join(root, d)) ? readdirSync(join(root, d)).map((n) => join(root, d, n)) : [],
  );
  return sumReports([...dirs, join(root, 'bench')]);
}

const task = process.argv[2];
const pnpm = ensurePnpm();
const frozen = existsSync(join(root, 'pnpm-lock.yaml')) ? ['--frozen-lockfile'] : [];
must(pnpm, ['install', ...frozen]);

if (task === 'main') {
  must(pnpm, [
    'exec',
    'turbo',
    'run',
    'build',
    '--filter=@graphtrace/examples...',
    '--output-logs=errors-only',
  ]);
  // Run from the repository root so the example writes ./mlflow.db where the user typed the command.
  process.exit(run(process.execPath, ['apps/examples/dist/main.js']));
} else if (task === 'test') {
  const lint = run(pnpm, ['exec', 'biome', 'ci', '.']);
  const tasks = run(pnpm, [
    'exec',
    'turbo',
    'run',
    'build',
    'typecheck',
    'test',
    '--continue',
    '--concurrency=1',
  ]);
  // publint and Are the Types Wrong on the packed packages: they need the build above.
  const packages = run(process.execPath, ['scripts/check-packages.mjs']);
  const { passed, failed, skipped } = summarise();
  console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
  process.exit(lint !== 0 || packages !== 0 || tasks !== 0 || failed > 0 || passed === 0 ? 1 : 0);
} else if (task === 'matrix') {
  // Every MLflow minor from 3.9 to 3.17 (venvs cached like the test's); versions may be named.
  process.exit(run(process.execPath, ['scripts/mlflow-matrix.mjs', ...process.argv.slice(3)]));
} else if (task === 'node-matrix') {
  // The packed-install tests and the main suites on Node 22 and 24 (versions may be named).
  process.exit(run(process.execPath, ['scripts/node-matrix.mjs', ...process.argv.slice(3)]));
} else {
  console.error('usage: node scripts/run.mjs main|test|matrix|node-matrix [versions…]');
  process.exit(2);
}
