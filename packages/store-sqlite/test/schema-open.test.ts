import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MLFLOW_SCHEMA_HEAD,
  MLFLOW_TABLES,
  openSchema,
  SchemaError,
  snapshotSchema,
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
  it('creates the whole MLflow 3.9.0 schema in an empty file', async () => {
    const path = join(dir, 'new.db');
    const db = new Database(path);
    const opened = await openSchema(db, { now: () => 1_700_000_000_000 });
    expect(opened).toMatchObject({ revision: MLFLOW_SCHEMA_HEAD, created: true, readOnly: false });
    expect(tableNames(db)).toEqual([...MLFLOW_TABLES]);
    expect(tableNames(db, 'temp')).toEqual([]);
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
    expect(opened).toMatchObject({ revision: MLFLOW_SCHEMA_HEAD, created: false, readOnly: false });
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
    expect(tableNames(b)).toHaveLength(42);
    a.close();
    b.close();
  });

  it('refuses a database of an older MLflow and says how to upgrade it', async () => {
    const path = join(dir, 'older.db');
    stampedDb(path, '2c33131f4dae');
    const bytes = readFileSync(path);
    const db = new Database(path);
    const err = await expectSchemaError(
      openSchema(db),
      'SQLITE_SCHEMA_REVISION',
      'older MLflow',
      'revision 2c33131f4dae',
      'needs revision d3e4f5a6b7c8 (MLflow 3.9.0)',
      `mlflow db upgrade sqlite:///${path}`,
      'left untouched',
    );
    expect(err.revision).toBe('2c33131f4dae');
    expect(err.expectedRevision).toBe(MLFLOW_SCHEMA_HEAD);
    db.close();
    expect(readFileSync(path).equals(bytes)).toBe(true);
  });

  it('refuses a newer revision unless readOnlyCompatible accepts it', async () => {
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

  it('refuses a head-stamped database that lacks tables', async () => {
    const path = join(dir, 'incomplete.db');
    stampedDb(path, MLFLOW_SCHEMA_HEAD);
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
