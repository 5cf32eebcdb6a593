export type { Check, CheckStatus } from './commands/doctor.js';
export { initialConfigText } from './commands/init.js';
export { SPOOL_PATH } from './commands/sync.js';
export { type DashboardModule, isLoopback, loadDashboard } from './commands/ui.js';
export {
  CliContext,
  type ConfigFileChoice,
  DEFAULT_CONFIG_FILE,
  describeSource,
  type GlobalOptions,
  type LoadedConfig,
  type ResolvedUri,
} from './context.js';
export { CliError, type CliErrorCode, ExitCode, toCliError, usageError } from './errors.js';
export { filterExperiments, parseExperimentFilter } from './filter/experiment-filter.js';
export { type CliIo, type OutStream, processIo } from './io.js';
export {
  defaultStoreFactories,
  type OpenStoreOptions,
  openStore,
  type ServerStoreOptions,
  type StoreFactories,
} from './open-store.js';
export {
  experimentJson,
  mlflowTraceJson,
  runJson,
  spanViewJson,
  traceInfoJson,
} from './output/json-shapes.js';
export { type Column, renderTable } from './output/table.js';
export { renderTraceTree, timingBar } from './output/trace-tree.js';
export { type App, type CreateProgramOptions, createProgram, run } from './program.js';
export { type TransferOptions, type TransferSummary, transfer } from './transfer/copy.js';
export { fileStoreSource, parseMetricLines } from './transfer/file-store-source.js';
export type {
  SkippedItem,
  SourceExperiment,
  SourceRunData,
  TransferSource,
} from './transfer/source.js';
export { storeSource } from './transfer/store-source.js';
