import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MlflowTestkitError } from './errors.js';
import { withFileLock } from './lock.js';
import {
  basePython,
  cacheDir,
  MLFLOW_VERSION,
  mlflowPipPackages,
  quietMlflowEnv,
  venvDir,
} from './paths.js';
import { runCommand, tail } from './process.js';

export interface MlflowVenv {
  /** The venv's Python interpreter. */
  python: string;
  /** The venv's `mlflow` console script. */
  mlflow: string;
  venvDir: string;
  /** What `mlflow --version` reported when the venv was made, e.g. `3.9.0`. */
  mlflowVersion: string;
}

export type MlflowAvailability =
  | ({ ok: true } & MlflowVenv)
  | { ok: false; reason: string; code: string };

/** Written last, after pip and a version check succeeded: its absence means "rebuild". */
const MARKER = '.graphtrace-ready.json';

interface Marker {
  mlflowVersion: string;
  packages: readonly string[];
  python: string;
  createdAt: string;
}

function venvPaths(dir: string): { python: string; mlflow: string; marker: string } {
  return {
    python: join(dir, 'bin', 'python'),
    mlflow: join(dir, 'bin', 'mlflow'),
    marker: join(dir, MARKER),
  };
}

function log(message: string): void {
  process.stderr.write(`[mlflow-testkit] ${message}\n`);
}

/**
 * The venv of an MLflow version if it is complete, without building anything. Synchronous so
 * that test files can decide at collection time whether to run or skip.
 */
export function readyMlflowVenvSync(
  version: string = MLFLOW_VERSION,
  dir = venvDir(version),
): MlflowVenv | undefined {
  const p = venvPaths(dir);
  if (!existsSync(p.marker) || !existsSync(p.python) || !existsSync(p.mlflow)) return undefined;
  try {
    const marker = JSON.parse(readFileSync(p.marker, 'utf8')) as Marker;
    if (marker.mlflowVersion !== version) return undefined;
    return {
      python: p.python,
      mlflow: p.mlflow,
      venvDir: dir,
      mlflowVersion: marker.mlflowVersion,
    };
  } catch {
    return undefined;
  }
}

const pending = new Map<string, Promise<MlflowVenv>>();

/**
 * Creates (once, then cached on disk) a virtualenv with `mlflow==<version>` outside the sources
 * and returns its executables. Concurrent callers, in this process or others, share one build.
 */
export function ensureMlflowVenv(version: string = MLFLOW_VERSION): Promise<MlflowVenv> {
  // A failure is cached too: retrying pip in every test file of a run would only repeat it slowly.
  let p = pending.get(version);
  if (!p) {
    p = buildOnce(version);
    pending.set(version, p);
  }
  return p;
}

async function buildOnce(version: string): Promise<MlflowVenv> {
  const dir = venvDir(version);
  const ready = readyMlflowVenvSync(version, dir);
  if (ready) return ready;
  await mkdir(cacheDir(), { recursive: true });
  return withFileLock(
    `${dir}.lock`,
    async () => {
      // Another process may have finished while we waited for the lock.
      return readyMlflowVenvSync(version, dir) ?? (await build(version, dir));
    },
    { onWait: (owner) => log(`waiting for another process building ${dir} (${owner})`) },
  );
}

async function build(version: string, dir: string): Promise<MlflowVenv> {
  const packages = mlflowPipPackages(version);
  const p = venvPaths(dir);
  const env = quietMlflowEnv();
  // A venv without the marker is half-made (killed pip, full disk): start from scratch.
  await rm(dir, { recursive: true, force: true });
  const python = basePython();
  const started = Date.now();
  log(`creating ${dir} with ${python} -m venv (once; later runs reuse it)`);
  const venv = await runCommand(python, ['-m', 'venv', dir], { env, timeoutMs: 5 * 60_000 });
  if (venv.spawnError) {
    throw new MlflowTestkitError(
      'MLFLOW_PYTHON_MISSING',
      `Cannot run \`${python}\` (${venv.spawnError.code ?? venv.spawnError.message}). MLflow ` +
        'interop tests need Python ≥ 3.10 with the venv module: install python3 and ' +
        'python3-venv, or point GRAPHTRACE_PYTHON at an interpreter.',
    );
  }
  if (venv.code !== 0) {
    await rm(dir, { recursive: true, force: true });
    throw new MlflowTestkitError(
      'MLFLOW_VENV_FAILED',
      `\`${python} -m venv ${dir}\` exited with ${venv.code}. On Debian/Ubuntu install ` +
        `python3-venv.\n${tail(venv.stderr + venv.stdout)}`,
    );
  }
  const logFile = `${dir}.pip.log`;
  log(`pip install ${packages.join(' ')} (may take a few minutes; log: ${logFile})`);
  // pip is silent while it unpacks large wheels; a heartbeat shows the run is not stuck.
  const heartbeat = setInterval(() => {
    log(`pip still working (${Math.round((Date.now() - started) / 1000)} s)`);
  }, 30_000);
  heartbeat.unref();
  const pip = await runCommand(
    p.python,
    ['-m', 'pip', 'install', '--progress-bar', 'off', ...packages],
    {
      env,
      timeoutMs: 30 * 60_000,
      onOutput: (chunk) => {
        // Echo pip's milestones, not every line, so CI logs stay short.
        for (const line of chunk.split('\n')) {
          if (/^(Downloading|Installing|ERROR)/.test(line))
            log(`pip: ${line.trim().slice(0, 120)}`);
        }
      },
    },
  ).finally(() => clearInterval(heartbeat));
  await writeFile(logFile, `${pip.stdout}\n--- stderr ---\n${pip.stderr}`).catch(() => {});
  if (pip.code !== 0) {
    await rm(dir, { recursive: true, force: true });
    throw new MlflowTestkitError(
      'MLFLOW_PIP_FAILED',
      `pip install ${packages.join(' ')} failed${pip.timedOut ? ' (timed out)' : ''} ` +
        `with exit code ${pip.code}; is PyPI reachable? Full log: ${logFile}\n${tail(pip.stderr || pip.stdout)}`,
    );
  }
  const reported = await runCommand(p.mlflow, ['--version'], { env, timeoutMs: 120_000 });
  const found = /version\s+(\S+)/.exec(reported.stdout)?.[1];
  if (reported.code !== 0 || found !== version) {
    throw new MlflowTestkitError(
      'MLFLOW_VERSION_MISMATCH',
      `\`${p.mlflow} --version\` printed ${JSON.stringify(reported.stdout.trim())} (exit ` +
        `${reported.code}), expected mlflow ${version}.\n${tail(reported.stderr)}`,
    );
  }
  const pyVersion = await runCommand(p.python, ['--version'], { env });
  const marker: Marker = {
    mlflowVersion: found,
    packages,
    python: pyVersion.stdout.trim() || pyVersion.stderr.trim(),
    createdAt: new Date().toISOString(),
  };
  await writeFile(p.marker, `${JSON.stringify(marker, null, 2)}\n`);
  log(`MLflow ${found} ready in ${Math.round((Date.now() - started) / 1000)} s`);
  return { python: p.python, mlflow: p.mlflow, venvDir: dir, mlflowVersion: found };
}

const availability = new Map<string, Promise<MlflowAvailability>>();
const settled = new Map<string, MlflowAvailability>();

/** Never throws: says whether the real MLflow of a version can be used here, and if not, why. */
export function mlflowAvailability(version: string = MLFLOW_VERSION): Promise<MlflowAvailability> {
  let a = availability.get(version);
  if (!a) {
    a = ensureMlflowVenv(version).then(
      (venv): MlflowAvailability => ({ ok: true, ...venv }),
      (err: unknown): MlflowAvailability => ({
        ok: false,
        reason: err instanceof Error ? err.message : String(err),
        code: err instanceof MlflowTestkitError ? err.code : 'MLFLOW_UNAVAILABLE',
      }),
    );
    availability.set(version, a);
    void a.then((r) => settled.set(version, r));
  }
  return a;
}

/** The availability this process already determined, if any; synchronous, builds nothing. */
export function settledMlflowAvailability(
  version: string = MLFLOW_VERSION,
): MlflowAvailability | undefined {
  return settled.get(version);
}
