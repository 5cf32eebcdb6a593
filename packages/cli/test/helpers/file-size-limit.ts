import { execFile } from 'node:child_process';
import { BIN, type CliResult, cleanEnv } from './cli.js';

/**
 * Runs the CLI with RLIMIT_FSIZE set (bash's `ulimit -f`, in KiB): a write past `kib` fails
 * with EFBIG, the way a full disk fails with ENOSPC, in any directory and without root. SQLite
 * needs 32 KiB for its shared-memory file, so useful limits start above that.
 */
export function graphtraceWithFileSizeLimit(
  kib: number,
  args: readonly string[],
  options: { cwd: string },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      ['-c', `ulimit -f ${kib} && exec "$0" "$@"`, process.execPath, BIN, ...args],
      { cwd: options.cwd, env: cleanEnv(), timeout: 60_000, maxBuffer: 32 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') {
          reject(Object.assign(err, { stdout, stderr }));
          return;
        }
        resolve({ code: err ? (err.code as number) : 0, stdout, stderr });
      },
    );
  });
}
