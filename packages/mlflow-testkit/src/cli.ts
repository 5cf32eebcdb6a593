import { quietMlflowEnv } from './paths.js';
import { runCommand } from './process.js';
import { ensureMlflowVenv } from './venv.js';

export interface MlflowCliOptions {
  /** The MLflow release whose venv runs the command (default: the oldest supported). */
  mlflowVersion?: string;
  env?: Record<string, string | undefined>;
  cwd?: string;
  timeoutMs?: number;
}

/** Runs the venv's `mlflow` command line, e.g. `['db', 'upgrade', uri]` or `['--version']`. */
export async function runMlflowCli(
  args: string[],
  opts: MlflowCliOptions = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const { mlflow } = await ensureMlflowVenv(opts.mlflowVersion);
  const r = await runCommand(mlflow, args, {
    env: { ...quietMlflowEnv(), ...opts.env },
    cwd: opts.cwd,
    timeoutMs: opts.timeoutMs ?? 180_000,
  });
  return { code: r.timedOut ? null : r.code, stdout: r.stdout, stderr: r.stderr };
}
