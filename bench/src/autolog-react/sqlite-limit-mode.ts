import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { autolog } from '@graphtrace/autolog-langgraph';
import { createTracker } from '@graphtrace/core';
import { sqliteStore } from '@graphtrace/store-sqlite';
import Database from 'better-sqlite3';
import { benchLogger } from './graphtrace-mode.js';
import type { ModeTracing } from './mode-tracing.js';

/** A table's rows of one trace, the trace id column replaced on every copy. */
interface TraceRows {
  table: string;
  insert: Database.Statement;
  /** Index of the trace id column, and of `content` (spans: encoded on every copy). */
  idAt: number;
  contentAt: number;
  rows: unknown[][];
}

/**
 * The SQLite path's physical limit: graphtrace records one invocation into an MLflow SQLite
 * file (untimed set-up), then every "invocation" of a round writes the same rows again, a new
 * trace id, straight through better-sqlite3: the span contents JSON-encoded from objects, one
 * transaction per trace, the store's pragmas (WAL, synchronous NORMAL, foreign keys). No agent,
 * no callbacks, no span building: what encoding and inserting those rows costs at least.
 */
export async function setUpSqliteLimit(invoke: () => Promise<unknown>): Promise<ModeTracing> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-limit-'));
  const path = join(dir, 'mlflow.db');
  const store = sqliteStore({ path, traceWriter: 'inline' });
  const tracker = createTracker({
    store,
    experimentName: 'bench',
    logger: benchLogger('sqlite-limit'),
    handleExitSignals: false,
  });
  const handle = autolog(tracker);
  await invoke();
  await handle.flush();
  handle.disable();
  await store.close();

  const db = new Database(path);
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  const source = db.prepare('SELECT request_id FROM trace_info').pluck().all() as string[];
  if (source.length !== 1) throw new Error(`expected 1 recorded trace, found ${source.length}`);
  const sourceId = source[0]!;
  const tables = copyableTables(db, sourceId);
  const spanRows = tables.find((t) => t.table === 'spans')?.rows.length ?? 0;
  if (spanRows === 0) throw new Error('graphtrace recorded no span rows to copy');

  let next = 0;
  const writeTrace = db.transaction((traceId: string) => {
    for (const t of tables)
      for (const row of t.rows) {
        const values = [...row];
        values[t.idAt] = traceId;
        if (t.contentAt >= 0) values[t.contentAt] = JSON.stringify(row[t.contentAt]);
        t.insert.run(values);
      }
  });
  const countCopies = db.prepare('SELECT count(*) FROM spans WHERE trace_id != ?').pluck();
  const deleteCopies = db.prepare('DELETE FROM trace_info WHERE request_id != ?');
  return {
    work(invocations) {
      for (let i = 0; i < invocations; i++)
        writeTrace(`tr-${(next++).toString(16).padStart(32, '0')}`);
    },
    async flush() {},
    async settle() {
      const n = countCopies.get(sourceId) as number;
      // The trace's other rows go with it (foreign keys cascade).
      deleteCopies.run(sourceId);
      if (n === 0) throw new Error('the physical-limit round inserted no span rows');
      return n;
    },
    async countSpans() {
      return spanRows;
    },
    cleanup() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Every table with rows keyed by the trace (info, tags, metadata, spans, span metrics…). */
function copyableTables(db: Database.Database, traceId: string): TraceRows[] {
  const names = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    .pluck()
    .all() as string[];
  const out: TraceRows[] = [];
  for (const table of names) {
    // Generated columns (spans.duration_ns) are hidden != 0 and cannot be inserted.
    const cols = (
      db.prepare('SELECT name, hidden FROM pragma_table_xinfo(?)').all(table) as {
        name: string;
        hidden: number;
      }[]
    )
      .filter((c) => c.hidden === 0)
      .map((c) => c.name);
    const key = table === 'trace_info' || cols.includes('request_id') ? 'request_id' : 'trace_id';
    if (!cols.includes(key)) continue;
    const list = cols.map((c) => `"${c}"`).join(', ');
    const rows = db
      .prepare(`SELECT ${list} FROM "${table}" WHERE "${key}" = ?`)
      .raw()
      // ns timestamps exceed 2^53: read and write them as bigints.
      .safeIntegers()
      .all(traceId) as unknown[][];
    if (rows.length === 0) continue;
    const contentAt = table === 'spans' ? cols.indexOf('content') : -1;
    for (const row of rows) if (contentAt >= 0) row[contentAt] = JSON.parse(String(row[contentAt]));
    out.push({
      table,
      insert: db.prepare(
        `INSERT INTO "${table}" (${list}) VALUES (${cols.map(() => '?').join(', ')})`,
      ),
      idAt: cols.indexOf(key),
      contentAt,
      rows,
    });
  }
  // Parent row first: the others reference trace_info.
  return out.sort((a, b) => Number(b.table === 'trace_info') - Number(a.table === 'trace_info'));
}
