export type * from './database.js';
export { SchemaError, type SchemaErrorCode } from './errors.js';
export { type OpenedSchema, type OpenSchemaOptions, openSchema } from './open-schema.js';
export {
  MLFLOW_KNOWN_REVISIONS,
  MLFLOW_SCHEMA_HEAD,
  MLFLOW_SCHEMA_VERSION,
  MLFLOW_TABLES,
  READ_COMPATIBLE_NEWER_REVISIONS,
} from './revisions.js';
export {
  type ColumnSnapshot,
  type ForeignKeySnapshot,
  type IndexSnapshot,
  normaliseSql,
  type SchemaSnapshot,
  type SqliteIntrospectable,
  snapshotSchema,
  type TableSnapshot,
} from './snapshot.js';
