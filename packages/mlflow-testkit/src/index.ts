export { CHROMIUM_ARGS, CHROMIUM_PATH, chromiumAvailability } from './chromium.js';
export { type MlflowCliOptions, runMlflowCli } from './cli.js';
export {
  describeInterop,
  describeInteropVersions,
  INTEROP_SETUP_TIMEOUT_MS,
  INTEROP_TEST_TIMEOUT_MS,
  type InteropContext,
  interopAvailability,
  requireMlflow,
} from './describe-interop.js';
export { type Availability, describeRequiring, type Requirement } from './describe-requiring.js';
export { MlflowTestkitError, type TestkitErrorCode } from './errors.js';
export {
  cacheDir,
  isCi,
  MLFLOW_CI_VERSIONS,
  MLFLOW_MATRIX_VERSIONS,
  MLFLOW_NEWEST,
  MLFLOW_OLDEST,
  MLFLOW_PIP_PACKAGES,
  MLFLOW_VERSION,
  mlflowAtLeast,
  mlflowPipPackages,
  mlflowVersionsUnderTest,
  quietMlflowEnv,
  venvDir,
} from './paths.js';
export {
  type PythonResult,
  pyStr,
  type RunPythonOptions,
  runPython,
  runPythonJson,
} from './python.js';
export {
  createReferenceDb,
  mlflowDbUpgrade,
  type ReferenceDb,
  type ReferenceDbOptions,
  sqliteUri,
} from './reference-db.js';
export {
  freePort,
  type MlflowServer,
  type StartMlflowServerOptions,
  startMlflowServer,
  stopAllMlflowServers,
  withMlflowServer,
} from './server.js';
export {
  ensureMlflowVenv,
  type MlflowAvailability,
  type MlflowVenv,
  mlflowAvailability,
  readyMlflowVenvSync,
  settledMlflowAvailability,
} from './venv.js';
