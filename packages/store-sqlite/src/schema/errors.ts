export type SchemaErrorCode =
  /** The DB is stamped with an alembic revision graphtrace cannot use (older, newer, unknown). */
  | 'SQLITE_SCHEMA_REVISION'
  /** The DB has tables but is not an MLflow tracking DB: we refuse to touch it. */
  | 'SQLITE_NOT_MLFLOW'
  /** Stamped with a known revision but tables of that revision are missing. */
  | 'SQLITE_SCHEMA_INCOMPLETE'
  /** An empty DB opened read-only: there is no schema and we may not create one. */
  | 'SQLITE_SCHEMA_MISSING'
  /** Creating the schema failed (nothing was committed). */
  | 'SQLITE_SCHEMA_MIGRATION_FAILED'
  /** Upgrading the schema failed (the file is as it was before). */
  | 'SQLITE_SCHEMA_UPGRADE_FAILED'
  /** A schema version or revision asked for is not one graphtrace knows. */
  | 'SQLITE_SCHEMA_UNKNOWN_VERSION'
  /** The file is not an SQLite database (another kind of file, encrypted, or its header lost). */
  | 'SQLITE_NOTADB'
  /** SQLite finds the file damaged (truncated, overwritten): "database disk image is malformed". */
  | 'SQLITE_CORRUPT';

export class SchemaError extends Error {
  readonly code: SchemaErrorCode;
  /** The revision found in `alembic_version`, when there is one. */
  readonly revision: string | undefined;
  /** The revision graphtrace would use or move the file to. */
  readonly expectedRevision: string;

  constructor(
    code: SchemaErrorCode,
    message: string,
    details: { revision?: string; expectedRevision: string; cause?: unknown },
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'SchemaError';
    this.code = code;
    this.revision = details.revision;
    this.expectedRevision = details.expectedRevision;
  }
}
