import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built binary: tests run what users run. */
export const BIN = fileURLToPath(new URL('../../dist/bin.js', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

// Variables of the developer's or CI's shell that would change what the CLI reads.
const SCRUBBED = /^(MLFLOW_|GRAPHTRACE_|NO_COLOR$|FORCE_COLOR$)/;

export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !SCRUBBED.test(k)) env[k] = v;
  return { ...env, ...extra };
}

/** Runs `node dist/bin.js ...args` in `cwd`; never rejects on a non-zero exit. */
export function graphtrace(
  args: readonly string[],
  options: { cwd: string; env?: Record<string, string>; timeoutMs?: number; input?: string },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      {
        cwd: options.cwd,
        env: cleanEnv(options.env),
        timeout: options.timeoutMs ?? 60_000,
        maxBuffer: 32 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') {
          reject(Object.assign(err, { stdout, stderr }));
          return;
        }
        resolve({ code: err ? (err.code as number) : 0, stdout, stderr });
      },
    );
    child.stdin?.end(options.input ?? '');
  });
}

/** Parses stdout as JSON, failing with the whole output when it is not. */
export function json<T = any>(r: CliResult): T {
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`stdout is not JSON (exit ${r.code}):\n${r.stdout}\n--- stderr\n${r.stderr}`);
  }
}

export function tempDir(prefix = 'graphtrace-cli-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
