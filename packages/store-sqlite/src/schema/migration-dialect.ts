import {
  type DatabaseIntrospector,
  type DatabaseMetadata,
  type DatabaseMetadataOptions,
  type Kysely,
  type SchemaMetadata,
  SqliteDialect,
  type SqliteDialectConfig,
  sql,
  type TableMetadata,
} from 'kysely';

/** Where Kysely's Migrator keeps its bookkeeping: SQLite's per-connection `temp` schema. */
export const MIGRATION_SCHEMA = 'temp';

/**
 * Kysely's Migrator insists on two tables of its own. Put in `temp`, they live only as long as
 * the connection and never reach the file, so an MLflow database gains no foreign tables.
 * SQLite has no CREATE SCHEMA; this introspector reports `temp` as existing and lists its
 * tables, which is all the Migrator needs to use it.
 */
class TempSchemaIntrospector implements DatabaseIntrospector {
  readonly #base: DatabaseIntrospector;
  readonly #db: Kysely<any>;

  constructor(base: DatabaseIntrospector, db: Kysely<any>) {
    this.#base = base;
    this.#db = db;
  }

  async getSchemas(): Promise<SchemaMetadata[]> {
    return [...(await this.#base.getSchemas()), { name: MIGRATION_SCHEMA }];
  }

  async getTables(options?: DatabaseMetadataOptions): Promise<TableMetadata[]> {
    const temp = await sql<{ name: string }>`
      SELECT name FROM temp.sqlite_master WHERE type = 'table'`.execute(this.#db);
    return [
      ...(await this.#base.getTables(options)),
      ...temp.rows.map((r) => ({
        name: r.name,
        schema: MIGRATION_SCHEMA,
        isView: false,
        columns: [],
      })),
    ];
  }

  async getMetadata(options?: DatabaseMetadataOptions): Promise<DatabaseMetadata> {
    return { tables: await this.getTables(options) };
  }
}

export class MigrationSqliteDialect extends SqliteDialect {
  constructor(config: SqliteDialectConfig) {
    super(config);
  }

  override createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new TempSchemaIntrospector(super.createIntrospector(db), db);
  }
}
