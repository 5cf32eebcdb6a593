import { type Kysely, sql } from 'kysely';
import { BIGINT, BOOLEAN, FLOAT, INTEGER, quoted, TEXT, varchar } from '../column-types.js';
import { createIndex } from './create-index.js';

/*
 * Experiments, runs and what hangs off them. Constraint names follow MLflow where it names
 * them; where MLflow leaves a constraint unnamed we use the column-level form, which is
 * unnamed too and reads the same through PRAGMA.
 */
export async function createTrackingTables(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('experiments')
    .addColumn('experiment_id', INTEGER, (c) => c.notNull())
    .addColumn('name', varchar(256), (c) => c.notNull().unique())
    .addColumn('artifact_location', varchar(256))
    .addColumn('lifecycle_stage', varchar(32))
    .addColumn('creation_time', BIGINT)
    .addColumn('last_update_time', BIGINT)
    .addPrimaryKeyConstraint('experiment_pk', ['experiment_id'])
    .addCheckConstraint(
      'experiments_lifecycle_stage',
      sql`lifecycle_stage IN ('active', 'deleted')`,
    )
    .execute();

  await db.schema
    .createTable('experiment_tags')
    .addColumn('key', varchar(250), (c) => c.notNull())
    .addColumn('value', varchar(5000))
    .addColumn('experiment_id', INTEGER, (c) => c.notNull().references('experiments.experiment_id'))
    .addPrimaryKeyConstraint('experiment_tag_pk', ['key', 'experiment_id'])
    .execute();

  await db.schema
    .createTable('runs')
    .addColumn('run_uuid', varchar(32), (c) => c.notNull())
    .addColumn('name', varchar(250))
    .addColumn('source_type', varchar(20))
    .addColumn('source_name', varchar(500))
    .addColumn('entry_point_name', varchar(50))
    .addColumn('user_id', varchar(256))
    .addColumn('status', varchar(9), (c) =>
      c.check(sql`status IN ('SCHEDULED', 'FAILED', 'FINISHED', 'RUNNING', 'KILLED')`),
    )
    .addColumn('start_time', BIGINT)
    .addColumn('end_time', BIGINT)
    .addColumn('source_version', varchar(50))
    .addColumn('lifecycle_stage', varchar(20))
    .addColumn('artifact_uri', varchar(200))
    .addColumn('experiment_id', INTEGER, (c) => c.references('experiments.experiment_id'))
    .addColumn('deleted_time', BIGINT)
    .addPrimaryKeyConstraint('run_pk', ['run_uuid'])
    .addCheckConstraint(
      'source_type',
      sql`source_type IN ('NOTEBOOK', 'JOB', 'LOCAL', 'UNKNOWN', 'PROJECT')`,
    )
    .addCheckConstraint('runs_lifecycle_stage', sql`lifecycle_stage IN ('active', 'deleted')`)
    .execute();

  await db.schema
    .createTable('tags')
    .addColumn('key', varchar(250), (c) => c.notNull())
    .addColumn('value', varchar(8000))
    .addColumn('run_uuid', varchar(32), (c) => c.notNull().references('runs.run_uuid'))
    .addPrimaryKeyConstraint('tag_pk', ['key', 'run_uuid'])
    .execute();
  await createIndex(db, 'index_tags_run_uuid', 'tags', ['run_uuid']);

  await db.schema
    .createTable('params')
    .addColumn('key', varchar(250), (c) => c.notNull())
    .addColumn('value', varchar(8000), (c) => c.notNull())
    .addColumn('run_uuid', varchar(32), (c) => c.notNull().references('runs.run_uuid'))
    .addPrimaryKeyConstraint('param_pk', ['key', 'run_uuid'])
    .execute();
  await createIndex(db, 'index_params_run_uuid', 'params', ['run_uuid']);

  // value and is_nan are part of the key: MLflow keeps every distinct value logged at a step.
  await db.schema
    .createTable('metrics')
    .addColumn('key', varchar(250), (c) => c.notNull())
    .addColumn('value', FLOAT, (c) => c.notNull())
    .addColumn('timestamp', BIGINT, (c) => c.notNull())
    .addColumn('run_uuid', varchar(32), (c) => c.notNull().references('runs.run_uuid'))
    .addColumn('step', BIGINT, (c) => c.notNull().defaultTo(quoted('0')))
    .addColumn('is_nan', BOOLEAN, (c) =>
      c.notNull().defaultTo(quoted('0')).check(sql`is_nan IN (0, 1)`),
    )
    .addPrimaryKeyConstraint('metric_pk', [
      'key',
      'timestamp',
      'step',
      'run_uuid',
      'value',
      'is_nan',
    ])
    .execute();
  await createIndex(db, 'index_metrics_run_uuid', 'metrics', ['run_uuid']);

  await db.schema
    .createTable('latest_metrics')
    .addColumn('key', varchar(250), (c) => c.notNull())
    .addColumn('value', FLOAT, (c) => c.notNull())
    .addColumn('timestamp', BIGINT)
    .addColumn('step', BIGINT, (c) => c.notNull())
    .addColumn('is_nan', BOOLEAN, (c) => c.notNull().check(sql`is_nan IN (0, 1)`))
    .addColumn('run_uuid', varchar(32), (c) => c.notNull().references('runs.run_uuid'))
    .addPrimaryKeyConstraint('latest_metric_pk', ['key', 'run_uuid'])
    .execute();
  await createIndex(db, 'index_latest_metrics_run_uuid', 'latest_metrics', ['run_uuid']);

  await db.schema
    .createTable('datasets')
    .addColumn('dataset_uuid', varchar(36), (c) => c.notNull())
    .addColumn('experiment_id', INTEGER, (c) => c.notNull())
    .addColumn('name', varchar(500), (c) => c.notNull())
    .addColumn('digest', varchar(36), (c) => c.notNull())
    .addColumn('dataset_source_type', varchar(36), (c) => c.notNull())
    .addColumn('dataset_source', TEXT, (c) => c.notNull())
    .addColumn('dataset_schema', TEXT)
    .addColumn('dataset_profile', TEXT)
    .addPrimaryKeyConstraint('dataset_pk', ['experiment_id', 'name', 'digest'])
    .addForeignKeyConstraint(
      'fk_datasets_experiment_id_experiments',
      ['experiment_id'],
      'experiments',
      ['experiment_id'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute();
  await createIndex(db, 'index_datasets_dataset_uuid', 'datasets', ['dataset_uuid']);
  await createIndex(db, 'index_datasets_experiment_id_dataset_source_type', 'datasets', [
    'experiment_id',
    'dataset_source_type',
  ]);

  await db.schema
    .createTable('inputs')
    .addColumn('input_uuid', varchar(36), (c) => c.notNull())
    .addColumn('source_type', varchar(36), (c) => c.notNull())
    .addColumn('source_id', varchar(36), (c) => c.notNull())
    .addColumn('destination_type', varchar(36), (c) => c.notNull())
    .addColumn('destination_id', varchar(36), (c) => c.notNull())
    .addColumn('step', BIGINT, (c) => c.notNull().defaultTo(quoted('0')))
    .addPrimaryKeyConstraint('inputs_pk', [
      'source_type',
      'source_id',
      'destination_type',
      'destination_id',
    ])
    .execute();
  await createIndex(db, 'index_inputs_input_uuid', 'inputs', ['input_uuid']);
  await createIndex(db, 'index_inputs_destination_type_destination_id_source_type', 'inputs', [
    'destination_type',
    'destination_id',
    'source_type',
  ]);

  await db.schema
    .createTable('input_tags')
    .addColumn('input_uuid', varchar(36), (c) => c.notNull())
    .addColumn('name', varchar(255), (c) => c.notNull())
    .addColumn('value', varchar(500), (c) => c.notNull())
    .addPrimaryKeyConstraint('input_tags_pk', ['input_uuid', 'name'])
    .execute();
}
