import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createReferenceDb,
  describeInterop,
  INTEROP_SETUP_TIMEOUT_MS,
  INTEROP_TEST_TIMEOUT_MS,
  pyStr,
  runMlflowCli,
  runPythonJson,
  sqliteUri,
  startMlflowServer,
} from '@graphtrace/mlflow-testkit';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  MLFLOW_SCHEMA_HEAD,
  MLFLOW_TABLES,
  openSchema,
  type SchemaSnapshot,
  snapshotSchema,
} from '../src/schema/index.js';

/** Messages MLflow logs when it creates tables or migrates; none may appear on our DB. */
const MIGRATION_MESSAGES = [/Running upgrade/, /Creating initial MLflow database tables/];

function readOnly<T>(path: string, fn: (db: Database.Database) => T): T {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

describeInterop('our SQLite schema against MLflow 3.9.0', () => {
  let dir: string;
  let theirsPath: string;
  let oursPath: string;
  let theirs: SchemaSnapshot;
  let ours: SchemaSnapshot;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'schema-interop-'));
    theirsPath = join(dir, 'mlflow.db');
    oursPath = join(dir, 'ours.db');
    const reference = await createReferenceDb(theirsPath);
    expect(reference.revision).toBe(MLFLOW_SCHEMA_HEAD);
    const db = new Database(oursPath);
    const opened = await openSchema(db);
    expect(opened.created).toBe(true);
    db.close();
    theirs = readOnly(theirsPath, snapshotSchema);
    ours = readOnly(oursPath, snapshotSchema);
  }, INTEROP_SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('has the same 42 tables as the DB MLflow creates', () => {
    expect(Object.keys(theirs.tables)).toEqual([...MLFLOW_TABLES]);
    expect(Object.keys(ours.tables)).toEqual(Object.keys(theirs.tables));
  });

  it('matches MLflow table by table: columns, indexes, foreign keys, checks, generated columns', () => {
    for (const name of Object.keys(theirs.tables)) {
      const mine = ours.tables[name]!;
      const ref = theirs.tables[name]!;
      // One assertion per aspect, so a failure names the table and what differs.
      expect(mine.columns, `${name}: columns`).toEqual(ref.columns);
      expect(mine.indexes, `${name}: indexes`).toEqual(ref.indexes);
      expect(mine.foreignKeys, `${name}: foreign keys`).toEqual(ref.foreignKeys);
      expect(mine.checks, `${name}: CHECK constraints`).toEqual(ref.checks);
      expect(mine.generated, `${name}: generated columns`).toEqual(ref.generated);
    }
    expect(ours.triggers).toEqual(theirs.triggers);
  });

  it('stamps the same alembic revision and inserts the Default experiment like MLflow', () => {
    const query = (db: Database.Database) => ({
      alembic: db.prepare('SELECT * FROM alembic_version').all(),
      experiments: db
        .prepare('SELECT experiment_id, name, artifact_location, lifecycle_stage FROM experiments')
        .all(),
      times: db.prepare('SELECT creation_time, last_update_time FROM experiments').get() as {
        creation_time: number;
        last_update_time: number;
      },
    });
    const mine = readOnly(oursPath, query);
    const ref = readOnly(theirsPath, query);
    expect(mine.alembic).toEqual([{ version_num: MLFLOW_SCHEMA_HEAD }]);
    expect(mine.alembic).toEqual(ref.alembic);
    // Both record `<dir of the db>/mlruns/0`: the same directory, the same spelling.
    expect(mine.experiments).toEqual(ref.experiments);
    expect(ref.experiments).toEqual([
      {
        experiment_id: 0,
        name: 'Default',
        artifact_location: `${dir}/mlruns/0`,
        lifecycle_stage: 'active',
      },
    ]);
    expect(mine.times.creation_time).toBe(mine.times.last_update_time);
    expect(Math.abs(mine.times.creation_time - Date.now())).toBeLessThan(10 * 60_000);
  });

  it(
    'is left exactly as it is by `mlflow db upgrade`',
    async () => {
      const copy = join(dir, 'upgrade.db');
      await copyFile(oursPath, copy);
      const r = await runMlflowCli(['db', 'upgrade', sqliteUri(copy)]);
      expect(r.code, r.stderr).toBe(0);
      for (const re of MIGRATION_MESSAGES) expect(r.stderr).not.toMatch(re);
      expect(readOnly(copy, snapshotSchema)).toEqual(ours);
    },
    INTEROP_TEST_TIMEOUT_MS,
  );

  it('opens MLflow’s own DB as it is, adding no tables of ours', async () => {
    const copy = join(dir, 'theirs-opened.db');
    await copyFile(theirsPath, copy);
    const db = new Database(copy);
    const opened = await openSchema(db);
    expect(opened).toMatchObject({ revision: MLFLOW_SCHEMA_HEAD, created: false, readOnly: false });
    expect(snapshotSchema(db)).toEqual(theirs);
    db.close();
  });

  it(
    'serves our DB from `mlflow server` without migrating it',
    async () => {
      const server = await startMlflowServer({
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
    'lets MLflow’s Python client create a run and log a metric in our DB',
    async () => {
      const out = await runPythonJson<{
        run_id: string;
        experiment_id: string;
        status: string;
        history: { key: string; value: number; step: number; timestamp: number }[];
      }>(
        `
import json
from mlflow.tracking import MlflowClient
client = MlflowClient(tracking_uri=${pyStr(sqliteUri(oursPath))})
run = client.create_run("0", run_name="interop")
client.log_metric(run.info.run_id, "loss", 0.25, timestamp=1700000000000, step=3)
client.set_terminated(run.info.run_id)
got = client.get_run(run.info.run_id)
history = [
    {"key": m.key, "value": m.value, "step": m.step, "timestamp": m.timestamp}
    for m in client.get_metric_history(run.info.run_id, "loss")
]
print(json.dumps({
    "run_id": got.info.run_id,
    "experiment_id": got.info.experiment_id,
    "status": got.info.status,
    "history": history,
}))
`,
        { cwd: dir },
      );
      expect(out.run_id).toMatch(/^[0-9a-f]{32}$/);
      expect(out).toMatchObject({ experiment_id: '0', status: 'FINISHED' });
      expect(out.history).toEqual([
        { key: 'loss', value: 0.25, step: 3, timestamp: 1700000000000 },
      ]);

      const rows = readOnly(oursPath, (db) => ({
        run: db
          .prepare('SELECT name, status, experiment_id FROM runs WHERE run_uuid = ?')
          .get(out.run_id),
        metrics: db
          .prepare('SELECT key, value, step, is_nan FROM metrics WHERE run_uuid = ?')
          .all(out.run_id),
        latest: db
          .prepare('SELECT key, value, step FROM latest_metrics WHERE run_uuid = ?')
          .all(out.run_id),
      }));
      expect(rows.run).toEqual({ name: 'interop', status: 'FINISHED', experiment_id: 0 });
      expect(rows.metrics).toEqual([{ key: 'loss', value: 0.25, step: 3, is_nan: 0 }]);
      expect(rows.latest).toEqual([{ key: 'loss', value: 0.25, step: 3 }]);
    },
    INTEROP_TEST_TIMEOUT_MS,
  );
});
