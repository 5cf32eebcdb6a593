import type { ConfigSource, LoadIssues } from './config-layers.js';
import { type IssueLocation, makeIssue } from './errors.js';
import { OPTION_BY_PATH } from './options.js';
import { type MlflowConfig, SECTION_PATH } from './schema.js';
import { sqliteWriteProblem } from './sqlite-check.js';
import { tryParseTrackingUri } from './tracking-uri.js';
import { locate, type SourceDocument } from './yaml-document.js';

/*
 * Checks of the merged configuration that no single option can make: options that need each
 * other, and sqlite databases that could not be created. Issues point at where the effective
 * value came from (`sources`; `document` is the file read, for line:col).
 */

/** What the checks need to know about the loaded configuration. */
export interface CheckedConfig {
  mlflow: MlflowConfig;
  sources: Record<string, ConfigSource>;
  document: SourceDocument | undefined;
}

const P = 'observability.mlflow';

/** Basic authentication needs both halves; an experiment id wins over a name set with it. */
export function crossChecks(config: CheckedConfig, issues: LoadIssues): void {
  const { mlflow, sources } = config;
  const hasUser = mlflow.username !== undefined;
  const hasPassword = mlflow.password !== undefined;
  if (hasUser !== hasPassword) {
    const [set, unset] = hasUser ? ['username', 'password'] : ['password', 'username'];
    issues.errors.push(
      makeIssue(
        'CONFIG_INVALID_VALUE',
        `${P}.${set} is set but ${P}.${unset} is not; basic authentication needs both (MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD)`,
        locationOf(`${P}.${set}`, config),
      ),
    );
  }
  if (mlflow.experiment_id !== undefined && sources[`${P}.experiment_name`]?.kind !== 'default') {
    issues.warnings.push(
      makeIssue(
        'CONFIG_EXPERIMENT_CONFLICT',
        `both ${P}.experiment_id and ${P}.experiment_name are set; experiment_id ${JSON.stringify(mlflow.experiment_id)} is used and experiment_name ${JSON.stringify(mlflow.experiment_name)} is ignored`,
        locationOf(`${P}.experiment_name`, config),
      ),
    );
  }
}

/** The sqlite databases tracing would write (the fallback only behind a server) can be created. */
export function filesystemChecks(config: CheckedConfig, cwd: string, issues: LoadIssues): void {
  const { mlflow } = config;
  if (!mlflow.enabled) return;
  const check = (path: string, uri: string, label: string) => {
    const problem = sqliteWriteProblem(uri, cwd);
    if (problem === undefined) return;
    issues.errors.push(
      makeIssue(
        'CONFIG_UNWRITABLE_SQLITE_DIR',
        `${label} ${uri}: ${problem}`,
        locationOf(path, config),
      ),
    );
  };
  check(`${P}.tracking_uri`, mlflow.tracking_uri, 'tracking_uri');
  const tracking = tryParseTrackingUri(mlflow.tracking_uri);
  const remote =
    tracking.ok && (tracking.value.scheme === 'http' || tracking.value.scheme === 'https');
  if (remote && mlflow.fallback.enabled) {
    check(`${P}.fallback.uri`, mlflow.fallback.uri, 'fallback.uri');
  }
}

/** Location fields of the place an effective value came from. */
function locationOf(path: string, config: CheckedConfig): IssueLocation {
  const source = config.sources[path];
  switch (source?.kind) {
    case 'file': {
      const leaf = OPTION_BY_PATH.get(path)!;
      return { ...locate(config.document, [...SECTION_PATH, ...leaf.segments]), path };
    }
    case 'env':
      return { variable: source.variable, path };
    default:
      return { path };
  }
}
