/** Every failure of the harness carries a stable `code` so tests and CI logs can be grepped. */
export type TestkitErrorCode =
  | 'MLFLOW_PYTHON_MISSING'
  | 'MLFLOW_VENV_FAILED'
  | 'MLFLOW_PIP_FAILED'
  | 'MLFLOW_VERSION_MISMATCH'
  | 'MLFLOW_LOCK_TIMEOUT'
  | 'MLFLOW_PYTHON_FAILED'
  | 'MLFLOW_PYTHON_TIMEOUT'
  | 'MLFLOW_PYTHON_BAD_JSON'
  | 'MLFLOW_SERVER_START_FAILED'
  | 'MLFLOW_SERVER_START_TIMEOUT'
  | 'MLFLOW_UNAVAILABLE';

export class MlflowTestkitError extends Error {
  readonly code: TestkitErrorCode;

  constructor(code: TestkitErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MlflowTestkitError';
    this.code = code;
  }
}
