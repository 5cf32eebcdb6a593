import { dirname, resolve } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, sql } from 'kysely';
import type { MlflowDatabase } from './database.js';
import { SchemaError } from './errors.js';
import { MIGRATION_SCHEMA, MigrationSqliteDialect } from './migration-dialect.js';
import { RevisionMigrationProvider, schemaSteps } from './migrations/provider.js';
import {
  MLFLOW_KNOWN_REVISIONS,
  MLFLOW_SCHEMA_HEAD,
  MLFLOW_SCHEMA_VERSION,
  MLFLOW_TABLES,
  READ_COMPATIBLE_NEWER_REVISIONS,
} from './revisions.js';

export interface OpenSchemaOptions {
  /**
   * Artifact root recorded for the Default experiment when we create a DB (`<root>/0`).
   * Default: `mlruns` beside the database file, which is what MLflow's Python client records
   * for `sqlite:///mlflow.db` run from that directory.
   */
  defaultArtifactRoot?: string;
  /**
   * Asked about a revision newer than the 3.9.0 head: return true to open the DB read-only
   * (only when the tables you read are unchanged in that revision). By default only revisions
   * in READ_COMPATIBLE_NEWER_REVISIONS are accepted.
   */
  readOnlyCompatible?: (revision: string) => boolean;
  /** PRAGMA busy_timeout in ms (default 5000). */
  busyTimeoutMs?: number;
  /** Clock for the Default experiment's creation time (epoch ms). */
  now?: () => number;
}

export interface OpenedSchema {
  /** A Kysely instance on the same connection. Do not destroy() it: that closes `database`. */
  db: Kysely<MlflowDatabase>;
  /** The alembic revision of the DB. */
  revision: string;
  /** True when this call created the schema in an empty DB. */
  created: boolean;
  /** True for a newer-revision DB opened under `readOnlyCompatible`, or a read-only handle. */
  readOnly: boolean;
}

interface Inspection {
  tables: string[];
  /** undefined: no alembic_version table; null: the table exists but holds no single row. */
  revision: string | null | undefined;
}

function inspect(database: BetterSqlite3.Database): Inspection {
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

function describeFile(database: BetterSqlite3.Database): string {
  return database.name === ':memory:' || database.name === ''
    ? 'the in-memory database'
    : database.name;
}

function sqliteUriOf(database: BetterSqlite3.Database): string {
  return database.name && database.name !== ':memory:'
    ? `sqlite:///${resolve(database.name)}`
    : 'sqlite:///<path>';
}

/**
 * Opens MLflow 3.9.0's schema on a better-sqlite3 connection: creates it in an empty database,
 * accepts a database at the 3.9.0 head (whether MLflow or graphtrace wrote it) as it is, and
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

  let found = inspect(database);
  let created = false;
  if (found.tables.length === 0) {
    if (database.readonly) {
      throw new SchemaError(
        'SQLITE_SCHEMA_MISSING',
        `${describeFile(database)} is empty and was opened read-only, so the MLflow ` +
          `${MLFLOW_SCHEMA_VERSION} schema cannot be created. Open it read-write once, or point ` +
          'graphtrace at an existing MLflow database.',
        { expectedRevision: MLFLOW_SCHEMA_HEAD },
      );
    }
    enableWal(database);
    created = await serialisedPerFile(database, () => createSchema(database, options));
    found = inspect(database);
  }

  const revision = checkRevision(database, found, options);
  const readOnly = database.readonly || revision !== MLFLOW_SCHEMA_HEAD;
  if (!readOnly) enableWal(database);
  return {
    db: new Kysely<MlflowDatabase>({ dialect: new SqliteDialect({ database }) }),
    revision,
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
  const where = describeFile(database);
  if (found.revision === undefined) {
    const sample = found.tables.slice(0, 5).join(', ');
    throw new SchemaError(
      'SQLITE_NOT_MLFLOW',
      `${where} is not an MLflow tracking database (it has tables [${sample}${
        found.tables.length > 5 ? ', …' : ''
      }] but no alembic_version). graphtrace leaves it untouched: point it at a new file or ` +
        'at a database written by MLflow.',
      { expectedRevision: MLFLOW_SCHEMA_HEAD },
    );
  }
  if (found.revision === null) {
    throw new SchemaError(
      'SQLITE_SCHEMA_REVISION',
      `${where} has an alembic_version table without exactly one revision, so its MLflow schema ` +
        `version is unknown (graphtrace needs ${MLFLOW_SCHEMA_HEAD}, MLflow ${MLFLOW_SCHEMA_VERSION}). ` +
        'It was left untouched.',
      { expectedRevision: MLFLOW_SCHEMA_HEAD },
    );
  }
  const revision = found.revision;
  if (revision === MLFLOW_SCHEMA_HEAD) {
    const missing = MLFLOW_TABLES.filter((t) => !found.tables.includes(t));
    if (missing.length > 0) {
      throw new SchemaError(
        'SQLITE_SCHEMA_INCOMPLETE',
        `${where} is stamped with MLflow ${MLFLOW_SCHEMA_VERSION}'s revision ${revision} but lacks ` +
          `the tables ${missing.join(', ')}. It was left untouched; restore it from a backup or ` +
          'start from a new file.',
        { revision, expectedRevision: MLFLOW_SCHEMA_HEAD },
      );
    }
    return revision;
  }
  if (MLFLOW_KNOWN_REVISIONS.includes(revision)) {
    throw new SchemaError(
      'SQLITE_SCHEMA_REVISION',
      `${where} was written by an older MLflow (schema revision ${revision}); graphtrace needs ` +
        `revision ${MLFLOW_SCHEMA_HEAD} (MLflow ${MLFLOW_SCHEMA_VERSION}). Back the file up, then ` +
        `run \`mlflow db upgrade ${sqliteUriOf(database)}\` with mlflow==${MLFLOW_SCHEMA_VERSION} ` +
        'and open it again. The file was left untouched.',
      { revision, expectedRevision: MLFLOW_SCHEMA_HEAD },
    );
  }
  const compatible = options.readOnlyCompatible
    ? options.readOnlyCompatible(revision)
    : READ_COMPATIBLE_NEWER_REVISIONS.includes(revision);
  if (compatible) return revision;
  throw new SchemaError(
    'SQLITE_SCHEMA_REVISION',
    `${where} has schema revision ${revision}, which MLflow ${MLFLOW_SCHEMA_VERSION} (revision ` +
      `${MLFLOW_SCHEMA_HEAD}) does not know: it was probably written by a newer MLflow. Use a ` +
      'graphtrace release that supports that MLflow version, or open it with that MLflow. ' +
      'The file was left untouched.',
    { revision, expectedRevision: MLFLOW_SCHEMA_HEAD },
  );
}

const creations = new Map<string, Promise<unknown>>();

/**
 * Two connections of this process creating the same file must take turns here: better-sqlite3
 * blocks the whole thread while it waits for a lock, so the second BEGIN IMMEDIATE would stall
 * the first connection's (async) migration until busy_timeout ran out. Other processes are
 * covered by the BEGIN IMMEDIATE itself.
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
 * Runs our migrations in one IMMEDIATE transaction: two processes opening the same new file
 * cannot both create the schema, and a failure leaves the file empty.
 * Returns false when another connection created the schema while we waited for the lock.
 */
async function createSchema(
  database: BetterSqlite3.Database,
  options: OpenSchemaOptions,
): Promise<boolean> {
  const defaultArtifactRoot =
    options.defaultArtifactRoot ??
    resolve(
      database.name && database.name !== ':memory:' ? dirname(resolve(database.name)) : '.',
      'mlruns',
    );
  const steps = schemaSteps({ defaultArtifactRoot, now: (options.now ?? Date.now)() });
  const migrationDb = new Kysely<any>({ dialect: new MigrationSqliteDialect({ database }) });

  database.exec('BEGIN IMMEDIATE');
  try {
    const current = inspect(database);
    if (current.tables.length > 0) {
      database.exec('ROLLBACK');
      return false;
    }
    const provider = new RevisionMigrationProvider(steps, null);
    const migrator = new Migrator({
      db: migrationDb,
      provider,
      migrationTableSchema: MIGRATION_SCHEMA,
    });
    const { error, results } = await migrator.migrateToLatest();
    if (error) {
      const failed = results?.find((r) => r.status === 'Error')?.migrationName;
      throw new SchemaError(
        'SQLITE_SCHEMA_MIGRATION_FAILED',
        `Creating the MLflow ${MLFLOW_SCHEMA_VERSION} schema in ${describeFile(database)} failed` +
          `${failed ? ` in step ${failed}` : ''}: ${error instanceof Error ? error.message : String(error)}. ` +
          'Nothing was committed.',
        { expectedRevision: MLFLOW_SCHEMA_HEAD, cause: error },
      );
    }
    await sql`DROP TABLE IF EXISTS temp.kysely_migration`.execute(migrationDb);
    await sql`DROP TABLE IF EXISTS temp.kysely_migration_lock`.execute(migrationDb);
    database.exec('COMMIT');
    return true;
  } catch (err) {
    if (database.inTransaction) database.exec('ROLLBACK');
    throw err;
  }
}
