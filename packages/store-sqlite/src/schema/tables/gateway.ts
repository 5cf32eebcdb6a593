import { type Kysely, sql } from 'kysely';
import { BIGINT, BLOB, FLOAT, INTEGER, quoted, TEXT, varchar } from '../column-types.js';
import { createIndex } from './create-index.js';

/** The AI gateway's secrets, endpoints and model definitions (MLflow 3.9 server features). */
export async function createGatewayTables(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('secrets')
    .addColumn('secret_id', varchar(36), (c) => c.notNull())
    .addColumn('secret_name', varchar(255), (c) => c.notNull())
    .addColumn('encrypted_value', BLOB, (c) => c.notNull())
    .addColumn('wrapped_dek', BLOB, (c) => c.notNull())
    .addColumn('kek_version', INTEGER, (c) => c.notNull())
    .addColumn('masked_value', varchar(500), (c) => c.notNull())
    .addColumn('provider', varchar(64))
    .addColumn('auth_config', TEXT)
    .addColumn('description', TEXT)
    .addColumn('created_by', varchar(255))
    .addColumn('created_at', BIGINT, (c) => c.notNull())
    .addColumn('last_updated_by', varchar(255))
    .addColumn('last_updated_at', BIGINT, (c) => c.notNull())
    .addPrimaryKeyConstraint('secrets_pk', ['secret_id'])
    .execute();
  await createIndex(db, 'unique_secret_name', 'secrets', ['secret_name'], true);
  // Kysely has no trigger builder. The id and name are bound into each secret's encryption
  // (associated data), so MLflow forbids changing them.
  await sql`CREATE TRIGGER prevent_secrets_aad_mutation
BEFORE UPDATE ON secrets
FOR EACH ROW
WHEN OLD.secret_id != NEW.secret_id OR OLD.secret_name != NEW.secret_name
BEGIN
    SELECT RAISE(ABORT, 'secret_id and secret_name are immutable (used as AAD in encryption)');
END`.execute(db);

  await db.schema
    .createTable('endpoints')
    .addColumn('endpoint_id', varchar(36), (c) => c.notNull())
    .addColumn('name', varchar(255))
    .addColumn('created_by', varchar(255))
    .addColumn('created_at', BIGINT, (c) => c.notNull())
    .addColumn('last_updated_by', varchar(255))
    .addColumn('last_updated_at', BIGINT, (c) => c.notNull())
    .addColumn('routing_strategy', varchar(64))
    .addColumn('fallback_config_json', TEXT)
    .addPrimaryKeyConstraint('endpoints_pk', ['endpoint_id'])
    .execute();
  await createIndex(db, 'unique_endpoint_name', 'endpoints', ['name'], true);

  await db.schema
    .createTable('model_definitions')
    .addColumn('model_definition_id', varchar(36), (c) => c.notNull())
    .addColumn('name', varchar(255), (c) => c.notNull())
    .addColumn('secret_id', varchar(36))
    .addColumn('provider', varchar(64), (c) => c.notNull())
    .addColumn('model_name', varchar(256), (c) => c.notNull())
    .addColumn('created_by', varchar(255))
    .addColumn('created_at', BIGINT, (c) => c.notNull())
    .addColumn('last_updated_by', varchar(255))
    .addColumn('last_updated_at', BIGINT, (c) => c.notNull())
    .addPrimaryKeyConstraint('model_definitions_pk', ['model_definition_id'])
    .addForeignKeyConstraint(
      'fk_model_definitions_secret_id',
      ['secret_id'],
      'secrets',
      ['secret_id'],
      (fk) => fk.onDelete('set null'),
    )
    .execute();
  await createIndex(db, 'index_model_definitions_provider', 'model_definitions', ['provider']);
  await createIndex(db, 'index_model_definitions_secret_id', 'model_definitions', ['secret_id']);
  await createIndex(db, 'unique_model_definition_name', 'model_definitions', ['name'], true);

  await db.schema
    .createTable('endpoint_model_mappings')
    .addColumn('mapping_id', varchar(36), (c) => c.notNull())
    .addColumn('endpoint_id', varchar(36), (c) => c.notNull())
    .addColumn('model_definition_id', varchar(36), (c) => c.notNull())
    .addColumn('weight', FLOAT, (c) => c.notNull())
    .addColumn('created_by', varchar(255))
    .addColumn('created_at', BIGINT, (c) => c.notNull())
    .addColumn('linkage_type', varchar(64), (c) => c.notNull().defaultTo(quoted('PRIMARY')))
    .addColumn('fallback_order', INTEGER)
    .addPrimaryKeyConstraint('endpoint_model_mappings_pk', ['mapping_id'])
    .addForeignKeyConstraint(
      'fk_endpoint_model_mappings_endpoint_id',
      ['endpoint_id'],
      'endpoints',
      ['endpoint_id'],
      (fk) => fk.onDelete('cascade'),
    )
    .addForeignKeyConstraint(
      'fk_endpoint_model_mappings_model_definition_id',
      ['model_definition_id'],
      'model_definitions',
      ['model_definition_id'],
    )
    .execute();
  await createIndex(db, 'index_endpoint_model_mappings_endpoint_id', 'endpoint_model_mappings', [
    'endpoint_id',
  ]);
  await createIndex(
    db,
    'index_endpoint_model_mappings_model_definition_id',
    'endpoint_model_mappings',
    ['model_definition_id'],
  );
  await createIndex(
    db,
    'unique_endpoint_model_linkage_mapping',
    'endpoint_model_mappings',
    ['endpoint_id', 'model_definition_id', 'linkage_type'],
    true,
  );

  await db.schema
    .createTable('endpoint_bindings')
    .addColumn('endpoint_id', varchar(36), (c) => c.notNull())
    .addColumn('resource_type', varchar(50), (c) => c.notNull())
    .addColumn('resource_id', varchar(255), (c) => c.notNull())
    .addColumn('created_at', BIGINT, (c) => c.notNull())
    .addColumn('created_by', varchar(255))
    .addColumn('last_updated_at', BIGINT, (c) => c.notNull())
    .addColumn('last_updated_by', varchar(255))
    .addColumn('display_name', varchar(255))
    .addPrimaryKeyConstraint('endpoint_bindings_pk', [
      'endpoint_id',
      'resource_type',
      'resource_id',
    ])
    .addForeignKeyConstraint(
      'fk_endpoint_bindings_endpoint_id',
      ['endpoint_id'],
      'endpoints',
      ['endpoint_id'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute();

  await db.schema
    .createTable('endpoint_tags')
    .addColumn('key', varchar(250), (c) => c.notNull())
    .addColumn('value', varchar(5000))
    .addColumn('endpoint_id', varchar(36), (c) => c.notNull())
    .addPrimaryKeyConstraint('endpoint_tag_pk', ['key', 'endpoint_id'])
    .addForeignKeyConstraint(
      'fk_endpoint_tags_endpoint_id',
      ['endpoint_id'],
      'endpoints',
      ['endpoint_id'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute();
  await createIndex(db, 'index_endpoint_tags_endpoint_id', 'endpoint_tags', ['endpoint_id']);
}
