import { type Kysely, sql } from 'kysely';
import { BIGINT, FLOAT, INTEGER, TEXT, varchar } from '../column-types.js';
import { createIndex } from './create-index.js';

/** MLflow 3 "logged models" (LoggedModel entities) with their metrics, params and tags. */
export async function createLoggedModelTables(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('logged_models')
    .addColumn('model_id', varchar(36), (c) => c.notNull())
    .addColumn('experiment_id', INTEGER, (c) => c.notNull())
    .addColumn('name', varchar(500), (c) => c.notNull())
    .addColumn('artifact_location', varchar(1000), (c) => c.notNull())
    .addColumn('creation_timestamp_ms', BIGINT, (c) => c.notNull())
    .addColumn('last_updated_timestamp_ms', BIGINT, (c) => c.notNull())
    .addColumn('status', INTEGER, (c) => c.notNull())
    .addColumn('lifecycle_stage', varchar(32))
    .addColumn('model_type', varchar(500))
    .addColumn('source_run_id', varchar(32))
    .addColumn('status_message', varchar(1000))
    .addPrimaryKeyConstraint('logged_models_pk', ['model_id'])
    .addCheckConstraint(
      'logged_models_lifecycle_stage_check',
      sql`lifecycle_stage IN ('active', 'deleted')`,
    )
    .addForeignKeyConstraint(
      'fk_logged_models_experiment_id',
      ['experiment_id'],
      'experiments',
      ['experiment_id'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute();

  await db.schema
    .createTable('logged_model_metrics')
    .addColumn('model_id', varchar(36), (c) => c.notNull())
    .addColumn('metric_name', varchar(500), (c) => c.notNull())
    .addColumn('metric_timestamp_ms', BIGINT, (c) => c.notNull())
    .addColumn('metric_step', BIGINT, (c) => c.notNull())
    .addColumn('metric_value', FLOAT)
    .addColumn('experiment_id', INTEGER, (c) => c.notNull())
    .addColumn('run_id', varchar(32), (c) => c.notNull())
    .addColumn('dataset_uuid', varchar(36))
    .addColumn('dataset_name', varchar(500))
    .addColumn('dataset_digest', varchar(36))
    .addPrimaryKeyConstraint('logged_model_metrics_pk', [
      'model_id',
      'metric_name',
      'metric_timestamp_ms',
      'metric_step',
      'run_id',
    ])
    .addForeignKeyConstraint(
      'fk_logged_model_metrics_experiment_id',
      ['experiment_id'],
      'experiments',
      ['experiment_id'],
    )
    .addForeignKeyConstraint(
      'fk_logged_model_metrics_model_id',
      ['model_id'],
      'logged_models',
      ['model_id'],
      (fk) => fk.onDelete('cascade'),
    )
    .addForeignKeyConstraint(
      'fk_logged_model_metrics_run_id',
      ['run_id'],
      'runs',
      ['run_uuid'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute();
  await createIndex(db, 'index_logged_model_metrics_model_id', 'logged_model_metrics', [
    'model_id',
  ]);

  for (const [table, keyColumn, valueColumn] of [
    ['logged_model_params', 'param_key', 'param_value'],
    ['logged_model_tags', 'tag_key', 'tag_value'],
  ] as const) {
    await db.schema
      .createTable(table)
      .addColumn('model_id', varchar(36), (c) => c.notNull())
      .addColumn('experiment_id', INTEGER, (c) => c.notNull())
      .addColumn(keyColumn, varchar(255), (c) => c.notNull())
      .addColumn(valueColumn, TEXT, (c) => c.notNull())
      .addPrimaryKeyConstraint(`${table}_pk`, ['model_id', keyColumn])
      .addForeignKeyConstraint(`fk_${table}_experiment_id`, ['experiment_id'], 'experiments', [
        'experiment_id',
      ])
      .addForeignKeyConstraint(
        `fk_${table}_model_id`,
        ['model_id'],
        'logged_models',
        ['model_id'],
        (fk) => fk.onDelete('cascade'),
      )
      .execute();
  }
}
