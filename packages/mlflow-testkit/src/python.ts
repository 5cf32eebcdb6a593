import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MlflowTestkitError } from './errors.js';
import { quietMlflowEnv } from './paths.js';
import { runCommand, tail } from './process.js';
import { ensureMlflowVenv } from './venv.js';

export interface RunPythonOptions {
  /** The MLflow release whose venv runs the snippet (default: the oldest supported). */
  mlflowVersion?: string;
  env?: Record<string, string | undefined>;
  /** Working directory; relative `sqlite:///x.db` URIs and `./mlruns` resolve against it. */
  cwd?: string;
  /** Default 120 s: importing mlflow alone takes a few seconds on a small machine. */
  timeoutMs?: number;
}

export interface PythonResult {
  stdout: string;
  stderr: string;
  code: number | null;
}

/** Runs a Python snippet with the venv's interpreter (from a temp file, so quoting is moot). */
export async function runPython(
  script: string,
  opts: RunPythonOptions = {},
): Promise<PythonResult> {
  const { python } = await ensureMlflowVenv(opts.mlflowVersion);
  const dir = await mkdtemp(join(tmpdir(), 'graphtrace-py-'));
  const file = join(dir, 'snippet.py');
  try {
    await writeFile(file, script);
    const timeoutMs = opts.timeoutMs ?? 120_000;
    const r = await runCommand(python, [file], {
      env: { ...quietMlflowEnv(), ...opts.env },
      cwd: opts.cwd ?? dir,
      timeoutMs,
    });
    if (r.timedOut) {
      throw new MlflowTestkitError(
        'MLFLOW_PYTHON_TIMEOUT',
        `Python snippet did not finish within ${timeoutMs} ms; stderr:\n${tail(r.stderr)}`,
      );
    }
    return { stdout: r.stdout, stderr: r.stderr, code: r.code };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Runs a snippet whose last stdout line is JSON (e.g. `print(json.dumps(result))`) and parses
 * it; a non-zero exit is an error carrying Python's traceback.
 */
export async function runPythonJson<T = unknown>(
  script: string,
  opts: RunPythonOptions = {},
): Promise<T> {
  const r = await runPython(script, opts);
  if (r.code !== 0) {
    throw new MlflowTestkitError(
      'MLFLOW_PYTHON_FAILED',
      `Python snippet exited with ${r.code}:\n${tail(r.stderr || r.stdout, 40)}`,
    );
  }
  const last = r.stdout.trimEnd().split('\n').pop() ?? '';
  try {
    return JSON.parse(last) as T;
  } catch (err) {
    throw new MlflowTestkitError(
      'MLFLOW_PYTHON_BAD_JSON',
      `The last stdout line of the Python snippet is not JSON: ${JSON.stringify(last.slice(0, 300))}` +
        `\nstderr:\n${tail(r.stderr)}`,
      { cause: err },
    );
  }
}

/** A Python string literal for a JS string, for splicing values into snippets safely. */
export function pyStr(value: string): string {
  return JSON.stringify(value);
}
