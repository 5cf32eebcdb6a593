import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Span, TraceInfo } from '@graphtrace/core';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import {
  MLFLOW_REVISIONS,
  masterSnapshot,
  NEWEST_SCHEMA_REVISION,
  openSchema,
  SchemaError,
  sqliteStore,
  upgradeDatabase,
} from '../src/index.js';
import { expectSameMaster, masterOf, oldGraphtraceFile, rows, tempDir } from './helpers.js';

const dir = tempDir('upgrade');
const T0 = 1_764_000_000_000;

async function freshMaster(revision: string) {
  const db = new Database(':memory:');
  await openSchema(db, { schemaVersion: revision });
  const m = masterSnapshot(db);
  db.close();
  return m;
}

function trace(id: string, exp: string, extra: Partial<TraceInfo> = {}): TraceInfo {
  return {
    traceId: id,
    clientRequestId: null,
    experimentId: exp,
    requestTime: T0,
    executionDuration: 10,
    state: 'OK',
    requestPreview: null,
    responsePreview: null,
    tags: { 'mlflow.traceName': 'agent' },
    traceMetadata: {
      'mlflow.trace.session': 's-1',
      'mlflow.trace.tokenUsage': '{"input_tokens": 5, "output_tokens": 2, "total_tokens": 7}',
    },
    ...extra,
  };
}

function llmSpan(traceId: string): Span {
  return {
    traceId,
    spanId: '00000000000000c3',
    parentSpanId: null,
    name: 'agent',
    spanType: 'CHAT_MODEL',
    startTimeUnixNano: BigInt(T0) * 1_000_000n,
    endTimeUnixNano: BigInt(T0 + 10) * 1_000_000n,
    status: { code: 'OK', message: '' },
    attributes: {
      'mlflow.traceRequestId': traceId,
      'mlflow.llm.model': 'gpt-4o-mini',
      'mlflow.llm.cost': { input_cost: 0.1, output_cost: 0.2, total_cost: 0.30000000000000004 },
    },
    events: [],
  };
}

/** A file of one revision with a trace (spans, info, an assessment) written in its layout. */
async function seeded(name: string, schemaVersion: string): Promise<string> {
  const path = join(dir, name);
  const store = sqliteStore({ path, schemaVersion, traceWriter: 'inline' });
  const exp = (await store.getOrCreateExperiment('upgrade')).experimentId;
  const id = 'tr-00000000000000000000000000000abc';
  await store.logSpans(exp, [llmSpan(id)]);
  await store.startTrace(trace(id, exp));
  await store.createAssessment({
    kind: 'feedback',
    traceId: id,
    name: 'score',
    value: 0.5,
    source: { sourceType: 'CODE', sourceId: 'x' },
  });
  await store.close();
  return path;
}

describe('upgradeDatabase', () => {
  it('moves a file to every later revision with the DDL MLflow has there', async () => {
    // One file walked one revision at a time, compared with a new file of each revision.
    const path = join(dir, 'walk.db');
    const db = new Database(path);
    await openSchema(db);
    db.close();
    for (const revision of MLFLOW_REVISIONS.slice(1)) {
      const r = await upgradeDatabase(path, { to: revision, backup: false });
      expect(r.steps).toEqual([revision]);
      expectSameMaster(masterOf(path), await freshMaster(revision));
    }
  });

  it('carries a 3.9 trace into 3.17’s columns, keeping a backup of the file as it was', async () => {
    const path = await seeded('data.db', '3.9');
    const before = readFileSync(path);
    const r = await upgradeDatabase(path, { now: () => T0 });
    expect(r).toMatchObject({ from: 'd3e4f5a6b7c8', to: NEWEST_SCHEMA_REVISION });
    expect(r.steps).toHaveLength(MLFLOW_REVISIONS.length - 1);
    expect(r.backupPath).toBe(`${path}.d3e4f5a6b7c8.bak`);
    expect(readFileSync(r.backupPath!).length).toBeGreaterThan(0);
    expectSameMaster(masterOf(path), await freshMaster(NEWEST_SCHEMA_REVISION));
    expect(
      rows(path, 'SELECT trace_name, session_id, input_tokens, total_tokens FROM trace_info'),
    ).toEqual([{ trace_name: 'agent', session_id: 's-1', input_tokens: 5, total_tokens: 7 }]);
    expect(
      rows(path, "SELECT count(*) AS n FROM trace_tags WHERE key = 'mlflow.traceName'"),
    ).toEqual([{ n: 0 }]);
    expect(
      rows(path, 'SELECT aggregate_value, is_numeric_value, trace_timestamp_ms FROM assessments'),
    ).toEqual([{ aggregate_value: 0.5, is_numeric_value: 1, trace_timestamp_ms: T0 }]);
    expect(rows(path, 'SELECT name FROM workspaces')).toEqual([{ name: 'default' }]);
    // The backup is the file as it was.
    const backup = new Database(r.backupPath!, { readonly: true });
    expect(backup.prepare('SELECT version_num FROM alembic_version').get()).toEqual({
      version_num: 'd3e4f5a6b7c8',
    });
    backup.close();
    expect(before.length).toBeGreaterThan(0);
    // graphtrace keeps working on the upgraded file.
    const store = sqliteStore({ path, traceWriter: 'inline' });
    expect((await store.getTraceInfo('tr-00000000000000000000000000000abc'))?.tags).toMatchObject({
      'mlflow.traceName': 'agent',
    });
    await store.close();
  });

  it('moves 3.10–3.16 span metrics into 3.17’s span columns', async () => {
    const path = await seeded('spans.db', '3.13');
    await upgradeDatabase(path, { backup: false });
    expect(rows(path, 'SELECT model_name, input_cost, total_cost FROM spans')).toEqual([
      { model_name: 'gpt-4o-mini', input_cost: 0.1, total_cost: 0.30000000000000004 },
    ]);
    expect(rows(path, 'SELECT count(*) AS n FROM span_metrics')).toEqual([{ n: 0 }]);
  });

  it('changes nothing when a step fails, and says which step and why', async () => {
    const path = await seeded('orphan.db', '3.16');
    const raw = new Database(path);
    raw.pragma('foreign_keys = OFF');
    raw.prepare("UPDATE spans SET trace_id = 'tr-ffffffffffffffffffffffffffffffff'").run();
    raw.close();
    const before = masterOf(path);
    const err = await upgradeDatabase(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SchemaError);
    expect((err as SchemaError).code).toBe('SQLITE_SCHEMA_UPGRADE_FAILED');
    expect((err as SchemaError).message).toMatch(
      /step to 75868b020152 \(MLflow 3\.17\).*missing trace_info row 'tr-f+'.*still at b7e2c1a4d9f3/,
    );
    expect(masterOf(path)).toEqual(before);
    expect(rows(path, 'SELECT version_num FROM alembic_version')).toEqual([
      { version_num: 'b7e2c1a4d9f3' },
    ]);
    expect(existsSync(`${path}.b7e2c1a4d9f3.bak`)).toBe(false);
  });

  it('refuses unknown targets, downgrades and files it does not know, touching nothing', async () => {
    const path = await seeded('newest.db', '3.17');
    const bytes = readFileSync(path);
    await expect(upgradeDatabase(path, { to: '3.8' })).rejects.toMatchObject({
      code: 'SQLITE_SCHEMA_UNKNOWN_VERSION',
      message: expect.stringContaining('3.9, 3.10'),
    });
    await expect(upgradeDatabase(path, { to: '3.9' })).rejects.toMatchObject({
      code: 'SQLITE_SCHEMA_UPGRADE_FAILED',
      message: expect.stringContaining('does not downgrade'),
    });
    expect(await upgradeDatabase(path)).toMatchObject({ steps: [], backupPath: null });
    expect(readFileSync(path).equals(bytes)).toBe(true);

    const foreign = join(dir, 'foreign.db');
    const f = new Database(foreign);
    f.exec(
      "CREATE TABLE alembic_version (version_num VARCHAR(32)); INSERT INTO alembic_version VALUES ('f4a9b2c7d1e6')",
    );
    f.close();
    await expect(upgradeDatabase(foreign)).rejects.toMatchObject({
      code: 'SQLITE_SCHEMA_UPGRADE_FAILED',
      message: expect.stringContaining('MLflow 3.18, newer than graphtrace knows'),
    });
  });

  it('rewrites a graphtrace 0.1.0 file’s DDL to MLflow’s, in place or along an upgrade', async () => {
    const make = (name: string) => {
      const path = join(dir, name);
      oldGraphtraceFile(path);
      return path;
    };
    const inPlace = make('old-in-place.db');
    const r = await upgradeDatabase(inPlace, { to: '3.9' });
    expect(r.steps).toEqual([]);
    expect(r.repaired).toContain('table trace_info');
    expect(r.backupPath).toBe(`${inPlace}.d3e4f5a6b7c8.bak`);
    expectSameMaster(masterOf(inPlace), await freshMaster('d3e4f5a6b7c8'));
    expect(rows(inPlace, 'SELECT name FROM experiments')).toEqual([{ name: 'Default' }]);
    expect((await upgradeDatabase(inPlace, { to: '3.9' })).repaired).toEqual([]);

    const along = make('old-along.db');
    const up = await upgradeDatabase(along, { backup: false });
    expect(up.repaired).toContain('table trace_info');
    expectSameMaster(masterOf(along), await freshMaster(NEWEST_SCHEMA_REVISION));
  });
});
