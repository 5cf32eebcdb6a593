import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  createReferenceDb,
  describeInterop,
  INTEROP_SETUP_TIMEOUT_MS,
  MLFLOW_VERSION,
  runMlflowCli,
  runPython,
  runPythonJson,
} from '../src/index.js';

describeInterop('the MLflow virtualenv', ({ venv }) => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'testkit-venv-'));
  }, INTEROP_SETUP_TIMEOUT_MS);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('lives outside the sources and has its ready marker', () => {
    expect(venv.venvDir).not.toContain('/packages/');
    expect(existsSync(join(venv.venvDir, '.graphtrace-ready.json'))).toBe(true);
    expect(venv.mlflowVersion).toBe(MLFLOW_VERSION);
  });

  it('runs `mlflow --version` and prints 3.9.0', async () => {
    const r = await runMlflowCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/version 3\.9\.0\b/);
  });

  it('runs Python snippets and parses their last line as JSON', async () => {
    const out = await runPythonJson<{ version: string; env: string }>(
      'import json, os, mlflow\nprint("noise first")\nprint(json.dumps({"version": mlflow.__version__, "env": os.environ["GT_X"]}))',
      { env: { GT_X: 'y' } },
    );
    expect(out).toEqual({ version: '3.9.0', env: 'y' });
  });

  it('reports a failing snippet with its traceback', async () => {
    const r = await runPython('raise SystemExit(3)');
    expect(r.code).toBe(3);
    await expect(runPythonJson('raise ValueError("boom")')).rejects.toMatchObject({
      code: 'MLFLOW_PYTHON_FAILED',
      message: expect.stringContaining('ValueError: boom'),
    });
  });

  it('creates a reference database at the 3.9.0 alembic head', async () => {
    const db = await createReferenceDb(join(dir, 'ref.db'));
    expect(db.revision).toBe('d3e4f5a6b7c8');
    expect(db.uri).toBe(`sqlite:///${join(dir, 'ref.db')}`);
    // On a DB at the head, `mlflow db upgrade` is a no-op that succeeds.
    const upgrade = await runMlflowCli(['db', 'upgrade', db.uri]);
    expect(upgrade.code).toBe(0);
    expect(upgrade.stderr).not.toContain('Running upgrade');
  });
});
