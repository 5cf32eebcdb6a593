import type { Kysely } from 'kysely';
import { BIGINT, INTEGER, quoted, TEXT, varchar } from '../column-types.js';
import { createIndex } from './create-index.js';

/** The model registry and its webhooks: unused by graphtrace, but part of MLflow's head. */
export async function createRegistryTables(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('registered_models')
    .addColumn('name', varchar(256), (c) => c.notNull())
    .addColumn('creation_time', BIGINT)
    .addColumn('last_updated_time', BIGINT)
    .addColumn('description', varchar(5000))
    .addPrimaryKeyConstraint('registered_model_pk', ['name'])
    // MLflow declares an (unnamed, redundant) UNIQUE (name) after the key; SQLite folds it
    // into the primary key's index, so PRAGMA shows the same single index either way.
    .addUniqueConstraint('registered_models_name_key', ['name'])
    .execute();

  await db.schema
    .createTable('registered_model_tags')
    .addColumn('key', varchar(250), (c) => c.notNull())
    .addColumn('value', varchar(5000))
    .addColumn('name', varchar(256), (c) =>
      c.notNull().references('registered_models.name').onUpdate('cascade'),
    )
    .addPrimaryKeyConstraint('registered_model_tag_pk', ['key', 'name'])
    .execute();

  await db.schema
    .createTable('registered_model_aliases')
    .addColumn('alias', varchar(256), (c) => c.notNull())
    .addColumn('version', INTEGER, (c) => c.notNull())
    .addColumn('name', varchar(256), (c) => c.notNull())
    .addPrimaryKeyConstraint('registered_model_alias_pk', ['name', 'alias'])
    .addForeignKeyConstraint(
      'registered_model_alias_name_fkey',
      ['name'],
      'registered_models',
      ['name'],
      (fk) => fk.onDelete('cascade').onUpdate('cascade'),
    )
    .execute();

  await db.schema
    .createTable('model_versions')
    .addColumn('name', varchar(256), (c) =>
      c.notNull().references('registered_models.name').onUpdate('cascade'),
    )
    .addColumn('version', INTEGER, (c) => c.notNull())
    .addColumn('creation_time', BIGINT)
    .addColumn('last_updated_time', BIGINT)
    .addColumn('description', varchar(5000))
    .addColumn('user_id', varchar(256))
    .addColumn('current_stage', varchar(20))
    .addColumn('source', varchar(500))
    .addColumn('run_id', varchar(32))
    .addColumn('status', varchar(20))
    .addColumn('status_message', varchar(500))
    .addColumn('run_link', varchar(500))
    .addColumn('storage_location', varchar(500))
    .addPrimaryKeyConstraint('model_version_pk', ['name', 'version'])
    .execute();

  await db.schema
    .createTable('model_version_tags')
    .addColumn('key', varchar(250), (c) => c.notNull())
    .addColumn('value', TEXT)
    .addColumn('name', varchar(256), (c) => c.notNull())
    .addColumn('version', INTEGER, (c) => c.notNull())
    .addPrimaryKeyConstraint('model_version_tag_pk', ['key', 'name', 'version'])
    // Unnamed in MLflow; a composite key has no column-level form, so it gets a name here.
    .addForeignKeyConstraint(
      'fk_model_version_tags_model_versions',
      ['name', 'version'],
      'model_versions',
      ['name', 'version'],
      (fk) => fk.onUpdate('cascade'),
    )
    .execute();

  await db.schema
    .createTable('webhooks')
    .addColumn('webhook_id', varchar(256), (c) => c.notNull())
    .addColumn('name', varchar(256), (c) => c.notNull())
    .addColumn('description', varchar(1000))
    .addColumn('url', varchar(500), (c) => c.notNull())
    .addColumn('status', varchar(20), (c) => c.notNull().defaultTo(quoted('ACTIVE')))
    .addColumn('secret', varchar(1000))
    .addColumn('creation_timestamp', BIGINT)
    .addColumn('last_updated_timestamp', BIGINT)
    .addColumn('deleted_timestamp', BIGINT)
    .addPrimaryKeyConstraint('webhook_pk', ['webhook_id'])
    .execute();
  await createIndex(db, 'idx_webhooks_name', 'webhooks', ['name']);
  await createIndex(db, 'idx_webhooks_status', 'webhooks', ['status']);

  await db.schema
    .createTable('webhook_events')
    .addColumn('webhook_id', varchar(256), (c) =>
      c.notNull().references('webhooks.webhook_id').onDelete('cascade'),
    )
    .addColumn('entity', varchar(50), (c) => c.notNull())
    .addColumn('action', varchar(50), (c) => c.notNull())
    .addPrimaryKeyConstraint('webhook_event_pk', ['webhook_id', 'entity', 'action'])
    .execute();
  await createIndex(db, 'idx_webhook_events_action', 'webhook_events', ['action']);
  await createIndex(db, 'idx_webhook_events_entity', 'webhook_events', ['entity']);
  await createIndex(db, 'idx_webhook_events_entity_action', 'webhook_events', ['entity', 'action']);
}
