/**
 * Comparable descriptions of an SQLite schema, used to prove that our DDL and MLflow's produce
 * the same database: `masterSnapshot` is the DDL text itself (what SQLAlchemy's reflection and
 * so MLflow's migrations read), `snapshotSchema` what SQLite reports through PRAGMAs.
 */

/** The part of better-sqlite3's Database this module needs. */
export interface SqliteIntrospectable {
  prepare(sql: string): { all(...params: unknown[]): unknown[] };
}

export interface ColumnSnapshot {
  cid: number;
  name: string;
  type: string;
  notnull: number;
  dflt_value: string | null;
  pk: number;
  /** 0 normal, 2 generated VIRTUAL, 3 generated STORED (PRAGMA table_xinfo). */
  hidden: number;
}

export interface IndexSnapshot {
  name: string;
  unique: number;
  /** 'c' CREATE INDEX, 'u' UNIQUE constraint, 'pk' PRIMARY KEY. */
  origin: string;
  partial: number;
  columns: string[];
}

export interface ForeignKeySnapshot {
  table: string;
  from: string[];
  to: string[];
  on_update: string;
  on_delete: string;
  match: string;
}

export interface TableSnapshot {
  columns: ColumnSnapshot[];
  indexes: IndexSnapshot[];
  foreignKeys: ForeignKeySnapshot[];
  /** CHECK expressions, normalised (PRAGMA does not report them, so they come from the DDL). */
  checks: string[];
  /** Generated column → normalised expression. */
  generated: Record<string, string>;
}

export interface SchemaSnapshot {
  tables: Record<string, TableSnapshot>;
  /** Trigger name → { table, normalised SQL }. */
  triggers: Record<string, { table: string; sql: string }>;
}

interface MasterRow {
  type: string;
  name: string;
  tbl_name: string;
  sql: string | null;
}

/** One object of sqlite_master, its DDL with whitespace runs made one space (nothing else). */
export interface MasterEntry {
  type: string;
  name: string;
  table: string;
  sql: string | null;
}

/** sqlite_master (SQLite's own objects aside) sorted by type and name, as MasterEntry rows. */
export function masterSnapshot(db: SqliteIntrospectable): MasterEntry[] {
  const rows = db
    .prepare(
      "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name",
    )
    .all() as MasterRow[];
  return rows.map((r) => ({
    type: r.type,
    name: r.name,
    table: r.tbl_name,
    sql: r.sql === null ? null : r.sql.replace(/\s+/g, ' ').trim(),
  }));
}

/** Lower-case, quotes and whitespace removed: spelling differences vanish, meaning stays. */
export function normaliseSql(text: string): string {
  return text
    .replace(/["`[\]]/g, '')
    .replace(/\s+/g, ' ')
    .replace(/\s*([(),])\s*/g, '$1')
    .trim()
    .toLowerCase();
}

/** The parenthesised expression starting at `open` (index of '('), without the outer parens. */
function balanced(text: string, open: number): string {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const ch = text[i];
    if (ch === "'") {
      const end = text.indexOf("'", i + 1);
      i = end === -1 ? text.length : end;
    } else if (ch === '(') depth++;
    else if (ch === ')' && --depth === 0) return text.slice(open + 1, i);
  }
  return text.slice(open + 1);
}

function checksOf(ddl: string): string[] {
  const out: string[] = [];
  for (const m of ddl.matchAll(/\bcheck\s*\(/gi)) {
    out.push(normaliseSql(balanced(ddl, m.index + m[0].length - 1)));
  }
  return out.sort();
}

function generatedOf(ddl: string, columns: ColumnSnapshot[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const col of columns.filter((c) => c.hidden === 2 || c.hidden === 3)) {
    const re = new RegExp(`["\`]?${col.name}["\`]?[^,]*?\\bas\\s*\\(`, 'i');
    const m = re.exec(ddl);
    if (m) out[col.name] = normaliseSql(balanced(ddl, m.index + m[0].length - 1));
  }
  return out;
}

export function snapshotSchema(db: SqliteIntrospectable): SchemaSnapshot {
  const rows = db
    .prepare(
      "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .all() as MasterRow[];
  const tables: Record<string, TableSnapshot> = {};
  for (const t of rows.filter((r) => r.type === 'table')) {
    const columns = db
      .prepare('SELECT * FROM pragma_table_xinfo(?)')
      .all(t.name) as ColumnSnapshot[];
    const indexList = db.prepare('SELECT * FROM pragma_index_list(?)').all(t.name) as {
      name: string;
      unique: number;
      origin: string;
      partial: number;
    }[];
    const indexes = indexList
      .map((i) => ({
        name: i.name,
        unique: i.unique,
        origin: i.origin,
        partial: i.partial,
        columns: (
          db.prepare('SELECT * FROM pragma_index_info(?) ORDER BY seqno').all(i.name) as {
            name: string;
          }[]
        ).map((c) => c.name),
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
    const fkRows = db.prepare('SELECT * FROM pragma_foreign_key_list(?)').all(t.name) as {
      id: number;
      seq: number;
      table: string;
      from: string;
      to: string;
      on_update: string;
      on_delete: string;
      match: string;
    }[];
    const byId = new Map<number, ForeignKeySnapshot>();
    for (const r of fkRows.sort((a, b) => a.id - b.id || a.seq - b.seq)) {
      const fk = byId.get(r.id) ?? {
        table: r.table,
        from: [],
        to: [],
        on_update: r.on_update,
        on_delete: r.on_delete,
        match: r.match,
      };
      fk.from.push(r.from);
      fk.to.push(r.to);
      byId.set(r.id, fk);
    }
    // FK ids depend on declaration order, which carries no meaning: compare them as a set.
    const foreignKeys = [...byId.values()].sort((a, b) =>
      JSON.stringify(a).localeCompare(JSON.stringify(b)),
    );
    tables[t.name] = {
      columns,
      indexes,
      foreignKeys,
      checks: checksOf(t.sql ?? ''),
      generated: generatedOf(t.sql ?? '', columns),
    };
  }
  const triggers: SchemaSnapshot['triggers'] = {};
  for (const t of rows.filter((r) => r.type === 'trigger')) {
    triggers[t.name] = { table: t.tbl_name, sql: normaliseSql(t.sql ?? '') };
  }
  return { tables, triggers };
}
