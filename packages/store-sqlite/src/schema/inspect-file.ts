import { existsSync } from 'node:fs';
import type BetterSqlite3 from 'better-sqlite3';
import { openReadOnlyFile } from '../store/open-file.js';
import { inspectDatabase } from './open-schema.js';
import { schemaDrift } from './upgrade/upgrade-database.js';

/** What `graphtrace doctor` reports of a database file, read without changing it. */
export interface DatabaseFileFacts {
  exists: boolean;
  /** MLflow's alembic revision; null when the file has none (or not exactly one). */
  revision: string | null;
  /** `PRAGMA integrity_check`'s answer: `ok` for a sound file. */
  integrity: string | null;
  /** Active experiments and runs, and traces; null when the file lacks MLflow's tables. */
  counts: { experiments: number; runs: number; traces: number } | null;
  /** Tables and indexes whose DDL is not MLflow's at the file's revision. */
  ddlDrift: string[];
  /** Why the file could not be read; null when it was. */
  error: string | null;
}

/** Revision, integrity, drift and sizes of the database at `path`, read-only; never creates it. */
export function inspectDatabaseFile(path: string): DatabaseFileFacts {
  const facts: DatabaseFileFacts = {
    exists: existsSync(path),
    revision: null,
    integrity: null,
    counts: null,
    ddlDrift: [],
    error: null,
  };
  if (!facts.exists) return facts;
  let db: BetterSqlite3.Database | undefined;
  try {
    db = openReadOnlyFile(path).db;
    const { tables, revision } = inspectDatabase(db);
    facts.revision = revision ?? null;
    facts.ddlDrift = schemaDrift(db);
    const check = db.prepare('PRAGMA integrity_check').all() as { integrity_check: string }[];
    facts.integrity = check.map((r) => r.integrity_check).join('; ');
    if (['experiments', 'runs', 'trace_info'].every((t) => tables.includes(t))) {
      const count = (sql: string) => (db!.prepare(sql).get() as { n: number }).n;
      facts.counts = {
        experiments: count(
          "SELECT COUNT(*) AS n FROM experiments WHERE lifecycle_stage = 'active'",
        ),
        runs: count("SELECT COUNT(*) AS n FROM runs WHERE lifecycle_stage = 'active'"),
        traces: count('SELECT COUNT(*) AS n FROM trace_info'),
      };
    }
  } catch (err) {
    facts.error = (err as Error).message;
  } finally {
    db?.close();
  }
  return facts;
}
