import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, expect } from 'vitest';
import { type MasterEntry, masterSnapshot, sameMlflowDdl } from '../src/schema/index.js';

/** A temp directory removed after the file's tests. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Reads the raw rows of a DB through a separate read-only connection. */
export function rows<T = Record<string, unknown>>(
  path: string,
  sql: string,
  ...params: unknown[]
): T[] {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

/**
 * Asserts two sqlite_master snapshots hold the same objects with the same DDL, one assertion per
 * object so a failure names it. Where MLflow itself writes an object in several spellings (see
 * sameMlflowDdl), any of them counts as equal.
 */
export function expectSameMaster(actual: MasterEntry[], expected: MasterEntry[]): void {
  expect(actual.map((e) => `${e.type}:${e.name}`)).toEqual(
    expected.map((e) => `${e.type}:${e.name}`),
  );
  for (const [i, entry] of expected.entries()) {
    const mine = actual[i]!;
    const sql = sameMlflowDdl(mine.sql, entry.sql) ? entry.sql : mine.sql;
    expect({ ...mine, sql }, `${entry.type} ${entry.name}`).toEqual(entry);
  }
}

/**
 * A file as graphtrace 0.1.0 created it: its DDL (a fixture read off that release) spelt
 * constraints `constraint "fk_…"`, which SQLAlchemy's reflection reads as unnamed.
 */
export function oldGraphtraceFile(path: string): void {
  const db = new Database(path);
  try {
    db.exec(
      readFileSync(new URL('./fixtures/graphtrace-0.1.0-schema.sql', import.meta.url), 'utf8'),
    );
    db.prepare("INSERT INTO alembic_version VALUES ('d3e4f5a6b7c8')").run();
    db.prepare(
      "INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage) VALUES (0, 'Default', 'mlruns/0', 'active')",
    ).run();
  } finally {
    db.close();
  }
}

/** The sqlite_master snapshot of a file, read through a read-only connection. */
export function masterOf(path: string): MasterEntry[] {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return masterSnapshot(db);
  } finally {
    db.close();
  }
}
