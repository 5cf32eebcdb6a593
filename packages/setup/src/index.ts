export { MlflowClient, type MlflowClientOptions } from './mlflow-client.js';
export {
  DEFAULT_CONFIG_FILE,
  resolveConfig,
  type Setup,
  type SetupOptions,
  setup,
} from './setup.js';
export { SPOOL_PATH, spoolUri } from './spool.js';
export {
  loadOptional,
  openStore,
  registerStoreScheme,
  type StoreContext,
  type StoreFactory,
} from './store-registry.js';
