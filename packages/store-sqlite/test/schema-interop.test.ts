import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createReferenceDb,
  describeInteropVersions,
  INTEROP_SETUP_TIMEOUT_MS,
  INTEROP_TEST_TIMEOUT_MS,
  MLFLOW_OLDEST,
  mlflowDbUpgrade,
  pyStr,
  runPythonJson,
  sqliteUri,
  startMlflowServer,
} from '@graphtrace/mlflow-testkit';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  DEFAULT_SCHEMA_REVISION,
  type MasterEntry,
  masterSnapshot,
  openSchema,
  resolveSchemaRevision,
  type SchemaSnapshot,
  snapshotSchema,
  tablesOf,
} from '../src/schema/index.js';
import { expectSameMaster } from './helpers.js';

/** Messages MLflow logs when it creates tables or migrates. */
const MIGRATION_MESSAGES = [/Running upgrade/, /Creating initial MLflow database tables/];

function readOnly<T>(path: string, fn: (db: Database.Database) => T): T {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

/** Every row of every table but the Default experiment's times, which are "now" in both. */
function rowsOf(db: Database.Database): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  const tables = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    .all() as { name: string }[];
  for (const { name } of tables) {
    const rows = db.prepare(`SELECT * FROM "${name}" ORDER BY 1`).all() as Record<
      string,
      unknown
    >[];
    out[name] = rows.map((r) =>
      name === 'experiments' ? { ...r, creation_time: 'now', last_update_time: 'now' } : r,
    );
  }
  return out;
}

interface Reference {
  master: MasterEntry[];
  pragmas: SchemaSnapshot;
  rows: Record<string, unknown[]>;
}

function reference(path: string): Reference {
  return readOnly(path, (db) => ({
    master: masterSnapshot(db),
    pragmas: snapshotSchema(db),
    rows: rowsOf(db),
  }));
}

describeInteropVersions('our SQLite schema against the real MLflow', ({ version }) => {
  let dir: string;
  let theirsPath: string;
  let oursPath: string;
  let theirs: Reference;
  let ours: Reference;
  const revision = resolveSchemaRevision(version)!;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'schema-interop-'));
    theirsPath = join(dir, 'mlflow.db');
    oursPath = join(dir, 'ours.db');
    const made = await createReferenceDb(theirsPath, { mlflowVersion: version });
    expect(made.revision).toBe(revision);
    const db = new Database(oursPath);
    const opened = await openSchema(db, { schemaVersion: version });
    expect(opened.created).toBe(true);
    db.close();
    theirs = reference(theirsPath);
    ours = reference(oursPath);
  }, INTEROP_SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes every table, index and trigger with the DDL text MLflow writes', () => {
    expectSameMaster(ours.master, theirs.master);
    expect(ours.master.filter((e) => e.type === 'table').map((e) => e.name)).toEqual(
      tablesOf(revision),
    );
  });

  it('matches MLflow table by table in PRAGMA terms: columns, indexes, foreign keys, checks', () => {
    expect(ours.pragmas).toEqual(theirs.pragmas);
  });

  it('stamps the same revision and seeds the same rows, the Default experiment included', () => {
    expect(ours.rows.alembic_version).toEqual([{ version_num: revision }]);
    expect(ours.rows).toEqual(theirs.rows);
    expect(ours.rows.experiments).toEqual([
      expect.objectContaining({
        experiment_id: 0,
        name: 'Default',
        artifact_location: `${dir}/mlruns/0`,
        lifecycle_stage: 'active',
      }),
    ]);
  });

  it(
    'is left exactly as it is by `mlflow db upgrade`',
    async () => {
      const copy = join(dir, 'upgrade.db');
      await copyFile(oursPath, copy);
      const r = await mlflowDbUpgrade(sqliteUri(copy), { mlflowVersion: version });
      expect(r.code, r.stderr).toBe(0);
      for (const re of MIGRATION_MESSAGES) expect(r.stderr).not.toMatch(re);
      expectSameMaster(reference(copy).master, ours.master);
    },
    INTEROP_TEST_TIMEOUT_MS,
  );

  it('opens MLflow’s own DB as it is, adding nothing', async () => {
    const copy = join(dir, 'theirs-opened.db');
    await copyFile(theirsPath, copy);
    const db = new Database(copy);
    const opened = await openSchema(db);
    expect(opened).toMatchObject({ revision, created: false, readOnly: false });
    expectSameMaster(masterSnapshot(db), theirs.master);
    db.close();
  });

  it(
    'serves our DB from `mlflow server` without migrating it',
    async () => {
      const server = await startMlflowServer({
        mlflowVersion: version,
        backendStoreUri: sqliteUri(oursPath),
        artifactsDestination: join(dir, 'artifacts'),
      });
      try {
        const res = await fetch(`${server.url}/api/2.0/mlflow/experiments/get?experiment_id=0`);
        expect(res.status).toBe(200);
        const body = (await res.json()) as { experiment: Record<string, unknown> };
        expect(body.experiment).toMatchObject({
          experiment_id: '0',
          name: 'Default',
          artifact_location: `${dir}/mlruns/0`,
          lifecycle_stage: 'active',
        });
        for (const re of MIGRATION_MESSAGES) expect(server.stderr()).not.toMatch(re);
      } finally {
        await server.stop();
      }
    },
    INTEROP_TEST_TIMEOUT_MS,
  );

  it(
    'opens a new file of ours (default schema) with no manual step, as MLflow’s own would',
    async () => {
      const copy = join(dir, 'default.db');
      const db = new Database(copy);
      expect((await openSchema(db)).revision).toBe(DEFAULT_SCHEMA_REVISION);
      db.close();
      // MlflowClient on the file: 3.9.0 uses it as it is; newer releases upgrade it on first use.
      const out = await runPythonJson<{ revision: string; run: string; status: string }>(
        `
import json
from mlflow.tracking import MlflowClient
from mlflow.store.db.utils import _get_schema_version
from sqlalchemy import create_engine
client = MlflowClient(tracking_uri=${pyStr(sqliteUri(copy))})
run = client.create_run("0", run_name="first-use")
client.set_terminated(run.info.run_id)
got = client.get_run(run.info.run_id)
print(json.dumps({
    "revision": _get_schema_version(create_engine(${pyStr(sqliteUri(copy))})),
    "run": got.info.run_name,
    "status": got.info.status,
}))
`,
        { cwd: dir, mlflowVersion: version },
      );
      expect(out).toEqual({ revision, run: 'first-use', status: 'FINISHED' });
      if (version !== MLFLOW_OLDEST) {
        // What MLflow's own upgrade made of our file is what MLflow makes from scratch.
        expectSameMaster(reference(copy).master, theirs.master);
        // And graphtrace opens the upgraded file and writes into it.
        const again = new Database(copy);
        const opened = await openSchema(again);
        expect(opened).toMatchObject({ revision, readOnly: false });
        again.close();
      }
    },
    INTEROP_TEST_TIMEOUT_MS,
  );
});
