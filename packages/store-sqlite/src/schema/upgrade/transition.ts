import type BetterSqlite3 from 'better-sqlite3';
import { insertRows, sameMlflowDdl, statementText } from '../create-schema.js';
import type { RevisionFact } from '../facts/schema-facts.js';

/** Prefix of a table kept under another name while its successor is filled. */
export const OLD_TABLE_PREFIX = '_graphtrace_old_';

interface MasterObject {
  type: string;
  name: string;
  table: string;
  sql: string;
}

function master(db: BetterSqlite3.Database): Map<string, MasterObject> {
  const rows = db
    .prepare(
      'SELECT type, name, tbl_name AS "table", sql FROM sqlite_master WHERE name NOT LIKE \'sqlite_%\' AND sql IS NOT NULL',
    )
    .all() as MasterObject[];
  return new Map(rows.map((r) => [`${r.type}:${r.name}`, r]));
}

function factObjects(fact: RevisionFact): Map<string, MasterObject> {
  return new Map(
    fact.objects.map(([type, name, table, i]) => [
      `${type}:${name}`,
      { type, name, table, sql: statementText(i) },
    ]),
  );
}

/** The plain (not generated) columns of a table. */
function storedColumns(db: BetterSqlite3.Database, table: string): string[] {
  return (
    db.prepare('SELECT name, hidden FROM pragma_table_xinfo(?)').all(table) as {
      name: string;
      hidden: number;
    }[]
  )
    .filter((c) => c.hidden === 0)
    .map((c) => c.name);
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * The objects of a revision whose DDL in the file is not MLflow's (spelling aside, as in
 * sameMlflowDdl), e.g. `table trace_info` in a file graphtrace 0.1.0 wrote: MLflow's own
 * migrations cannot read their constraint names.
 */
export function driftFromFacts(db: BetterSqlite3.Database, fact: RevisionFact): string[] {
  const actual = master(db);
  return [...factObjects(fact)]
    .filter(([key, target]) => !sameMlflowDdl(actual.get(key)?.sql ?? null, target.sql))
    .map(([, target]) => `${target.type} ${target.name}`);
}

/** What a transition did, for the data step that follows it. */
export interface Transition {
  /** Tables rebuilt: their old rows stay readable under `OLD_TABLE_PREFIX + name` until done. */
  rebuilt: string[];
  /** Drops the old copies of rebuilt tables, then creates the target's indexes and triggers. */
  finish(): void;
}

/**
 * Moves the schema of an open database from one revision's DDL to the next one's, as alembic's
 * batch mode leaves it: every table, index and trigger the target has gets the target's exact
 * text; a table whose text changes is rebuilt (renamed away, created anew, its rows copied by
 * column name; new columns take their defaults); objects the target dropped are dropped. Objects
 * neither revision knows (a user's own) are left alone. Run it inside a transaction with
 * `foreign_keys = OFF` and `legacy_alter_table = ON`, so a rename rewrites no other table's
 * references. Rows a migration seeds (the `default` workspace) are inserted.
 */
export function beginTransition(
  db: BetterSqlite3.Database,
  from: RevisionFact,
  to: RevisionFact,
): Transition {
  const actual = master(db);
  const before = factObjects(from);
  const after = factObjects(to);
  const rebuilt: string[] = [];

  const kept = (key: string) => {
    const a = actual.get(key);
    const b = after.get(key);
    return a !== undefined && b !== undefined && sameMlflowDdl(a.sql, b.sql);
  };

  // Triggers and indexes that change or go: dropped first, recreated at the end.
  for (const [key, obj] of actual) {
    if (obj.type === 'table') continue;
    const known = before.has(key) || after.has(key);
    if (known && !kept(key)) db.exec(`DROP ${obj.type.toUpperCase()} IF EXISTS ${quote(obj.name)}`);
  }
  for (const [key, target] of after) {
    if (target.type !== 'table') continue;
    const current = actual.get(key);
    if (!current) {
      db.exec(target.sql);
      continue;
    }
    if (sameMlflowDdl(current.sql, target.sql)) continue;
    const old = `${OLD_TABLE_PREFIX}${target.name}`;
    // Its indexes and triggers go with the old copy (and are recreated from the target).
    for (const obj of actual.values())
      if (obj.type !== 'table' && obj.table === target.name && kept(`${obj.type}:${obj.name}`))
        db.exec(`DROP ${obj.type.toUpperCase()} IF EXISTS ${quote(obj.name)}`);
    db.exec(`ALTER TABLE ${quote(target.name)} RENAME TO ${quote(old)}`);
    db.exec(target.sql);
    const oldColumns = new Set(storedColumns(db, old));
    const columns = storedColumns(db, target.name)
      .filter((c) => oldColumns.has(c))
      .map(quote)
      .join(', ');
    db.exec(`INSERT INTO ${quote(target.name)} (${columns}) SELECT ${columns} FROM ${quote(old)}`);
    rebuilt.push(target.name);
  }
  for (const [key, obj] of actual)
    if (obj.type === 'table' && before.has(key) && !after.has(key))
      db.exec(`DROP TABLE ${quote(obj.name)}`);

  // Rows the target's migrations seed (the `default` workspace): those first seeded in this step.
  for (const [table, rows] of Object.entries(to.rows)) {
    const identity = (r: Record<string, unknown>) => JSON.stringify(Object.values(r)[0]);
    const seeded = new Set((from.rows[table] ?? []).map(identity));
    const fresh = rows.filter((r) => !seeded.has(identity(r)));
    insertRows(db, table, fresh, { orIgnore: true });
  }

  return {
    rebuilt,
    finish() {
      for (const table of rebuilt) db.exec(`DROP TABLE ${quote(`${OLD_TABLE_PREFIX}${table}`)}`);
      const now = master(db);
      for (const [key, target] of after)
        if (target.type !== 'table' && !now.has(key)) db.exec(target.sql);
    },
  };
}
