import type BetterSqlite3 from 'better-sqlite3';
import { MLFLOW_SCHEMA_FACTS } from './facts/mlflow-schemas.generated.js';
import { revisionFact } from './revisions.js';

export interface InitialDataOptions {
  /** Artifact location of the Default experiment, without the trailing `/0`. */
  defaultArtifactRoot: string;
  /** Creation time of the Default experiment, epoch ms. */
  now: number;
}

/** The DDL text of a statement in the facts. */
export function statementText(index: number): string {
  const text = MLFLOW_SCHEMA_FACTS.statements[index];
  if (text === undefined) throw new Error(`schema facts: no statement ${index}`);
  return text;
}

/**
 * Writes MLflow's schema of `revision` into an empty database exactly as that MLflow does on
 * first use: every table, index and trigger with the DDL text SQLAlchemy emitted (replayed from
 * the facts, in MLflow's own order), the alembic stamp, the rows its migrations seed, and the
 * Default experiment as SqlAlchemyStore inserts it. The caller owns the transaction.
 */
export function createSchemaAt(
  database: BetterSqlite3.Database,
  revision: string,
  init: InitialDataOptions,
): void {
  const fact = revisionFact(revision);
  if (!fact) throw new Error(`schema facts: unknown revision ${revision}`);
  for (const [, , , statement] of fact.objects) database.exec(statementText(statement));
  database.prepare('INSERT INTO alembic_version (version_num) VALUES (?)').run(revision);
  for (const [table, rows] of Object.entries(fact.rows)) insertRows(database, table, rows);
  // The workspace column (3.10+) takes its default, 'default', as MLflow's insert writes it.
  database
    .prepare(
      `INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage,
         creation_time, last_update_time) VALUES (0, 'Default', ?, 'active', ?, ?)`,
    )
    .run(appendPath(init.defaultArtifactRoot, '0'), init.now, init.now);
}

/** Inserts rows given as column → value objects (values as SQLite stores them). */
export function insertRows(
  database: BetterSqlite3.Database,
  table: string,
  rows: readonly Record<string, unknown>[],
  options: { orIgnore?: boolean } = {},
): void {
  for (const row of rows) {
    const columns = Object.keys(row);
    database
      .prepare(
        `INSERT ${options.orIgnore ? 'OR IGNORE ' : ''}INTO "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) VALUES (${columns
          .map(() => '?')
          .join(', ')})`,
      )
      .run(...columns.map((c) => row[c]));
  }
}

/** Joins like MLflow's append_to_uri_path: exactly one `/` between root and segment. */
function appendPath(root: string, segment: string): string {
  return `${root.replace(/\/+$/, '')}/${segment}`;
}

const spellings = new Map<string, Set<string>>();
for (const [canonical, others] of Object.entries(MLFLOW_SCHEMA_FACTS.alternatives)) {
  const all = [Number(canonical), ...others].map((i) => oneLine(statementText(i)));
  const set = new Set(all);
  for (const s of all) spellings.set(s, set);
}

function oneLine(sql: string): string {
  return sql.replace(/\s+/g, ' ').trim();
}

/**
 * Whether two DDL texts (whitespace aside) are what MLflow writes for one object. MLflow itself
 * writes some tables in more than one spelling: alembic's batch rebuilds order constraints by set
 * iteration, so `runs` gets its two named CHECKs in either order from one run to the next. The
 * facts record every spelling seen; any of them is MLflow's own.
 */
export function sameMlflowDdl(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return a === b;
  const x = oneLine(a);
  const y = oneLine(b);
  return x === y || spellings.get(x)?.has(y) === true;
}
