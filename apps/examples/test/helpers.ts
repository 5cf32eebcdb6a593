import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** Runs a built example in a fresh directory, offline (no OpenAI key), and returns its output. */
export function runExample(
  name: string,
  env: Record<string, string> = {},
  cwd = mkdtempSync(join(tmpdir(), `graphtrace-${name}-`)),
) {
  const { OPENAI_API_KEY: _key, ...rest } = process.env;
  const r = spawnSync(process.execPath, [resolve(import.meta.dirname, `../dist/${name}.js`)], {
    cwd,
    env: { ...rest, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { cwd, status: r.status, stdout: r.stdout, stderr: r.stderr, out: r.stdout + r.stderr };
}
