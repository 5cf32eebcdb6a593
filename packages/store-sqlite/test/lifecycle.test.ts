import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GraphtraceError } from '@graphtrace/core';
import { makeTraceInfo, makeTraceTree, newTraceId } from '@graphtrace/core/testing';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SchemaError, sqliteStore } from '../src/index.js';
import { tempDir } from './helpers.js';

const dir = tempDir('sqlite-lifecycle');

async function seed(path: string) {
  const store = sqliteStore({ path });
  const exp = (await store.getOrCreateExperiment('kept')).experimentId;
  const run = await store.createRun({ experimentId: exp, runName: 'r1' });
  await store.logBatch(run.info.runId, {
    params: [{ key: 'p', value: '1' }],
    metrics: [{ key: 'm', value: 0.5, timestamp: 1, step: 1 }],
  });
  const traceId = newTraceId();
  await store.logSpans(exp, makeTraceTree(traceId));
  await store.startTrace(makeTraceInfo(exp, traceId));
  await store.close();
  return { exp, runId: run.info.runId, traceId };
}

describe('opening and reopening', () => {
  it('names itself sqlite:/// + the path as given and opens nothing until first use', async () => {
    const path = join(dir, 'lazy', 'never.db');
    const store = sqliteStore({ path });
    expect(store.uri).toBe(`sqlite:///${path}`);
    await store.close();
    expect(() => readFileSync(path)).toThrow();
    expect(sqliteStore({ path: 'mlflow.db' }).uri).toBe('sqlite:///mlflow.db');
  });

  it('reads back everything after reopening the file', async () => {
    const path = join(dir, 'reopen.db');
    const { exp, runId, traceId } = await seed(path);
    const store = sqliteStore({ path });
    expect((await store.getExperimentByName('kept'))?.experimentId).toBe(exp);
    const run = await store.getRun(runId);
    expect(run?.data.params).toEqual({ p: '1' });
    expect(run?.data.metrics).toEqual([{ key: 'm', value: 0.5, timestamp: 1, step: 1 }]);
    expect((await store.getTrace(traceId))?.spans).toHaveLength(4);
    // New experiments continue the ids.
    expect((await store.getOrCreateExperiment('second')).experimentId).toBe(
      String(Number(exp) + 1),
    );
    await store.close();
  });

  it('opens read-only: reads work, writes are refused with READ_ONLY and the file is unchanged', async () => {
    const path = join(dir, 'readonly.db');
    const { exp, runId, traceId } = await seed(path);
    // Fold the WAL into the main file so its bytes are the whole DB.
    const w = new Database(path);
    w.pragma('wal_checkpoint(TRUNCATE)');
    w.close();
    const before = readFileSync(path);
    const store = sqliteStore({ path, readOnly: true });
    expect((await store.getRun(runId))?.info.runName).toBe('r1');
    expect(
      (await store.searchTraces({ experimentIds: [exp] })).items.map((t) => t.traceId),
    ).toEqual([traceId]);
    for (const write of [
      () => store.getOrCreateExperiment('new-one'),
      () => store.logBatch(runId, { params: [{ key: 'q', value: '2' }] }),
      () => store.startTrace(makeTraceInfo(exp, newTraceId())),
      () => store.setTraceTag(traceId, 'a', 'b'),
    ]) {
      const err = (await write().catch((e: unknown) => e)) as GraphtraceError;
      expect(err.code).toBe('READ_ONLY');
    }
    await store.close();
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('refuses to create a file in read-only mode', async () => {
    const store = sqliteStore({ path: join(dir, 'absent.db'), readOnly: true });
    const err = (await store.getExperiment('0').catch((e: unknown) => e)) as GraphtraceError;
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toContain('absent.db');
  });

  it('surfaces schema errors on first use and leaves a foreign SQLite file byte for byte alone', async () => {
    const path = join(dir, 'foreign.db');
    const f = new Database(path);
    f.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)');
    f.close();
    const before = readFileSync(path);
    const store = sqliteStore({ path });
    const err = await store.getOrCreateExperiment('x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SchemaError);
    expect((err as SchemaError).code).toBe('SQLITE_NOT_MLFLOW');
    // The next call reports it again (no half-open state).
    expect(((await store.searchExperiments().catch((e: unknown) => e)) as SchemaError).code).toBe(
      'SQLITE_NOT_MLFLOW',
    );
    await store.close();
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('refuses a database of an older MLflow revision with SQLITE_SCHEMA_REVISION', async () => {
    const path = join(dir, 'old.db');
    const f = new Database(path);
    f.exec(
      "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY); INSERT INTO alembic_version VALUES ('2c33131f4dae')",
    );
    f.close();
    const store = sqliteStore({ path });
    const err = (await store.getExperiment('0').catch((e: unknown) => e)) as SchemaError;
    expect(err.code).toBe('SQLITE_SCHEMA_REVISION');
    expect(err.message).toContain('mlflow db upgrade');
    await store.close();
  });

  it('leaves a given connection open on close, and closes one it made with a factory', async () => {
    const path = join(dir, 'given.db');
    const given = new Database(path);
    const a = sqliteStore({ path, database: given });
    await a.getOrCreateExperiment('given');
    await a.close();
    expect(given.open).toBe(true);
    given.close();

    let made: Database.Database | undefined;
    const b = sqliteStore({
      path,
      database: () => {
        made = new Database(path);
        return made;
      },
    });
    expect((await b.getExperimentByName('given'))?.name).toBe('given');
    await b.close();
    expect(made?.open).toBe(false);
    const err = (await b.getExperiment('0').catch((e: unknown) => e)) as GraphtraceError;
    expect(err.code).toBe('STORE_UNAVAILABLE');
  });

  it('follows the artifact root of a Default experiment MLflow created elsewhere', async () => {
    const path = join(dir, 'server-made.db');
    const s = sqliteStore({ path, defaultArtifactRoot: 'mlflow-artifacts:' });
    await s.getExperiment('0');
    await s.close();
    const again = sqliteStore({ path });
    expect((await again.getExperiment('0'))?.artifactLocation).toBe('mlflow-artifacts:/0');
    expect((await again.getOrCreateExperiment('next')).artifactLocation).toBe(
      'mlflow-artifacts:/1',
    );
    await again.close();
  });

  it('applies the synchronous option to a connection it opens (normal by default)', async () => {
    const path = join(dir, 'synchronous.db');
    for (const [synchronous, expected] of [
      [undefined, 1],
      ['full', 2],
    ] as const) {
      let made: Database.Database | undefined;
      const store = sqliteStore({
        path,
        ...(synchronous ? { synchronous } : {}),
        database: () => {
          made = new Database(path);
          return made;
        },
      });
      await store.getExperiment('0');
      expect(made!.pragma('synchronous', { simple: true })).toBe(expected);
      await store.close();
    }
  });
});
