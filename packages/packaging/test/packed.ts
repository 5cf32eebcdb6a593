import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { join, resolve } from 'node:path';

const PACKAGES = resolve(import.meta.dirname, '../..');

/** The pnpm that runs this test (`pnpm test` sets npm_execpath), else the one on PATH. */
function pnpm(args: string[]): [string, string[]] {
  const exec = process.env.npm_execpath;
  if (!exec || !/pnpm/.test(exec)) return ['pnpm', args];
  // pnpm.cjs runs under node; an installed `pnpm` launcher runs on its own.
  return /\.c?js$/.test(exec) ? [process.execPath, [exec, ...args]] : [exec, args];
}

/** `pnpm pack` of each named package (workspace ranges become versions) into `dir`. */
export function packAll(names: readonly string[], dir: string): Record<string, string> {
  mkdirSync(dir, { recursive: true });
  const tarballs: Record<string, string> = {};
  for (const name of names) {
    const before = new Set(readdirSync(dir));
    const [cmd, args] = pnpm(['pack', '--pack-destination', dir]);
    execFileSync(cmd, args, {
      cwd: join(PACKAGES, name),
      stdio: 'pipe',
    });
    const made = readdirSync(dir).filter((f) => !before.has(f) && f.endsWith('.tgz'));
    if (made.length !== 1)
      throw new Error(`pnpm pack of ${name} made ${made.join(', ') || 'nothing'}`);
    tarballs[name] = join(dir, made[0]!);
  }
  return tarballs;
}

/** `npm install` of more packages into the project in `dir`. */
export function npmInstall(dir: string, deps: readonly string[]): void {
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...deps], {
    cwd: dir,
    stdio: 'pipe',
  });
}

/** An empty npm project in `dir` with `deps` installed by plain npm (no workspace links). */
export function npmProject(dir: string, deps: readonly string[]): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{ "name": "app", "private": true }\n');
  npmInstall(dir, deps);
}

/** Runs `node file` in `dir` with a clean environment; the output, or the failure with both streams. */
export function node(
  dir: string,
  file: string,
  env: Record<string, string> = {},
  flags: readonly string[] = [],
  args: readonly string[] = [],
) {
  try {
    const stdout = execFileSync(process.execPath, [...flags, file, ...args], {
      cwd: dir,
      // A user's shell, not the test runner's (whose NODE_* settings would find workspace copies).
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      encoding: 'utf8',
      stdio: 'pipe',
    });
    return { code: 0, stdout, stderr: '' };
  } catch (err) {
    const e = err as { status: number; stdout: string; stderr: string };
    return { code: e.status, stdout: e.stdout, stderr: e.stderr };
  }
}

/** A free loopback port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** GET `url`, retrying while the server starts (up to 15 s). */
export async function retryFetch(url: string): Promise<Response> {
  const until = Date.now() + 15_000;
  for (;;) {
    try {
      return await fetch(url);
    } catch (err) {
      if (Date.now() > until) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
