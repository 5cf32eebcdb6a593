import type { Kysely } from 'kysely';
import { BIGINT, FLOAT, INTEGER, JSON_TYPE, TEXT, varchar } from '../column-types.js';
import { createIndex } from './create-index.js';

/** GenAI evaluation: evaluation datasets, scorers, online scoring and the server's job queue. */
export async function createGenaiTables(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('evaluation_datasets')
    .addColumn('dataset_id', varchar(36), (c) => c.notNull())
    .addColumn('name', varchar(255), (c) => c.notNull())
    .addColumn('schema', TEXT)
    .addColumn('profile', TEXT)
    .addColumn('digest', varchar(64))
    .addColumn('created_time', BIGINT)
    .addColumn('last_update_time', BIGINT)
    .addColumn('created_by', varchar(255))
    .addColumn('last_updated_by', varchar(255))
    .addPrimaryKeyConstraint('evaluation_datasets_pk', ['dataset_id'])
    .execute();
  await createIndex(db, 'index_evaluation_datasets_created_time', 'evaluation_datasets', [
    'created_time',
  ]);
  await createIndex(db, 'index_evaluation_datasets_name', 'evaluation_datasets', ['name']);

  await db.schema
    .createTable('evaluation_dataset_tags')
    .addColumn('dataset_id', varchar(36), (c) => c.notNull())
    .addColumn('key', varchar(255), (c) => c.notNull())
    .addColumn('value', varchar(5000))
    .addPrimaryKeyConstraint('evaluation_dataset_tags_pk', ['dataset_id', 'key'])
    .addForeignKeyConstraint(
      'fk_evaluation_dataset_tags_dataset_id',
      ['dataset_id'],
      'evaluation_datasets',
      ['dataset_id'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute();
  await createIndex(db, 'index_evaluation_dataset_tags_dataset_id', 'evaluation_dataset_tags', [
    'dataset_id',
  ]);

  await db.schema
    .createTable('evaluation_dataset_records')
    .addColumn('dataset_record_id', varchar(36), (c) => c.notNull())
    .addColumn('dataset_id', varchar(36), (c) => c.notNull())
    .addColumn('inputs', JSON_TYPE, (c) => c.notNull())
    .addColumn('expectations', JSON_TYPE)
    .addColumn('tags', JSON_TYPE)
    .addColumn('source', JSON_TYPE)
    .addColumn('source_id', varchar(36))
    .addColumn('source_type', varchar(255))
    .addColumn('created_time', BIGINT)
    .addColumn('last_update_time', BIGINT)
    .addColumn('created_by', varchar(255))
    .addColumn('last_updated_by', varchar(255))
    .addColumn('input_hash', varchar(64), (c) => c.notNull())
    .addColumn('outputs', JSON_TYPE)
    .addPrimaryKeyConstraint('evaluation_dataset_records_pk', ['dataset_record_id'])
    .addForeignKeyConstraint(
      'fk_evaluation_dataset_records_dataset_id',
      ['dataset_id'],
      'evaluation_datasets',
      ['dataset_id'],
      (fk) => fk.onDelete('cascade'),
    )
    .addUniqueConstraint('unique_dataset_input', ['dataset_id', 'input_hash'])
    .execute();
  await createIndex(
    db,
    'index_evaluation_dataset_records_dataset_id',
    'evaluation_dataset_records',
    ['dataset_id'],
  );

  await db.schema
    .createTable('scorers')
    .addColumn('experiment_id', INTEGER, (c) => c.notNull())
    .addColumn('scorer_name', varchar(256), (c) => c.notNull())
    .addColumn('scorer_id', varchar(36), (c) => c.notNull())
    .addPrimaryKeyConstraint('scorer_pk', ['scorer_id'])
    .addForeignKeyConstraint(
      'fk_scorers_experiment_id',
      ['experiment_id'],
      'experiments',
      ['experiment_id'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute();
  await createIndex(
    db,
    'index_scorers_experiment_id_scorer_name',
    'scorers',
    ['experiment_id', 'scorer_name'],
    true,
  );

  await db.schema
    .createTable('scorer_versions')
    .addColumn('scorer_id', varchar(36), (c) => c.notNull())
    .addColumn('scorer_version', INTEGER, (c) => c.notNull())
    .addColumn('serialized_scorer', TEXT, (c) => c.notNull())
    .addColumn('creation_time', BIGINT)
    .addPrimaryKeyConstraint('scorer_version_pk', ['scorer_id', 'scorer_version'])
    .addForeignKeyConstraint(
      'fk_scorer_versions_scorer_id',
      ['scorer_id'],
      'scorers',
      ['scorer_id'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute();
  await createIndex(db, 'index_scorer_versions_scorer_id', 'scorer_versions', ['scorer_id']);

  await db.schema
    .createTable('online_scoring_configs')
    .addColumn('online_scoring_config_id', varchar(36), (c) => c.notNull())
    .addColumn('scorer_id', varchar(36), (c) => c.notNull())
    .addColumn('sample_rate', FLOAT, (c) => c.notNull())
    .addColumn('experiment_id', INTEGER, (c) => c.notNull())
    .addColumn('filter_string', TEXT)
    .addPrimaryKeyConstraint('online_scoring_config_pk', ['online_scoring_config_id'])
    .addForeignKeyConstraint(
      'fk_online_scoring_configs_scorer_id',
      ['scorer_id'],
      'scorers',
      ['scorer_id'],
      (fk) => fk.onDelete('cascade'),
    )
    .addForeignKeyConstraint(
      'fk_online_scoring_configs_experiment_id',
      ['experiment_id'],
      'experiments',
      ['experiment_id'],
    )
    .execute();

  await db.schema
    .createTable('jobs')
    .addColumn('id', varchar(36), (c) => c.notNull())
    .addColumn('creation_time', BIGINT, (c) => c.notNull())
    .addColumn('job_name', varchar(500), (c) => c.notNull())
    .addColumn('params', TEXT, (c) => c.notNull())
    .addColumn('timeout', FLOAT)
    .addColumn('status', INTEGER, (c) => c.notNull())
    .addColumn('result', TEXT)
    .addColumn('retry_count', INTEGER, (c) => c.notNull())
    .addColumn('last_update_time', BIGINT, (c) => c.notNull())
    .addPrimaryKeyConstraint('jobs_pk', ['id'])
    .execute();
  await createIndex(db, 'index_jobs_name_status_creation_time', 'jobs', [
    'job_name',
    'status',
    'creation_time',
  ]);
}
