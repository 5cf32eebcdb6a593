import { type Kysely, sql } from 'kysely';
import { BIGINT, BOOLEAN, FLOAT, INTEGER, TEXT, varchar } from '../column-types.js';
import { createIndex } from './create-index.js';

/** Traces (trace_info is keyed by request_id = the `tr-…` trace id) and everything per trace. */
export async function createTracingTables(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('trace_info')
    .addColumn('request_id', varchar(50), (c) => c.notNull())
    .addColumn('experiment_id', INTEGER, (c) => c.notNull())
    .addColumn('timestamp_ms', BIGINT, (c) => c.notNull())
    .addColumn('execution_time_ms', BIGINT)
    .addColumn('status', varchar(50), (c) => c.notNull())
    .addColumn('client_request_id', varchar(50))
    .addColumn('request_preview', varchar(1000))
    .addColumn('response_preview', varchar(1000))
    .addPrimaryKeyConstraint('trace_info_pk', ['request_id'])
    .addForeignKeyConstraint('fk_trace_info_experiment_id', ['experiment_id'], 'experiments', [
      'experiment_id',
    ])
    .execute();
  await createIndex(db, 'index_trace_info_experiment_id_timestamp_ms', 'trace_info', [
    'experiment_id',
    'timestamp_ms',
  ]);

  for (const [table, pk] of [
    ['trace_tags', 'trace_tag_pk'],
    ['trace_request_metadata', 'trace_request_metadata_pk'],
  ] as const) {
    await db.schema
      .createTable(table)
      .addColumn('key', varchar(250), (c) => c.notNull())
      .addColumn('value', varchar(8000))
      .addColumn('request_id', varchar(50), (c) => c.notNull())
      .addPrimaryKeyConstraint(pk, ['key', 'request_id'])
      .addForeignKeyConstraint(
        `fk_${table}_request_id`,
        ['request_id'],
        'trace_info',
        ['request_id'],
        (fk) => fk.onDelete('cascade'),
      )
      .execute();
    await createIndex(db, `index_${table}_request_id`, table, ['request_id']);
  }

  await db.schema
    .createTable('trace_metrics')
    .addColumn('request_id', varchar(50), (c) => c.notNull())
    .addColumn('key', varchar(250), (c) => c.notNull())
    .addColumn('value', FLOAT)
    .addPrimaryKeyConstraint('trace_metrics_pk', ['request_id', 'key'])
    .addForeignKeyConstraint(
      'fk_trace_metrics_request_id',
      ['request_id'],
      'trace_info',
      ['request_id'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute();
  await createIndex(db, 'index_trace_metrics_request_id', 'trace_metrics', ['request_id']);

  await db.schema
    .createTable('assessments')
    .addColumn('assessment_id', varchar(50), (c) => c.notNull())
    .addColumn('trace_id', varchar(50), (c) => c.notNull())
    .addColumn('name', varchar(250), (c) => c.notNull())
    .addColumn('assessment_type', varchar(20), (c) => c.notNull())
    .addColumn('value', TEXT, (c) => c.notNull())
    .addColumn('error', TEXT)
    .addColumn('created_timestamp', BIGINT, (c) => c.notNull())
    .addColumn('last_updated_timestamp', BIGINT, (c) => c.notNull())
    .addColumn('source_type', varchar(50), (c) => c.notNull())
    .addColumn('source_id', varchar(250))
    .addColumn('run_id', varchar(32))
    .addColumn('span_id', varchar(50))
    .addColumn('rationale', TEXT)
    .addColumn('overrides', varchar(50))
    .addColumn('valid', BOOLEAN, (c) => c.notNull())
    .addColumn('assessment_metadata', TEXT)
    .addPrimaryKeyConstraint('assessments_pk', ['assessment_id'])
    .addForeignKeyConstraint(
      'fk_assessments_trace_id',
      ['trace_id'],
      'trace_info',
      ['request_id'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute();
  await createIndex(db, 'index_assessments_assessment_type', 'assessments', ['assessment_type']);
  await createIndex(db, 'index_assessments_last_updated_timestamp', 'assessments', [
    'last_updated_timestamp',
  ]);
  await createIndex(db, 'index_assessments_run_id_created_timestamp', 'assessments', [
    'run_id',
    'created_timestamp',
  ]);
  await createIndex(db, 'index_assessments_trace_id_created_timestamp', 'assessments', [
    'trace_id',
    'created_timestamp',
  ]);

  // duration_ns is computed by SQLite; writers must never insert it.
  await db.schema
    .createTable('spans')
    .addColumn('trace_id', varchar(50), (c) => c.notNull())
    .addColumn('experiment_id', INTEGER, (c) => c.notNull())
    .addColumn('span_id', varchar(50), (c) => c.notNull())
    .addColumn('parent_span_id', varchar(50))
    .addColumn('name', TEXT)
    .addColumn('type', varchar(500))
    .addColumn('status', varchar(50), (c) => c.notNull())
    .addColumn('start_time_unix_nano', BIGINT, (c) => c.notNull())
    .addColumn('end_time_unix_nano', BIGINT)
    .addColumn('duration_ns', BIGINT, (c) =>
      c.generatedAlwaysAs(sql`end_time_unix_nano - start_time_unix_nano`).stored(),
    )
    .addColumn('content', TEXT, (c) => c.notNull())
    .addPrimaryKeyConstraint('spans_pk', ['trace_id', 'span_id'])
    .addForeignKeyConstraint(
      'fk_spans_trace_id',
      ['trace_id'],
      'trace_info',
      ['request_id'],
      (fk) => fk.onDelete('cascade'),
    )
    .addForeignKeyConstraint('fk_spans_experiment_id', ['experiment_id'], 'experiments', [
      'experiment_id',
    ])
    .execute();
  await createIndex(db, 'index_spans_experiment_id', 'spans', ['experiment_id']);
  await createIndex(db, 'index_spans_experiment_id_duration', 'spans', [
    'experiment_id',
    'duration_ns',
  ]);
  await createIndex(db, 'index_spans_experiment_id_status_type', 'spans', [
    'experiment_id',
    'status',
    'type',
  ]);
  await createIndex(db, 'index_spans_experiment_id_type_status', 'spans', [
    'experiment_id',
    'type',
    'status',
  ]);

  await db.schema
    .createTable('entity_associations')
    .addColumn('association_id', varchar(36), (c) => c.notNull())
    .addColumn('source_type', varchar(36), (c) => c.notNull())
    .addColumn('source_id', varchar(36), (c) => c.notNull())
    .addColumn('destination_type', varchar(36), (c) => c.notNull())
    .addColumn('destination_id', varchar(36), (c) => c.notNull())
    .addColumn('created_time', BIGINT)
    .addPrimaryKeyConstraint('entity_associations_pk', [
      'source_type',
      'source_id',
      'destination_type',
      'destination_id',
    ])
    .execute();
  await createIndex(db, 'index_entity_associations_association_id', 'entity_associations', [
    'association_id',
  ]);
  await createIndex(db, 'index_entity_associations_reverse_lookup', 'entity_associations', [
    'destination_type',
    'destination_id',
    'source_type',
    'source_id',
  ]);
}
