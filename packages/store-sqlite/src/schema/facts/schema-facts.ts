/** What sqlite_master holds for one object: `[type, name, table, index into statements]`. */
export type SchemaObjectFact = readonly ['table' | 'index' | 'trigger', string, string, number];

/** One alembic revision of MLflow's SQLite schema, as the real MLflow writes it. */
export interface RevisionFact {
  revision: string;
  /** The revision before it in the chain; null for the first one graphtrace knows. */
  downRevision: string | null;
  /** The MLflow release whose head this is (the first of the matrix that stops here). */
  release: string | null;
  /** The first release of the checked matrix whose chain holds this revision. */
  shippedIn: string | null;
  /** Which MLflow made the reference this fact was read from, and how. */
  madeBy: string;
  /** sqlite_master in the order a fresh database of this revision has it. */
  objects: readonly SchemaObjectFact[];
  /** Rows MLflow's migrations seed into a new database (the Default experiment aside). */
  rows: Readonly<Record<string, readonly Record<string, unknown>[]>>;
}

export interface SchemaFacts {
  generatedWith: readonly string[];
  /** PYTHONHASHSEED of the walk that chose each object's canonical spelling. */
  hashSeed: number;
  /** Oldest first; each one's downRevision is the one before it. */
  revisions: readonly RevisionFact[];
  /** Every distinct DDL text, referenced by index from `objects`. */
  statements: readonly string[];
  /** Other spellings MLflow writes for a statement under other hash seeds, by statement index. */
  alternatives: Readonly<Record<string, readonly number[]>>;
}
