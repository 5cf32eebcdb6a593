import type { ColumnType, Generated, GeneratedAlways } from 'kysely';

/*
 * Kysely row types for MLflow 3.9.0's SQLite schema, one interface per table.
 * Conventions: INTEGER/BIGINT/FLOAT → number; BOOLEAN is stored as 0/1 (better-sqlite3 cannot
 * bind JS booleans); nanosecond timestamps exceed 2^53, so they accept bigint and read back as
 * bigint when the connection uses safe integers; `Generated<>` marks columns with a default.
 */

/** A 64-bit integer column whose values can exceed Number.MAX_SAFE_INTEGER (ns timestamps). */
export type Int64 = ColumnType<number | bigint, number | bigint, number | bigint>;
/** SQLite BOOLEAN: 0 or 1. */
export type Bool = number;

export interface AlembicVersionTable {
  version_num: string;
}

export interface ExperimentsTable {
  /** INTEGER PRIMARY KEY (rowid): assigned by SQLite when omitted; 0 is the Default experiment. */
  experiment_id: Generated<number>;
  name: string;
  artifact_location: string | null;
  /** 'active' | 'deleted' (CHECK). */
  lifecycle_stage: string | null;
  creation_time: number | null;
  last_update_time: number | null;
}

export interface ExperimentTagsTable {
  key: string;
  value: string | null;
  experiment_id: number;
}

export interface RunsTable {
  /** 32 lowercase hex characters. */
  run_uuid: string;
  name: string | null;
  /** 'NOTEBOOK' | 'JOB' | 'LOCAL' | 'UNKNOWN' | 'PROJECT' (CHECK). */
  source_type: string | null;
  source_name: string | null;
  entry_point_name: string | null;
  user_id: string | null;
  /** 'SCHEDULED' | 'FAILED' | 'FINISHED' | 'RUNNING' | 'KILLED' (CHECK). */
  status: string | null;
  start_time: number | null;
  end_time: number | null;
  source_version: string | null;
  /** 'active' | 'deleted' (CHECK). */
  lifecycle_stage: string | null;
  artifact_uri: string | null;
  experiment_id: number | null;
  deleted_time: number | null;
}

export interface TagsTable {
  key: string;
  value: string | null;
  run_uuid: string;
}

export interface ParamsTable {
  key: string;
  value: string;
  run_uuid: string;
}

export interface MetricsTable {
  key: string;
  /** NaN is stored as 0 with is_nan = 1; ±Infinity as ±1.7976931348623157e308. */
  value: number;
  timestamp: number;
  run_uuid: string;
  step: Generated<number>;
  is_nan: Generated<Bool>;
}

export interface LatestMetricsTable {
  key: string;
  value: number;
  timestamp: number | null;
  step: number;
  is_nan: Bool;
  run_uuid: string;
}

export interface DatasetsTable {
  dataset_uuid: string;
  experiment_id: number;
  name: string;
  digest: string;
  dataset_source_type: string;
  dataset_source: string;
  dataset_schema: string | null;
  dataset_profile: string | null;
}

export interface InputsTable {
  input_uuid: string;
  source_type: string;
  source_id: string;
  destination_type: string;
  destination_id: string;
  step: Generated<number>;
}

export interface InputTagsTable {
  input_uuid: string;
  name: string;
  value: string;
}

export interface TraceInfoTable {
  /** The trace id, `tr-` + 32 lowercase hex. */
  request_id: string;
  experiment_id: number;
  timestamp_ms: number;
  execution_time_ms: number | null;
  /** 'OK' | 'ERROR' | 'IN_PROGRESS' | 'STATE_UNSPECIFIED'. */
  status: string;
  client_request_id: string | null;
  request_preview: string | null;
  response_preview: string | null;
}

export interface TraceTagsTable {
  key: string;
  value: string | null;
  request_id: string;
}

export interface TraceRequestMetadataTable {
  key: string;
  value: string | null;
  request_id: string;
}

export interface TraceMetricsTable {
  request_id: string;
  key: string;
  value: number | null;
}

export interface AssessmentsTable {
  assessment_id: string;
  trace_id: string;
  name: string;
  /** 'feedback' | 'expectation'. */
  assessment_type: string;
  /** JSON text of the feedback or expectation value. */
  value: string;
  error: string | null;
  created_timestamp: number;
  last_updated_timestamp: number;
  source_type: string;
  source_id: string | null;
  run_id: string | null;
  span_id: string | null;
  rationale: string | null;
  overrides: string | null;
  valid: Bool;
  assessment_metadata: string | null;
}

export interface SpansTable {
  trace_id: string;
  experiment_id: number;
  span_id: string;
  parent_span_id: string | null;
  name: string | null;
  type: string | null;
  status: string;
  start_time_unix_nano: Int64;
  end_time_unix_nano: ColumnType<
    number | bigint | null,
    number | bigint | null,
    number | bigint | null
  >;
  /** GENERATED ALWAYS AS (end - start) STORED: never insert or update it. */
  duration_ns: GeneratedAlways<number | bigint | null>;
  /** The span as JSON. */
  content: string;
}

export interface EntityAssociationsTable {
  association_id: string;
  source_type: string;
  source_id: string;
  destination_type: string;
  destination_id: string;
  created_time: number | null;
}

export interface LoggedModelsTable {
  model_id: string;
  experiment_id: number;
  name: string;
  artifact_location: string;
  creation_timestamp_ms: number;
  last_updated_timestamp_ms: number;
  status: number;
  lifecycle_stage: string | null;
  model_type: string | null;
  source_run_id: string | null;
  status_message: string | null;
}

export interface LoggedModelMetricsTable {
  model_id: string;
  metric_name: string;
  metric_timestamp_ms: number;
  metric_step: number;
  metric_value: number | null;
  experiment_id: number;
  run_id: string;
  dataset_uuid: string | null;
  dataset_name: string | null;
  dataset_digest: string | null;
}

export interface LoggedModelParamsTable {
  model_id: string;
  experiment_id: number;
  param_key: string;
  param_value: string;
}

export interface LoggedModelTagsTable {
  model_id: string;
  experiment_id: number;
  tag_key: string;
  tag_value: string;
}

export interface RegisteredModelsTable {
  name: string;
  creation_time: number | null;
  last_updated_time: number | null;
  description: string | null;
}

export interface RegisteredModelTagsTable {
  key: string;
  value: string | null;
  name: string;
}

export interface RegisteredModelAliasesTable {
  alias: string;
  version: number;
  name: string;
}

export interface ModelVersionsTable {
  name: string;
  version: number;
  creation_time: number | null;
  last_updated_time: number | null;
  description: string | null;
  user_id: string | null;
  current_stage: string | null;
  source: string | null;
  run_id: string | null;
  status: string | null;
  status_message: string | null;
  run_link: string | null;
  storage_location: string | null;
}

export interface ModelVersionTagsTable {
  key: string;
  value: string | null;
  name: string;
  version: number;
}

export interface WebhooksTable {
  webhook_id: string;
  name: string;
  description: string | null;
  url: string;
  status: Generated<string>;
  secret: string | null;
  creation_timestamp: number | null;
  last_updated_timestamp: number | null;
  deleted_timestamp: number | null;
}

export interface WebhookEventsTable {
  webhook_id: string;
  entity: string;
  action: string;
}

export interface EvaluationDatasetsTable {
  dataset_id: string;
  name: string;
  schema: string | null;
  profile: string | null;
  digest: string | null;
  created_time: number | null;
  last_update_time: number | null;
  created_by: string | null;
  last_updated_by: string | null;
}

export interface EvaluationDatasetTagsTable {
  dataset_id: string;
  key: string;
  value: string | null;
}

export interface EvaluationDatasetRecordsTable {
  dataset_record_id: string;
  dataset_id: string;
  inputs: string;
  expectations: string | null;
  tags: string | null;
  source: string | null;
  source_id: string | null;
  source_type: string | null;
  created_time: number | null;
  last_update_time: number | null;
  created_by: string | null;
  last_updated_by: string | null;
  input_hash: string;
  outputs: string | null;
}

export interface ScorersTable {
  experiment_id: number;
  scorer_name: string;
  scorer_id: string;
}

export interface ScorerVersionsTable {
  scorer_id: string;
  scorer_version: number;
  serialized_scorer: string;
  creation_time: number | null;
}

export interface OnlineScoringConfigsTable {
  online_scoring_config_id: string;
  scorer_id: string;
  sample_rate: number;
  experiment_id: number;
  filter_string: string | null;
}

export interface JobsTable {
  id: string;
  creation_time: number;
  job_name: string;
  params: string;
  timeout: number | null;
  status: number;
  result: string | null;
  retry_count: number;
  last_update_time: number;
}

export interface SecretsTable {
  secret_id: string;
  secret_name: string;
  encrypted_value: Buffer;
  wrapped_dek: Buffer;
  kek_version: number;
  masked_value: string;
  provider: string | null;
  auth_config: string | null;
  description: string | null;
  created_by: string | null;
  created_at: number;
  last_updated_by: string | null;
  last_updated_at: number;
}

export interface EndpointsTable {
  endpoint_id: string;
  name: string | null;
  created_by: string | null;
  created_at: number;
  last_updated_by: string | null;
  last_updated_at: number;
  routing_strategy: string | null;
  fallback_config_json: string | null;
}

export interface ModelDefinitionsTable {
  model_definition_id: string;
  name: string;
  secret_id: string | null;
  provider: string;
  model_name: string;
  created_by: string | null;
  created_at: number;
  last_updated_by: string | null;
  last_updated_at: number;
}

export interface EndpointModelMappingsTable {
  mapping_id: string;
  endpoint_id: string;
  model_definition_id: string;
  weight: number;
  created_by: string | null;
  created_at: number;
  linkage_type: Generated<string>;
  fallback_order: number | null;
}

export interface EndpointBindingsTable {
  endpoint_id: string;
  resource_type: string;
  resource_id: string;
  created_at: number;
  created_by: string | null;
  last_updated_at: number;
  last_updated_by: string | null;
  display_name: string | null;
}

export interface EndpointTagsTable {
  key: string;
  value: string | null;
  endpoint_id: string;
}

/** Every table of MLflow 3.9.0's head, for `Kysely<MlflowDatabase>`. */
export interface MlflowDatabase {
  alembic_version: AlembicVersionTable;
  assessments: AssessmentsTable;
  datasets: DatasetsTable;
  endpoint_bindings: EndpointBindingsTable;
  endpoint_model_mappings: EndpointModelMappingsTable;
  endpoint_tags: EndpointTagsTable;
  endpoints: EndpointsTable;
  entity_associations: EntityAssociationsTable;
  evaluation_dataset_records: EvaluationDatasetRecordsTable;
  evaluation_dataset_tags: EvaluationDatasetTagsTable;
  evaluation_datasets: EvaluationDatasetsTable;
  experiment_tags: ExperimentTagsTable;
  experiments: ExperimentsTable;
  input_tags: InputTagsTable;
  inputs: InputsTable;
  jobs: JobsTable;
  latest_metrics: LatestMetricsTable;
  logged_model_metrics: LoggedModelMetricsTable;
  logged_model_params: LoggedModelParamsTable;
  logged_model_tags: LoggedModelTagsTable;
  logged_models: LoggedModelsTable;
  metrics: MetricsTable;
  model_definitions: ModelDefinitionsTable;
  model_version_tags: ModelVersionTagsTable;
  model_versions: ModelVersionsTable;
  online_scoring_configs: OnlineScoringConfigsTable;
  params: ParamsTable;
  registered_model_aliases: RegisteredModelAliasesTable;
  registered_model_tags: RegisteredModelTagsTable;
  registered_models: RegisteredModelsTable;
  runs: RunsTable;
  scorer_versions: ScorerVersionsTable;
  scorers: ScorersTable;
  secrets: SecretsTable;
  spans: SpansTable;
  tags: TagsTable;
  trace_info: TraceInfoTable;
  trace_metrics: TraceMetricsTable;
  trace_request_metadata: TraceRequestMetadataTable;
  trace_tags: TraceTagsTable;
  webhook_events: WebhookEventsTable;
  webhooks: WebhooksTable;
}
