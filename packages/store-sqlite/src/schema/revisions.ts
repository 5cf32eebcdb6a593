/** The alembic revision MLflow 3.9.0's SQL stores expect; written to `alembic_version`. */
export const MLFLOW_SCHEMA_HEAD = 'd3e4f5a6b7c8';

/** The MLflow release whose schema head is MLFLOW_SCHEMA_HEAD. */
export const MLFLOW_SCHEMA_VERSION = '3.9.0';

/**
 * MLflow's alembic revisions up to the 3.9.0 head, oldest first (from the installed package's
 * migration scripts). A DB stamped with one of these was written by an older MLflow and can be
 * brought to the head with `mlflow db upgrade`; any other revision is from a newer MLflow.
 */
export const MLFLOW_KNOWN_REVISIONS: readonly string[] = [
  '451aebb31d03',
  '90e64c465722',
  '181f10493468',
  'df50e92ffc5e',
  '7ac759974ad8',
  '89d4b8295536',
  '2b4d017a5e9b',
  'cfd24bdc0731',
  '0a8213491aaa',
  '728d730b5ebd',
  '27a6a02d2cf1',
  '84291f40a231',
  'a8c4a736bde6',
  '39d1c3be5f05',
  'c48cb773bb87',
  'bd07f7e963c5',
  '0c779009ac13',
  'cc1f77228345',
  '97727af70f4d',
  '3500859a5d39',
  '7f2a7d5fae7d',
  '2d6e25af4d3e',
  'acf3f17fdcc7',
  '867495a8f9d4',
  '5b0e9adcef9c',
  '4465047574b1',
  'f5a4f2784254',
  '0584bdc529eb',
  '400f98739977',
  '6953534de441',
  'bda7b8c39065',
  'cbc13b556ace',
  '770bee3ae1dd',
  'a1b2c3d4e5f6',
  'de4033877273',
  '1a0cddfcaa16',
  '534353b11cbc',
  '71994744cf8e',
  '3da73c924c2f',
  'bf29a5ff90ea',
  '1bd49d398cd23',
  'b7c8d9e0f1a2',
  '5d2d30f0abce',
  'c9d4e5f6a7b8',
  '2c33131f4dae',
  MLFLOW_SCHEMA_HEAD,
];

/**
 * Newer revisions whose tables graphtrace reads are known to be unchanged, so such a DB may be
 * opened read-only. Empty until a newer MLflow is checked.
 */
export const READ_COMPATIBLE_NEWER_REVISIONS: readonly string[] = [];

/** Every table of the 3.9.0 head, `alembic_version` included (42). */
export const MLFLOW_TABLES: readonly string[] = [
  'alembic_version',
  'assessments',
  'datasets',
  'endpoint_bindings',
  'endpoint_model_mappings',
  'endpoint_tags',
  'endpoints',
  'entity_associations',
  'evaluation_dataset_records',
  'evaluation_dataset_tags',
  'evaluation_datasets',
  'experiment_tags',
  'experiments',
  'input_tags',
  'inputs',
  'jobs',
  'latest_metrics',
  'logged_model_metrics',
  'logged_model_params',
  'logged_model_tags',
  'logged_models',
  'metrics',
  'model_definitions',
  'model_version_tags',
  'model_versions',
  'online_scoring_configs',
  'params',
  'registered_model_aliases',
  'registered_model_tags',
  'registered_models',
  'runs',
  'scorer_versions',
  'scorers',
  'secrets',
  'spans',
  'tags',
  'trace_info',
  'trace_metrics',
  'trace_request_metadata',
  'trace_tags',
  'webhook_events',
  'webhooks',
];
