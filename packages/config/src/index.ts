export { renderConfigReference } from './config-reference.js';
export { MAX_CONFIG_BYTES } from './config-size.js';
export { CONFIG_PATH_ENV, ENV_BINDINGS, type EnvBinding, type EnvValueKind } from './env.js';
export {
  CONFIG_ERROR_CODES,
  CONFIG_WARNING_CODES,
  ConfigError,
  type ConfigErrorCode,
  type ConfigIssue,
  type ConfigIssueCode,
  type ConfigWarningCode,
} from './errors.js';
export { configJsonSchema } from './json-schema.js';
export { LEGACY_KEY_MAP } from './legacy.js';
export {
  type ConfigSource,
  type LoadConfigOptions,
  type LoadConfigResult,
  type LoadConfigTextOptions,
  loadConfig,
  loadConfigText,
} from './load-config.js';
export {
  type MigrateFileOptions,
  type MigrateFileResult,
  migrateConfigFile,
} from './migrate-file.js';
export {
  type MigrateTextOptions,
  type MigrateTextResult,
  migrateConfigText,
} from './migrate-text.js';
export { describeOptions, type OptionDescription } from './options.js';
export {
  CONFIG_VERSION,
  ConfigFileSchema,
  type ConfigOverrides,
  DEFAULT_TRACKING_URI,
  type FallbackConfig,
  FallbackConfigSchema,
  type GraphtraceConfig,
  type GraphtraceConfigInput,
  type MlflowConfig,
  type MlflowConfigInput,
  MlflowConfigSchema,
  type ModelPriceConfig,
  type PricingConfig,
  PricingConfigSchema,
  redactConfig,
  SECRET_OPTIONS,
} from './schema.js';
export {
  allowTrackingUriScheme,
  parseTrackingUri,
  resolveSqlitePath,
  type TrackingUri,
  type TrackingUriParseResult,
  tryParseTrackingUri,
} from './tracking-uri.js';
export { writeFileAtomic } from './write-file-atomic.js';
