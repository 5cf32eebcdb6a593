import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { onTestFinished } from 'vitest';

/**
 * Runs a built example offline (no OpenAI key) in `cwd`, by default a fresh directory removed
 * when the test ends, and returns its output.
 */
export function runExample(name: string, env: Record<string, string> = {}, cwd?: string) {
  if (cwd === undefined) {
    const dir = mkdtempSync(join(tmpdir(), `graphtrace-${name}-`));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    cwd = dir;
  }
  const { OPENAI_API_KEY: _key, ...rest } = process.env;
  const r = spawnSync(process.execPath, [resolve(import.meta.dirname, `../dist/${name}.js`)], {
    cwd,
    env: { ...rest, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { cwd, status: r.status, stdout: r.stdout, stderr: r.stderr, out: r.stdout + r.stderr };
}
