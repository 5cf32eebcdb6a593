import { GraphtraceError, type GraphtraceErrorCode } from '@graphtrace/core';

/** The codes of schema and file problems; GraphtraceErrorCode documents each (see ERRORS.md). */
export type SchemaErrorCode = Extract<
  GraphtraceErrorCode,
  | 'SQLITE_SCHEMA_REVISION'
  | 'SQLITE_NOT_MLFLOW'
  | 'SQLITE_SCHEMA_INCOMPLETE'
  | 'SQLITE_SCHEMA_MISSING'
  | 'SQLITE_SCHEMA_MIGRATION_FAILED'
  | 'SQLITE_SCHEMA_UPGRADE_FAILED'
  | 'SQLITE_SCHEMA_UNKNOWN_VERSION'
  | 'SQLITE_NOTADB'
  | 'SQLITE_CORRUPT'
>;

/** A database file graphtrace cannot use as it is; a GraphtraceError like every store error. */
export class SchemaError extends GraphtraceError {
  declare readonly code: SchemaErrorCode;
  /** The revision found in `alembic_version`, when there is one. */
  readonly revision: string | undefined;
  /** The revision graphtrace would use or move the file to. */
  readonly expectedRevision: string;

  constructor(
    code: SchemaErrorCode,
    message: string,
    details: { revision?: string; expectedRevision: string; cause?: unknown },
  ) {
    super(code, message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'SchemaError';
    this.revision = details.revision;
    this.expectedRevision = details.expectedRevision;
  }
}
