import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeRequiring, freePort } from '@graphtrace/mlflow-testkit';

/**
 * A private PostgreSQL cluster on loopback for the scale-out tests: Debian's `postgresql`
 * binaries (/usr/lib/postgresql/<version>/bin), initdb in a temp dir, a free port, trust auth
 * on 127.0.0.1 only. initdb and postgres refuse to run as root, so as root they run as the
 * `postgres` user (runuser).
 */

export type PgAvailability = { ok: true; bin: string } | { ok: false; reason: string };

export function postgresAvailability(): PgAvailability {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter(
          (v) =>
            existsSync(join(root, v, 'bin', 'initdb')) &&
            existsSync(join(root, v, 'bin', 'pg_ctl')),
        )
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0)
    return {
      ok: false,
      reason: `no PostgreSQL server binaries under ${root}: install Debian's postgresql package (apt-get install -y postgresql)`,
    };
  const isRoot = process.getuid?.() === 0;
  if (isRoot) {
    try {
      execFileSync('id', ['postgres'], { stdio: 'ignore' });
    } catch {
      return {
        ok: false,
        reason: 'running as root but there is no `postgres` user to run initdb as',
      };
    }
  }
  return { ok: true, bin: join(root, versions[0]!, 'bin') };
}

/** `describe` for tests that need PostgreSQL: skipped with the reason outside CI, failing under CI=true. */
export function describePostgres(name: string, fn: (bin: () => string) => void): void {
  const a = postgresAvailability();
  describeRequiring(name, { what: 'PostgreSQL', availability: a }, () =>
    fn(() => (a.ok ? a.bin : '')),
  );
}

export interface PgCluster {
  /** postgresql+psycopg2://postgres@127.0.0.1:<port>/<db> */
  uri: string;
  port: number;
  stop(): void;
}

export async function startPostgres(bin: string, database = 'mlflow'): Promise<PgCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'graphtrace-pg-'));
  const data = join(dir, 'data');
  const asPg = process.getuid?.() === 0;
  if (asPg) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
    chmodSync(dir, 0o700);
  }
  const run = (tool: string, args: string[]) => {
    const cmd = asPg ? 'runuser' : join(bin, tool);
    const full = asPg ? ['-u', 'postgres', '--', join(bin, tool), ...args] : args;
    return execFileSync(cmd, full, {
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: dir,
      timeout: 120_000,
    });
  };
  const port = await freePort();
  try {
    run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
    run('pg_ctl', [
      '-D',
      data,
      '-l',
      join(dir, 'postgres.log'),
      '-w',
      '-t',
      '60',
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`,
      'start',
    ]);
    run('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', database]);
  } catch (err) {
    const log = existsSync(join(dir, 'postgres.log'))
      ? readFileSync(join(dir, 'postgres.log'), 'utf8')
      : '';
    const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? '';
    try {
      run('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']);
    } catch {
      // not started
    }
    rmSync(dir, { recursive: true, force: true });
    throw new Error(
      `could not start PostgreSQL from ${bin}: ${(err as Error).message}\n${stderr}\n${log.slice(-2000)}`,
    );
  }
  let stopped = false;
  return {
    // psycopg2 (psycopg2-binary in the testkit venv); MLflow would otherwise look for psycopg 3.
    uri: `postgresql+psycopg2://postgres@127.0.0.1:${port}/${database}`,
    port,
    stop() {
      if (stopped) return;
      stopped = true;
      try {
        run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
