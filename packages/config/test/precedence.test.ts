import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, loadConfigText, redactConfig } from '../src/index.js';
import { DEFAULTS, expected, tempDir } from './helpers.js';

const cwd = tempDir();
const P = 'observability.mlflow';

writeFileSync(
  join(cwd, 'graphtrace.yaml'),
  [
    'observability:',
    '  mlflow:',
    '    config_version: 2',
    '    tracking_uri: sqlite:///file.db',
    '    experiment_name: from-file',
    '    sampling: 0.5',
    '    log_prompts: false',
    '    tags:',
    '      layer: file',
    '    fallback:',
    '      precheck_timeout: 2',
    '',
  ].join('\n'),
);

describe('precedence: defaults < file < environment < overrides', () => {
  it('uses the defaults when nothing is given', () => {
    const result = loadConfig(undefined, { env: {}, cwd });
    expect(result.ok).toBe(true);
    expect(result.config?.observability.mlflow).toEqual(DEFAULTS);
    expect(Object.values(result.sources).every((s) => s.kind === 'default')).toBe(true);
    expect(result.warnings).toEqual([]);
  });

  it('lets each layer win over the ones below it, leaf by leaf', () => {
    const result = loadConfig('graphtrace.yaml', {
      cwd,
      env: {
        MLFLOW_TRACKING_URI: 'sqlite:///env.db',
        GRAPHTRACE_SAMPLING: '0.25',
        MLFLOW_TRACKING_TOKEN: 'env-token',
        GRAPHTRACE_FALLBACK_PRECHECK_TIMEOUT: '5',
        UNRELATED: 'x',
      },
      overrides: {
        observability: {
          mlflow: { tracking_uri: 'memory:', run_name: undefined, fallback: { enabled: false } },
        },
      },
    });
    expect(result.errors).toEqual([]);
    expect(result.config?.observability.mlflow).toEqual(
      expected({
        tracking_uri: 'memory:',
        experiment_name: 'from-file',
        sampling: 0.25,
        log_prompts: false,
        tags: { layer: 'file' },
        token: 'env-token',
        fallback: { enabled: false, precheck_timeout: 5 },
      }),
    );
    const file = 'graphtrace.yaml';
    expect(result.sources).toEqual({
      [`${P}.config_version`]: { kind: 'file', file, line: 3, column: 21 },
      [`${P}.enabled`]: { kind: 'default' },
      [`${P}.tracking_uri`]: { kind: 'override' },
      [`${P}.experiment_name`]: { kind: 'file', file, line: 5, column: 22 },
      [`${P}.autolog_enabled`]: { kind: 'default' },
      [`${P}.record_internal_chains`]: { kind: 'default' },
      [`${P}.log_prompts`]: { kind: 'file', file, line: 7, column: 18 },
      [`${P}.sampling`]: { kind: 'env', variable: 'GRAPHTRACE_SAMPLING' },
      [`${P}.max_payload_chars`]: { kind: 'default' },
      [`${P}.redact`]: { kind: 'default' },
      [`${P}.tags`]: { kind: 'file', file, line: 9, column: 7 },
      [`${P}.token`]: { kind: 'env', variable: 'MLFLOW_TRACKING_TOKEN' },
      [`${P}.insecure_tls`]: { kind: 'default' },
      [`${P}.request_timeout`]: { kind: 'default' },
      [`${P}.flush_timeout`]: { kind: 'default' },
      [`${P}.fallback.enabled`]: { kind: 'override' },
      [`${P}.fallback.precheck_timeout`]: {
        kind: 'env',
        variable: 'GRAPHTRACE_FALLBACK_PRECHECK_TIMEOUT',
      },
      [`${P}.fallback.uri`]: { kind: 'default' },
      [`${P}.pricing.enabled`]: { kind: 'default' },
      [`${P}.pricing.builtin`]: { kind: 'default' },
      [`${P}.pricing.models`]: { kind: 'default' },
    });
  });

  it('replaces maps and lists as a whole', () => {
    const result = loadConfig('graphtrace.yaml', {
      cwd,
      env: { GRAPHTRACE_TAGS: 'team=agents,env=prod', GRAPHTRACE_REDACT: 'ssn, card_number' },
    });
    expect(result.config?.observability.mlflow.tags).toEqual({ team: 'agents', env: 'prod' });
    expect(result.config?.observability.mlflow.redact).toEqual(['ssn', 'card_number']);
    const json = loadConfigText('', { cwd, env: { GRAPHTRACE_TAGS: '{"a,b": "c=d"}' } });
    expect(json.config?.observability.mlflow.tags).toEqual({ 'a,b': 'c=d' });
  });

  it('reads every MLflow variable users already set', () => {
    const result = loadConfigText('', {
      cwd,
      env: {
        MLFLOW_TRACKING_URI: 'https://mlflow.example.com',
        MLFLOW_EXPERIMENT_NAME: 'env-exp',
        MLFLOW_EXPERIMENT_ID: '42',
        MLFLOW_TRACKING_USERNAME: 'alice',
        MLFLOW_TRACKING_PASSWORD: 'pw',
        MLFLOW_TRACKING_INSECURE_TLS: 'TRUE',
        MLFLOW_TRACKING_SERVER_CERT_PATH: '/etc/ca.pem',
        MLFLOW_HTTP_REQUEST_TIMEOUT: '10',
        GRAPHTRACE_AUTOLOG: 'yes',
        GRAPHTRACE_LOG_PROMPTS: '0',
        GRAPHTRACE_MAX_PAYLOAD_CHARS: '500',
        GRAPHTRACE_RUN_NAME: 'ci',
        GRAPHTRACE_SESSION: 's-1',
        GRAPHTRACE_USER: 'u-1',
        GRAPHTRACE_FALLBACK_URI: 'sqlite:///fb.db',
        GRAPHTRACE_ENABLED: 'on',
      },
    });
    expect(result.errors).toEqual([]);
    expect(result.config?.observability.mlflow).toEqual(
      expected({
        tracking_uri: 'https://mlflow.example.com',
        experiment_name: 'env-exp',
        experiment_id: '42',
        username: 'alice',
        password: 'pw',
        insecure_tls: true,
        ca_bundle: '/etc/ca.pem',
        request_timeout: 10,
        autolog_enabled: true,
        log_prompts: false,
        max_payload_chars: 500,
        run_name: 'ci',
        session: 's-1',
        user: 'u-1',
        fallback: { uri: 'sqlite:///fb.db' },
      }),
    );
    expect(result.warnings.map((w) => w.code)).toEqual([
      'CONFIG_SECTION_MISSING',
      'CONFIG_EXPERIMENT_CONFLICT',
    ]);
    expect(result.warnings[1]?.message).toBe(
      '$MLFLOW_EXPERIMENT_NAME: both observability.mlflow.experiment_id and observability.mlflow.experiment_name are set; experiment_id "42" is used and experiment_name "env-exp" is ignored',
    );
  });

  it('ignores empty variables, as shells use them to unset', () => {
    const result = loadConfigText('', {
      cwd,
      env: { MLFLOW_TRACKING_URI: '', GRAPHTRACE_SAMPLING: '' },
    });
    expect(result.ok).toBe(true);
    expect(result.sources[`${P}.tracking_uri`]).toEqual({ kind: 'default' });
  });

  it('reads the file named by GRAPHTRACE_CONFIG when given no path', () => {
    const result = loadConfig(undefined, { cwd, env: { GRAPHTRACE_CONFIG: 'graphtrace.yaml' } });
    expect(result.config?.observability.mlflow.experiment_name).toBe('from-file');
    expect(result.file).toBe(join(cwd, 'graphtrace.yaml'));
  });

  it('treats a blank YAML value as unset', () => {
    const result = loadConfigText('observability:\n  mlflow:\n    run_name:\n    fallback:\n', {
      cwd,
      env: {},
    });
    expect(result.config?.observability.mlflow).toEqual(DEFAULTS);
  });

  it('records the legacy key a migrated value was read from', () => {
    const result = loadConfigText('mlflow:\n  experiment: old\n  verify_ssl: false\n', {
      filename: 'old.yaml',
      cwd,
      env: {},
    });
    expect(result.sources[`${P}.experiment_name`]).toEqual({
      kind: 'file',
      file: 'old.yaml',
      line: 2,
      column: 15,
      legacyPath: 'mlflow.experiment',
    });
    expect(result.sources[`${P}.insecure_tls`]).toEqual({
      kind: 'file',
      file: 'old.yaml',
      line: 3,
      column: 15,
      legacyPath: 'mlflow.verify_ssl',
    });
  });

  it('masks secrets for display', () => {
    const result = loadConfigText('', { cwd, env: { MLFLOW_TRACKING_TOKEN: 't0k3n' } });
    const shown = redactConfig(result.config!);
    expect(shown.observability.mlflow.token).toBe('***');
    expect(result.config?.observability.mlflow.token).toBe('t0k3n');
  });
});
