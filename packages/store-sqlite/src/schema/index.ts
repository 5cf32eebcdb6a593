export { sameMlflowDdl } from './create-schema.js';
export type * from './database.js';
export { SchemaError, type SchemaErrorCode } from './errors.js';
export { type DatabaseFileFacts, inspectDatabaseFile } from './inspect-file.js';
export type { SchemaLayout } from './layout.js';
export {
  type OpenedSchema,
  type OpenSchemaOptions,
  openSchema,
} from './open-schema.js';
export {
  classifyRevision,
  DEFAULT_SCHEMA_REVISION,
  MLFLOW_OLDER_REVISIONS,
  MLFLOW_REVISIONS,
  MLFLOW_SUPPORTED_RANGE,
  mlflowReleaseOf,
  NEWEST_SCHEMA_REVISION,
  OLDEST_SCHEMA_REVISION,
  type RevisionStatus,
  resolveSchemaRevision,
  supportedSchemaVersions,
  tablesOf,
} from './revisions.js';
export {
  type ColumnSnapshot,
  type ForeignKeySnapshot,
  type IndexSnapshot,
  type MasterEntry,
  masterSnapshot,
  normaliseSql,
  type SchemaSnapshot,
  type SqliteIntrospectable,
  snapshotSchema,
  type TableSnapshot,
} from './snapshot.js';
export {
  schemaDrift,
  type UpgradeOptions,
  type UpgradeResult,
  upgradeDatabase,
} from './upgrade/upgrade-database.js';
