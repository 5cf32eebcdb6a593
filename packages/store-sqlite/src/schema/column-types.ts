import { sql } from 'kysely';

/*
 * MLflow's declared SQLite column types, spelled exactly as SQLAlchemy emits them, because
 * PRAGMA table_info reports the declared text verbatim and our schema must read the same.
 * (Kysely's built-in names would come out lower-case, e.g. `varchar(250)`.)
 */
export const varchar = (length: number) => sql.raw(`VARCHAR(${length})`);
export const BIGINT = sql.raw('BIGINT');
export const INTEGER = sql.raw('INTEGER');
export const FLOAT = sql.raw('FLOAT');
export const BOOLEAN = sql.raw('BOOLEAN');
export const TEXT = sql.raw('TEXT');
export const JSON_TYPE = sql.raw('JSON');
export const BLOB = sql.raw('BLOB');

/** MLflow stores its server defaults as quoted text (`DEFAULT '0'`), which PRAGMA shows as `'0'`. */
export const quoted = (text: string) => sql.raw(`'${text.replaceAll("'", "''")}'`);
