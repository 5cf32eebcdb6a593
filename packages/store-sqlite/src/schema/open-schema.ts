import { dirname, resolve } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { createSchemaAt } from './create-schema.js';
import type { MlflowDatabase } from './database.js';
import { SchemaError } from './errors.js';
import { layoutOf, type SchemaLayout } from './layout.js';
import {
  DEFAULT_SCHEMA_REVISION,
  MLFLOW_OLDER_REVISIONS,
  MLFLOW_SUPPORTED_RANGE,
  mlflowReleaseOf,
  NEWEST_SCHEMA_REVISION,
  resolveSchemaRevision,
  revisionFact,
  supportedSchemaVersions,
  tablesOf,
} from './revisions.js';

export interface OpenSchemaOptions {
  /**
   * Artifact root recorded for the Default experiment when we create a DB (`<root>/0`).
   * Default: `mlruns` beside the database file, which is what MLflow's Python client records
   * for `sqlite:///mlflow.db` run from that directory.
   */
  defaultArtifactRoot?: string;
  /**
   * The MLflow schema of a database this call creates: a release (`3.9`, `3.17`, `3.17.2`) or an
   * alembic revision. Default: MLflow 3.9's, which every MLflow from 3.9.0 on opens (newer ones
   * upgrade it on first use). An existing database keeps its own revision.
   */
  schemaVersion?: string;
  /**
   * Asked about a revision graphtrace does not know: return true to open the DB read-only
   * (only when the tables you read are unchanged in that revision). Default: refuse.
   */
  readOnlyCompatible?: (revision: string) => boolean;
  /** PRAGMA busy_timeout in ms (default 5000). */
  busyTimeoutMs?: number;
  /** Clock for the Default experiment's creation time (epoch ms). */
  now?: () => number;
  /**
   * The file to name in messages; default the connection's own name (a connection on an
   * in-memory copy of a file has none).
   */
  file?: string;
}

export interface OpenedSchema {
  /** A Kysely instance on the same connection. Do not destroy() it: that closes `database`. */
  db: Kysely<MlflowDatabase>;
  /** The alembic revision of the DB. */
  revision: string;
  /**
   * How rows are laid out in this revision (for an unknown revision opened read-only, the newest
   * layout graphtrace knows).
   */
  layout: SchemaLayout;
  /** True when this call created the schema in an empty DB. */
  created: boolean;
  /** True for an unknown revision opened under `readOnlyCompatible`, or a read-only handle. */
  readOnly: boolean;
}

interface Inspection {
  tables: string[];
  /** undefined: no alembic_version table; null: the table exists but holds no single row. */
  revision: string | null | undefined;
}

export function inspectDatabase(database: BetterSqlite3.Database): Inspection {
  const tables = (
    database
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
      )
      .all() as { name: string }[]
  ).map((r) => r.name);
  if (!tables.includes('alembic_version')) return { tables, revision: undefined };
  const rows = database.prepare('SELECT version_num FROM alembic_version').all() as {
    version_num: string;
  }[];
  return { tables, revision: rows.length === 1 ? rows[0]!.version_num : null };
}

export function describeFile(database: BetterSqlite3.Database, file?: string): string {
  if (file !== undefined) return file;
  return database.name === ':memory:' || database.name === ''
    ? 'the in-memory database'
    : database.name;
}

export function sqliteUriOf(database: BetterSqlite3.Database, file?: string): string {
  const name = file ?? database.name;
  return name && name !== ':memory:' ? `sqlite:///${resolve(name)}` : 'sqlite:///<path>';
}

const RANGE = `MLflow ${MLFLOW_SUPPORTED_RANGE.oldest} to ${MLFLOW_SUPPORTED_RANGE.newest}`;

/** The revision a `schemaVersion` option names; a coded error when graphtrace knows none. */
function schemaRevisionFor(schemaVersion: string | undefined): string {
  if (schemaVersion === undefined) return DEFAULT_SCHEMA_REVISION;
  const revision = resolveSchemaRevision(String(schemaVersion));
  if (revision) return revision;
  throw new SchemaError(
    'SQLITE_SCHEMA_UNKNOWN_VERSION',
    `schema version ${JSON.stringify(schemaVersion)} is not an MLflow release or alembic revision ` +
      `graphtrace can write. Use one of ${supportedSchemaVersions().join(', ')} (or an alembic ` +
      'revision of that range); leave it unset for MLflow 3.9, which every supported MLflow opens.',
    { expectedRevision: DEFAULT_SCHEMA_REVISION },
  );
}

/**
 * Opens an MLflow tracking database on a better-sqlite3 connection: creates the schema of
 * `schemaVersion` in an empty database, accepts a database at any revision from MLflow 3.9.0's
 * head to the newest graphtrace knows (whether MLflow or graphtrace wrote it) as it is, and
 * refuses, without writing anything, a database at another revision or one that is not an
 * MLflow tracking database. Also sets WAL, busy_timeout and foreign_keys on the connection.
 */
export async function openSchema(
  database: BetterSqlite3.Database,
  options: OpenSchemaOptions = {},
): Promise<OpenedSchema> {
  // Connection-level settings only: nothing here writes to the file.
  database.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
  database.pragma('foreign_keys = ON');
  const wanted = schemaRevisionFor(options.schemaVersion);

  let found = inspectDatabase(database);
  let created = false;
  if (found.tables.length === 0) {
    if (database.readonly) {
      throw new SchemaError(
        'SQLITE_SCHEMA_MISSING',
        `${describeFile(database, options.file)} is empty and was opened read-only, so no MLflow schema can be ` +
          'created in it. Open it read-write once, or point graphtrace at an existing MLflow database.',
        { expectedRevision: wanted },
      );
    }
    enableWal(database);
    created = await serialisedPerFile(database, async () =>
      createSchema(database, wanted, options),
    );
    found = inspectDatabase(database);
  }

  const revision = checkRevision(database, found, options);
  const known = revisionFact(revision) !== undefined;
  const readOnly = database.readonly || !known;
  if (!readOnly) enableWal(database);
  return {
    db: new Kysely<MlflowDatabase>({ dialect: new SqliteDialect({ database }) }),
    revision,
    layout: layoutOf(known ? revision : NEWEST_SCHEMA_REVISION),
    created,
    readOnly,
  };
}

/** WAL lets readers (e.g. `mlflow ui`) work while we write. It is persistent, so only for DBs we own. */
function enableWal(database: BetterSqlite3.Database): void {
  if (database.name !== ':memory:' && database.name !== '') database.pragma('journal_mode = WAL');
}

/** Throws unless the DB is usable; returns its revision. */
function checkRevision(
  database: BetterSqlite3.Database,
  found: Inspection,
  options: OpenSchemaOptions,
): string {
  const where = describeFile(database, options.file);
  if (found.revision === undefined) {
    const sample = found.tables.slice(0, 5).join(', ');
    throw new SchemaError(
      'SQLITE_NOT_MLFLOW',
      `${where} is not an MLflow tracking database (it has tables [${sample}${
        found.tables.length > 5 ? ', …' : ''
      }] but no alembic_version). graphtrace leaves it untouched: point it at a new file or ` +
        'at a database written by MLflow.',
      { expectedRevision: DEFAULT_SCHEMA_REVISION },
    );
  }
  if (found.revision === null) {
    throw new SchemaError(
      'SQLITE_SCHEMA_REVISION',
      `${where} has an alembic_version table without exactly one revision, so its MLflow schema ` +
        `version is unknown (graphtrace reads ${RANGE}). It was left untouched.`,
      { expectedRevision: DEFAULT_SCHEMA_REVISION },
    );
  }
  const revision = found.revision;
  if (revisionFact(revision)) {
    const missing = tablesOf(revision).filter((t) => !found.tables.includes(t));
    if (missing.length > 0) {
      throw new SchemaError(
        'SQLITE_SCHEMA_INCOMPLETE',
        `${where} is stamped with MLflow ${mlflowReleaseOf(revision)}'s revision ${revision} but ` +
          `lacks the tables ${missing.join(', ')}. It was left untouched; restore it from a ` +
          'backup or start from a new file.',
        { revision, expectedRevision: revision },
      );
    }
    return revision;
  }
  if (MLFLOW_OLDER_REVISIONS.includes(revision)) {
    throw new SchemaError(
      'SQLITE_SCHEMA_REVISION',
      `${where} was written by an MLflow older than 3.9 (schema revision ${revision}); graphtrace ` +
        `reads ${RANGE}. Back the file up, then run \`mlflow db upgrade ${sqliteUriOf(database, options.file)}\` ` +
        `with any MLflow of that range (pip install 'mlflow>=${MLFLOW_SUPPORTED_RANGE.oldest}') and ` +
        'open it again. The file was left untouched.',
      { revision, expectedRevision: DEFAULT_SCHEMA_REVISION },
    );
  }
  if (options.readOnlyCompatible?.(revision)) return revision;
  const release = mlflowReleaseOf(revision);
  throw new SchemaError(
    'SQLITE_SCHEMA_REVISION',
    release
      ? `${where} has schema revision ${revision} of MLflow ${release}, newer than graphtrace ` +
          `supports (${RANGE}, revision ${NEWEST_SCHEMA_REVISION}). Upgrade graphtrace to a ` +
          `release that supports MLflow ${release}, or open the file with that MLflow. The file ` +
          'was left untouched.'
      : `${where} has schema revision ${revision}, which no MLflow graphtrace knows (${RANGE}): it ` +
          'was probably written by a newer MLflow, or is not an MLflow database. Use a graphtrace ' +
          'release that supports that MLflow version, or open it with that MLflow. The file was ' +
          'left untouched.',
    { revision, expectedRevision: NEWEST_SCHEMA_REVISION },
  );
}

const creations = new Map<string, Promise<unknown>>();

/**
 * Two connections of this process creating the same file must take turns here: better-sqlite3
 * blocks the whole thread while it waits for a lock, so the second BEGIN IMMEDIATE would stall
 * the first connection's creation until busy_timeout ran out. Other processes are covered by
 * the BEGIN IMMEDIATE itself.
 */
async function serialisedPerFile<T>(
  database: BetterSqlite3.Database,
  fn: () => Promise<T>,
): Promise<T> {
  if (!database.name || database.name === ':memory:') return fn();
  const key = resolve(database.name);
  const previous = creations.get(key) ?? Promise.resolve();
  const current = previous.catch(() => {}).then(fn);
  const settled = current.catch(() => {});
  creations.set(key, settled);
  try {
    return await current;
  } finally {
    if (creations.get(key) === settled) creations.delete(key);
  }
}

/**
 * Creates the schema in one IMMEDIATE transaction: two processes opening the same new file
 * cannot both create it, and a failure leaves the file empty.
 * Returns false when another connection created the schema while we waited for the lock.
 */
function createSchema(
  database: BetterSqlite3.Database,
  revision: string,
  options: OpenSchemaOptions,
): boolean {
  const defaultArtifactRoot =
    options.defaultArtifactRoot ??
    resolve(
      database.name && database.name !== ':memory:' ? dirname(resolve(database.name)) : '.',
      'mlruns',
    );
  database.exec('BEGIN IMMEDIATE');
  try {
    if (inspectDatabase(database).tables.length > 0) {
      database.exec('ROLLBACK');
      return false;
    }
    createSchemaAt(database, revision, { defaultArtifactRoot, now: (options.now ?? Date.now)() });
    database.exec('COMMIT');
    return true;
  } catch (err) {
    if (database.inTransaction) database.exec('ROLLBACK');
    throw new SchemaError(
      'SQLITE_SCHEMA_MIGRATION_FAILED',
      `Creating the MLflow schema (revision ${revision}) in ${describeFile(database)} failed: ` +
        `${err instanceof Error ? err.message : String(err)}. Nothing was committed.`,
      { expectedRevision: revision, cause: err },
    );
  }
}
