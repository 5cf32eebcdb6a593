import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_SCHEMA_REVISION,
  MLFLOW_REVISIONS,
  masterSnapshot,
  NEWEST_SCHEMA_REVISION,
  openSchema,
  SchemaError,
  snapshotSchema,
  supportedSchemaVersions,
  tablesOf,
} from '../src/schema/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'schema-open-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function tableNames(db: Database.Database, schema = 'main'): string[] {
  return (
    db
      .prepare(`SELECT name FROM ${schema}.sqlite_master WHERE type = 'table' ORDER BY name`)
      .all() as { name: string }[]
  ).map((r) => r.name);
}

/** Opens a file, stamps alembic_version by hand, and closes it: a DB of another MLflow. */
function stampedDb(path: string, revision: string): void {
  const db = new Database(path);
  db.exec('CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)');
  db.prepare('INSERT INTO alembic_version VALUES (?)').run(revision);
  db.exec('CREATE TABLE experiments (experiment_id INTEGER PRIMARY KEY, name TEXT)');
  db.close();
}

async function expectSchemaError(
  promise: Promise<unknown>,
  code: string,
  ...fragments: string[]
): Promise<SchemaError> {
  const err = await promise.then(
    () => {
      throw new Error('expected openSchema to fail');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SchemaError);
  const schemaError = err as SchemaError;
  expect(schemaError.code).toBe(code);
  for (const f of fragments) expect(schemaError.message).toContain(f);
  return schemaError;
}

describe('openSchema', () => {
  it('creates the whole MLflow 3.9.0 schema in an empty file by default', async () => {
    const path = join(dir, 'new.db');
    const db = new Database(path);
    const opened = await openSchema(db, { now: () => 1_700_000_000_000 });
    expect(opened).toMatchObject({
      revision: DEFAULT_SCHEMA_REVISION,
      created: true,
      readOnly: false,
    });
    expect(DEFAULT_SCHEMA_REVISION).toBe('d3e4f5a6b7c8');
    expect(tableNames(db)).toEqual(tablesOf(DEFAULT_SCHEMA_REVISION));
    expect(tableNames(db)).toHaveLength(42);
    expect(db.prepare('SELECT version_num FROM alembic_version').all()).toEqual([
      { version_num: 'd3e4f5a6b7c8' },
    ]);
    expect(db.prepare('SELECT * FROM experiments').all()).toEqual([
      {
        experiment_id: 0,
        name: 'Default',
        artifact_location: `${dir}/mlruns/0`,
        lifecycle_stage: 'active',
        creation_time: 1_700_000_000_000,
        last_update_time: 1_700_000_000_000,
      },
    ]);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);

    // The Kysely instance works on the same connection and computes spans.duration_ns.
    const k = opened.db;
    await k
      .insertInto('trace_info')
      .values({ request_id: 'tr-1', experiment_id: 0, timestamp_ms: 1, status: 'OK' })
      .execute();
    await k
      .insertInto('spans')
      .values({
        trace_id: 'tr-1',
        experiment_id: 0,
        span_id: 's1',
        status: 'OK',
        start_time_unix_nano: 1_000n,
        end_time_unix_nano: 4_500n,
        content: '{}',
      })
      .execute();
    const span = await k.selectFrom('spans').select('duration_ns').executeTakeFirstOrThrow();
    expect(span.duration_ns).toBe(3_500);
    db.close();
  });

  it('reopens a database it created as it is', async () => {
    const path = join(dir, 'reopen.db');
    const first = new Database(path);
    await openSchema(first);
    const before = snapshotSchema(first);
    first.close();
    const bytes = readFileSync(path);

    const again = new Database(path);
    const opened = await openSchema(again);
    expect(opened).toMatchObject({
      revision: DEFAULT_SCHEMA_REVISION,
      created: false,
      readOnly: false,
    });
    expect(snapshotSchema(again)).toEqual(before);
    expect(again.prepare('SELECT count(*) AS n FROM experiments').get()).toEqual({ n: 1 });
    again.close();
    expect(readFileSync(path).equals(bytes)).toBe(true);
  });

  it('lets two connections race on a new file: one creates, the other uses it', async () => {
    const path = join(dir, 'race.db');
    const a = new Database(path);
    const b = new Database(path);
    const results = await Promise.all([openSchema(a), openSchema(b)]);
    expect(results.map((r) => r.created).sort()).toEqual([false, true]);
    expect(tableNames(b)).toEqual(tablesOf(DEFAULT_SCHEMA_REVISION));
    a.close();
    b.close();
  });

  it('creates the schema of every MLflow release it supports, and of any revision between', async () => {
    expect(supportedSchemaVersions()).toEqual([
      '3.9',
      '3.10',
      '3.11',
      '3.12',
      '3.13',
      '3.14',
      '3.15',
      '3.16',
      '3.17',
    ]);
    for (const [version, revision] of [
      ['3.17', NEWEST_SCHEMA_REVISION],
      ['3.15.0', '6f8d9c3b2a1e'],
      ['75868b020152', '75868b020152'],
    ] as const) {
      const db = new Database(':memory:');
      const opened = await openSchema(db, { schemaVersion: version });
      expect(opened).toMatchObject({ revision, created: true });
      expect(tableNames(db)).toEqual(tablesOf(revision));
      db.close();
    }
    const newest = new Database(':memory:');
    await openSchema(newest, { schemaVersion: '3.17' });
    // MLflow's migrations seed the default workspace; the Default experiment lives in it.
    expect(newest.prepare('SELECT name, description FROM workspaces').all()).toEqual([
      { name: 'default', description: 'Default workspace for legacy resources' },
    ]);
    expect(newest.prepare('SELECT workspace FROM experiments').get()).toEqual({
      workspace: 'default',
    });
    newest.close();
  });

  it('refuses a schema version it does not know, naming the ones it does', async () => {
    const db = new Database(':memory:');
    await expectSchemaError(
      openSchema(db, { schemaVersion: '3.8' }),
      'SQLITE_SCHEMA_UNKNOWN_VERSION',
      '"3.8"',
      '3.9, 3.10',
      '3.17',
    );
    expect(tableNames(db)).toEqual([]);
    db.close();
  });

  it('opens a database at any revision of the chain in its own layout', async () => {
    for (const revision of MLFLOW_REVISIONS) {
      const path = join(dir, `chain-${revision}.db`);
      const setup = new Database(path);
      await openSchema(setup, { schemaVersion: revision });
      const before = masterSnapshot(setup);
      setup.close();
      const db = new Database(path);
      const opened = await openSchema(db);
      expect(opened.revision).toBe(revision);
      expect(opened.created).toBe(false);
      expect(opened.layout.traceAnalytics).toBe(
        MLFLOW_REVISIONS.indexOf(revision) >= MLFLOW_REVISIONS.indexOf('75868b020152'),
      );
      expect(masterSnapshot(db)).toEqual(before);
      db.close();
    }
  });

  it('refuses a database of an MLflow older than 3.9 and says how to upgrade it', async () => {
    const path = join(dir, 'older.db');
    stampedDb(path, '2c33131f4dae');
    const bytes = readFileSync(path);
    const db = new Database(path);
    const err = await expectSchemaError(
      openSchema(db),
      'SQLITE_SCHEMA_REVISION',
      'older than 3.9',
      'revision 2c33131f4dae',
      'MLflow 3.9.0 to 3.17.2',
      `mlflow db upgrade sqlite:///${path}`,
      'left untouched',
    );
    expect(err.revision).toBe('2c33131f4dae');
    db.close();
    expect(readFileSync(path).equals(bytes)).toBe(true);
  });

  it('refuses a revision of a newer MLflow, naming the release', async () => {
    const path = join(dir, 'mlflow-3.18.db');
    stampedDb(path, 'f4a9b2c7d1e6');
    const bytes = readFileSync(path);
    const db = new Database(path);
    const err = await expectSchemaError(
      openSchema(db),
      'SQLITE_SCHEMA_REVISION',
      'revision f4a9b2c7d1e6 of MLflow 3.18',
      'newer than graphtrace supports',
      'left untouched',
    );
    expect(err.revision).toBe('f4a9b2c7d1e6');
    db.close();
    expect(readFileSync(path).equals(bytes)).toBe(true);
  });

  it('refuses an unknown revision unless readOnlyCompatible accepts it', async () => {
    const path = join(dir, 'newer.db');
    stampedDb(path, 'f0f0f0f0f0f0');
    const db = new Database(path);
    await expectSchemaError(
      openSchema(db),
      'SQLITE_SCHEMA_REVISION',
      'revision f0f0f0f0f0f0',
      'newer MLflow',
      'left untouched',
    );
    const seen: string[] = [];
    const opened = await openSchema(db, {
      readOnlyCompatible: (rev) => {
        seen.push(rev);
        return true;
      },
    });
    expect(seen).toEqual(['f0f0f0f0f0f0']);
    expect(opened).toMatchObject({ revision: 'f0f0f0f0f0f0', created: false, readOnly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('delete');
    db.close();
  });

  it('refuses a non-MLflow SQLite file and leaves it byte for byte as it was', async () => {
    const path = join(dir, 'foreign.db');
    const setup = new Database(path);
    setup.exec(
      "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes VALUES (1, 'hi')",
    );
    setup.close();
    const bytes = readFileSync(path);
    const db = new Database(path);
    await expectSchemaError(
      openSchema(db),
      'SQLITE_NOT_MLFLOW',
      'is not an MLflow tracking database',
      '[notes]',
      'untouched',
    );
    expect(tableNames(db)).toEqual(['notes']);
    db.close();
    expect(readFileSync(path).equals(bytes)).toBe(true);
  });

  it('refuses a database stamped with a known revision that lacks tables', async () => {
    const path = join(dir, 'incomplete.db');
    stampedDb(path, DEFAULT_SCHEMA_REVISION);
    const db = new Database(path);
    await expectSchemaError(
      openSchema(db),
      'SQLITE_SCHEMA_INCOMPLETE',
      'lacks the tables',
      'spans',
    );
    db.close();
  });

  it('cannot create a schema through a read-only handle', async () => {
    const path = join(dir, 'empty-ro.db');
    new Database(path).close();
    const db = new Database(path, { readonly: true });
    await expectSchemaError(openSchema(db), 'SQLITE_SCHEMA_MISSING', 'read-only');
    db.close();
  });

  it('opens a head database through a read-only handle as read-only', async () => {
    const path = join(dir, 'ro.db');
    const rw = new Database(path);
    await openSchema(rw);
    rw.close();
    const db = new Database(path, { readonly: true });
    expect(await openSchema(db)).toMatchObject({ created: false, readOnly: true });
    db.close();
  });

  it('works on an in-memory database', async () => {
    const db = new Database(':memory:');
    const opened = await openSchema(db, { defaultArtifactRoot: 'file:///srv/mlruns/' });
    expect(opened.created).toBe(true);
    expect(
      await opened.db.selectFrom('experiments').select('artifact_location').executeTakeFirst(),
    ).toEqual({ artifact_location: 'file:///srv/mlruns/0' });
    db.close();
  });
});
