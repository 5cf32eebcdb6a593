import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type LoadConfigOptions,
  loadConfig,
  type MlflowConfig,
  migrateConfigText,
} from '../src/index.js';
import { expected, FIXTURES } from './helpers.js';

interface Row {
  file: string;
  config: MlflowConfig;
  warnings: string[];
  notes?: string[];
  options?: LoadConfigOptions;
}

const legacyHint = (file: string, n: number) =>
  `${file}: MLflow 2.9-era format, read with ${n} change(s) made in memory; rewrite the file with: graphtrace config migrate ${file}`;

const rows: Row[] = [
  {
    file: 'new/minimal.yaml',
    config: expected({ experiment_name: 'my_experiment', autolog_enabled: true }),
    warnings: [],
  },
  {
    file: 'new/full.yaml',
    config: expected({
      tracking_uri: 'https://mlflow.example.com/tracking',
      experiment_name: 'support-agent',
      run_name: 'nightly-eval',
      autolog_enabled: true,
      log_prompts: false,
      sampling: 0.25,
      max_payload_chars: 20_000,
      redact: ['customer_email', '/^x-api-.*$/i'],
      tags: { team: 'agents', env: 'staging' },
      session: 'batch-2024-06',
      user: 'eval-bot',
      token: 's3cr3t-token',
      ca_bundle: '/etc/ssl/certs/corp-ca.pem',
      request_timeout: 30,
      fallback: { precheck_timeout: 1.5, uri: 'sqlite:///fallback.db' },
    }),
    warnings: [],
  },
  {
    file: 'new/app-config.yaml',
    config: expected({
      tracking_uri: 'http://mlflow.internal:5000',
      experiment_name: 'travel-planner',
      username: 'svc-travel',
      password: 'correct-horse',
      fallback: { precheck_timeout: 0.5 },
    }),
    warnings: [],
  },
  {
    file: 'new/memory.yaml',
    config: expected({ tracking_uri: 'memory:', experiment_id: '0', sampling: 0 }),
    warnings: [],
  },
  {
    file: 'legacy/top-level-mlflow.yaml',
    config: expected({
      experiment_name: 'research_agent',
      run_name: 'daily',
      autolog_enabled: true,
      tags: { owner: 'data-science' },
    }),
    warnings: [
      legacyHint('legacy/top-level-mlflow.yaml', 5),
      'legacy/top-level-mlflow.yaml:7:1: moved the top-level `mlflow:` section (MLflow 2.9-era layout) to `observability.mlflow:`',
      'legacy/top-level-mlflow.yaml:8:17: `tracking_uri: file://./mlruns` is an MLflow FileStore, which graphtrace does not write; using `sqlite:///mlflow.db` instead. Import the old runs with: graphtrace import mlruns ./mlruns --to sqlite:///mlflow.db',
      'legacy/top-level-mlflow.yaml:9:3: renamed `experiment` to `experiment_name`',
      'legacy/top-level-mlflow.yaml:10:3: renamed `autolog` to `autolog_enabled`',
      'legacy/top-level-mlflow.yaml:11:3: renamed `log_inputs_outputs` to `log_prompts`',
    ],
    notes: [
      'Import the runs of the old FileStore ./mlruns with: graphtrace import mlruns ./mlruns --to sqlite:///mlflow.db',
    ],
  },
  {
    file: 'legacy/observability-old-keys.yaml',
    config: expected({
      tracking_uri: 'https://mlflow.corp.example:8443',
      experiment_name: 'checkout-assistant',
      autolog_enabled: true,
      username: 'checkout',
      password: 'p4ssw0rd',
      insecure_tls: true,
      request_timeout: 15,
      fallback: { uri: 'sqlite:////var/lib/checkout/mlflow.db' },
    }),
    warnings: [
      legacyHint('legacy/observability-old-keys.yaml', 7),
      'legacy/observability-old-keys.yaml:9:5: renamed `enable_autolog` to `autolog_enabled`',
      'legacy/observability-old-keys.yaml:10:5: renamed `tracking_username` to `username`',
      'legacy/observability-old-keys.yaml:11:5: renamed `tracking_password` to `password`',
      'legacy/observability-old-keys.yaml:12:5: replaced `verify_ssl: false` with `insecure_tls: true`',
      'legacy/observability-old-keys.yaml:14:5: moved `fallback_uri` to `fallback.uri`',
      'legacy/observability-old-keys.yaml:14:19: `fallback.uri: file:///var/lib/checkout/mlruns` is an MLflow FileStore, which graphtrace does not write; using `sqlite:////var/lib/checkout/mlflow.db` instead. Import the old runs with: graphtrace import mlruns /var/lib/checkout/mlruns --to sqlite:////var/lib/checkout/mlflow.db',
      'legacy/observability-old-keys.yaml:15:5: renamed `timeout` to `request_timeout`',
    ],
    notes: [
      'Import the runs of the old FileStore /var/lib/checkout/mlruns with: graphtrace import mlruns /var/lib/checkout/mlruns --to sqlite:////var/lib/checkout/mlflow.db',
    ],
    // /var/lib/checkout exists on the server this file was written for, not here.
    options: { checkFilesystem: false },
  },
  {
    file: 'legacy/verify-ssl-bundle.yaml',
    config: expected({
      experiment_name: 'nightly',
      token: 'abc123',
      ca_bundle: '/etc/ssl/certs/corp-ca.pem',
      fallback: { enabled: false },
    }),
    warnings: [
      legacyHint('legacy/verify-ssl-bundle.yaml', 5),
      'legacy/verify-ssl-bundle.yaml:4:19: `tracking_uri: ./mlruns` is an MLflow FileStore, which graphtrace does not write; using `sqlite:///mlflow.db` instead. Import the old runs with: graphtrace import mlruns ./mlruns --to sqlite:///mlflow.db',
      'legacy/verify-ssl-bundle.yaml:5:5: renamed `experiment` to `experiment_name`',
      'legacy/verify-ssl-bundle.yaml:6:5: renamed `tracking_token` to `token`',
      'legacy/verify-ssl-bundle.yaml:7:5: replaced `verify_ssl: /etc/ssl/certs/corp-ca.pem` (a CA bundle path) with `ca_bundle: /etc/ssl/certs/corp-ca.pem`',
      'legacy/verify-ssl-bundle.yaml:8:5: replaced `fallback: false` with `fallback: { enabled: false }`',
    ],
    notes: [
      'Import the runs of the old FileStore ./mlruns with: graphtrace import mlruns ./mlruns --to sqlite:///mlflow.db',
    ],
  },
  {
    file: 'legacy/conflicting-keys.yaml',
    config: expected({
      tracking_uri: 'sqlite:///agent.db',
      experiment_name: 'new-name',
      autolog_enabled: true,
    }),
    warnings: [
      legacyHint('legacy/conflicting-keys.yaml', 3),
      'legacy/conflicting-keys.yaml:1:1: moved the top-level `mlflow:` section (MLflow 2.9-era layout) to `observability.mlflow:`',
      'legacy/conflicting-keys.yaml:2:3: `experiment` (MLflow 2.9-era) and `experiment_name` are both set; kept `experiment_name` and dropped `experiment`',
      'legacy/conflicting-keys.yaml:4:3: `autolog` (MLflow 2.9-era) and `autolog_enabled` are both set; kept `autolog_enabled` and dropped `autolog`',
    ],
  },
];

describe('fixture table: old and new config files', () => {
  it.each(rows)('$file', (row) => {
    const result = loadConfig(row.file, { env: {}, cwd: FIXTURES, ...row.options });
    expect(result.errors).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.config?.observability.mlflow).toEqual(row.config);
    expect(result.warnings.map((w) => w.message)).toEqual(row.warnings);
    expect(result.notes).toEqual(row.notes ?? []);
    expect(result.file).toBe(join(FIXTURES, row.file));
  });

  it('gives every legacy warning a code and the position of the old key', () => {
    const result = loadConfig('legacy/top-level-mlflow.yaml', { env: {}, cwd: FIXTURES });
    expect(result.warnings.map((w) => [w.code, w.line, w.column, w.path])).toEqual([
      ['CONFIG_LEGACY_FORMAT', undefined, undefined, undefined],
      ['CONFIG_LEGACY_SECTION', 7, 1, 'observability.mlflow'],
      ['CONFIG_LEGACY_URI', 8, 17, 'observability.mlflow.tracking_uri'],
      ['CONFIG_LEGACY_KEY', 9, 3, 'observability.mlflow.experiment_name'],
      ['CONFIG_LEGACY_KEY', 10, 3, 'observability.mlflow.autolog_enabled'],
      ['CONFIG_LEGACY_KEY', 11, 3, 'observability.mlflow.log_prompts'],
    ]);
  });

  const legacy = rows.filter((r) => r.file.startsWith('legacy/')).map((r) => r.file);

  it.each(legacy)('%s: the migrated file loads to the same config, without warnings', (file) => {
    const text = readFileSync(join(FIXTURES, file), 'utf8');
    const migrated = migrateConfigText(text, { filename: file });
    expect(migrated.after).toBe(
      readFileSync(join(FIXTURES, file.replace(/\.yaml$/, '.migrated.yaml')), 'utf8'),
    );
    const options = { env: {}, cwd: FIXTURES, checkFilesystem: false };
    const before = loadConfig(file, options);
    const after = loadConfig(file.replace(/\.yaml$/, '.migrated.yaml'), options);
    expect(after.warnings).toEqual([]);
    expect(after.config).toEqual(before.config);
  });

  it('reads a configuration object the same way as its file', () => {
    const fromObject = loadConfig(
      {
        mlflow: {
          tracking_uri: 'file://./mlruns',
          experiment: 'research_agent',
          autolog: true,
        },
      },
      { env: {}, cwd: FIXTURES },
    );
    expect(fromObject.config?.observability.mlflow).toEqual(
      expected({ experiment_name: 'research_agent', autolog_enabled: true }),
    );
    expect(fromObject.warnings.map((w) => w.message)).toEqual([
      'the configuration object uses the MLflow 2.9-era format; read with 4 change(s)',
      'moved the top-level `mlflow:` section (MLflow 2.9-era layout) to `observability.mlflow:`',
      'renamed `experiment` to `experiment_name`',
      'renamed `autolog` to `autolog_enabled`',
      '`tracking_uri: file://./mlruns` is an MLflow FileStore, which graphtrace does not write; using `sqlite:///mlflow.db` instead. Import the old runs with: graphtrace import mlruns ./mlruns --to sqlite:///mlflow.db',
    ]);
    expect(fromObject.sources['observability.mlflow.experiment_name']).toEqual({
      kind: 'object',
      legacyPath: 'mlflow.experiment',
    });
  });
});
