import { mkdir, rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { runMlflowCli } from './cli.js';
import { pyStr, runPythonJson } from './python.js';

export interface ReferenceDbOptions {
  /**
   * Default artifact root MLflow records for the Default experiment (`<root>/0`);
   * defaults to `<dir of the db>/mlruns`, as the Python client would from that directory.
   */
  artifactRoot?: string;
  /** The MLflow release that makes the DB (default: the oldest supported). */
  mlflowVersion?: string;
}

export interface ReferenceDb {
  path: string;
  uri: string;
  /** The alembic revision MLflow stamped. */
  revision: string;
}

/** `sqlite:///` followed by an absolute path gives the four slashes SQLAlchemy expects. */
export function sqliteUri(path: string): string {
  return `sqlite:///${resolve(path)}`;
}

/**
 * Makes a fresh MLflow tracking database at `path` the way MLflow itself does on first use:
 * SqlAlchemyStore creates the initial tables, runs every alembic migration to its head and
 * inserts the Default experiment. (`mlflow db upgrade` alone cannot do this in 3.9.0: on an
 * empty file its first migration fails with "no such table: metrics".)
 */
export async function createReferenceDb(
  path: string,
  opts: ReferenceDbOptions = {},
): Promise<ReferenceDb> {
  const abs = resolve(path);
  await mkdir(dirname(abs), { recursive: true });
  await rm(abs, { force: true });
  const uri = sqliteUri(abs);
  const artifactRoot = opts.artifactRoot ?? resolve(dirname(abs), 'mlruns');
  const result = await runPythonJson<{ revision: string }>(
    `
import json
from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore
from mlflow.store.db.utils import _get_schema_version
store = SqlAlchemyStore(${pyStr(uri)}, ${pyStr(artifactRoot)})
revision = _get_schema_version(store.engine)
store.engine.dispose()
print(json.dumps({"revision": revision}))
`,
    { cwd: dirname(abs), mlflowVersion: opts.mlflowVersion },
  );
  return { path: abs, uri, revision: result.revision };
}

/** Runs `mlflow db upgrade <uri>` (to that release's head) and returns its output. */
export async function mlflowDbUpgrade(
  uri: string,
  opts: { mlflowVersion?: string } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runMlflowCli(['db', 'upgrade', uri], { mlflowVersion: opts.mlflowVersion });
}
