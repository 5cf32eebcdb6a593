import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  configJsonSchema,
  describeOptions,
  ENV_BINDINGS,
  LEGACY_KEY_MAP,
  loadConfigText,
  parseTrackingUri,
  resolveSqlitePath,
  type TrackingUri,
  tryParseTrackingUri,
} from '../src/index.js';
import { suggestKey } from '../src/suggest.js';
import { migrateFileStoreUri } from '../src/tracking-uri.js';
import { DEFAULTS } from './helpers.js';

describe('JSON Schema', () => {
  it('matches the committed snapshot', async () => {
    await expect(`${JSON.stringify(configJsonSchema(), null, 2)}\n`).toMatchFileSnapshot(
      './__snapshots__/config.schema.json',
    );
  });

  it('describes every option and forbids unknown keys in the section', () => {
    const schema = configJsonSchema() as any;
    const mlflow = schema.properties.observability.properties.mlflow;
    expect(mlflow.additionalProperties).toBe(false);
    expect(mlflow.properties.fallback.additionalProperties).toBe(false);
    expect(schema.additionalProperties).toEqual({});
    for (const [key, value] of Object.entries<any>(mlflow.properties)) {
      expect(value.description, key).toEqual(expect.any(String));
    }
  });
});

describe('describeOptions', () => {
  const options = describeOptions();

  it('lists every leaf with type, default, env variables and description', () => {
    expect(options.map((o) => o.path.replace('observability.mlflow.', ''))).toEqual([
      'config_version',
      'enabled',
      'tracking_uri',
      'sqlite_schema_version',
      'experiment_name',
      'experiment_id',
      'run_name',
      'autolog_enabled',
      'record_internal_chains',
      'log_prompts',
      'sampling',
      'max_payload_chars',
      'redact',
      'tags',
      'session',
      'user',
      'token',
      'username',
      'password',
      'insecure_tls',
      'ca_bundle',
      'request_timeout',
      'flush_timeout',
      'fallback.enabled',
      'fallback.precheck_timeout',
      'fallback.uri',
      'pricing.enabled',
      'pricing.builtin',
      'pricing.models',
    ]);
    for (const option of options) expect(option.description, option.path).not.toBe('');
    expect(options.find((o) => o.path.endsWith('.sampling'))).toEqual({
      path: 'observability.mlflow.sampling',
      type: 'number (0..1)',
      default: 1,
      env: ['GRAPHTRACE_SAMPLING'],
      description: 'Fraction of traces recorded, from 0 (none) to 1 (all)',
      secret: false,
    });
    expect(options.find((o) => o.path.endsWith('.password'))).toMatchObject({
      type: 'string',
      env: ['MLFLOW_TRACKING_PASSWORD'],
      secret: true,
    });
    expect(options.find((o) => o.path.endsWith('.fallback.precheck_timeout'))).toMatchObject({
      type: 'number (> 0)',
      default: 3,
    });
    expect(options.find((o) => o.path.endsWith('.experiment_id'))).not.toHaveProperty('default');
  });

  it('agrees with the defaults the loader applies', () => {
    for (const option of options) {
      if (!('default' in option)) continue;
      const value = option.path
        .replace('observability.mlflow.', '')
        .split('.')
        .reduce<any>((obj, key) => obj[key], DEFAULTS);
      expect(value, option.path).toEqual(option.default);
    }
  });

  it('maps every environment variable to an existing option', () => {
    const paths = new Set(options.map((o) => o.path));
    for (const binding of ENV_BINDINGS)
      expect(paths.has(binding.path), binding.variable).toBe(true);
    expect(new Set(ENV_BINDINGS.map((b) => b.variable)).size).toBe(ENV_BINDINGS.length);
  });

  it('maps every legacy key to a current option', () => {
    const paths = new Set(options.map((o) => o.path));
    for (const [old, now] of Object.entries(LEGACY_KEY_MAP)) {
      expect(paths.has(`observability.mlflow.${now}`), old).toBe(true);
    }
  });
});

describe('parseTrackingUri', () => {
  const valid: [string, TrackingUri][] = [
    ['sqlite:///mlflow.db', { scheme: 'sqlite', path: 'mlflow.db', absolute: false }],
    ['sqlite:///data/runs.db', { scheme: 'sqlite', path: 'data/runs.db', absolute: false }],
    [
      'sqlite:////var/lib/mlflow.db',
      { scheme: 'sqlite', path: '/var/lib/mlflow.db', absolute: true },
    ],
    ['sqlite:///my%20runs.db', { scheme: 'sqlite', path: 'my runs.db', absolute: false }],
    ['SQLITE:///C:/mlflow.db', { scheme: 'sqlite', path: 'C:/mlflow.db', absolute: true }],
    ['http://localhost:5000', { scheme: 'http', url: 'http://localhost:5000' }],
    ['https://mlflow.example.com/', { scheme: 'https', url: 'https://mlflow.example.com' }],
    [
      'https://Host.Example:8443/api/mlflow',
      { scheme: 'https', url: 'https://host.example:8443/api/mlflow' },
    ],
    ['memory:', { scheme: 'memory' }],
  ];
  it.each(valid)('%s', (uri, parsed) => {
    expect(parseTrackingUri(uri)).toEqual(parsed);
  });

  it('throws a ConfigError with a code for bad URIs', () => {
    expect(() => parseTrackingUri('file://./mlruns')).toThrow(ConfigError);
    try {
      parseTrackingUri('gopher://x');
    } catch (err) {
      expect((err as ConfigError).code).toBe('CONFIG_INVALID_URI');
    }
    expect(tryParseTrackingUri('./mlruns')).toMatchObject({ ok: false, legacy: true });
    expect(tryParseTrackingUri('ftp://x')).toMatchObject({ ok: false, legacy: false });
    expect(tryParseTrackingUri(' sqlite:///a.db')).toMatchObject({ ok: false });
    expect(tryParseTrackingUri('sqlite:///dir/')).toMatchObject({ ok: false });
  });

  it('resolves sqlite paths against a directory', () => {
    expect(resolveSqlitePath('sqlite:///data/m.db', '/srv/app')).toBe('/srv/app/data/m.db');
    expect(resolveSqlitePath('sqlite:////abs/m.db', '/srv/app')).toBe('/abs/m.db');
    expect(() => resolveSqlitePath('memory:', '/srv')).toThrow(ConfigError);
  });

  it('places the replacement of a FileStore next to it', () => {
    expect(migrateFileStoreUri('file://./mlruns')).toEqual({
      sqliteUri: 'sqlite:///mlflow.db',
      mlrunsPath: './mlruns',
    });
    expect(migrateFileStoreUri('file:///var/lib/app/mlruns')?.sqliteUri).toBe(
      'sqlite:////var/lib/app/mlflow.db',
    );
    expect(migrateFileStoreUri('file://localhost/srv/mlruns')?.sqliteUri).toBe(
      'sqlite:////srv/mlflow.db',
    );
    expect(migrateFileStoreUri('../shared/mlruns')?.sqliteUri).toBe(
      'sqlite:///../shared/mlflow.db',
    );
    expect(migrateFileStoreUri('file:mlruns')?.sqliteUri).toBe('sqlite:///mlflow.db');
    expect(migrateFileStoreUri('sqlite:///mlflow.db')).toBeUndefined();
    expect(migrateFileStoreUri('ftp://x')).toBeUndefined();
  });
});

describe('suggestions', () => {
  it('suggests only plausible keys', () => {
    const known = ['tracking_uri', 'sampling', 'enabled', 'user'];
    expect(suggestKey('Tracking-URI', known)).toBe('tracking_uri');
    expect(suggestKey('tracking_url', known)).toBe('tracking_uri');
    expect(suggestKey('trackign_uri', known)).toBe('tracking_uri');
    expect(suggestKey('smapling', known)).toBe('sampling');
    expect(suggestKey('sample_rate', known)).toBe('sampling');
    expect(suggestKey('enable', known)).toBe('enabled');
    expect(suggestKey('colour', known)).toBeUndefined();
  });
});

describe('pricing', () => {
  it('takes your prices by model name and names a bad one with its path', () => {
    const ok = loadConfigText(
      'observability:\n  mlflow:\n    pricing:\n      models:\n        acme-7b: { input_per_million_tokens: 0.3, output_per_million_tokens: 1.2 }\n',
    );
    expect(ok.config?.observability.mlflow.pricing).toEqual({
      enabled: true,
      builtin: true,
      models: { 'acme-7b': { input_per_million_tokens: 0.3, output_per_million_tokens: 1.2 } },
    });
    const bad = loadConfigText(
      'observability:\n  mlflow:\n    pricing:\n      models:\n        acme-7b: { input_per_million_tokens: -1, output_per_million_tokens: 1.2 }\n',
    );
    expect(bad.config).toBeUndefined();
    expect(bad.errors.map((e) => e.message)).toEqual([
      '<text>:5:46: observability.mlflow.pricing.models.acme-7b.input_per_million_tokens must be at least 0, got -1',
    ]);
  });
});
