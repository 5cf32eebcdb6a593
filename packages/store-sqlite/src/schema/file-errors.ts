import { SchemaError } from './errors.js';
import { DEFAULT_SCHEMA_REVISION } from './revisions.js';

/**
 * SQLite's own errors for a file that is not a usable database ("file is not a database",
 * "database disk image is malformed") name no file, and a user with several databases cannot
 * tell which one is meant: this turns them into a SchemaError naming `file` and what to do.
 * Anything else is returned as it is.
 */
export function fileError(err: unknown, file: string): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || err instanceof SchemaError) return err;
  const sqlite = (err as Error).message;
  if (code === 'SQLITE_NOTADB') {
    return new SchemaError(
      'SQLITE_NOTADB',
      `${file} is not an SQLite database (SQLite: ${sqlite}): it is another kind of file, ` +
        'encrypted, or its header was overwritten. graphtrace leaves it untouched: point the ' +
        'tracking URI at an MLflow database, or move this file away so that a new one can be ' +
        'created in its place.',
      { expectedRevision: DEFAULT_SCHEMA_REVISION, cause: err },
    );
  }
  if (code.startsWith('SQLITE_CORRUPT')) {
    return new SchemaError(
      'SQLITE_CORRUPT',
      `${file} is damaged (SQLite: ${sqlite}), e.g. truncated by an interrupted copy or a full ` +
        'disk. graphtrace leaves it untouched: restore it from a backup, or salvage what is ' +
        `readable with \`sqlite3 ${file} .recover | sqlite3 recovered.db\` and point the ` +
        'tracking URI at the result.',
      { expectedRevision: DEFAULT_SCHEMA_REVISION, cause: err },
    );
  }
  return err;
}
