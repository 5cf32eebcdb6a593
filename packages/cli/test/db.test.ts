import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@graphtrace/config';
import { sqliteStore } from '@graphtrace/store-sqlite';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../src/open-store.js';
import { graphtrace, json } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'cli-db-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function newFile(name: string): Promise<string> {
  const path = join(dir, name);
  const store = sqliteStore({ path });
  await store.getOrCreateExperiment('e');
  await store.close();
  return path;
}

const revision = (path: string) => {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare('SELECT version_num FROM alembic_version').get() as { version_num: string })
      .version_num;
  } finally {
    db.close();
  }
};

describe('graphtrace db upgrade', () => {
  it('moves the file to a release, keeps a backup, then to the newest', async () => {
    const path = await newFile('a.db');
    const r = await graphtrace(
      ['--tracking-uri', 'sqlite:///a.db', 'db', 'upgrade', '--to', '3.15'],
      {
        cwd: dir,
      },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      'upgraded a.db from d3e4f5a6b7c8 (MLflow 3.9) to 6f8d9c3b2a1e (MLflow 3.15) in 16 steps',
    );
    expect(r.stderr).toContain('step 16/16: 6f8d9c3b2a1e (MLflow 3.15)');
    expect(r.stderr).toContain('the file as it was: a.db.d3e4f5a6b7c8.bak');
    expect(revision(path)).toBe('6f8d9c3b2a1e');
    expect(revision(`${path}.d3e4f5a6b7c8.bak`)).toBe('d3e4f5a6b7c8');

    const newest = await graphtrace(
      ['--tracking-uri', 'sqlite:///a.db', 'db', 'upgrade', '--no-backup', '--json'],
      { cwd: dir },
    );
    expect(newest.code, newest.stderr).toBe(0);
    expect(json(newest)).toEqual({
      path,
      from: { revision: '6f8d9c3b2a1e', mlflow: '3.15' },
      to: { revision: 'dc11669786a5', mlflow: '3.17' },
      steps: expect.arrayContaining(['75868b020152', 'dc11669786a5']),
      repaired: [],
      backup: null,
    });
    expect(existsSync(`${path}.6f8d9c3b2a1e.bak`)).toBe(false);
    const again = await graphtrace(['--tracking-uri', 'sqlite:///a.db', 'db', 'upgrade'], {
      cwd: dir,
    });
    expect(again.stdout).toContain('a.db is already at dc11669786a5 (MLflow 3.17): nothing to do');
  });

  it('refuses what it cannot do with a clear message and a non-zero exit', async () => {
    await newFile('b.db');
    const unknown = await graphtrace(
      ['--tracking-uri', 'sqlite:///b.db', 'db', 'upgrade', '--to', '3.8'],
      {
        cwd: dir,
      },
    );
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--to "3.8" is not an MLflow release');
    const server = await graphtrace(['--tracking-uri', 'http://127.0.0.1:9', 'db', 'upgrade'], {
      cwd: dir,
    });
    expect(server.code).toBe(2);
    expect(server.stderr).toContain('an MLflow server upgrades its own database');
    const missing = await graphtrace(['--tracking-uri', 'sqlite:///none.db', 'db', 'upgrade'], {
      cwd: dir,
    });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('does not exist');
    expect(existsSync(join(dir, 'none.db'))).toBe(false);
  });
});

describe('observability.mlflow.sqlite_schema_version', () => {
  it('gives a new file that MLflow release’s schema, and leaves an existing file as it is', async () => {
    const { config } = loadConfig(null, {
      cwd: dir,
      env: { GRAPHTRACE_SQLITE_SCHEMA_VERSION: '3.17', MLFLOW_TRACKING_URI: 'sqlite:///new.db' },
    });
    const mlflow = config!.observability.mlflow;
    expect(mlflow.sqlite_schema_version).toBe('3.17');
    const store = await openStore(mlflow.tracking_uri, { cwd: dir, config: mlflow });
    await store.getOrCreateExperiment('x');
    await store.close();
    expect(revision(join(dir, 'new.db'))).toBe('dc11669786a5');

    const old = await newFile('old.db');
    const again = await openStore('sqlite:///old.db', { cwd: dir, config: mlflow });
    await again.getOrCreateExperiment('y');
    await again.close();
    expect(revision(old)).toBe('d3e4f5a6b7c8');
  });
});

describe('a file graphtrace 0.1.0 wrote', () => {
  it('is flagged by doctor and rewritten to MLflow’s DDL by db upgrade', async () => {
    const path = join(dir, 'v010.db');
    const db = new Database(path);
    db.exec(
      readFileSync(
        new URL('../../store-sqlite/test/fixtures/graphtrace-0.1.0-schema.sql', import.meta.url),
        'utf8',
      ),
    );
    db.prepare("INSERT INTO alembic_version VALUES ('d3e4f5a6b7c8')").run();
    db.prepare(
      "INSERT INTO experiments (experiment_id, name, lifecycle_stage) VALUES (0, 'Default', 'active')",
    ).run();
    db.close();
    const doctor = await graphtrace(['--tracking-uri', 'sqlite:///v010.db', 'doctor', '--json'], {
      cwd: dir,
    });
    const check = json(doctor).checks.find((c: { id: string }) => c.id === 'sqlite');
    expect(check.status).toBe('warn');
    expect(check.summary).toContain('graphtrace db upgrade --to 3.9');
    expect(check.details.ddl_drift).toContain('table trace_info');
    const r = await graphtrace(
      ['--tracking-uri', 'sqlite:///v010.db', 'db', 'upgrade', '--to', '3.9'],
      {
        cwd: dir,
      },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("v010.db stays at d3e4f5a6b7c8 (MLflow 3.9), its DDL now MLflow's");
    const after = await graphtrace(['--tracking-uri', 'sqlite:///v010.db', 'doctor', '--json'], {
      cwd: dir,
    });
    expect(json(after).checks.find((c: { id: string }) => c.id === 'sqlite').status).toBe('ok');
  });
});
